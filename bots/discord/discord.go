// Package discord is the Discord front end of watwerkt: it answers the
// /watwerkt slash command, mentions of the bot and direct messages with
// the shared answer model of package bots, rendered as embeds with
// "Meer", 👍 and 👎 buttons.
//
// The gateway connection is this package's own (gateway.go, gwconn.go):
// discordgo v0.29.0's cannot be kept from hanging on a missing READY or
// from ending sessions it means to resume. discordgo carries REST and
// the event types; this package adds REST calls that respect their
// context when Discord rate-limits them, and rendering that keeps page
// text inert and within Discord's limits. The sub-package fakediscord is an in-process Discord
// (gateway and REST) that the tests drive it with.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/watwerkt/watwerkt/bots"
)

// Config configures a Bot.
type Config struct {
	Token           string   // bot token, from the environment; never logged, never in an error
	GuildID         string   // register /watwerkt in this guild only; global when empty
	AllowedGuilds   []string // answer only in these guilds (and then not in DMs); empty: all
	AllowedChannels []string // answer only in these channels; empty: all
	DefaultSource   string   // "bron" filter for questions that set none
	Language        string   // "nl" (default) or "en": fixed texts when the question's language is unknown
	Limits          bots.LimitConfig
	ReadyTimeout    time.Duration  // per connection, from the dial until READY or RESUMED; default 20s
	HTTPClient      *http.Client   // for REST and gateway discovery; tests point it at a fake
	GatewayURL      string         // skip gateway discovery and connect here (tests)
	Logger          *slog.Logger   // default: discard
	Sessions        *bots.Sessions // answers behind buttons; default NewSessions(24h, 10000)
}

// Bot is a Discord bot answering questions with a bots.Responder.
type Bot struct {
	cfg      Config
	r        *bots.Responder
	log      *slog.Logger
	s        *discordgo.Session // REST only
	token    string             // for Identify and Resume, without "Bot "
	dialer   *websocket.Dialer
	sessions *bots.Sessions
	limiter  *bots.Limiter
	guilds   map[string]bool
	channels map[string]bool
	idle     interface{ CloseIdleConnections() } // our own transport, closed on exit

	started    atomic.Bool
	self       atomic.Pointer[identity] // from READY
	registered atomic.Bool              // /watwerkt registered, or being registered

	gateway     string               // discovered gateway URL; the supervisor's alone
	invalidWait func() time.Duration // pause between op 9 and a new Identify

	// Handlers run in goroutines of their own, tracked so that Run
	// returns only after the last one finished.
	mu       sync.Mutex
	stopping bool
	wg       sync.WaitGroup
	hctx     context.Context // handlers' context: survives Run's ctx for a grace period
	hcancel  context.CancelFunc
	last     map[string]string    // channel → session key of the last answer there, for typed "meer"
	warned   map[string]time.Time // user → when told to slow down, so a flood gets one reply
}

// identity is who the bot is, as READY says.
type identity struct{ user, app string }

// Timeouts of the handlers.
const (
	// handlerTimeout bounds the work for one interaction: its token is
	// valid for 15 minutes.
	handlerTimeout = 14 * time.Minute
	// searchTimeout bounds one search.
	searchTimeout = 10 * time.Second
	// shutdownGrace is how long Run lets handlers finish after its
	// context is done before cancelling them.
	shutdownGrace = 5 * time.Second
	// maxRemembered bounds the per-channel and per-user tables.
	maxRemembered = 10000
)

// intents: guilds, guild messages and DMs. Without the privileged
// MESSAGE_CONTENT intent the bot sees the text of DMs and of messages
// that mention it, which is all it answers.
const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// New makes a bot; Run connects it.
func New(cfg Config, r *bots.Responder) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("discord: no token")
	}
	if r == nil || r.Searcher == nil {
		return nil, errors.New("discord: no responder")
	}
	switch cfg.Language {
	case "":
		cfg.Language = "nl"
	case "nl", "en":
	default:
		return nil, fmt.Errorf("discord: language %q: want nl or en", cfg.Language)
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 20 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sessions == nil {
		cfg.Sessions = bots.NewSessions(24*time.Hour, maxRemembered)
	}
	token := cfg.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, errors.New("discord: cannot make a session")
	}
	b := &Bot{
		cfg:         cfg,
		invalidWait: pauseAfterInvalid,
		r:           r,
		log:         cfg.Logger.With("component", "discord"),
		s:           s,
		sessions:    cfg.Sessions,
		limiter:     bots.NewLimiter(cfg.Limits),
		guilds:      set(cfg.AllowedGuilds),
		channels:    set(cfg.AllowedChannels),
		token:       strings.TrimPrefix(token, "Bot "),
		last:        map[string]string{},
		warned:      map[string]time.Time{},
	}
	b.configure(s)
	return b, nil
}

// configure sets up the discordgo session, which only makes REST calls
// (it is never opened), and the gateway's dialer.
func (b *Bot) configure(s *discordgo.Session) {
	s.StateEnabled = false
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	// discordgo logs through the standard logger, past our handler.
	s.LogLevel = -1

	var base http.RoundTripper
	timeout := 20 * time.Second
	if c := b.cfg.HTTPClient; c != nil {
		base = c.Transport
		if c.Timeout > 0 {
			timeout = c.Timeout
		}
	}
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		b.idle, base = t, t
	}
	s.Client = &http.Client{Transport: base, Timeout: timeout}
	b.dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 10 * time.Second,
	}
}

func set(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			m[id] = true
		}
	}
	return m
}

// Run connects to Discord, registers /watwerkt and answers until ctx is
// done; it reconnects whenever the connection drops. It returns nil
// after ctx is done and everything it started has stopped, or an error
// when Discord refuses the bot for good (a bad token, say). Run may be
// called once.
func (b *Bot) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	b.hctx, b.hcancel = context.WithCancel(context.WithoutCancel(ctx))
	err := b.supervise(ctx)
	b.shutdown()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// shutdown lets running handlers finish for a grace period and then
// cancels them, and waits for all of them. The gateway connection is
// closed by then: supervise returns only after it is.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.stopping = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(shutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		b.log.Warn("handlers still running at shutdown; cancelling them")
	}
	b.hcancel()
	<-done
	if b.idle != nil {
		b.idle.CloseIdleConnections()
	}
	b.log.Info("stopped")
}

// spawn runs f in a tracked goroutine, unless the bot is stopping. A
// panic in f is logged, not fatal: one bad event must not take the bot
// down.
func (b *Bot) spawn(what string, f func(ctx context.Context)) {
	b.spawnIn(b.hctx, what, f)
}

// spawnIn is spawn with another parent context than the handlers'.
func (b *Bot) spawnIn(parent context.Context, what string, f func(ctx context.Context)) {
	b.mu.Lock()
	if b.stopping {
		b.mu.Unlock()
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(parent, handlerTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("handler panicked", "what", what, "panic", fmt.Sprint(p))
			}
		}()
		f(ctx)
	}()
}
