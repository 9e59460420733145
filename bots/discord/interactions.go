package discord

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/watwerkt/watwerkt/bots"
)

// Fixed texts of this front end, Dutch and English.
const (
	notHereNL = "Ik beantwoord hier geen vragen. Vraag het in een kanaal waar ik wel mag meedoen."
	notHereEN = "I do not answer questions here. Please ask in a channel where I take part."
)

func notHere(en bool) string {
	if en {
		return notHereEN
	}
	return notHereNL
}

// onInteraction hands an interaction to a goroutine of its own; it runs
// on the gateway's read loop and must not block it.
func (b *Bot) onInteraction(ic *discordgo.InteractionCreate) {
	if ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		b.spawn("command", func(ctx context.Context) { b.command(ctx, i) })
	case discordgo.InteractionMessageComponent:
		b.spawn("button", func(ctx context.Context) { b.button(ctx, i) })
	}
}

// command answers /watwerkt: refuse or slow down at once, otherwise
// defer (Discord wants a response within 3 s, a search may take longer)
// and then edit the deferred response into the answer.
func (b *Bot) command(ctx context.Context, i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	if data.Name != commandName {
		return
	}
	en := b.cfg.Language == "en"
	if !b.allowed(i.GuildID, i.ChannelID) {
		b.reply(ctx, i, ephemeral(notHere(en)))
		return
	}
	if !b.limiter.Allow(userID(i), i.ChannelID) {
		b.reply(ctx, i, ephemeral(bots.SlowDown(en)))
		return
	}
	var text, theme, source string
	for _, o := range data.Options {
		v, _ := o.Value.(string)
		switch o.Name {
		case optQuestion:
			text = v
		case optTheme:
			theme = v
		case optSource:
			source = v
		}
	}
	start := time.Now()
	if err := b.respond(ctx, i, respondDeferred, &message{AllowedMentions: noMentions()}); err != nil {
		b.log.Warn("defer interaction", "err", err)
		return
	}
	a := b.answer(ctx, b.question(text, i.ChannelID, theme, source))
	key := b.keep(a)
	b.edit(ctx, i, render(a, key, en || a.English))
	b.log.Debug("answered command", "took", time.Since(start), "results", len(a.Items))
}

// button handles "Meer", 👍 and 👎.
func (b *Bot) button(ctx context.Context, i *discordgo.Interaction) {
	kind, key, rating := parseCustomID(i.MessageComponentData().CustomID)
	en := b.cfg.Language == "en"
	if !b.allowed(i.GuildID, i.ChannelID) {
		b.reply(ctx, i, ephemeral(notHere(en)))
		return
	}
	prev, ok := b.sessions.Get(key)
	if kind == buttonUnknown || !ok {
		b.reply(ctx, i, ephemeral(bots.Expired(en)))
		return
	}
	en = en || prev.English
	switch kind {
	case buttonMore:
		if !b.limiter.Allow(userID(i), i.ChannelID) {
			b.reply(ctx, i, ephemeral(bots.SlowDown(en)))
			return
		}
		b.more(ctx, i, key, prev, en)
	case buttonFeedback:
		// Defer first: storing the rating may take longer than the 3 s
		// Discord waits for a response when the store is busy.
		if err := b.respond(ctx, i, respondDeferred, ephemeral("")); err != nil {
			b.log.Warn("defer rating", "err", err)
			return
		}
		thanks, err := b.r.Feedback(ctx, prev, rating)
		if err != nil {
			b.log.Warn("store rating", "err", err)
		}
		b.edit(ctx, i, &message{Content: thanks, AllowedMentions: noMentions()})
	}
}

// more shows the next page. It answers the click by taking "Meer" off
// the message that was clicked (UPDATE_MESSAGE, no search needed, so
// well within 3 s), then posts the next page as a followup below it,
// with buttons of its own. Earlier results stay readable in the
// channel, and the same page cannot be asked for twice.
func (b *Bot) more(ctx context.Context, i *discordgo.Interaction, key string, prev bots.Answer, en bool) {
	update := &message{Components: buttons(key, false, en), AllowedMentions: noMentions()}
	if err := b.respond(ctx, i, respondUpdateMessage, update); err != nil {
		b.log.Warn("update message", "err", err)
		return
	}
	next := b.r.Next(ctx, prev)
	m := render(next, b.keep(next), en || next.English)
	if err := b.followup(ctx, i, m); err != nil {
		b.log.Warn("send next page", "err", err)
	}
}

// reply answers an interaction at once with a message.
func (b *Bot) reply(ctx context.Context, i *discordgo.Interaction, m *message) {
	if err := b.respond(ctx, i, respondMessage, m); err != nil {
		b.log.Warn("respond to interaction", "err", err)
	}
}

// edit replaces the deferred response. When Discord refuses the message
// itself (400: a link it does not take, say), the answer goes again
// without links rather than not at all.
func (b *Bot) edit(ctx context.Context, i *discordgo.Interaction, m *message) {
	err := b.editOriginal(ctx, i, m)
	if badRequest(err) && len(m.Embeds) > 0 {
		b.log.Warn("answer refused; sending it without links", "err", err)
		for k := range m.Embeds {
			m.Embeds[k].URL = ""
		}
		err = b.editOriginal(ctx, i, m)
	}
	if err != nil {
		b.log.Warn("edit interaction response", "err", err)
	}
}

func badRequest(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest
}

// userID is who used an interaction: a member in a guild, a user in a
// DM. It is used for rate limiting only, in memory, never stored.
func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

// allowed applies Config.AllowedGuilds and AllowedChannels. A DM has no
// guild: when guilds are restricted, DMs are not answered either.
func (b *Bot) allowed(guild, channel string) bool {
	if len(b.guilds) > 0 && !b.guilds[guild] {
		return false
	}
	return len(b.channels) == 0 || b.channels[channel]
}

// question builds the question for the responder from what the user
// typed, cleaned of invisible characters and clipped.
func (b *Bot) question(text, channel, theme, source string) bots.Question {
	q := bots.Question{Text: clip(clean(text), maxQuestion), Platform: "discord", Channel: channel}
	if source = clip(clean(source), 100); source == "" {
		source = b.cfg.DefaultSource
	}
	f := map[string]string{}
	if source != "" {
		f["bron"] = source
	}
	if theme = clip(clean(theme), 100); theme != "" {
		f["thema"] = theme
	}
	if len(f) > 0 {
		q.Filters = f
	}
	return q
}

// answer asks the responder, within the search timeout.
func (b *Bot) answer(ctx context.Context, q bots.Question) bots.Answer {
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	return b.r.Answer(ctx, q)
}

// keep stores an answer with results for its buttons and returns the
// key; answers without results get no buttons and no key.
func (b *Bot) keep(a bots.Answer) string {
	if len(a.Items) == 0 {
		return ""
	}
	return b.sessions.Put(a)
}

// isEnglishMore reports a typed "more", which asks in English.
func isEnglishMore(text string) bool {
	return strings.EqualFold(strings.Trim(strings.TrimSpace(text), ".!?"), "more")
}
