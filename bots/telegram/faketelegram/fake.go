// Package faketelegram is an in-memory Telegram Bot API server for tests
// and load tests of the Telegram front end. It serves the methods the bot
// uses (getMe, getUpdates with long polling and offsets, sendMessage,
// editMessageText, answerCallbackQuery, setMyCommands, setWebhook,
// deleteWebhook), checks what it is sent as strictly as Telegram does or
// more (HTML parse mode, the 4096-character limit, callback data of at
// most 64 bytes), records every call, and fails on demand: a Bot API
// error such as 429 with retry_after or 409 Conflict, or a dropped
// connection.
//
// Point a client at URL() with the endpoint format URL()+"/bot%s/%s".
package faketelegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one request the server received.
type Call struct {
	Seq      int // position among all calls, from 0
	Method   string
	Params   map[string]string // form, multipart and JSON bodies alike; JSON values other than strings as JSON text
	At       time.Time         // when the request arrived
	Status   int               // HTTP status; 0 while in progress, -1 when the connection was dropped
	Response json.RawMessage   // the response body
}

// Server is a fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string
	me    User

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change, to wake waiters
	pending     []Update      // not yet confirmed by an offset
	nextUpdate  int
	nextMessage int
	nextQuery   int
	chats       map[int64]Chat
	messages    map[msgKey]*Message
	queries     map[string]bool // callback query id → answered
	calls       []Call
	counts      map[string]int // calls per method
	faults      map[string][]fault
	webhookURL  string
	secret      string
	polls       int // getUpdates requests in progress

	closed    chan struct{}
	closeOnce sync.Once
}

type msgKey struct {
	chat int64
	id   int
}

type fault struct {
	code, retryAfter int
	drop             bool
}

// New starts a fake Bot API that accepts token and answers getMe with me
// (the bot @WatWerktBot, id 424242, when zero). Close it when done.
func New(token string, me User) *Server {
	if me.ID == 0 {
		me = User{ID: 424242, IsBot: true, FirstName: "WatWerkt", Username: "WatWerktBot"}
	}
	s := &Server{
		token: token, me: me,
		changed:  make(chan struct{}),
		chats:    map[int64]Chat{},
		messages: map[msgKey]*Message{},
		queries:  map[string]bool{},
		counts:   map[string]int{},
		faults:   map[string][]fault{},
		closed:   make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL of the API, without the /bot<token>/<method> part.
func (s *Server) URL() string { return s.srv.URL }

// Me is the bot's own user, as getMe returns it.
func (s *Server) Me() User { return s.me }

// Close ends long polls and shuts the server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// notify wakes everyone waiting for a change. Called with mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Disconnect closes every client connection now, including those of
// long polls in progress: a network failure in the middle of a poll.
func (s *Server) Disconnect() { s.srv.CloseClientConnections() }

// Push queues an update, numbering it when its UpdateID is zero, and
// returns its id.
func (s *Server) Push(u Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UpdateID == 0 {
		s.nextUpdate++
		u.UpdateID = s.nextUpdate
	} else if u.UpdateID > s.nextUpdate {
		s.nextUpdate = u.UpdateID
	}
	if u.Message != nil {
		s.chats[u.Message.Chat.ID] = u.Message.Chat
	}
	s.pending = append(s.pending, u)
	s.notify()
	return u.UpdateID
}

// SendText queues a text message from a user in a chat and returns it.
// A text that starts with '/' carries a bot_command entity, as Telegram
// adds one.
func (s *Server) SendText(chat Chat, from User, text string) Message {
	return s.ReplyText(chat, from, nil, text)
}

// ReplyText queues a text message that replies to another message (nil:
// none) and returns it.
func (s *Server) ReplyText(chat Chat, from User, to *Message, text string) Message {
	s.mu.Lock()
	s.nextMessage++
	m := Message{MessageID: s.nextMessage, From: &from, Date: time.Now().Unix(), Chat: chat, Text: text}
	if to != nil {
		cp := *to
		cp.ReplyToMessage = nil // Telegram does not nest replies further
		m.ReplyToMessage = &cp
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []MessageEntity{{Type: "bot_command", Offset: 0, Length: UTF16Len(cmd)}}
	}
	stored := m
	s.messages[msgKey{chat.ID, m.MessageID}] = &stored
	s.mu.Unlock()
	s.Push(Update{Message: &m})
	return m
}

// Press queues a press on an inline keyboard button of a message (as it
// is now, after edits) and returns the callback query id.
func (s *Server) Press(from User, msg Message, data string) string {
	s.mu.Lock()
	if cur, ok := s.messages[msgKey{msg.Chat.ID, msg.MessageID}]; ok {
		msg = *cur
	}
	s.nextQuery++
	id := "cq" + strconv.Itoa(s.nextQuery)
	s.queries[id] = false
	s.mu.Unlock()
	s.Push(Update{CallbackQuery: &CallbackQuery{ID: id, From: from, Message: &msg, ChatInstance: "ci" + strconv.FormatInt(msg.Chat.ID, 10), Data: data}})
	return id
}

// Fail makes the next n calls of method fail with a Bot API error: code
// 429 carries retryAfter seconds, 409 is a getUpdates conflict.
func (s *Server) Fail(method string, code, retryAfter, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], fault{code: code, retryAfter: retryAfter})
	}
}

// Drop makes the next n calls of method end with a dropped connection
// and no response.
func (s *Server) Drop(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], fault{drop: true})
	}
}

// Calls returns the calls of method received so far ("" for all), oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCall waits until a call of method ("" for any) for which match
// (nil: any) is true has arrived, and returns it.
func (s *Server) WaitCall(ctx context.Context, method string, match func(Call) bool) (Call, error) {
	seen := 0
	for {
		s.mu.Lock()
		for ; seen < len(s.calls); seen++ {
			c := s.calls[seen]
			if (method == "" || c.Method == method) && (match == nil || match(c)) {
				s.mu.Unlock()
				return c, nil
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Call{}, fmt.Errorf("wait for %s: %w", method, ctx.Err())
		}
	}
}

// Finished waits until a call has been answered and returns it with its
// status and response.
func (s *Server) Finished(ctx context.Context, c Call) (Call, error) {
	for {
		s.mu.Lock()
		cur, ch := s.calls[c.Seq], s.changed
		s.mu.Unlock()
		if cur.Status != 0 {
			return cur, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Call{}, fmt.Errorf("wait for %s to finish: %w", c.Method, ctx.Err())
		}
	}
}

// Result waits until a call has been answered and decodes its result
// into v; a call that failed is an error.
func (s *Server) Result(ctx context.Context, c Call, v any) error {
	done, err := s.Finished(ctx, c)
	if err != nil {
		return err
	}
	var res struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(done.Response, &res); err != nil || !res.OK {
		return fmt.Errorf("%s failed (%d): %s", c.Method, done.Status, done.Response)
	}
	return json.Unmarshal(res.Result, v)
}

// WaitCount waits until at least n calls of method have arrived.
func (s *Server) WaitCount(ctx context.Context, method string, n int) error {
	for {
		s.mu.Lock()
		got, ch := s.counts[method], s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d calls of %s, have %d: %w", n, method, got, ctx.Err())
		}
	}
}

// WaitPolling waits until a getUpdates request is being held open.
func (s *Server) WaitPolling(ctx context.Context) error {
	for {
		s.mu.Lock()
		n, ch := s.polls, s.changed
		s.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for a long poll: %w", ctx.Err())
		}
	}
}

// Message returns a message as it is now (after edits).
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[msgKey{chatID, id}]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Pending is the number of updates not yet confirmed by the client.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Webhook returns the webhook URL and secret token set by setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.secret
}

// DeliverWebhook posts the pending updates to the webhook, with the
// secret token header, as Telegram does; an update the webhook accepts
// with 200 is confirmed. It returns how many were delivered.
func (s *Server) DeliverWebhook(ctx context.Context, client *http.Client) (int, error) {
	s.mu.Lock()
	url, secret := s.webhookURL, s.secret
	batch := append([]Update(nil), s.pending...)
	s.mu.Unlock()
	if url == "" {
		return 0, errors.New("no webhook set")
	}
	n := 0
	for _, u := range batch {
		body, _ := json.Marshal(u)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return n, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := client.Do(req)
		if err != nil {
			return n, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return n, fmt.Errorf("webhook answered %s", resp.Status)
		}
		s.mu.Lock()
		s.confirm(u.UpdateID + 1)
		s.mu.Unlock()
		n++
	}
	return n, nil
}

// confirm forgets the updates before offset. Called with mu held.
func (s *Server) confirm(offset int) {
	i := 0
	for i < len(s.pending) && s.pending[i].UpdateID < offset {
		i++
	}
	s.pending = s.pending[i:]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	token, method, pathOK := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	pathOK = pathOK && strings.HasPrefix(r.URL.Path, "/bot")
	params, perr := readParams(w, r)

	s.mu.Lock()
	idx := len(s.calls)
	s.calls = append(s.calls, Call{Seq: idx, Method: method, Params: params, At: at})
	s.counts[method]++
	var f *fault
	if q := s.faults[method]; len(q) > 0 && pathOK && token == s.token {
		f = &q[0]
		s.faults[method] = q[1:]
	}
	s.notify()
	s.mu.Unlock()

	status, res := 0, response{}
	switch {
	case f != nil && f.drop:
		s.finish(idx, -1, nil)
		panic(http.ErrAbortHandler) // the client sees the connection close without a response
	case !pathOK || token != s.token:
		status, res = fail(http.StatusUnauthorized, "Unauthorized")
	case f != nil:
		status, res = fail(f.code, describe(f.code, f.retryAfter))
		if f.retryAfter > 0 {
			res.Parameters = &ResponseParameters{RetryAfter: f.retryAfter}
		}
	case perr != nil:
		status, res = fail(http.StatusBadRequest, "Bad Request: "+perr.Error())
	default:
		status, res = s.call(r.Context(), method, params)
	}
	body, _ := json.Marshal(res)
	s.finish(idx, status, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) finish(idx, status int, body []byte) {
	s.mu.Lock()
	s.calls[idx].Status = status
	s.calls[idx].Response = body
	s.notify()
	s.mu.Unlock()
}

func ok(result any) (int, response) { return http.StatusOK, response{OK: true, Result: result} }

func fail(code int, desc string) (int, response) {
	return code, response{OK: false, ErrorCode: code, Description: desc}
}

func describe(code, retryAfter int) string {
	switch code {
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case http.StatusConflict:
		return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	case http.StatusBadRequest:
		return "Bad Request: injected failure"
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	}
	return fmt.Sprintf("Internal Server Error (%d)", code)
}
