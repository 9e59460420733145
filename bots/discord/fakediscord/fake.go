// Package fakediscord is an in-process Discord for tests: a gateway
// (websocket) that says Hello, answers Identify with READY, Resume with
// RESUMED (or op 9 when the session is gone, as Discord does) and
// heartbeats with ACKs, and dispatches the MESSAGE_CREATE and
// INTERACTION_CREATE events a test asks for; and the REST endpoints a
// bot answers with, which record every request and enforce the message
// limits Discord enforces. A test can also make it misbehave: drop the
// connection, send op 7 RECONNECT or op 9 INVALID SESSION, never answer
// an Identify or a Resume, skip heartbeat ACKs, or answer 429.
//
// Events are built on real payloads when Options.PayloadDir names a
// directory holding message_create_1.json and ready_1.json (such as the
// discord-gateway-payloads test resources), and on small built-in ones
// otherwise.
package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configure a Server.
type Options struct {
	Token   string // the bot token; REST calls and Identify must carry it ("Bot " prefix optional)
	BotID   string // default "900000000000000001"
	AppID   string // default BotID
	BotName string // default "watwerkt"

	// HeartbeatInterval is sent in Hello; Discord sends about 41 s,
	// tests want far less. Default 41250ms.
	HeartbeatInterval time.Duration

	// ResumeWindow is how long a session whose connection ended (other
	// than with 1000 or 1001) can still be resumed; Discord keeps one
	// for a few minutes. Default 3 minutes.
	ResumeWindow time.Duration

	// PayloadDir holds real payloads to base events on; "" means the
	// built-in ones.
	PayloadDir string
}

// Request is one REST request the fake received.
type Request struct {
	Method string
	Path   string // below /api/v10, such as "/channels/1/messages"
	Query  string
	Header http.Header
	Body   json.RawMessage // nil when empty
	At     time.Time
	Status int // what the fake answered
}

// Stats count what happened on the gateway.
type Stats struct {
	Connections     int // websocket connections accepted
	Identifies      int
	Resumes         int // Resume requests, successful or not
	Readies         int // READY dispatches sent
	Resumed         int // RESUMED dispatches sent
	Heartbeats      int
	InvalidSessions int // op 9 sent: by InvalidSession or in answer to a Resume
	Intents         int // of the last Identify
	Compress        bool
	CloseCodes      []int // of connections that ended, 0 when without a close frame
}

// Server is a fake Discord. Make one with Start.
type Server struct {
	opts     Options
	http     *httptest.Server
	client   *http.Transport
	upgrader websocket.Upgrader
	base     payloads

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	closed       bool
	requests     []Request
	stats        Stats
	sessions     map[string]*session
	current      *session
	conns        map[*gwConn]bool
	dropReadies  int
	dropResumes  int
	dropACKs     int
	limits       []*limitRule
	interactions map[string]*Interaction // by token
	messages     map[string]json.RawMessage
	commands     map[string]json.RawMessage // by scope: "global" or the guild id
	serial       int64
	wg           sync.WaitGroup // gateway connections
}

// Start starts a fake Discord; Close stops it.
func Start(opts Options) (*Server, error) {
	if opts.BotID == "" {
		opts.BotID = "900000000000000001"
	}
	if opts.AppID == "" {
		opts.AppID = opts.BotID
	}
	if opts.BotName == "" {
		opts.BotName = "watwerkt"
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.ResumeWindow <= 0 {
		opts.ResumeWindow = 3 * time.Minute
	}
	base, err := loadPayloads(opts.PayloadDir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:         opts,
		base:         base,
		changed:      make(chan struct{}),
		sessions:     map[string]*session{},
		conns:        map[*gwConn]bool{},
		interactions: map[string]*Interaction{},
		messages:     map[string]json.RawMessage{},
		commands:     map[string]json.RawMessage{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gw/", s.serveGateway)
	mux.Handle("/api/v10/", http.StripPrefix("/api/v10", s.restHandler()))
	s.http = httptest.NewServer(mux)
	s.client = &http.Transport{MaxIdleConnsPerHost: 64}
	return s, nil
}

// Close stops the fake and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.ws.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.http.Close()
	s.client.CloseIdleConnections()
}

// GatewayURL is the websocket URL of the fake gateway.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gw/"
}

// Client is an HTTP client whose requests to any host, discord.com
// included, go to the fake.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 10 * time.Second}
}

// Transport is the rewriting transport behind Client.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.http.URL)
	return &rewrite{to: u, base: s.client}
}

// CloseIdleConnections closes the idle connections of Client's
// transport, for tests that count goroutines.
func (s *Server) CloseIdleConnections() { s.client.CloseIdleConnections() }

type rewrite struct {
	to   *url.URL
	base http.RoundTripper
}

func (t *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.to.Scheme, t.to.Host, ""
	return t.base.RoundTrip(r)
}

// BotID and AppID say who the fake thinks the bot is.
func (s *Server) BotID() string { return s.opts.BotID }
func (s *Server) AppID() string { return s.opts.AppID }

// Requests returns the REST requests so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Stats returns the gateway counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.CloseCodes = append([]int(nil), st.CloseCodes...)
	return st
}

// Wait returns when cond holds, checking after every change the fake
// sees, or when ctx is done.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitRequest waits for a request that match accepts, among those
// received so far and those to come, and returns the first one.
func (s *Server) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	var found Request
	err := s.Wait(ctx, func() bool {
		for _, r := range s.Requests() {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found, err
}

// notify wakes up waiters; call with mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// snowflake makes a new id, increasing like Discord's.
func (s *Server) snowflake() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snowflakeLocked()
}

func (s *Server) snowflakeLocked() string {
	s.serial++
	ms := time.Now().UnixMilli() - 1420070400000
	return strconv.FormatInt(ms<<22|(s.serial&0x3FFFFF), 10)
}

// token makes an interaction or session token.
func (s *Server) token(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serial++
	return fmt.Sprintf("%s%016x%08x", prefix, time.Now().UnixNano(), s.serial)
}
