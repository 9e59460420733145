package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Our own getUpdates loop instead of the SDK's GetUpdatesChan, which has
// no context, cannot be stopped twice and leaves its goroutine blocked in
// a long poll: here the poll is an HTTP request bound to ctx, so
// cancelling ctx ends it at once.

// Backoff after failed polls: exponential from backoffBase, capped at
// backoffMax, with jitter so that restarted bots do not retry in step.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
)

// backoff is the wait after the n-th consecutive failure (from 0): a
// random time between half and all of min(backoffMax, backoffBase·2ⁿ).
func backoff(n int) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffMax, backoffBase<<n)
	}
	return d/2 + rand.N(d/2+1)
}

// allowedUpdates are the update kinds the bot asks for.
const allowedUpdates = `["message","callback_query"]`

// poll gets updates until ctx is done and hands them to d.
func (b *Bot) poll(ctx context.Context, d *dispatcher) error {
	b.deleteWebhook(ctx)
	offset, err := readOffset(b.cfg.OffsetFile)
	if err != nil {
		b.log.Warn("telegram offset file unreadable; starting from the oldest pending update", "err", err)
	}
	failures := 0
	for ctx.Err() == nil {
		updates, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			wait, fatal := b.pollFailed(err, failures)
			if fatal {
				return err
			}
			failures++
			if b.sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		if failures > 0 {
			b.log.Info("telegram polling recovered", "failures", failures)
			failures = 0
		}
		next := offset
		for _, u := range updates {
			next = max(next, u.UpdateID+1)
			if !d.dispatch(u) {
				return nil // shutting down
			}
		}
		if next != offset {
			offset = next
			if err := writeOffset(b.cfg.OffsetFile, offset); err != nil {
				b.log.Warn("telegram offset not saved", "err", err)
			}
		}
	}
	return nil
}

// pollFailed logs a failed getUpdates and says how long to wait, or that
// polling cannot go on.
func (b *Bot) pollFailed(err error, failures int) (time.Duration, bool) {
	switch code := errorCode(err); {
	case code == http.StatusUnauthorized || code == http.StatusNotFound:
		b.log.Error("telegram rejected the bot token; polling stopped", "err", err)
		return 0, true
	case code == http.StatusTooManyRequests:
		wait := retryAfter(err)
		b.log.Warn("telegram getUpdates throttled", "wait", wait)
		return wait, false
	case code == http.StatusConflict:
		wait := backoff(failures)
		b.log.Error("telegram getUpdates conflict: another process is polling with this token, or a webhook is set; retrying",
			"wait", wait, "err", err)
		return wait, false
	default:
		wait := backoff(failures)
		b.log.Warn("telegram getUpdates failed; retrying", "wait", wait, "failures", failures+1, "err", err)
		return wait, false
	}
}

// getUpdates long-polls for the updates from offset on.
func (b *Bot) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	timeout := max(int(b.cfg.PollTimeout/time.Second), 1)
	// The request may take the whole poll timeout; give it some slack.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(timeout)*time.Second+15*time.Second)
	defer cancel()
	p := tgbotapi.Params{"timeout": strconv.Itoa(timeout), "limit": "100", "allowed_updates": allowedUpdates}
	p.AddNonZero("offset", offset)
	res, err := b.call(ctx, "getUpdates", p)
	if err != nil {
		return nil, err
	}
	var updates []tgbotapi.Update
	if err := json.Unmarshal(res, &updates); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: decode result: %w", err)
	}
	return updates, nil
}

// deleteWebhook switches Telegram back to getUpdates, in case an earlier
// run used a webhook; pending updates are kept. A failure is logged: the
// first getUpdates will then report the conflict.
func (b *Bot) deleteWebhook(ctx context.Context) {
	if _, err := b.send(ctx, chatRef{}, "deleteWebhook", tgbotapi.Params{}); err != nil && ctx.Err() == nil {
		b.log.Warn("telegram deleteWebhook failed", "err", err)
	}
}

// readOffset reads the saved offset; a missing file means 0.
func readOffset(path string) (int, error) {
	if path == "" {
		return 0, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read offset: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("read offset %q: not a number", path)
	}
	return n, nil
}

// writeOffset saves the offset atomically: a crash leaves the old file
// or the new one, never half of one.
func writeOffset(path string, offset int) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write offset: %w", err)
	}
	tmp := f.Name()
	_, err = f.WriteString(strconv.Itoa(offset) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write offset: %w", err)
	}
	return nil
}
