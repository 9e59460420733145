package discord

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/watwerkt/watwerkt/bots"
)

// onMessage picks the messages the bot answers: DMs, and messages in a
// guild that mention it. Without the MESSAGE_CONTENT intent those are
// the only ones whose text Discord sends anyway. Messages from bots,
// the bot itself included, are never answered, nor are messages from
// guilds or channels not allowed (silently: nobody asked the bot).
func (b *Bot) onMessage(mc *discordgo.MessageCreate) {
	m := mc.Message
	self := b.self.Load()
	if m == nil || m.Author == nil || m.Author.Bot || self == nil || m.Author.ID == self.user {
		return
	}
	text, mentioned := withoutMention(m.Content, self.user)
	if m.GuildID != "" && !mentioned {
		return
	}
	if !b.allowed(m.GuildID, m.ChannelID) {
		return
	}
	b.spawn("message", func(ctx context.Context) { b.message(ctx, m, text) })
}

// withoutMention removes mentions of the bot ("<@id>", "<@!id>") from a
// message and reports whether there were any.
func withoutMention(content, id string) (string, bool) {
	out := content
	for _, tag := range []string{"<@" + id + ">", "<@!" + id + ">"} {
		out = strings.ReplaceAll(out, tag, " ")
	}
	return out, out != content
}

// message answers a DM or a mention with a reply to it. "meer" (or
// "more") continues the last answer given in the same channel.
func (b *Bot) message(ctx context.Context, m *discordgo.Message, text string) {
	en := b.cfg.Language == "en"
	if !b.limiter.Allow(m.Author.ID, m.ChannelID) {
		if b.warn(m.Author.ID) {
			b.replyTo(ctx, m, &message{Content: bots.SlowDown(en)})
		}
		return
	}
	var a bots.Answer
	if bots.IsMore(text) {
		prev, ok := b.lastAnswer(m.ChannelID)
		if !ok {
			b.replyTo(ctx, m, &message{Content: bots.Expired(en || isEnglishMore(text))})
			return
		}
		a = b.r.Next(ctx, prev)
	} else {
		a = b.answer(ctx, b.question(text, m.ChannelID, "", ""))
	}
	key := b.keep(a)
	b.remember(m.ChannelID, key, a.HasMore)
	b.replyTo(ctx, m, render(a, key, en || a.English))
}

// replyTo sends msg as a reply to m that pings nobody, the asker
// included.
func (b *Bot) replyTo(ctx context.Context, m *discordgo.Message, msg *message) {
	msg.AllowedMentions = noReplyMentions()
	msg.MessageReference = &messageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}
	if err := b.send(ctx, m.ChannelID, msg); err != nil {
		b.log.Warn("reply to message", "err", err)
	}
}

// remember notes the answer a typed "meer" in channel continues; an
// answer without more results makes "meer" say so.
func (b *Bot) remember(channel, key string, more bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !more || key == "" {
		delete(b.last, channel)
		return
	}
	if len(b.last) >= maxRemembered {
		for c := range b.last { // drop an arbitrary one; the sessions expire anyway
			delete(b.last, c)
			break
		}
	}
	b.last[channel] = key
}

func (b *Bot) lastAnswer(channel string) (bots.Answer, bool) {
	b.mu.Lock()
	key, ok := b.last[channel]
	b.mu.Unlock()
	if !ok {
		return bots.Answer{}, false
	}
	return b.sessions.Get(key)
}

// warn reports whether a user over the limit should be told so: once a
// minute at most, so that a flood of messages gets one reply, not a
// flood of replies.
func (b *Bot) warn(user string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if t, ok := b.warned[user]; ok && now.Sub(t) < time.Minute {
		return false
	}
	if len(b.warned) >= maxRemembered {
		for u, t := range b.warned {
			if now.Sub(t) >= time.Minute {
				delete(b.warned, u)
			}
		}
	}
	if len(b.warned) < maxRemembered { // else a flood of users: warn, remember nobody
		b.warned[user] = now
	}
	return true
}
