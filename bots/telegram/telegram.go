// Package telegram is the Telegram front end of watwerkt: a bot that
// answers questions in private chats and, through /watwerkt and replies
// to its own messages, in groups. Answers come from bots.Responder and
// are rendered in Telegram's HTML parse mode with buttons for the next
// page and for 👍/👎.
//
// The bot gets updates by long polling (its own loop, cancelled with the
// context, with the offset kept in a file) or through a webhook. Sending
// keeps to Telegram's flood limits: about one message a second per chat,
// twenty a minute per group and thirty a second overall; answers wait
// their turn instead of being dropped, and a 429 is retried after the
// time Telegram asks. The token never appears in logs or errors.
//
// The SDK (telegram-bot-api v5.5.1) is used for its constructor and its
// types only; see api.go for why. Package faketelegram is a fake Bot API
// for tests.
package telegram

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/watwerkt/watwerkt/bots"
)

// Config configures a Bot. Only Token is required.
type Config struct {
	Token         string           // from the environment; never logged
	APIURL        string           // default "https://api.telegram.org"; requests go to APIURL+"/bot<token>/<method>"
	HTTPClient    *http.Client     // default: no timeout (calls carry their own deadlines), 32 idle connections; a Timeout must exceed PollTimeout
	OffsetFile    string           // where the getUpdates offset is kept between runs; "" = not kept
	Webhook       string           // public base URL: webhook mode, serving WebhookPath() below it; "" = long polling
	AllowedChats  []int64          // chats the bot answers in; empty = all
	DefaultSource string           // filter "bron" applied to every question, if set
	Language      string           // "nl" (default) or "en": help texts and the language of messages that are not answers
	Limits        bots.LimitConfig // questions per user and per chat; zero values take the bots defaults
	PollTimeout   time.Duration    // long-poll timeout; default 50s
	Logger        *slog.Logger     // default: discard
	Sessions      *bots.Sessions   // state behind the buttons; default 24h, 10,000 answers
}

// DefaultAPIURL is the Bot API of Telegram itself.
const DefaultAPIURL = "https://api.telegram.org"

// Bot is a Telegram bot. Create it with New, then call Run.
type Bot struct {
	cfg      Config
	r        *bots.Responder
	log      *slog.Logger
	hc       *http.Client
	endpoint string // fmt format with the token and the method
	token    string
	self     tgbotapi.User
	english  bool
	allowed  map[int64]bool
	sessions *bots.Sessions
	limiter  *bots.Limiter

	// Webhook mode: the secret path the webhook is served at and the
	// secret Telegram sends in X-Telegram-Bot-Api-Secret-Token.
	path, secret string

	out       *outbox
	searches  chan struct{} // bounds concurrent searches
	sleep     func(ctx context.Context, d time.Duration) error
	slowEvery time.Duration // how often a chat is told to slow down

	mu     sync.Mutex
	last   map[int64]string    // chat → session key of its latest answer, for "meer"
	slowed map[int64]time.Time // chat → when it was last told to slow down
	voted  map[string]bool     // session key + user → rated already (memory only)

	running atomic.Bool
	disp    atomic.Pointer[dispatcher]
}

// maxConcurrentSearches bounds the searches running at once, so a burst
// in many chats queues instead of overloading the search engine.
const maxConcurrentSearches = 16

// New checks the configuration and the token (the SDK's constructor calls
// getMe) and returns a bot ready to Run.
func New(ctx context.Context, cfg Config, r *bots.Responder) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if r == nil || r.Searcher == nil {
		return nil, errors.New("telegram: no responder")
	}
	switch cfg.Language {
	case "", "nl", "en":
	default:
		return nil, fmt.Errorf("telegram: language %q: want nl or en", cfg.Language)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.HTTPClient == nil {
		// Answers to many chats go out concurrently; keep more than the
		// default two idle connections, so a burst does not reconnect.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = maxConcurrentSearches * 2
		cfg.HTTPClient = &http.Client{Transport: tr}
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sessions == nil {
		cfg.Sessions = bots.NewSessions(24*time.Hour, 10000)
	}
	if cfg.Webhook != "" && !strings.HasPrefix(cfg.Webhook, "https://") && !strings.HasPrefix(cfg.Webhook, "http://") {
		return nil, fmt.Errorf("telegram: webhook %q: want an https URL", cfg.Webhook)
	}
	b := &Bot{
		cfg:       cfg,
		r:         r,
		log:       cfg.Logger.With("component", "telegram"),
		hc:        cfg.HTTPClient,
		endpoint:  strings.TrimRight(cfg.APIURL, "/") + "/bot%s/%s",
		token:     cfg.Token,
		english:   cfg.Language == "en",
		sessions:  cfg.Sessions,
		limiter:   bots.NewLimiter(cfg.Limits),
		searches:  make(chan struct{}, maxConcurrentSearches),
		sleep:     sleepCtx,
		slowEvery: 30 * time.Second,
		last:      map[int64]string{},
		slowed:    map[int64]time.Time{},
		voted:     map[string]bool{},
	}
	b.out = newOutbox(telegramLimits)
	if len(cfg.AllowedChats) > 0 {
		b.allowed = map[int64]bool{}
		for _, id := range cfg.AllowedChats {
			b.allowed[id] = true
		}
	}
	if cfg.Webhook != "" {
		b.path = "/telegram/" + randomHex(24)
		b.secret = randomSecret()
	}
	// The SDK's constructor checks the token with getMe.
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	api, err := tgbotapi.NewBotAPIWithClient(b.token, b.endpoint, sdkClient{ctx: ctx, b: b})
	if err != nil {
		return nil, b.redact(fmt.Errorf("telegram: getMe: %w", err))
	}
	b.self = api.Self
	b.log.Info("telegram bot ready", "bot", b.self.UserName, "mode", b.mode())
	return b, nil
}

func (b *Bot) mode() string {
	if b.path != "" {
		return "webhook"
	}
	return "polling"
}

// WebhookPath is the secret path to mount ServeHTTP at in webhook mode,
// "" in polling mode. It is random per Bot: do not log it.
func (b *Bot) WebhookPath() string { return b.path }

// Run answers until ctx is done: it registers the commands, then polls
// for updates or, in webhook mode, registers the webhook and waits. It
// returns within about a second of ctx being done, after every update
// handler has stopped. It returns an error only when Telegram rejects the
// token.
func (b *Bot) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("telegram: already running")
	}
	defer b.running.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	d := newDispatcher(ctx, b.handle, b.log)
	b.disp.Store(d)
	defer func() {
		b.disp.Store(nil)
		cancel()
		d.close()
	}()
	d.goTracked(func() { b.setCommands(ctx) })

	var err error
	if b.path != "" {
		err = b.runWebhook(ctx)
	} else {
		err = b.poll(ctx, d)
	}
	b.log.Info("telegram bot stopping")
	return err
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func randomHex(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

// randomSecret is a webhook secret token: Telegram allows A-Z, a-z, 0-9,
// '_' and '-', which is the URL-safe base64 alphabet.
func randomSecret() string {
	buf := make([]byte, 32)
	rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// setCommands registers the command menu, in the configured language and
// (when that is Dutch) in English for users whose app is in English.
func (b *Bot) setCommands(ctx context.Context) {
	langs := []struct {
		code    string
		english bool
	}{{"", b.english}}
	if !b.english {
		langs = append(langs, struct {
			code    string
			english bool
		}{"en", true})
	}
	for _, l := range langs {
		p := tgbotapi.Params{}
		if err := p.AddInterface("commands", texts(l.english).commands); err != nil {
			b.log.Error("telegram commands", "err", err)
			return
		}
		p.AddNonEmpty("language_code", l.code)
		if _, err := b.send(ctx, chatRef{}, "setMyCommands", p); err != nil && ctx.Err() == nil {
			b.log.Warn("telegram setMyCommands failed", "err", err)
		}
	}
}
