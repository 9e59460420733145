package fakediscord

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// payloads are the objects events are built on: a message and a READY,
// real ones when a directory of them was given.
type payloads struct {
	message map[string]any
	ready   map[string]any
}

// builtinMessage and builtinReady are small payloads of our own, in the
// shape Discord sends, for when no real ones are at hand.
const (
	builtinMessage = `{"id":"1","channel_id":"1","author":{"id":"1","username":"lid","discriminator":"0","avatar":null,"global_name":"Lid"},
		"content":"","timestamp":"2024-05-01T09:30:00.000000+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,
		"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0,"flags":0}`
	builtinReady = `{"v":10,"user_settings":{},"user":{"id":"1","username":"bot","discriminator":"0","bot":true,"verified":true,"avatar":null},
		"guilds":[],"session_id":"","resume_gateway_url":"","relationships":[],"private_channels":[],"presences":[],"_trace":["fake"]}`
)

func loadPayloads(dir string) (payloads, error) {
	msg, ready := []byte(builtinMessage), []byte(builtinReady)
	if dir != "" {
		var err error
		if msg, err = os.ReadFile(filepath.Join(dir, "message_create_1.json")); err != nil {
			return payloads{}, fmt.Errorf("fakediscord: %w", err)
		}
		if ready, err = os.ReadFile(filepath.Join(dir, "ready_1.json")); err != nil {
			return payloads{}, fmt.Errorf("fakediscord: %w", err)
		}
	}
	var p payloads
	if err := json.Unmarshal(msg, &p.message); err != nil {
		return payloads{}, fmt.Errorf("fakediscord: message payload: %w", err)
	}
	if err := json.Unmarshal(ready, &p.ready); err != nil {
		return payloads{}, fmt.Errorf("fakediscord: ready payload: %w", err)
	}
	return p, nil
}

// clone deep-copies a payload.
func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

// user is a user object shaped like the base message's author.
func (p payloads) user(id, name string, bot bool) map[string]any {
	u, _ := clone(p.message)["author"].(map[string]any)
	if u == nil {
		u = map[string]any{}
	}
	u["id"], u["username"], u["global_name"] = id, name, name
	u["discriminator"] = "0"
	delete(u, "bot")
	if bot {
		u["bot"] = true
	}
	return u
}

func (p payloads) readyEvent(sessionID string, o Options, gateway string) json.RawMessage {
	r := clone(p.ready)
	r["v"] = 10
	r["session_id"] = sessionID
	r["resume_gateway_url"] = gateway
	u := p.user(o.BotID, o.BotName, true)
	u["verified"] = true
	r["user"] = u
	r["application"] = map[string]any{"id": o.AppID, "flags": 0}
	r["guilds"] = []any{}
	r["private_channels"] = []any{}
	b, _ := json.Marshal(r)
	return b
}

// Message describes a MESSAGE_CREATE to send.
type Message struct {
	GuildID    string // "" for a DM
	ChannelID  string
	AuthorID   string
	AuthorName string
	AuthorBot  bool
	Content    string
	MentionBot bool // list the bot in mentions (put "<@id>" in Content yourself)
}

// SendMessage dispatches a MESSAGE_CREATE built on the base message and
// returns the new message's id.
func (s *Server) SendMessage(m Message) (string, error) {
	msg := s.messageEvent(m)
	_, err := s.Dispatch("MESSAGE_CREATE", msg)
	return msg["id"].(string), err
}

// messageEvent builds the data of a MESSAGE_CREATE.
func (s *Server) messageEvent(m Message) map[string]any {
	id := s.snowflake()
	msg := clone(s.base.message)
	msg["id"], msg["channel_id"], msg["content"] = id, m.ChannelID, m.Content
	msg["author"] = s.base.user(m.AuthorID, m.AuthorName, m.AuthorBot)
	msg["timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
	msg["nonce"] = id
	mentions := []any{}
	if m.MentionBot {
		mentions = append(mentions, s.base.user(s.opts.BotID, s.opts.BotName, true))
	}
	msg["mentions"] = mentions
	delete(msg, "guild_id")
	delete(msg, "member")
	if m.GuildID != "" {
		msg["guild_id"] = m.GuildID
		msg["member"] = map[string]any{"roles": []any{}, "joined_at": "2023-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0}
	}
	return msg
}

// Interaction is an interaction the fake dispatched, with what the bot
// did about it.
type Interaction struct {
	ID, Token  string
	Dispatched time.Time // INTERACTION_CREATE written to the gateway
	Responded  time.Time // first callback received
	Response   int       // its type
	Edited     time.Time // first edit of the original response received
	MessageID  string    // the response message, once there is one
}

// Command describes a /command use to dispatch.
type Command struct {
	GuildID   string // "" for a DM
	ChannelID string
	UserID    string
	UserName  string
	Name      string   // default "watwerkt"
	Options   []Option // string options, in order
	Locale    string   // default "nl"
}

// Option is one string option of a command.
type Option struct{ Name, Value string }

// Click describes a button click to dispatch.
type Click struct {
	GuildID   string
	ChannelID string
	UserID    string
	UserName  string
	CustomID  string
	MessageID string // the message the button is on
}

// SendCommand dispatches an INTERACTION_CREATE of type 2.
func (s *Server) SendCommand(c Command) (Interaction, error) {
	if c.Name == "" {
		c.Name = "watwerkt"
	}
	opts := []any{}
	for _, o := range c.Options {
		opts = append(opts, map[string]any{"name": o.Name, "type": 3, "value": o.Value})
	}
	data := map[string]any{"id": "1100000000000000001", "name": c.Name, "type": 1, "options": opts}
	return s.sendInteraction(2, c.GuildID, c.ChannelID, c.UserID, c.UserName, c.Locale, data, nil)
}

// SendClick dispatches an INTERACTION_CREATE of type 3 for a button on
// a message of the bot.
func (s *Server) SendClick(c Click) (Interaction, error) {
	msg := clone(s.base.message)
	msg["id"], msg["channel_id"] = c.MessageID, c.ChannelID
	msg["author"] = s.base.user(s.opts.BotID, s.opts.BotName, true)
	if raw, ok := s.messageJSON(c.MessageID); ok {
		var stored map[string]any
		if json.Unmarshal(raw, &stored) == nil {
			msg = stored
		}
	}
	data := map[string]any{"custom_id": c.CustomID, "component_type": 2}
	return s.sendInteraction(3, c.GuildID, c.ChannelID, c.UserID, c.UserName, "", data, msg)
}

func (s *Server) sendInteraction(typ int, guild, channel, user, name, locale string, data, msg map[string]any) (Interaction, error) {
	in := Interaction{ID: s.snowflake(), Token: s.token("aW50ZXJhY3Rpb246")}
	ev := s.interactionEvent(in, typ, guild, channel, user, name, locale, data, msg)
	raw, err := json.Marshal(ev)
	if err != nil {
		return in, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || !s.current.valid {
		return in, errNoSession
	}
	// Stamped before the write, under the lock the REST side takes too,
	// so a response can never seem to come before its interaction.
	in.Dispatched = time.Now()
	s.interactions[in.Token] = &in
	s.dispatchLocked(s.current, "INTERACTION_CREATE", raw)
	return in, nil
}

// interactionEvent builds the data of an INTERACTION_CREATE, shaped as
// Discord sends it for a guild member or, without a guild, a DM.
func (s *Server) interactionEvent(in Interaction, typ int, guild, channel, user, name, locale string, data, msg map[string]any) map[string]any {
	if locale == "" {
		locale = "nl"
	}
	ev := map[string]any{
		"id": in.ID, "application_id": s.opts.AppID, "type": typ, "token": in.Token, "version": 1,
		"channel_id": channel, "data": data, "locale": locale,
		"app_permissions": "562949953421311", "entitlements": []any{},
	}
	u := s.base.user(user, name, false)
	if guild != "" {
		ev["guild_id"], ev["guild_locale"] = guild, "nl"
		ev["channel"] = map[string]any{"id": channel, "type": 0, "guild_id": guild}
		ev["member"] = map[string]any{"user": u, "roles": []any{}, "joined_at": "2023-01-01T00:00:00.000000+00:00",
			"deaf": false, "mute": false, "flags": 0, "permissions": "562949953421311"}
		ev["context"] = 0
	} else {
		ev["channel"] = map[string]any{"id": channel, "type": 1}
		ev["user"] = u
		ev["context"] = 1
	}
	if msg != nil {
		ev["message"] = msg
	}
	return ev
}

// Interaction returns what became of an interaction.
func (s *Server) Interaction(token string) (Interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[token]
	if !ok {
		return Interaction{}, false
	}
	return *in, true
}

func (s *Server) messageJSON(id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	return m, ok
}
