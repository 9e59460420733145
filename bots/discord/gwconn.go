package discord

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// One gateway connection: Hello, Identify or Resume, heartbeats, and the
// events, until the connection ends. See gateway.go for why this is not
// discordgo's.

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

const (
	gatewayVersion = "10"
	// closeResume ends a connection but not the session: Discord drops
	// a session when its connection is closed with 1000 or 1001 only.
	closeResume = 4000
	// closeWait is how long a close waits for the gateway to answer it.
	closeWait    = time.Second
	writeTimeout = 10 * time.Second
	// maxPayload bounds a decompressed payload.
	maxPayload = 64 << 20
)

var (
	// errNoReady is a connection that got no READY or RESUMED in time.
	errNoReady   = errors.New("no READY from the gateway in time")
	errZombie    = errors.New("no heartbeat ACK from the gateway")
	errReconnect = errors.New("the gateway asked to reconnect (op 7)")
)

// invalidSessionError is op 9 INVALID SESSION.
type invalidSessionError struct{ resumable bool }

func (e *invalidSessionError) Error() string {
	return fmt.Sprintf("the gateway invalidated the session (op 9, resumable: %v)", e.resumable)
}

// session is what outlives a connection: what a resume needs.
type session struct {
	id        string       // from READY; "" means the next connection identifies
	resumeURL string       // resume_gateway_url from READY: where to resume
	seq       atomic.Int64 // last dispatch sequence; the heartbeat goroutine reads it
}

func (s *session) reset() {
	s.id, s.resumeURL = "", ""
	s.seq.Store(0)
}

// last is the "d" of a heartbeat: the last sequence, or null before any.
func (s *session) last() any {
	if n := s.seq.Load(); n > 0 {
		return n
	}
	return nil
}

type gwFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  string          `json:"t"`
}

type gwSend struct {
	Op int `json:"op"`
	D  any `json:"d"`
}

type identifyData struct {
	Token          string            `json:"token"`
	Intents        discordgo.Intent  `json:"intents"`
	Properties     map[string]string `json:"properties"`
	Compress       bool              `json:"compress"`
	LargeThreshold int               `json:"large_threshold"`
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

// gwConn is one websocket to the gateway. Only the read loop reads; the
// read loop and the heartbeat goroutine write, one at a time.
type gwConn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	pending atomic.Bool // a heartbeat is waiting for its ACK
	ready   atomic.Bool // READY or RESUMED came
	once    sync.Once
	mu      sync.Mutex
	reason  error // why we ended the connection; nil when the other side did
}

func (c *gwConn) send(op int, d any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteJSON(gwSend{Op: op, D: d})
}

// end closes the connection with code, the first time only, and notes
// why. The read loop then ends when the gateway answers the close, or
// after closeWait. Safe from any goroutine.
func (c *gwConn) end(code int, why error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.reason = why
		c.mu.Unlock()
		deadline := time.Now().Add(closeWait)
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), deadline)
		c.ws.UnderlyingConn().SetReadDeadline(deadline)
	})
}

// why is what ended the connection: our reason if we ended it, else
// the read error (a close code from the gateway, a network error).
func (c *gwConn) why(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reason != nil {
		return c.reason
	}
	return err
}

func (c *gwConn) read() (gwFrame, error) {
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return gwFrame{}, err
	}
	// With "compress" in Identify, payloads come as zlib streams, one
	// per message.
	if mt == websocket.BinaryMessage {
		z, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return gwFrame{}, fmt.Errorf("gateway payload: %w", err)
		}
		data, err = io.ReadAll(io.LimitReader(z, maxPayload))
		if err != nil {
			return gwFrame{}, fmt.Errorf("gateway payload: %w", err)
		}
	}
	var f gwFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return gwFrame{}, fmt.Errorf("gateway payload: %w", err)
	}
	return f, nil
}

// heartbeat beats every interval, the first time at a random point of
// the first interval, as Discord asks. A beat whose predecessor got no
// ACK means a zombie connection: Discord says to close it (not with
// 1000) and resume.
func (c *gwConn) heartbeat(every time.Duration, sess *session, done <-chan struct{}) {
	t := time.NewTimer(rand.N(every) + 1)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if c.pending.Swap(true) {
			c.end(closeResume, errZombie)
			return
		}
		if err := c.send(opHeartbeat, sess.last()); err != nil {
			c.end(closeResume, err)
			return
		}
		t.Reset(every)
	}
}

// run makes one connection and speaks the gateway on it until it ends:
// it resumes sess when it has an id, identifies otherwise. ready says
// whether READY or RESUMED came; err says why the connection ended.
func (b *Bot) run(ctx context.Context, sess *session) (ready bool, err error) {
	resuming := sess.id != ""
	// Discord wants resumes on the session's resume_gateway_url; a bad
	// one fails the resume, and after maxFailedResumes the bot
	// identifies on the main gateway.
	base := b.gateway
	if resuming && sess.resumeURL != "" {
		base = sess.resumeURL
	}
	u, err := wsURL(base)
	if err != nil {
		return false, err
	}
	// The watchdog runs from the dial until READY or RESUMED.
	deadline := time.Now().Add(b.cfg.ReadyTimeout)
	dctx, cancel := context.WithDeadline(ctx, deadline)
	ws, resp, err := b.dialer.DialContext(dctx, u, nil)
	cancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if dctx.Err() != nil {
			return false, errNoReady
		}
		return false, fmt.Errorf("dial gateway: %w", err)
	}

	c := &gwConn{ws: ws}
	done := make(chan struct{})
	var beats sync.WaitGroup
	// Shutdown closes with 1000: the session ends and the bot shows
	// offline at once instead of after Discord's timeout.
	stopCtx := context.AfterFunc(ctx, func() { c.end(websocket.CloseNormalClosure, ctx.Err()) })
	watchdog := time.AfterFunc(time.Until(deadline), func() {
		if !c.ready.Load() {
			c.end(closeResume, errNoReady)
		}
	})
	defer func() {
		watchdog.Stop()
		stopCtx()
		close(done)
		ws.Close()
		beats.Wait()
	}()

	hello := false
	for {
		f, err := c.read()
		if err != nil {
			return c.ready.Load(), c.why(err)
		}
		switch f.Op {
		case opHello:
			if hello {
				continue
			}
			hello = true
			var h struct {
				Interval int64 `json:"heartbeat_interval"`
			}
			if json.Unmarshal(f.D, &h) != nil || h.Interval <= 0 {
				c.end(closeResume, errors.New("no heartbeat interval in Hello"))
				continue
			}
			beats.Add(1)
			go func() {
				defer beats.Done()
				c.heartbeat(time.Duration(h.Interval)*time.Millisecond, sess, done)
			}()
			if resuming {
				err = c.send(opResume, resumeData{Token: b.token, SessionID: sess.id, Seq: sess.seq.Load()})
			} else {
				err = c.send(opIdentify, b.identify())
			}
			if err != nil {
				c.end(closeResume, fmt.Errorf("send Identify or Resume: %w", err))
			}
		case opHeartbeat:
			// The gateway wants a beat now; a failed write shows in
			// the next read.
			c.send(opHeartbeat, sess.last())
		case opHeartbeatACK:
			c.pending.Store(false)
		case opReconnect:
			c.end(closeResume, errReconnect)
		case opInvalidSession:
			var resumable bool
			json.Unmarshal(f.D, &resumable)
			c.end(closeResume, &invalidSessionError{resumable: resumable})
		case opDispatch:
			if f.S != nil {
				sess.seq.Store(*f.S)
			}
			switch f.T {
			case "READY":
				if err := b.onReady(sess, f.D); err != nil {
					c.end(closeResume, err)
					continue
				}
				c.ready.Store(true)
				b.connected(ctx, false)
			case "RESUMED":
				c.ready.Store(true)
				b.connected(ctx, true)
			default:
				b.dispatch(f.T, f.D)
			}
		}
	}
}

// identify is the Identify payload. The token goes without "Bot ".
func (b *Bot) identify() identifyData {
	return identifyData{
		Token:          b.token,
		Intents:        intents,
		Properties:     map[string]string{"os": runtime.GOOS, "browser": "watwerkt", "device": "watwerkt"},
		Compress:       true,
		LargeThreshold: 250,
	}
}

// onReady keeps what READY says: the session and who the bot is.
func (b *Bot) onReady(sess *session, d json.RawMessage) error {
	var r struct {
		SessionID   string               `json:"session_id"`
		ResumeURL   string               `json:"resume_gateway_url"`
		User        *struct{ ID string } `json:"user"`
		Application *struct{ ID string } `json:"application"`
	}
	if err := json.Unmarshal(d, &r); err != nil || r.SessionID == "" {
		return fmt.Errorf("READY without a session id")
	}
	sess.id, sess.resumeURL = r.SessionID, r.ResumeURL
	if r.User != nil && r.User.ID != "" {
		id := identity{user: r.User.ID, app: r.User.ID}
		if r.Application != nil && r.Application.ID != "" {
			id.app = r.Application.ID
		}
		b.self.Store(&id)
	}
	return nil
}

// connected logs a READY or RESUMED and registers /watwerkt unless that
// was done: in a goroutine of its own, since events keep coming.
func (b *Bot) connected(ctx context.Context, resumed bool) {
	b.log.Info("connected to gateway", "resumed", resumed)
	id := b.self.Load()
	if id == nil || !b.registered.CompareAndSwap(false, true) {
		return
	}
	b.spawnIn(ctx, "register", func(ctx context.Context) {
		if err := b.register(ctx, id.app); err != nil {
			// The commands registered before stay; the next READY
			// or RESUMED tries again.
			b.registered.Store(false)
			if ctx.Err() == nil {
				b.log.Error("register /watwerkt", "err", err)
			}
			return
		}
		b.log.Info("registered /watwerkt", "guild_scoped", b.cfg.GuildID != "")
	})
}

// dispatch hands the events the bot answers to their handlers, which
// only start goroutines: the read loop must not block.
func (b *Bot) dispatch(event string, d json.RawMessage) {
	switch event {
	case "INTERACTION_CREATE":
		var ic discordgo.InteractionCreate
		if err := json.Unmarshal(d, &ic); err != nil {
			b.log.Warn("undecodable event", "event", event, "err", err)
			return
		}
		b.onInteraction(&ic)
	case "MESSAGE_CREATE":
		var mc discordgo.MessageCreate
		if err := json.Unmarshal(d, &mc); err != nil {
			b.log.Warn("undecodable event", "event", event, "err", err)
			return
		}
		b.onMessage(&mc)
	}
}

// wsURL adds the version and encoding to a gateway URL.
func wsURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", fmt.Errorf("bad gateway URL %q", base)
	}
	q := u.Query()
	q.Set("v", gatewayVersion)
	q.Set("encoding", "json")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
