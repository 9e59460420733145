package fakediscord

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// The gateway: Hello on connect; Identify gets READY (unless told to
// drop it), Resume gets the missed events and RESUMED, a heartbeat gets
// an ACK. Events go to the session identified last; while it has no
// connection they are kept for a resume, as Discord does.
//
// Sessions end as on Discord: a connection the client closes with 1000
// or 1001 ends its session, any other end (another close code, a
// dropped connection) leaves it resumable for Options.ResumeWindow. A
// Resume of an ended, expired or unknown session gets op 9 d:false; one
// with a sequence the session never reached is closed with 4007.

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

// privileged intents need approval on Discord; the fake refuses them,
// as Discord does for a bot without that approval (close code 4014).
const privileged = 1<<1 | 1<<8 | 1<<15

type session struct {
	id    string
	seq   int64
	sent  []frame // kept for resume
	conn  *gwConn
	valid bool
	lost  time.Time // when its last connection ended; zero while connected
}

// frame is one gateway payload.
type frame struct {
	Op   int             `json:"op"`
	D    json.RawMessage `json:"d"`
	S    *int64          `json:"s"`
	T    *string         `json:"t"`
	seq  int64
	sent time.Time
}

type gwConn struct {
	ws       *websocket.Conn
	compress bool
	sess     *session
}

// write sends one payload, zlib-compressed when the client asked for it
// in Identify (as Discord does with "compress": true). Writes are made
// with the server's mutex held, which also keeps them in order.
func (c *gwConn) write(f frame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if !c.compress {
		return c.ws.WriteMessage(websocket.TextMessage, b)
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b)
	w.Close()
	return c.ws.WriteMessage(websocket.BinaryMessage, z.Bytes())
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	// discordgo v0.29.0 asks for v9; Discord serves 9 and 10.
	q := r.URL.Query()
	if v := q.Get("v"); (v != "9" && v != "10") || q.Get("encoding") != "json" {
		http.Error(w, "want ?v=9 or 10 and &encoding=json", http.StatusBadRequest)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = true
	s.stats.Connections++
	s.wg.Add(1)
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()})
	c.write(frame{Op: opHello, D: hello})
	s.notify()
	s.mu.Unlock()
	go s.read(c)
}

// read handles what the client sends until the connection ends.
func (s *Server) read(c *gwConn) {
	defer s.wg.Done()
	defer c.ws.Close()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.disconnected(c, err)
			return
		}
		var f frame
		if json.Unmarshal(data, &f) != nil {
			s.closeWith(c, 4002, "decode error")
			return
		}
		switch f.Op {
		case opHeartbeat:
			s.mu.Lock()
			s.stats.Heartbeats++
			if s.dropACKs > 0 {
				s.dropACKs--
			} else {
				c.write(frame{Op: opHeartbeatACK})
			}
			s.notify()
			s.mu.Unlock()
		case opIdentify:
			if !s.identify(c, f.D) {
				return
			}
		case opResume:
			s.resume(c, f.D)
		}
	}
}

func (s *Server) disconnected(c *gwConn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
		c.sess.lost = time.Now()
		// A client that closes with 1000 or 1001 ends its session.
		var ce *websocket.CloseError
		if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
			c.sess.valid = false
		}
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		s.stats.CloseCodes = append(s.stats.CloseCodes, ce.Code)
	} else {
		s.stats.CloseCodes = append(s.stats.CloseCodes, 0)
	}
	s.notify()
}

func (s *Server) closeWith(c *gwConn, code int, reason string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.ws.Close()
}

func (s *Server) checkToken(t string) bool {
	return strings.TrimPrefix(t, "Bot ") == strings.TrimPrefix(s.opts.Token, "Bot ")
}

// identify starts a new session; false means the connection was closed.
func (s *Server) identify(c *gwConn, d json.RawMessage) bool {
	var id struct {
		Token    string `json:"token"`
		Intents  int    `json:"intents"`
		Compress bool   `json:"compress"`
	}
	json.Unmarshal(d, &id)
	if !s.checkToken(id.Token) {
		s.closeWith(c, 4004, "Authentication failed.")
		return false
	}
	if id.Intents&privileged != 0 {
		s.closeWith(c, 4014, "Disallowed intent(s).")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Identifies++
	s.stats.Intents = id.Intents
	s.stats.Compress = id.Compress
	c.compress = id.Compress
	s.notify()
	if s.dropReadies > 0 {
		s.dropReadies--
		return true
	}
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	sess := &session{id: s.tokenLocked("sess"), conn: c, valid: true}
	s.sessions[sess.id] = sess
	s.current, c.sess = sess, sess
	s.dispatchLocked(sess, "READY", s.base.readyEvent(sess.id, s.opts, s.GatewayURL()))
	s.stats.Readies++
	return true
}

// resume reattaches a session and replays what it missed, or says the
// session is gone (op 9, not resumable).
func (s *Server) resume(c *gwConn, d json.RawMessage) {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Resumes++
	s.notify()
	if s.dropResumes > 0 {
		s.dropResumes--
		return
	}
	sess := s.sessions[r.SessionID]
	if sess != nil && sess.conn == nil && !sess.lost.IsZero() && time.Since(sess.lost) > s.opts.ResumeWindow {
		sess.valid = false // expired
	}
	// Events the session no longer keeps cannot be replayed: Discord
	// makes the client start over then.
	if sess != nil && len(sess.sent) > 0 && sess.sent[0].seq > r.Seq+1 {
		sess.valid = false
	}
	if sess == nil || !sess.valid || !s.checkToken(r.Token) {
		s.stats.InvalidSessions++
		c.write(frame{Op: opInvalidSession, D: json.RawMessage("false")})
		return
	}
	if r.Seq > sess.seq {
		s.closeWith(c, 4007, "Invalid seq.")
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.ws.Close()
	}
	sess.conn, c.sess, s.current, sess.lost = c, sess, sess, time.Time{}
	for _, f := range sess.sent {
		if f.seq > r.Seq {
			c.write(f)
		}
	}
	s.dispatchLocked(sess, "RESUMED", json.RawMessage(`{"_trace":["fake-gateway"]}`))
	s.stats.Resumed++
}

var errNoSession = errors.New("fakediscord: no session to dispatch to")

// Dispatch sends an event to the bot's session and returns its
// sequence number. Without a live connection the event waits for a
// resume.
func (s *Server) Dispatch(event string, data any) (int64, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || !s.current.valid {
		return 0, errNoSession
	}
	return s.dispatchLocked(s.current, event, raw), nil
}

func (s *Server) dispatchLocked(sess *session, event string, d json.RawMessage) int64 {
	sess.seq++
	seq, t := sess.seq, event
	f := frame{Op: opDispatch, D: d, S: &seq, T: &t, seq: seq, sent: time.Now()}
	sess.sent = append(sess.sent, f)
	if len(sess.sent) > 1000 {
		sess.sent = sess.sent[len(sess.sent)-1000:]
	}
	if sess.conn != nil {
		sess.conn.write(f)
	}
	s.notify()
	return seq
}

// Disconnect drops every gateway connection without a close frame, as
// a network failure would. Sessions stay resumable.
func (s *Server) Disconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.ws.UnderlyingConn().Close()
	}
}

// Reconnect sends op 7 RECONNECT: the client should reconnect and
// resume.
func (s *Server) Reconnect() error {
	return s.sendOp(opReconnect, json.RawMessage("null"))
}

// InvalidSession sends op 9 INVALID SESSION. When resumable is false
// the session is gone and a resume will fail; the client must identify.
func (s *Server) InvalidSession(resumable bool) error {
	d := json.RawMessage("false")
	if resumable {
		d = json.RawMessage("true")
	}
	s.mu.Lock()
	if !resumable && s.current != nil {
		s.current.valid = false
	}
	s.stats.InvalidSessions++
	s.mu.Unlock()
	return s.sendOp(opInvalidSession, d)
}

func (s *Server) sendOp(op int, d json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || s.current.conn == nil {
		return errors.New("fakediscord: no connected session")
	}
	return s.current.conn.write(frame{Op: op, D: d})
}

// DropReadies makes the next n Identify requests go unanswered: READY
// never comes.
func (s *Server) DropReadies(n int) {
	s.mu.Lock()
	s.dropReadies = n
	s.mu.Unlock()
}

// EndSession ends the bot's session without telling it, as Discord
// does when a session times out or was closed with 1000: its next
// Resume gets op 9 d:false.
func (s *Server) EndSession() {
	s.mu.Lock()
	if s.current != nil {
		s.current.valid = false
	}
	s.notify()
	s.mu.Unlock()
}

// DropResumes makes the next n Resume requests go unanswered, as from
// a gateway that is stuck: neither RESUMED nor op 9 comes.
func (s *Server) DropResumes(n int) {
	s.mu.Lock()
	s.dropResumes = n
	s.mu.Unlock()
}

// DropHeartbeatACKs leaves the next n heartbeats without an ACK, as on a
// zombie connection; the ones after are ACKed again.
func (s *Server) DropHeartbeatACKs(n int) {
	s.mu.Lock()
	s.dropACKs = n
	s.mu.Unlock()
}

// Connected reports whether the bot's session has a live connection.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current != nil && s.current.valid && s.current.conn != nil
}

func (s *Server) tokenLocked(prefix string) string {
	s.serial++
	return prefix + strings.Repeat("0", 4) + s.snowflakeLocked()
}
