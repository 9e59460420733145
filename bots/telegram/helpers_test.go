package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
	"github.com/watwerkt/watwerkt/corpus"
)

// testToken looks like a real token; tests check it never reaches a log.
const testToken = "7654321:AAH-s3cr3t-T0KEN_value-do-not-log"

var (
	alice   = faketelegram.User{ID: 1001, FirstName: "Alice", Username: "alice"}
	bob     = faketelegram.User{ID: 1002, FirstName: "Bob"}
	otherBt = faketelegram.User{ID: 9009, IsBot: true, FirstName: "Ander", Username: "AnderBot"}
	dm      = faketelegram.Chat{ID: 1001, Type: "private", FirstName: "Alice"}
	group   = faketelegram.Chat{ID: -1001234, Type: "supergroup", Title: "Wijkteam Noord"}
)

// fakeSearcher is an in-memory bots.Searcher: every hit whose title
// contains the question (case-insensitively) matches; Offset and Limit
// page through them.
type fakeSearcher struct {
	mu    sync.Mutex
	hits  []bots.Hit
	calls []bots.Question
}

func (f *fakeSearcher) Search(ctx context.Context, q bots.Question) (*bots.Results, error) {
	f.mu.Lock()
	f.calls = append(f.calls, q)
	hits := f.hits
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &bots.Results{Topic: strings.TrimSpace(q.Text)}
	var found []bots.Hit
	for _, h := range hits {
		if strings.Contains(strings.ToLower(h.Title), strings.ToLower(res.Topic)) {
			found = append(found, h)
		}
	}
	res.Total = len(found)
	if q.Offset < len(found) {
		res.Hits = found[q.Offset:min(q.Offset+q.Limit, len(found))]
	}
	return res, nil
}

func (f *fakeSearcher) questions() []bots.Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bots.Question(nil), f.calls...)
}

// wachtlijstHits are seven hits about "wachtlijst", a day apart.
func wachtlijstHits() []bots.Hit {
	var hits []bots.Hit
	for i := range 7 {
		hits = append(hits, bots.Hit{
			ID:        fmt.Sprintf("id%d", i+1),
			Title:     fmt.Sprintf("Wachtlijst overbruggen, deel %d", i+1),
			URL:       fmt.Sprintf("https://werkplaats.example/nieuws/wachtlijst-%d", i+1),
			Source:    "Academische Werkplaats Jeugd Rivierenland",
			Published: time.Date(2021, 11, 26-i, 0, 0, 0, 0, time.UTC),
			Snippet:   fmt.Sprintf("Gezinnen op de **wachtlijst** krijgen overbruggingshulp (%d).", i+1),
		})
	}
	return hits
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// sleepRecorder replaces the bot's sleeps (backoff, retry_after): it
// records what was asked and waits only a moment, so tests of retries
// stay fast without timed assertions.
type sleepRecorder struct {
	mu     sync.Mutex
	asked  []time.Duration
	actual time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.asked = append(s.asked, d)
	s.mu.Unlock()
	return sleepCtx(ctx, s.actual)
}

func (s *sleepRecorder) durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.asked...)
}

type harness struct {
	t        testing.TB
	fake     *faketelegram.Server
	bot      *Bot
	searcher *fakeSearcher
	store    *corpus.Store
	logs     *syncBuffer
	sleeps   *sleepRecorder

	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	runErr   error
}

type options struct {
	config  func(*Config)
	store   bool
	limits  *sendLimits // nil: no outgoing limits
	fake    *faketelegram.Server
	noStart bool
}

// generous question limits, so that tests asking many questions are not
// told to slow down.
var generous = bots.LimitConfig{UserEvery: time.Millisecond, UserBurst: 1000, ChannelEvery: time.Millisecond, ChannelBurst: 1000}

// newHarness makes a fake Bot API and a bot on it, and starts the bot
// (unless o.noStart). Cleanup stops the bot, failing the test if Run does
// not return within 5 s of cancel.
func newHarness(t testing.TB, o options) *harness {
	t.Helper()
	h := &harness{t: t, fake: o.fake, searcher: &fakeSearcher{hits: wachtlijstHits()}, logs: &syncBuffer{}, sleeps: &sleepRecorder{actual: time.Millisecond}}
	if h.fake == nil {
		h.fake = faketelegram.New(testToken, faketelegram.User{})
		t.Cleanup(h.fake.Close)
	}
	r := &bots.Responder{Searcher: h.searcher}
	if o.store {
		st, err := corpus.OpenStore(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h.store, r.Recorder = st, st
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.Logger = logger
	cfg := Config{Token: testToken, APIURL: h.fake.URL(), Logger: logger, PollTimeout: 10 * time.Second, Limits: generous}
	if o.config != nil {
		o.config(&cfg)
	}
	bot, err := New(context.Background(), cfg, r)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	lim := sendLimits{}
	if o.limits != nil {
		lim = *o.limits
	}
	bot.out = newOutbox(lim)
	bot.sleep = h.sleeps.sleep
	h.bot = bot
	t.Cleanup(func() { h.stop() })
	if !o.noStart {
		h.start()
	}
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.bot.Run(ctx) }()
}

// stop cancels Run and waits for it; a Run that hangs fails the test.
func (h *harness) stop() error {
	h.stopOnce.Do(func() {
		if h.cancel == nil {
			return
		}
		h.cancel()
		select {
		case h.runErr = <-h.done:
		case <-time.After(5 * time.Second):
			h.t.Errorf("Run did not return within 5 s of cancel")
		}
	})
	return h.runErr
}

// wait is a context for waiting on the fake; it only guards against hangs.
func (h *harness) wait() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// sent waits for the next sendMessage to chat after the first `after`
// ones and returns it.
func (h *harness) sent(chat int64, after int) faketelegram.Call {
	h.t.Helper()
	n := 0
	c, err := h.fake.WaitCall(h.wait(), "sendMessage", func(c faketelegram.Call) bool {
		if c.Params["chat_id"] != fmt.Sprint(chat) {
			return false
		}
		n++
		return n > after
	})
	if err != nil {
		h.t.Fatalf("no message sent to %d: %v\nlog:\n%s", chat, err, h.logs.String())
	}
	return c
}

// message waits for a sendMessage or editMessageText call to finish and
// returns the message it made.
func (h *harness) message(c faketelegram.Call) faketelegram.Message {
	h.t.Helper()
	var m faketelegram.Message
	if err := h.fake.Result(h.wait(), c, &m); err != nil {
		h.t.Fatal(err)
	}
	return m
}

// buttons returns the callback data of the buttons in a call's
// reply_markup, by label.
func buttons(t testing.TB, c faketelegram.Call) map[string]string {
	t.Helper()
	raw := c.Params["reply_markup"]
	if raw == "" {
		return nil
	}
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		t.Fatalf("reply_markup %s: %v", raw, err)
	}
	out := map[string]string{}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			out[b.Text] = b.CallbackData
		}
	}
	return out
}
