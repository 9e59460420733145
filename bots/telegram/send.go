package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Telegram's flood limits (https://core.telegram.org/bots/faq): avoid
// more than one message a second in a chat, more than twenty a minute in
// a group, and more than about thirty a second overall. Messages that
// would exceed them wait: every chat's updates are handled in order by
// one goroutine (see dispatcher), so that goroutine waiting here is the
// chat's send queue, and other chats are not held up. A 429 that comes
// anyway is retried after its retry_after.

// sendLimits are the outgoing rates; a zero Every means unlimited.
type sendLimits struct {
	chatEvery   time.Duration // any chat: one message per chatEvery
	groupEvery  time.Duration // groups in addition: one per groupEvery after a burst of groupBurst
	groupBurst  int
	globalEvery time.Duration // all chats together
	globalBurst int
}

var telegramLimits = sendLimits{
	chatEvery:   time.Second,
	groupEvery:  3 * time.Second, // 20 a minute
	groupBurst:  3,
	globalEvery: time.Second / 30,
	globalBurst: 30,
}

// maxSendAttempts bounds the tries of one call (the first and the retries).
const maxSendAttempts = 5

// chatRef is a chat to send to; the zero chatRef stands for calls that
// belong to no chat (setMyCommands, answerCallbackQuery).
type chatRef struct {
	id    int64
	group bool
}

func (c chatRef) channel() string { return strconv.FormatInt(c.id, 10) }

type outbox struct {
	lim    sendLimits
	global *rate.Limiter

	mu    sync.Mutex
	chats map[int64]*chatLimiter
}

type chatLimiter struct {
	chat, group *rate.Limiter
}

func every(d time.Duration) rate.Limit {
	if d <= 0 {
		return rate.Inf
	}
	return rate.Every(d)
}

func newOutbox(l sendLimits) *outbox {
	return &outbox{lim: l, global: rate.NewLimiter(every(l.globalEvery), max(l.globalBurst, 1)), chats: map[int64]*chatLimiter{}}
}

// maxChatLimiters is how many chats' limiters are kept before idle ones
// (whose buckets are full again) are forgotten.
const maxChatLimiters = 1000

func (o *outbox) limiter(c chatRef) *chatLimiter {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.chats[c.id]
	if ok {
		return l
	}
	if len(o.chats) >= maxChatLimiters {
		now := time.Now()
		for id, cl := range o.chats {
			if cl.chat.TokensAt(now) >= 1 && (cl.group == nil || cl.group.TokensAt(now) >= float64(cl.group.Burst())) {
				delete(o.chats, id)
			}
		}
	}
	l = &chatLimiter{chat: rate.NewLimiter(every(o.lim.chatEvery), 1)}
	if c.group {
		l.group = rate.NewLimiter(every(o.lim.groupEvery), max(o.lim.groupBurst, 1))
	}
	o.chats[c.id] = l
	return l
}

// wait blocks until a message to c may go out.
func (o *outbox) wait(ctx context.Context, c chatRef) error {
	if c.id != 0 {
		l := o.limiter(c)
		if err := l.chat.Wait(ctx); err != nil {
			return err
		}
		if l.group != nil {
			if err := l.group.Wait(ctx); err != nil {
				return err
			}
		}
	}
	return o.global.Wait(ctx)
}

// send makes a call within the flood limits, retrying a 429 after the
// time Telegram asks and network or server errors after a backoff, at
// most maxSendAttempts times in all. A retried network error may deliver
// a message twice; losing an answer would be worse.
func (b *Bot) send(ctx context.Context, c chatRef, method string, p tgbotapi.Params) (json.RawMessage, error) {
	for attempt := 1; ; attempt++ {
		if err := b.out.wait(ctx, c); err != nil {
			return nil, fmt.Errorf("telegram %s: %w", method, err)
		}
		res, err := b.call(ctx, method, p)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil || attempt >= maxSendAttempts || !transient(err) {
			return nil, err
		}
		wait := retryAfter(err)
		if wait == 0 {
			wait = backoff(attempt - 1)
		}
		b.log.Warn("telegram call failed; retrying", "method", method, "attempt", attempt, "wait", wait, "err", err)
		if err := b.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("telegram %s: %w", method, err)
		}
	}
}

// linkPreviewOff turns link previews off. It is the Bot API 7.0 successor
// of disable_web_page_preview, which the SDK would send but the current
// specification no longer lists; Telegram accepts both.
const linkPreviewOff = `{"is_disabled":true}`

// sendText sends an HTML message, as a reply to the message replyTo when
// that is not 0, and returns the id of the message sent.
func (b *Bot) sendText(ctx context.Context, c chatRef, text string, kb *tgbotapi.InlineKeyboardMarkup, replyTo int) (int, error) {
	p := tgbotapi.Params{"chat_id": c.channel(), "text": text, "parse_mode": tgbotapi.ModeHTML, "link_preview_options": linkPreviewOff}
	if kb != nil {
		if err := p.AddInterface("reply_markup", kb); err != nil {
			return 0, err
		}
	}
	if replyTo != 0 {
		p["reply_parameters"] = fmt.Sprintf(`{"message_id":%d,"allow_sending_without_reply":true}`, replyTo)
	}
	res, err := b.send(ctx, c, "sendMessage", p)
	if err != nil {
		return 0, err
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(res, &m); err != nil {
		return 0, fmt.Errorf("telegram sendMessage: decode result: %w", err)
	}
	return m.MessageID, nil
}

// editText replaces the text and buttons of a message the bot sent.
func (b *Bot) editText(ctx context.Context, c chatRef, msgID int, text string, kb *tgbotapi.InlineKeyboardMarkup) error {
	p := tgbotapi.Params{"chat_id": c.channel(), "message_id": strconv.Itoa(msgID), "text": text, "parse_mode": tgbotapi.ModeHTML, "link_preview_options": linkPreviewOff}
	if kb != nil {
		if err := p.AddInterface("reply_markup", kb); err != nil {
			return err
		}
	}
	_, err := b.send(ctx, c, "editMessageText", p)
	return err
}

// maxToast is the longest callback answer Telegram shows.
const maxToast = 200

// answerCallback stops the spinner on a pressed button, showing text (if
// any) as a short notice.
func (b *Bot) answerCallback(ctx context.Context, id, text string) {
	p := tgbotapi.Params{"callback_query_id": id}
	p.AddNonEmpty("text", cut(clean(text), maxToast))
	if _, err := b.send(ctx, chatRef{}, "answerCallbackQuery", p); err != nil && ctx.Err() == nil {
		b.log.Warn("telegram answerCallbackQuery failed", "err", err)
	}
}
