package fakediscord

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const token = "fake-token"

// payloadDirs are the payload sources the fake is used with: built-in,
// the bot's testdata, and the real payloads when ../shared is there.
func payloadDirs(t *testing.T) map[string]string {
	dirs := map[string]string{"builtin": "", "testdata": filepath.Join("..", "testdata", "gateway")}
	real := filepath.Join("..", "..", "..", "..", "shared", "data", "bots", "discord-gateway-payloads", "tests", "resources")
	if _, err := os.Stat(real); err == nil {
		dirs["real"] = real
	} else {
		t.Logf("no real payloads at %s; checking the others", real)
	}
	return dirs
}

// TestEventsDecode checks that the events the fake builds, on each
// payload source, decode into discordgo's types with the fields a bot
// reads.
func TestEventsDecode(t *testing.T) {
	for name, dir := range payloadDirs(t) {
		t.Run(name, func(t *testing.T) {
			s, err := Start(Options{Token: token, PayloadDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()

			var ready discordgo.Ready
			if err := json.Unmarshal(s.base.readyEvent("sess1", s.opts, s.GatewayURL()), &ready); err != nil {
				t.Fatalf("READY: %v", err)
			}
			if ready.SessionID != "sess1" || ready.User.ID != s.BotID() || !ready.User.Bot || ready.Application.ID != s.AppID() {
				t.Errorf("READY = %+v", ready)
			}

			raw, _ := json.Marshal(s.messageEvent(Message{GuildID: "5", ChannelID: "6", AuthorID: "7", AuthorName: "lid", Content: "<@1> hoi", MentionBot: true}))
			var m discordgo.MessageCreate
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("MESSAGE_CREATE: %v\n%s", err, raw)
			}
			if m.GuildID != "5" || m.ChannelID != "6" || m.Author.ID != "7" || m.Author.Bot || m.Content != "<@1> hoi" || len(m.Mentions) != 1 {
				t.Errorf("MESSAGE_CREATE = %+v", m.Message)
			}

			for _, guild := range []string{"5", ""} {
				data := map[string]any{"id": "9", "name": "watwerkt", "type": 1, "options": []any{map[string]any{"name": "vraag", "type": 3, "value": "wachtlijst"}}}
				raw, _ = json.Marshal(s.interactionEvent(Interaction{ID: "8", Token: "tok"}, 2, guild, "6", "7", "lid", "", data, nil))
				var ic discordgo.InteractionCreate
				if err := json.Unmarshal(raw, &ic); err != nil {
					t.Fatalf("INTERACTION_CREATE: %v\n%s", err, raw)
				}
				d := ic.ApplicationCommandData()
				if ic.Token != "tok" || ic.AppID != s.AppID() || d.Name != "watwerkt" || d.Options[0].StringValue() != "wachtlijst" {
					t.Errorf("INTERACTION_CREATE = %+v", ic.Interaction)
				}
				if (guild != "" && (ic.Member == nil || ic.Member.User.ID != "7")) || (guild == "" && (ic.User == nil || ic.User.ID != "7")) {
					t.Errorf("guild %q: member %+v user %+v", guild, ic.Member, ic.User)
				}
			}
		})
	}
}

// client is a bare gateway client.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, s *Server) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.GatewayURL()+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &client{t: t, ws: ws}
	if f := c.read(); f.Op != opHello {
		t.Fatalf("first frame op %d, want Hello", f.Op)
	}
	return c
}

func (c *client) send(op int, d any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) read() frame {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatal(err)
	}
	if mt == websocket.BinaryMessage {
		z, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			c.t.Fatal(err)
		}
		data, _ = io.ReadAll(z)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatal(err)
	}
	if f.S != nil {
		f.seq = *f.S
	}
	return f
}

func event(f frame) string {
	if f.T == nil {
		return ""
	}
	return *f.T
}

func TestGatewayProtocol(t *testing.T) {
	s, err := Start(Options{Token: token, HeartbeatInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c := dial(t, s)
	c.send(opIdentify, map[string]any{"token": "Bot " + token, "intents": 4609, "compress": true})
	ready := c.read()
	var r struct {
		SessionID string `json:"session_id"`
		Resume    string `json:"resume_gateway_url"`
	}
	json.Unmarshal(ready.D, &r)
	if event(ready) != "READY" || ready.seq != 1 || r.SessionID == "" || r.Resume != s.GatewayURL() {
		t.Fatalf("got %s seq %d %s", event(ready), ready.seq, ready.D)
	}
	c.send(opHeartbeat, 1)
	if f := c.read(); f.Op != opHeartbeatACK {
		t.Fatalf("heartbeat answered with op %d", f.Op)
	}
	if _, err := s.SendMessage(Message{ChannelID: "1", AuthorID: "2", Content: "a"}); err != nil {
		t.Fatal(err)
	}
	if f := c.read(); event(f) != "MESSAGE_CREATE" || f.seq != 2 {
		t.Fatalf("got %s seq %d", event(f), f.seq)
	}

	// Away: two events wait for the resume, which replays them in order.
	s.Disconnect()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Wait(ctx, func() bool { return !s.Connected() })
	s.SendMessage(Message{ChannelID: "1", AuthorID: "2", Content: "b"})
	s.SendMessage(Message{ChannelID: "1", AuthorID: "2", Content: "c"})
	c = dial(t, s)
	c.send(opResume, map[string]any{"token": token, "session_id": r.SessionID, "seq": 2})
	for _, want := range []struct {
		event string
		seq   int64
	}{{"MESSAGE_CREATE", 3}, {"MESSAGE_CREATE", 4}, {"RESUMED", 5}} {
		if f := c.read(); event(f) != want.event || f.seq != want.seq {
			t.Fatalf("got %s seq %d, want %s %d", event(f), f.seq, want.event, want.seq)
		}
	}

	s.Reconnect()
	if f := c.read(); f.Op != opReconnect {
		t.Fatalf("got op %d, want 7", f.Op)
	}
	s.InvalidSession(false)
	if f := c.read(); f.Op != opInvalidSession || string(f.D) != "false" {
		t.Fatalf("got op %d %s, want 9 false", f.Op, f.D)
	}
	// A dead session cannot be resumed.
	c2 := dial(t, s)
	c2.send(opResume, map[string]any{"token": token, "session_id": r.SessionID, "seq": 5})
	if f := c2.read(); f.Op != opInvalidSession {
		t.Fatalf("resume of a dead session got op %d", f.Op)
	}

	// READY can be made never to come.
	s.DropReadies(1)
	c3 := dial(t, s)
	c3.send(opIdentify, map[string]any{"token": token, "intents": 4609})
	c3.send(opHeartbeat, nil)
	if f := c3.read(); f.Op != opHeartbeatACK {
		t.Fatalf("got op %d %s, want only the ACK", f.Op, event(f))
	}

	// Privileged intents and bad tokens are refused with Discord's codes.
	for _, c := range []struct {
		d    map[string]any
		code int
	}{
		{map[string]any{"token": token, "intents": 1 << 15}, 4014},
		{map[string]any{"token": "wrong", "intents": 1}, 4004},
	} {
		cl := dial(t, s)
		cl.send(opIdentify, c.d)
		cl.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := cl.ws.ReadMessage()
		if !websocket.IsCloseError(err, c.code) {
			t.Errorf("identify %v: %v, want close code %d", c.d, err, c.code)
		}
	}
}

// identified dials and identifies, and returns the client and its
// session id.
func identified(t *testing.T, s *Server) (*client, string) {
	t.Helper()
	c := dial(t, s)
	c.send(opIdentify, map[string]any{"token": token, "intents": 4609})
	f := c.read()
	var r struct {
		SessionID string `json:"session_id"`
	}
	json.Unmarshal(f.D, &r)
	if event(f) != "READY" || r.SessionID == "" {
		t.Fatalf("identify got %s %s", event(f), f.D)
	}
	return c, r.SessionID
}

// closeWith closes the connection with code and waits for the fake to
// see it.
func (c *client) closeWith(s *Server, code int) {
	c.t.Helper()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Wait(ctx, func() bool { return !s.Connected() }); err != nil {
		c.t.Fatalf("the fake did not see the close with %d", code)
	}
	c.ws.Close()
}

// TestSessionLifetime checks that sessions end as on Discord: with a
// close 1000 or 1001 from the client, or past the resume window; and
// not with other closes.
func TestSessionLifetime(t *testing.T) {
	const window = time.Second
	s, err := Start(Options{Token: token, ResumeWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resume := func(id string, seq int64) *client {
		c := dial(t, s)
		c.send(opResume, map[string]any{"token": token, "session_id": id, "seq": seq})
		return c
	}
	invalid := func(c *client, what string) {
		t.Helper()
		if f := c.read(); f.Op != opInvalidSession || string(f.D) != "false" {
			t.Errorf("%s: got op %d %s %s, want op 9 false", what, f.Op, event(f), f.D)
		}
	}

	for _, code := range []int{websocket.CloseNormalClosure, websocket.CloseGoingAway} {
		c, id := identified(t, s)
		c.closeWith(s, code)
		invalid(resume(id, 1), "resume after a close with 1000 or 1001")
	}

	// 4000 (or a dropped connection) keeps the session: the resume gets
	// what it missed, then RESUMED.
	c, id := identified(t, s)
	c.closeWith(s, 4000)
	if _, err := s.SendMessage(Message{ChannelID: "1", AuthorID: "2", Content: "a"}); err != nil {
		t.Fatal(err)
	}
	c = resume(id, 1)
	for _, want := range []string{"MESSAGE_CREATE", "RESUMED"} {
		if f := c.read(); event(f) != want {
			t.Fatalf("resume after 4000: got op %d %s, want %s", f.Op, event(f), want)
		}
	}
	c.closeWith(s, 4000)

	// A sequence the session never reached is refused with 4007.
	c = resume(id, 99)
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.ws.ReadMessage(); !websocket.IsCloseError(err, 4007) {
		t.Errorf("resume with a future seq: %v, want close 4007", err)
	}

	// Past the resume window the session is gone.
	time.Sleep(window + 200*time.Millisecond)
	invalid(resume(id, 3), "resume past the window")
	if st := s.Stats(); st.InvalidSessions != 3 || st.Resumed != 1 {
		t.Errorf("stats %+v, want 3 op 9 and 1 RESUMED", st)
	}

	// ACKs can be skipped: of two heartbeats only the second gets one.
	c, id = identified(t, s)
	s.DropHeartbeatACKs(1)
	c.send(opHeartbeat, 1)
	c.send(opHeartbeat, 1)
	if f := c.read(); f.Op != opHeartbeatACK {
		t.Fatalf("got op %d, want an ACK", f.Op)
	}
	s.SendMessage(Message{ChannelID: "1", AuthorID: "2", Content: "b"})
	if f := c.read(); event(f) != "MESSAGE_CREATE" {
		t.Fatalf("got op %d %s, want MESSAGE_CREATE and no second ACK", f.Op, event(f))
	}

	// A Resume can be left unanswered.
	c.closeWith(s, 4000)
	s.DropResumes(1)
	c = resume(id, 2)
	c.send(opHeartbeat, 2)
	if f := c.read(); f.Op != opHeartbeatACK {
		t.Fatalf("after a dropped resume got op %d %s, want only the ACK", f.Op, event(f))
	}
}

func TestRESTRateLimitAndAuth(t *testing.T) {
	s, err := Start(Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc := s.Client()
	get := func(auth string) *http.Response {
		req, _ := http.NewRequest("GET", "https://discord.com/api/v10/users/@me", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get(""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d", r.StatusCode)
	}
	if r := get("Bot " + token); r.StatusCode != http.StatusOK {
		t.Errorf("with the token: %d", r.StatusCode)
	}
	s.LimitRate(RateLimit{PathPrefix: "/users/", Count: 1, RetryAfter: 1500 * time.Millisecond, Global: true})
	r := get("Bot " + token)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "2" || r.Header.Get("X-RateLimit-Global") != "true" ||
		r.Header.Get("X-RateLimit-Reset-After") != "1.500" || r.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429: %d %v", r.StatusCode, r.Header)
	}
	if r := get("Bot " + token); r.StatusCode != http.StatusOK {
		t.Errorf("after the 429: %d", r.StatusCode)
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[2].Status != 429 || !strings.HasPrefix(reqs[0].Path, "/users/") {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestMessageLimits(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"content":"hoi","allowed_mentions":{"parse":[]}}`, true},
		{`{"content":"` + strings.Repeat("é", 2000) + `"}`, true},
		{`{"content":"` + strings.Repeat("é", 2001) + `"}`, false},
		{`{"embeds":[{"title":"` + strings.Repeat("x", 257) + `"}]}`, false},
		{`{"embeds":[{"url":"javascript:alert(1)"}]}`, false},
		{`{"embeds":[{"description":"` + strings.Repeat("x", 4000) + `"},{"description":"` + strings.Repeat("x", 2001) + `"}]}`, false},
		{`{"components":[{"type":1,"components":[{"type":2,"custom_id":"` + strings.Repeat("x", 101) + `"}]}]}`, false},
	} {
		if err := checkMessage([]byte(c.body)); (err == nil) != c.ok {
			t.Errorf("checkMessage(%.60s…) = %v, want ok %v", c.body, err, c.ok)
		}
	}
}
