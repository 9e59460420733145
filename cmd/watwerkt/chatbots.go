package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/discord"
	"github.com/watwerkt/watwerkt/bots/telegram"
	"github.com/watwerkt/watwerkt/corpus"
)

// chatBots starts the chat bots whose tokens are set in the environment
// and keeps them running until ctx ends. A bot that cannot connect (the
// platform is down, the network is not up yet) is retried with backoff;
// a token the platform rejects stops only that bot. Tokens are never
// printed or logged.
type chatBots struct {
	a         *app
	cfg       *corpus.Config // may be nil
	responder *bots.Responder
	sessions  *bots.Sessions

	telegram atomic.Pointer[telegram.Bot] // for the webhook handler
}

func newChatBots(a *app, cfg *corpus.Config, r *bots.Responder) *chatBots {
	if cfg == nil {
		cfg = &corpus.Config{}
	}
	return &chatBots{a: a, cfg: cfg, responder: r, sessions: bots.NewSessions(24*time.Hour, 20000)}
}

// start launches the configured bots in wg and reports which run.
func (c *chatBots) start(ctx context.Context, wg *sync.WaitGroup) {
	var running []string
	tokens := map[string]string{}
	for _, name := range []string{"TELEGRAM_TOKEN", "DISCORD_TOKEN"} {
		tok, err := c.a.secret(name)
		if err != nil {
			fmt.Fprintf(c.a.stderr, "watwerkt serve: %v; die bot start niet.\n", err)
		}
		tokens[name] = tok
	}
	if tok := tokens["TELEGRAM_TOKEN"]; tok != "" {
		running = append(running, "Telegram")
		wg.Add(1)
		go func() { defer wg.Done(); c.runTelegram(ctx, tok) }()
	}
	if tok := tokens["DISCORD_TOKEN"]; tok != "" {
		running = append(running, "Discord")
		wg.Add(1)
		go func() { defer wg.Done(); c.runDiscord(ctx, tok) }()
	}
	if len(running) == 0 {
		fmt.Fprintln(c.a.stdout, "Geen chatbots actief: zet DISCORD_TOKEN of TELEGRAM_TOKEN (of …_FILE) in de omgeving om er een te starten.")
		return
	}
	fmt.Fprintf(c.a.stdout, "Chatbots: %s.\n", strings.Join(running, ", "))
}

// handler puts the Telegram webhook (when in webhook mode) in front of
// the rest of the HTTP service. Its path is random per start; requests
// to it before the bot is connected get 503 and Telegram retries.
func (c *chatBots) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/telegram/") {
			if b := c.telegram.Load(); b != nil && b.WebhookPath() != "" && r.URL.Path == b.WebhookPath() {
				b.ServeHTTP(w, r)
				return
			}
			http.Error(w, "niet beschikbaar", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// backoff waits for the next retry; false when ctx ended.
func backoff(ctx context.Context, attempt int) bool {
	d := min(time.Duration(1<<min(attempt, 6))*time.Second, time.Minute)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (c *chatBots) runTelegram(ctx context.Context, token string) {
	log := c.a.log.With("component", "telegram")
	tc := c.cfg.Telegram
	cfg := telegram.Config{
		Token:         token,
		APIURL:        c.a.getenv("TELEGRAM_API_URL"),
		OffsetFile:    filepath.Join(c.a.dataDir, telegramOffsetFile(token)),
		Webhook:       tc.Webhook,
		AllowedChats:  tc.AllowedChats,
		DefaultSource: tc.Source,
		Language:      tc.Language,
		Logger:        c.a.log,
		Sessions:      c.sessions,
	}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		b, err := telegram.New(ctx, cfg, c.responder)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("telegram bot cannot start; retrying", "err", err, "attempt", attempt+1)
			if !backoff(ctx, attempt) {
				return
			}
			continue
		}
		c.telegram.Store(b)
		err = b.Run(ctx)
		c.telegram.Store(nil)
		if err == nil || ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return
		}
		// Run fails only when Telegram rejects the token: retrying
		// would not help.
		log.Error("telegram bot stopped", "err", err)
		fmt.Fprintln(c.a.stderr, "De Telegram-bot is gestopt: Telegram weigert TELEGRAM_TOKEN. De rest van de dienst draait door.")
		return
	}
}

func (c *chatBots) runDiscord(ctx context.Context, token string) {
	log := c.a.log.With("component", "discord")
	dc := c.cfg.Discord
	cfg := discord.Config{
		Token:           token,
		GuildID:         dc.Guild,
		AllowedGuilds:   dc.AllowedGuilds,
		AllowedChannels: dc.AllowedChannels,
		DefaultSource:   dc.Source,
		Language:        dc.Language,
		Logger:          c.a.log,
		Sessions:        c.sessions,
	}
	if raw := c.a.getenv("DISCORD_API_URL"); raw != "" {
		// A Discord-compatible server (a test fake, a proxy) instead of
		// discord.com: requests keep their path and go to this origin.
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(c.a.stderr, "De Discord-bot start niet: DISCORD_API_URL %q is geen http(s)-adres.\n", raw)
			return
		}
		cfg.HTTPClient = &http.Client{Transport: originRewrite{to: u, base: http.DefaultTransport}}
	}
	b, err := discord.New(cfg, c.responder)
	if err != nil {
		log.Error("discord bot not started", "err", err)
		fmt.Fprintf(c.a.stderr, "De Discord-bot start niet: %v\n", err)
		return
	}
	// Run reconnects by itself; it returns an error only when Discord
	// refuses the bot for good (a bad token, refused intents).
	if err := b.Run(ctx); err != nil && ctx.Err() == nil {
		log.Error("discord bot stopped", "err", err)
		fmt.Fprintln(c.a.stderr, "De Discord-bot is gestopt: Discord weigert DISCORD_TOKEN of de gevraagde rechten. De rest van de dienst draait door.")
	}
}

// originRewrite sends every request to another origin, path unchanged.
type originRewrite struct {
	to   *url.URL
	base http.RoundTripper
}

func (t originRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.to.Scheme, t.to.Host, ""
	return t.base.RoundTrip(r)
}

// telegramOffsetFile names the file that keeps the getUpdates offset,
// per bot: a token of another bot (update ids start anywhere) must not
// inherit an offset that would hide all its updates. The bot id is the
// public part of a token ("123456:secret"); the secret never goes into
// a file name.
func telegramOffsetFile(token string) string {
	id, _, ok := strings.Cut(token, ":")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return "telegram.offset"
	}
	return "telegram-" + id + ".offset"
}
