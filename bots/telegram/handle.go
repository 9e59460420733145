package telegram

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/watwerkt/watwerkt/bots"
)

// What the bot reacts to:
//
//   - /watwerkt <vraag> anywhere, /watwerkt@<bot> too (the bot name in any
//     case); commands addressed to another bot are ignored;
//   - /start and /help;
//   - in a private chat every other message is a question, and "meer"
//     continues the latest answer with a new message;
//   - in a group (privacy mode: the bot sees only commands, mentions and
//     replies to itself) a reply to one of the bot's messages is a
//     follow-up question, or "meer" for that answer's next page, and so
//     is "@<bot> <vraag>";
//   - the "Meer ▶" button edits its message to the next page, 👍/👎 store
//     a rating; every button press is answered (a short notice).

type intentKind int

const (
	ignore intentKind = iota
	askQuestion
	askMore
	showHelp
	showStart
	showUsage
	showUnknown
)

type intent struct {
	kind intentKind
	text string // the question
	key  string // askMore: the session of the answer to continue, "" = the chat's latest
}

// searchTimeout bounds one search.
const searchTimeout = 20 * time.Second

// handle handles one update; the dispatcher calls it in order per chat.
func (b *Bot) handle(ctx context.Context, u tgbotapi.Update) {
	switch {
	case u.Message != nil:
		b.handleMessage(ctx, u.Message)
	case u.CallbackQuery != nil:
		b.handleCallback(ctx, u.CallbackQuery)
	}
}

func (b *Bot) chatAllowed(id int64) bool { return b.allowed == nil || b.allowed[id] }

func chatOfMessage(m *tgbotapi.Message) chatRef {
	return chatRef{id: m.Chat.ID, group: m.Chat.Type != "private"}
}

func (b *Bot) handleMessage(ctx context.Context, m *tgbotapi.Message) {
	if m.Chat == nil || m.From == nil || strings.TrimSpace(m.Text) == "" {
		return
	}
	// Other bots are ignored (no loops); anonymous group admins post as a
	// bot on behalf of the group's chat and are answered.
	if m.From.ID == b.self.ID || (m.From.IsBot && m.SenderChat == nil) {
		return
	}
	c := chatOfMessage(m)
	if !b.chatAllowed(c.id) {
		if c.group {
			b.log.Info("telegram message from a chat not in AllowedChats", "chat", c.id)
		}
		return
	}
	replyTo := 0
	if c.group {
		replyTo = m.MessageID // in a busy group, make clear what is answered
	}
	t := texts(b.english)
	switch in := b.interpret(m); in.kind {
	case askQuestion:
		b.ask(ctx, c, m.From.ID, replyTo, in.text)
	case askMore:
		b.more(ctx, c, m.From.ID, replyTo, in.key)
	case showHelp:
		b.reply(ctx, c, replyTo, t.help)
	case showStart:
		b.reply(ctx, c, replyTo, t.start+t.help)
	case showUsage:
		b.reply(ctx, c, replyTo, escape(t.usage))
	case showUnknown:
		b.reply(ctx, c, replyTo, escape(t.unknown))
	}
}

// interpret decides what a message asks for.
func (b *Bot) interpret(m *tgbotapi.Message) intent {
	text := strings.TrimSpace(m.Text)
	private := m.Chat.Type == "private"
	if strings.HasPrefix(text, "/") {
		return b.command(text, private)
	}
	if rest, ok := b.mention(text); ok {
		text = rest
	} else if !private {
		r := m.ReplyToMessage
		if r == nil || r.From == nil || r.From.ID != b.self.ID {
			return intent{} // group chatter not meant for the bot
		}
		if bots.IsMore(text) {
			return intent{kind: askMore, key: keyOf(r)}
		}
	}
	switch {
	case text == "":
		return intent{kind: showUsage}
	case bots.IsMore(text):
		return intent{kind: askMore}
	}
	return intent{kind: askQuestion, text: text}
}

// command interprets "/name[@bot] [arguments]".
func (b *Bot) command(text string, private bool) intent {
	word, args := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, args = text[:i], strings.TrimSpace(text[i:])
	}
	name, to, addressed := strings.Cut(word[1:], "@")
	if addressed && !strings.EqualFold(to, b.self.UserName) {
		return intent{} // meant for another bot
	}
	switch strings.ToLower(name) {
	case "watwerkt":
		switch {
		case args == "":
			return intent{kind: showUsage}
		case bots.IsMore(args):
			return intent{kind: askMore}
		}
		return intent{kind: askQuestion, text: args}
	case "help", "hulp":
		return intent{kind: showHelp}
	case "start":
		return intent{kind: showStart}
	}
	if private || addressed {
		return intent{kind: showUnknown}
	}
	return intent{} // a command for some other bot in the group
}

// mention strips a leading "@<bot>" from text.
func (b *Bot) mention(text string) (string, bool) {
	at := "@" + b.self.UserName
	if b.self.UserName == "" || len(text) < len(at) || !strings.EqualFold(text[:len(at)], at) {
		return "", false
	}
	rest := text[len(at):]
	if r, _ := utf8.DecodeRuneInString(rest); rest != "" && !unicode.IsSpace(r) {
		return "", false // "@WatWerktBotje" is someone else
	}
	return strings.TrimSpace(rest), true
}

// keyOf finds the session key in the buttons of one of the bot's
// messages (Telegram includes them in reply_to_message).
func keyOf(m *tgbotapi.Message) string {
	if m.ReplyMarkup == nil {
		return ""
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, btn := range row {
			if btn.CallbackData == nil {
				continue
			}
			if _, key, _, ok := parseData(*btn.CallbackData); ok {
				return key
			}
		}
	}
	return ""
}

// reply sends a text that is not an answer (help and the like).
func (b *Bot) reply(ctx context.Context, c chatRef, replyTo int, html string) {
	if _, err := b.sendText(ctx, c, html, nil, replyTo); err != nil && ctx.Err() == nil {
		b.log.Warn("telegram reply not sent", "err", err)
	}
}

// allow applies the question limits. A refused chat is told to slow down
// at most once per slowEvery, so a flood does not turn into a flood of
// notices.
func (b *Bot) allow(ctx context.Context, c chatRef, user int64, replyTo int, english bool) bool {
	if b.limiter.Allow(strconv.FormatInt(user, 10), c.channel()) {
		return true
	}
	now := time.Now()
	b.mu.Lock()
	notify := now.Sub(b.slowed[c.id]) >= b.slowEvery
	if notify {
		if len(b.slowed) >= 1000 {
			for id, at := range b.slowed {
				if now.Sub(at) >= b.slowEvery {
					delete(b.slowed, id)
				}
			}
		}
		b.slowed[c.id] = now
	}
	b.mu.Unlock()
	if notify {
		b.reply(ctx, c, replyTo, escape(bots.SlowDown(english)))
	}
	return false
}

// search runs a search within the bound on concurrent searches.
func (b *Bot) search(ctx context.Context, f func(context.Context) bots.Answer) (bots.Answer, bool) {
	select {
	case b.searches <- struct{}{}:
	case <-ctx.Done():
		return bots.Answer{}, false
	}
	defer func() { <-b.searches }()
	sctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	a := f(sctx)
	return a, ctx.Err() == nil
}

func (b *Bot) ask(ctx context.Context, c chatRef, user int64, replyTo int, text string) {
	if !b.allow(ctx, c, user, replyTo, b.english) {
		return
	}
	q := bots.Question{Text: text, Platform: "telegram", Channel: c.channel()}
	if b.cfg.DefaultSource != "" {
		q.Filters = map[string]string{"bron": b.cfg.DefaultSource}
	}
	a, ok := b.search(ctx, func(ctx context.Context) bots.Answer { return b.r.Answer(ctx, q) })
	if ok {
		b.sendAnswer(ctx, c, replyTo, a)
	}
}

// more sends the next page of an earlier answer as a new message.
func (b *Bot) more(ctx context.Context, c chatRef, user int64, replyTo int, key string) {
	if key == "" {
		var known bool
		if key, known = b.lastKey(c.id); !known {
			b.reply(ctx, c, replyTo, escape(texts(b.english).usage))
			return
		}
	}
	prev := bots.Answer{English: b.english} // the latest answer had no results: Next says there are no more
	if key != "" {
		var found bool
		if prev, found = b.sessions.Get(key); !found {
			b.reply(ctx, c, replyTo, escape(bots.Expired(b.english)))
			return
		}
	}
	if prev.HasMore && !b.allow(ctx, c, user, replyTo, prev.English) {
		return
	}
	a, ok := b.search(ctx, func(ctx context.Context) bots.Answer { return b.r.Next(ctx, prev) })
	if ok {
		b.sendAnswer(ctx, c, replyTo, a)
	}
}

// sendAnswer sends an answer with its buttons and remembers it as the
// chat's latest.
func (b *Bot) sendAnswer(ctx context.Context, c chatRef, replyTo int, a bots.Answer) {
	text, shown := present(a)
	key := ""
	if len(shown.Items) > 0 {
		key = b.sessions.Put(shown)
	}
	b.setLast(c.id, key)
	if _, err := b.sendText(ctx, c, text, keyboard(shown, key), replyTo); err != nil && ctx.Err() == nil {
		b.log.Warn("telegram answer not sent", "err", err)
	}
}

// maxLast bounds the chats whose latest answer is remembered.
const maxLast = 10000

// setLast remembers a chat's latest answer ("" for one without results).
func (b *Bot) setLast(chat int64, key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.last[chat]; !ok && len(b.last) >= maxLast {
		for id := range b.last { // forget one, any one: its "meer" gets the expired text
			delete(b.last, id)
			break
		}
	}
	b.last[chat] = key
}

func (b *Bot) lastKey(chat int64) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key, ok := b.last[chat]
	return key, ok
}

func (b *Bot) handleCallback(ctx context.Context, cq *tgbotapi.CallbackQuery) {
	m := cq.Message
	if m == nil || m.Chat == nil || cq.From == nil || !b.chatAllowed(m.Chat.ID) {
		b.answerCallback(ctx, cq.ID, "")
		return
	}
	kind, key, rating, ok := parseData(cq.Data)
	if !ok {
		b.answerCallback(ctx, cq.ID, "")
		return
	}
	prev, found := b.sessions.Get(key)
	if !found {
		b.answerCallback(ctx, cq.ID, bots.Expired(b.english))
		return
	}
	c := chatOfMessage(m)
	switch kind {
	case "feedback":
		b.answerCallback(ctx, cq.ID, b.feedback(ctx, key, cq.From.ID, prev, rating))
	case "more":
		b.nextPage(ctx, c, cq, key, prev)
	}
}

// nextPage edits a message to show the next page of its answer; the
// buttons then belong to that page. Editing keeps the chat short (one
// message per question, however far one pages); a typed "meer" sends a
// new message instead, since it is itself a new message in the chat.
func (b *Bot) nextPage(ctx context.Context, c chatRef, cq *tgbotapi.CallbackQuery, key string, prev bots.Answer) {
	if prev.HasMore && !b.limiter.Allow(strconv.FormatInt(cq.From.ID, 10), c.channel()) {
		b.answerCallback(ctx, cq.ID, bots.SlowDown(prev.English))
		return
	}
	a, ok := b.search(ctx, func(ctx context.Context) bots.Answer { return b.r.Next(ctx, prev) })
	if !ok {
		return
	}
	if len(a.Items) == 0 {
		b.answerCallback(ctx, cq.ID, a.Message) // no more, or the search failed: keep the page shown
		return
	}
	b.answerCallback(ctx, cq.ID, "")
	text, shown := present(a)
	if err := b.editText(ctx, c, cq.Message.MessageID, text, keyboard(shown, key)); err != nil {
		if ctx.Err() != nil {
			return
		}
		if errorCode(err) != http.StatusBadRequest {
			b.log.Warn("telegram next page not shown", "err", err)
			return
		}
		// Telegram refuses to edit messages older than 48 hours (and
		// deleted ones): send the page as a new message instead.
		if _, err := b.sendText(ctx, c, text, keyboard(shown, key), 0); err != nil {
			if ctx.Err() == nil {
				b.log.Warn("telegram next page not shown", "err", err)
			}
			return
		}
	}
	b.sessions.Replace(key, shown)
	b.setLast(c.id, key)
}

// maxVotes bounds the memory of who rated what.
const maxVotes = 100000

// feedback stores a rating once per user and page, and returns the
// notice to show. Who rated is kept in memory only, to ignore repeats;
// the store gets the question, the results, the platform and the chat.
func (b *Bot) feedback(ctx context.Context, key string, user int64, a bots.Answer, rating int) string {
	vote := key + ":" + strconv.Itoa(a.NextOffset) + ":" + strconv.FormatInt(user, 10)
	b.mu.Lock()
	dup := b.voted[vote]
	if !dup {
		if len(b.voted) >= maxVotes {
			clear(b.voted)
		}
		b.voted[vote] = true
	}
	b.mu.Unlock()
	if dup {
		return texts(a.English).rated
	}
	thanks, err := b.r.Feedback(ctx, a, rating)
	if err != nil {
		b.mu.Lock()
		delete(b.voted, vote) // let them try again
		b.mu.Unlock()
	}
	return thanks
}
