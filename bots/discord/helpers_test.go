package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
)

// testToken looks like a bot token; no log line may ever hold it.
const testToken = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GfAkEx.c2VjcmV0LXdhdHdlcmt0LXRlc3QtdG9rZW4"

// shared is the project's read-only material, next to the repository.
var shared = filepath.Join("..", "..", "..", "shared", "data", "bots")

// payloadDir is where the fake takes its base payloads from: the real
// ones in ../shared when present, our own small ones otherwise.
func payloadDir(t testing.TB) string {
	real := filepath.Join(shared, "discord-gateway-payloads", "tests", "resources")
	if _, err := os.Stat(filepath.Join(real, "message_create_1.json")); err == nil {
		return real
	}
	return filepath.Join("testdata", "gateway")
}

// fakeSearcher is an in-memory Searcher like the one in package bots:
// a hit matches when its title contains the question; a question that
// starts with "what" is English.
type fakeSearcher struct {
	hits []bots.Hit

	mu    sync.Mutex
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
	topic := strings.ToLower(strings.TrimSpace(q.Text))
	res := &bots.Results{Topic: q.Text}
	if t, ok := strings.CutPrefix(topic, "what works for "); ok {
		topic, res.English = t, true
	}
	var found []bots.Hit
	for _, h := range hits {
		if strings.Contains(strings.ToLower(h.Title), topic) {
			found = append(found, h)
		}
	}
	res.Total = len(found)
	if q.Offset < len(found) {
		res.Hits = found[q.Offset:min(q.Offset+q.Limit, len(found))]
	}
	return res, nil
}

func (f *fakeSearcher) add(h bots.Hit) {
	f.mu.Lock()
	f.hits = append(f.hits, h)
	f.mu.Unlock()
}

func (f *fakeSearcher) lastCall() bots.Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return bots.Question{}
	}
	return f.calls[len(f.calls)-1]
}

// wachtlijstHits are twelve hits about "wachtlijst", a day apart.
func wachtlijstHits() []bots.Hit {
	var hits []bots.Hit
	for i := range 12 {
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
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a bot running against a fake Discord.
type harness struct {
	t      testing.TB
	fake   *fakediscord.Server
	bot    *Bot
	search *fakeSearcher
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// setup says how to start a harness; cfg's zero fields get test values.
type setup struct {
	cfg        Config
	recorder   bots.Recorder
	discover   bool   // no GatewayURL: look the gateway up with GET gateway/bot
	fakeToken  string // the token the fake accepts; default testToken
	noWait     bool   // do not wait for READY
	dropReadys int
	heartbeat  time.Duration // the fake's heartbeat interval; default testHeartbeat
}

// testHeartbeat is the fake's usual heartbeat interval. Discord's is
// about 41 s; a second or less would have a loaded test machine miss
// ACKs now and then, and TestMissedHeartbeatACK covers that path on
// purpose with a short one.
const testHeartbeat = 3 * time.Second

const (
	guildID   = "700000000000000001"
	channelID = "710000000000000001"
	userID1   = "720000000000000001"
	userName1 = "jeugdprof"
)

func start(t testing.TB, st setup) *harness {
	t.Helper()
	tok := st.fakeToken
	if tok == "" {
		tok = testToken
	}
	hb := st.heartbeat
	if hb == 0 {
		hb = testHeartbeat
	}
	fake, err := fakediscord.Start(fakediscord.Options{
		Token: tok, HeartbeatInterval: hb, PayloadDir: payloadDir(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	fake.DropReadies(st.dropReadys)
	h := &harness{t: t, fake: fake, search: &fakeSearcher{hits: wachtlijstHits()}, logs: &syncBuffer{}, done: make(chan error, 1)}
	cfg := st.cfg
	cfg.Token = testToken
	cfg.HTTPClient = fake.Client()
	if !st.discover {
		cfg.GatewayURL = fake.GatewayURL()
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 5 * time.Second
	}
	cfg.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &bots.Responder{Searcher: h.search, Recorder: st.recorder, Logger: cfg.Logger}
	if h.bot, err = New(cfg, r); err != nil {
		t.Fatal(err)
	}
	// Discord asks for 1 to 5 s between op 9 and a new Identify; the
	// tests need not wait that long.
	h.bot.invalidWait = func() time.Duration { return 10 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.bot.Run(ctx) }()
	t.Cleanup(func() { h.stop() })
	if !st.noWait {
		h.wait("the bot's READY", func() bool { return fake.Stats().Readies >= 1 && fake.Connected() })
	}
	return h
}

// stop cancels Run, waits for it and stops the fake.
func (h *harness) stop() error {
	h.once.Do(func() {
		h.cancel()
		select {
		case h.err = <-h.done:
		case <-time.After(30 * time.Second):
			h.err = fmt.Errorf("Run did not return")
			h.t.Error(h.err)
		}
		h.fake.Close()
	})
	return h.err
}

// wait waits for cond, failing the test after 20 s.
func (h *harness) wait(what string, cond func() bool) {
	h.t.Helper()
	// Wake up on every change the fake sees, and now and then for
	// conditions on things it does not see (the bot's log).
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := h.fake.Wait(ctx, cond)
		cancel()
		if err == nil {
			return
		}
	}
	h.t.Fatalf("waiting for %s: timed out; gateway %+v\nlogs:\n%s", what, h.fake.Stats(), h.logs.String())
}

// request waits for a REST request.
func (h *harness) request(what string, match func(fakediscord.Request) bool) fakediscord.Request {
	h.t.Helper()
	var found fakediscord.Request
	h.wait(what, func() bool {
		for _, r := range h.fake.Requests() {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

func is(method, path string) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool { return r.Method == method && r.Path == path && r.Status < 300 }
}

func callbackPath(in fakediscord.Interaction) string {
	return "/interactions/" + in.ID + "/" + in.Token + "/callback"
}

func (h *harness) originalPath(in fakediscord.Interaction) string {
	return "/webhooks/" + h.fake.AppID() + "/" + in.Token + "/messages/@original"
}

func (h *harness) followupPath(in fakediscord.Interaction) string {
	return "/webhooks/" + h.fake.AppID() + "/" + in.Token
}

// command sends /watwerkt with a question from userID1 in the test
// guild and channel.
func (h *harness) command(question string, more ...fakediscord.Option) fakediscord.Interaction {
	h.t.Helper()
	opts := append([]fakediscord.Option{{Name: "vraag", Value: question}}, more...)
	var in fakediscord.Interaction
	var err error
	// Should the session have just ended (op 9), Discord would deliver
	// to the next one: so does this.
	h.wait("a session to send to", func() bool {
		in, err = h.fake.SendCommand(fakediscord.Command{GuildID: guildID, ChannelID: channelID, UserID: userID1, UserName: userName1, Options: opts})
		return err == nil
	})
	if err != nil {
		h.t.Fatalf("%v; gateway %+v\nlogs:\n%s", err, h.fake.Stats(), h.logs.String())
	}
	return in
}

// answered sends a command and returns the edit that answered it.
func (h *harness) answered(question string) (fakediscord.Interaction, sent) {
	h.t.Helper()
	in := h.command(question)
	r := h.request("the answer", is("PATCH", h.originalPath(in)))
	return in, decode(h.t, r)
}

// sent is a message body as the fake received it.
type sent struct {
	Type int      `json:"type"`
	Data *message `json:"data"`
	message
}

func decode(t testing.TB, r fakediscord.Request) sent {
	t.Helper()
	var s sent
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	// A request that is a message has no "type"; its fields land in
	// the embedded message. Parse again to fill both views.
	if err := json.Unmarshal(r.Body, &s.message); err != nil {
		t.Fatal(err)
	}
	return s
}

// customIDs lists the custom ids of a message's buttons.
func customIDs(m message) []string {
	var ids []string
	for _, row := range m.Components {
		for _, b := range row.Components {
			ids = append(ids, b.CustomID)
		}
	}
	return ids
}

func titles(m message) []string {
	var out []string
	for _, e := range m.Embeds {
		out = append(out, e.Title)
	}
	return out
}
