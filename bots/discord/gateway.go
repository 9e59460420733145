package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The connection to the gateway is supervised here rather than left to
// discordgo, because discordgo v0.29.0's Open blocks until the first
// event after Identify, without a deadline and holding the session's
// lock, so a READY that never comes hangs it (and Close with it); and
// its reconnect loop calls that same Open and keeps running after Close.
// So: Open runs in a goroutine under a watchdog; when READY (or RESUMED)
// does not come within Config.ReadyTimeout, the watchdog closes the
// network connection under Open, which makes it return, and tries again
// after a backoff. discordgo's own reconnecting is off; when it closes a
// connection (a read error, op 7 RECONNECT, missed heartbeat ACKs) the
// supervisor sees the connection close and opens the session again,
// which resumes it (op 6) since discordgo keeps the session id and
// sequence. op 9 INVALID SESSION is answered by discordgo with a new
// Identify on the same connection; the READY that follows is enough.

// errNoReady is a connection attempt that got no READY in time.
var errNoReady = errors.New("no READY from the gateway in time")

// supervise keeps the bot connected until ctx is done. It returns an
// error only when Discord refuses the bot for good.
func (b *Bot) supervise(ctx context.Context) error {
	var back backoff
	registered := false
	for ctx.Err() == nil {
		err := b.connect(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if fatal(err) {
				b.log.Error("gateway refused the bot", "err", err)
				return fmt.Errorf("discord: %w", err)
			}
			wait := back.next()
			b.log.Warn("gateway connection failed", "err", err, "retry_in", wait)
			b.setGateway("") // look it up again: it may have moved
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		self := b.self.Load()
		b.log.Info("connected to gateway")
		if !registered && self != nil {
			// On failure the commands registered before stay; the next
			// connection tries again.
			if err := b.register(ctx, self.app); err != nil {
				if ctx.Err() == nil {
					b.log.Error("register /watwerkt", "err", err)
				}
			} else {
				registered = true
				b.log.Info("registered /watwerkt", "guild_scoped", b.cfg.GuildID != "")
			}
		}
		// The first reconnect after a good connection is immediate (op 7
		// asks for that); failing ones back off. A gateway that accepts
		// and drops at once is still slowed down by discordgo's Close,
		// which waits a second for the close handshake.
		back = backoff{}
		var lost <-chan struct{}
		if c := b.currentConn(); c != nil {
			lost = c.closed
		}
		select {
		case <-ctx.Done():
			return nil
		case <-lost:
		}
		wait := back.next()
		b.log.Warn("gateway connection lost; reconnecting", "retry_in", wait)
		if sleep(ctx, wait) != nil {
			return nil
		}
	}
	return nil
}

// connect opens the session once, under the watchdog. When it returns,
// no Open is running any more.
func (b *Bot) connect(ctx context.Context) error {
	if err := b.discover(ctx); err != nil {
		return err
	}
	attempt, cancel := context.WithCancel(ctx)
	defer cancel()
	b.connMu.Lock()
	b.attempt, b.conn = attempt, nil
	b.connMu.Unlock()

	before := b.readyN.Load()
	opened := make(chan error, 1)
	go func() { opened <- b.s.Open() }()
	watchdog := time.NewTimer(b.cfg.ReadyTimeout)
	defer watchdog.Stop()

	isOpen := false
	for {
		if isOpen && b.readyN.Load() > before {
			return nil
		}
		select {
		case err := <-opened:
			if err != nil {
				if errors.Is(err, discordgo.ErrWSAlreadyOpen) {
					b.s.Close()
				}
				return fmt.Errorf("open gateway: %w", withoutURL(err))
			}
			isOpen, opened = true, nil
		case <-b.readyC:
		case <-watchdog.C:
			b.abandon(cancel, opened)
			return errNoReady
		case <-ctx.Done():
			b.abandon(cancel, opened)
			return ctx.Err()
		}
	}
}

// abandon ends a connection attempt: it stops a dial in progress, closes
// the network connection under a blocked Open so that it returns, and
// closes the session when Open had returned already. opened is nil once
// Open returned.
func (b *Bot) abandon(cancel context.CancelFunc, opened chan error) {
	cancel()
	if opened == nil {
		b.s.Close()
		return
	}
	if c := b.currentConn(); c != nil {
		c.Close()
	}
	if err := <-opened; err == nil {
		b.s.Close()
	}
}

// fatal reports errors that retrying cannot fix: a token Discord does
// not accept, intents or a version it refuses.
func fatal(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
}

// onReady runs inside discordgo's Open, which holds the session's lock:
// it must not call the session.
func (b *Bot) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User != nil {
		id := identity{user: r.User.ID, app: r.User.ID}
		if r.Application != nil && r.Application.ID != "" {
			id.app = r.Application.ID
		}
		b.self.Store(&id)
	}
	b.ready()
}

func (b *Bot) onResumed(_ *discordgo.Session, _ *discordgo.Resumed) { b.ready() }

func (b *Bot) ready() {
	b.readyN.Add(1)
	select {
	case b.readyC <- struct{}{}:
	default:
	}
}

// discover finds the gateway URL: Config.GatewayURL, or GET gateway/bot
// with our context and deadline. discordgo's Open looks the URL up
// itself, with no context at all; the discovery transport answers that
// lookup with what we found here.
func (b *Bot) discover(ctx context.Context) error {
	if b.gatewayURL() != "" {
		return nil
	}
	u := b.cfg.GatewayURL
	if u == "" {
		var err error
		if u, err = b.gatewayBot(ctx); err != nil {
			return err
		}
	}
	b.setGateway(u)
	return nil
}

func (b *Bot) gatewayURL() string {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	return b.gateway
}

func (b *Bot) setGateway(u string) {
	b.connMu.Lock()
	b.gateway = u
	b.connMu.Unlock()
}

func (b *Bot) currentConn() *trackedConn {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	return b.conn
}

// dial is the websocket dialer's: it gives up when the attempt is
// abandoned and keeps the connection, so the watchdog can close it and
// the supervisor can see it closed.
func (b *Bot) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	b.connMu.Lock()
	attempt := b.attempt
	b.connMu.Unlock()
	if attempt == nil {
		attempt = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(attempt, cancel)
	defer stop()
	d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, closed: make(chan struct{})}
	b.connMu.Lock()
	b.conn = tc
	b.connMu.Unlock()
	// abandon cancels the attempt before it looks for the connection: if
	// it looked before we stored it, the attempt is over by now.
	if attempt.Err() != nil {
		tc.Close()
		return nil, attempt.Err()
	}
	return tc, nil
}

// trackedConn tells when it was closed.
type trackedConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// discovery answers discordgo's own gateway lookup (GET /gateway, made
// inside Open without a context) from the URL the bot discovered, and
// passes every other request on.
type discovery struct {
	base http.RoundTripper
	url  func() string
}

func (d *discovery) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/gateway") {
		return d.base.RoundTrip(req)
	}
	u := d.url()
	if u == "" {
		return nil, errors.New("gateway not discovered")
	}
	body := fmt.Sprintf(`{"url":%q}`, u)
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// backoff waits 0, 1, 2, 4 … 60 s between attempts, with jitter so that
// many bots do not reconnect in step.
type backoff struct{ n int }

func (b *backoff) next() time.Duration {
	n := b.n
	b.n++
	if n == 0 {
		return 0
	}
	d := min(time.Second<<min(n-1, 6), time.Minute)
	return d/2 + rand.N(d/2+1)
}
