package telegram

import (
	"context"
	"log/slog"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// dispatcher runs update handlers: one goroutine per chat with pending
// updates, handling them in order, so answers in a chat come in the
// order the questions did while chats do not wait for each other. The
// chat's queue is also where its outgoing messages wait for the flood
// limits (see outbox). Every goroutine is tracked; close waits for them.
type dispatcher struct {
	ctx    context.Context
	handle func(context.Context, tgbotapi.Update)
	log    *slog.Logger
	wg     sync.WaitGroup

	mu     sync.Mutex
	queues map[int64][]tgbotapi.Update // present while the chat's goroutine runs
	closed bool
}

// maxQueue bounds the updates waiting in one chat; a chat that floods
// beyond it loses the excess (the question limiter would refuse them
// anyway).
const maxQueue = 100

func newDispatcher(ctx context.Context, handle func(context.Context, tgbotapi.Update), log *slog.Logger) *dispatcher {
	return &dispatcher{ctx: ctx, handle: handle, log: log, queues: map[int64][]tgbotapi.Update{}}
}

// chatOf is the chat an update belongs to, and false for updates the bot
// does not handle.
func chatOf(u tgbotapi.Update) (int64, bool) {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID, true
	case u.CallbackQuery != nil:
		return 0, true // a button under an inline message: answered, not acted on
	}
	return 0, false
}

// dispatch queues an update for its chat. It reports false when the
// dispatcher is closed.
func (d *dispatcher) dispatch(u tgbotapi.Update) bool {
	chat, ok := chatOf(u)
	if !ok {
		return true // ignored kinds of update count as handled
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	q, running := d.queues[chat]
	if len(q) >= maxQueue {
		d.log.Warn("telegram chat queue full; update dropped", "update", u.UpdateID)
		return true
	}
	d.queues[chat] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.drain(chat)
	}
	return true
}

// drain handles a chat's updates until its queue is empty.
func (d *dispatcher) drain(chat int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
			delete(d.queues, chat)
			d.mu.Unlock()
			return
		}
		u := q[0]
		q[0] = tgbotapi.Update{}
		d.queues[chat] = q[1:]
		d.mu.Unlock()
		if d.ctx.Err() == nil {
			d.handle(d.ctx, u)
		}
	}
}

// goTracked runs f in a goroutine that close waits for.
func (d *dispatcher) goTracked(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f()
	}()
}

// close stops accepting updates and waits for the running handlers; the
// caller cancels their context first so that they end promptly.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.wg.Wait()
}
