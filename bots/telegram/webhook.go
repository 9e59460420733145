package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// In webhook mode Telegram posts each update to Config.Webhook +
// WebhookPath(). Two secrets guard it: the random path, and the random
// secret_token Telegram echoes in the X-Telegram-Bot-Api-Secret-Token
// header (Bot API 6.1; the SDK predates it, so it is sent as a raw
// parameter). Both change with every New, so a restarted bot registers
// its webhook again.

// maxWebhookBody bounds an update posted to the webhook.
const maxWebhookBody = 1 << 20

// secretHeader carries the webhook's secret token.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// runWebhook registers the webhook and serves until ctx is done.
func (b *Bot) runWebhook(ctx context.Context) error {
	target := strings.TrimRight(b.cfg.Webhook, "/") + b.path
	for failures := 0; ; failures++ {
		p := tgbotapi.Params{"url": target, "secret_token": b.secret, "allowed_updates": allowedUpdates}
		_, err := b.send(ctx, chatRef{}, "setWebhook", p)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if code := errorCode(err); code == http.StatusUnauthorized || code == http.StatusNotFound {
			b.log.Error("telegram rejected the bot token; webhook not set", "err", err)
			return err
		}
		wait := backoff(failures)
		b.log.Error("telegram setWebhook failed; retrying", "wait", wait, "err", err)
		if b.sleep(ctx, wait) != nil {
			return nil
		}
	}
	// The URL holds the secret path: log only the public base.
	b.log.Info("telegram webhook registered", "base", b.cfg.Webhook)
	<-ctx.Done()
	return nil
}

// ServeHTTP receives updates in webhook mode. It checks the secret token
// in constant time, reads at most 1 MiB, answers 200 at once and handles
// the update in the background (Telegram waits for the answer before it
// sends the next update). While the bot is not running it answers 503,
// so Telegram delivers the update again later.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b.secret == "" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(secretHeader)), []byte(b.secret)) != 1 {
		b.log.Warn("telegram webhook: request without the right secret token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWebhookBody)).Decode(&u); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	d := b.disp.Load()
	if d == nil || !d.dispatch(u) {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
