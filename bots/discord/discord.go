// Package discord is the Discord front end of watwerkt: it answers the
// /watwerkt slash command, mentions of the bot and direct messages with
// the shared answer model of package bots, rendered as embeds with
// "Meer", 👍 and 👎 buttons.
//
// discordgo carries the gateway connection; this package adds what
// discordgo v0.29.0 leaves out or gets wrong for a long-running bot: a
// watchdog around Open (which waits for READY forever), reconnects that
// stop on shutdown, REST calls that respect their context when Discord
// rate-limits them, and rendering that keeps page text inert and within
// Discord's limits. The sub-package fakediscord is an in-process Discord
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
	ReadyTimeout    time.Duration  // how long to wait for READY after connecting; default 20s
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
	s        *discordgo.Session
	sessions *bots.Sessions
	limiter  *bots.Limiter
	guilds   map[string]bool
	channels map[string]bool
	idle     interface{ CloseIdleConnections() } // our own transport, closed on exit

	started atomic.Bool
	self    atomic.Pointer[identity] // from READY
	readyN  atomic.Int64             // READY and RESUMED events seen
	readyC  chan struct{}            // a nudge per READY or RESUMED

	connMu  sync.Mutex
	attempt context.Context // the connection attempt in progress; dials stop when it ends
	conn    *trackedConn    // the gateway connection dialed last
	gateway string          // discovered gateway URL, answered to discordgo's own lookup

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
		cfg:      cfg,
		r:        r,
		log:      cfg.Logger.With("component", "discord"),
		s:        s,
		sessions: cfg.Sessions,
		limiter:  bots.NewLimiter(cfg.Limits),
		guilds:   set(cfg.AllowedGuilds),
		channels: set(cfg.AllowedChannels),
		readyC:   make(chan struct{}, 1),
		last:     map[string]string{},
		warned:   map[string]time.Time{},
	}
	b.configure(s)
	return b, nil
}

// configure sets up the discordgo session, before any of its goroutines
// run (they read these fields without locks).
func (b *Bot) configure(s *discordgo.Session) {
	s.Identify.Intents = intents
	s.StateEnabled = false
	// Our handlers only hand work to goroutines of their own; running
	// them inline keeps discordgo from starting untracked goroutines.
	s.SyncEvents = true
	// Reconnects are ours: discordgo's loop calls Open without a
	// watchdog and keeps going after Close.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	// discordgo logs through the standard logger, past our handler; the
	// supervisor logs every connection change itself.
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
	s.Client = &http.Client{Transport: &discovery{base: base, url: b.gatewayURL}, Timeout: timeout}
	s.Dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 10 * time.Second,
		NetDialContext:   b.dial,
	}
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
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

// shutdown closes the gateway, lets running handlers finish for a
// grace period and then cancels them, and waits for all of them.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.stopping = true
	b.mu.Unlock()
	if err := b.s.Close(); err != nil {
		b.log.Debug("close gateway", "err", err)
	}
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
	b.mu.Lock()
	if b.stopping {
		b.mu.Unlock()
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(b.hctx, handlerTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("handler panicked", "what", what, "panic", fmt.Sprint(p))
			}
		}()
		f(ctx)
	}()
}
