package bots

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

func TestSessionsPutGetExpire(t *testing.T) {
	s := NewSessions(time.Hour, 100)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	a := Answer{Header: "h", NextOffset: 5, HasMore: true}
	key := s.Put(a)
	if len(key) != KeyLen {
		t.Fatalf("key %q has length %d, want %d", key, len(key), KeyLen)
	}
	got, ok := s.Get(key)
	if !ok || got.Header != "h" || got.NextOffset != 5 {
		t.Fatalf("Get = %+v, %v; want the stored answer", got, ok)
	}
	if _, ok := s.Get("nonexistent"); ok {
		t.Fatal("Get of an unknown key succeeded")
	}
	now = now.Add(59 * time.Minute)
	if !s.Replace(key, Answer{Header: "h2"}) {
		t.Fatal("Replace of a live key failed")
	}
	now = now.Add(59 * time.Minute) // Replace renewed the expiry
	if got, ok := s.Get(key); !ok || got.Header != "h2" {
		t.Fatalf("after Replace: Get = %+v, %v", got, ok)
	}
	now = now.Add(2 * time.Minute)
	if _, ok := s.Get(key); ok {
		t.Fatal("expired key still answers")
	}
	s.Put(Answer{}) // evicts the expired entry
	if n := s.Len(); n != 1 {
		t.Fatalf("Len after eviction = %d, want 1", n)
	}
}

func TestSessionsBounded(t *testing.T) {
	s := NewSessions(time.Hour, 10)
	var keys []string
	for range 25 {
		keys = append(keys, s.Put(Answer{}))
	}
	if n := s.Len(); n > 10 {
		t.Fatalf("Len = %d, want at most 10", n)
	}
	if _, ok := s.Get(keys[0]); ok {
		t.Fatal("the oldest entry survived a full table")
	}
	if _, ok := s.Get(keys[24]); !ok {
		t.Fatal("the newest entry is gone")
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = true
	}
}

func TestSessionsConcurrent(t *testing.T) {
	s := NewSessions(time.Minute, 50)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				k := s.Put(Answer{NextOffset: 1})
				s.Get(k)
				s.Replace(k, Answer{NextOffset: 2})
			}
		}()
	}
	wg.Wait()
	if n := s.Len(); n > 50 {
		t.Fatalf("Len = %d, want at most 50", n)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(LimitConfig{UserEvery: time.Minute, UserBurst: 2, ChannelEvery: time.Minute, ChannelBurst: 3})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	steps := []struct {
		user, channel string
		want          bool
	}{
		{"u1", "c1", true},
		{"u1", "c1", true},
		{"u1", "c1", false}, // u1 out of tokens
		{"u2", "c1", true},  // c1 has its third token
		{"u2", "c1", false}, // c1 out of tokens
		{"u2", "c2", true},  // the refusal above cost u2 nothing
		{"u3", "", true},    // no channel: only the user counts
	}
	for i, s := range steps {
		if got := l.Allow(s.user, s.channel); got != s.want {
			t.Fatalf("step %d Allow(%q, %q) = %v, want %v", i, s.user, s.channel, got, s.want)
		}
	}
	now = now.Add(time.Minute)
	if !l.Allow("u1", "c1") {
		t.Fatal("a minute later u1 in c1 is still refused")
	}
	now = now.Add(time.Hour)
	l.Allow("u9", "c9") // sweeps idle buckets
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 2 {
		t.Fatalf("after an idle hour %d buckets remain, want 2 (u9, c9)", n)
	}
}

type memRecorder struct {
	mu        sync.Mutex
	questions []corpus.QuestionEvent
	feedback  []corpus.Feedback
	err       error
}

func (m *memRecorder) LogQuestion(ctx context.Context, e corpus.QuestionEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.questions = append(m.questions, e)
	return m.err
}

func (m *memRecorder) PutFeedback(ctx context.Context, f corpus.Feedback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.feedback = append(m.feedback, f)
	return nil
}

func TestResponderRecords(t *testing.T) {
	rec := &memRecorder{}
	r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}, Recorder: rec}
	ctx := context.Background()
	a := r.Answer(ctx, Question{Text: "wachtlijst", Platform: "telegram", Channel: "42"})
	next := r.Next(ctx, a)
	if next.Items[0].Rank != 6 {
		t.Fatalf("Next starts at rank %d, want 6", next.Items[0].Rank)
	}
	if end := r.Next(ctx, next); end.Message == "" || len(end.Items) != 0 {
		t.Fatalf("Next after the last page = %+v, want a message", end)
	}
	r.Answer(ctx, Question{Text: "onvindbaar", Platform: "web"})
	if len(rec.questions) != 2 {
		t.Fatalf("logged %d questions, want 2 (pages after the first are not logged)", len(rec.questions))
	}
	q := rec.questions[0]
	if q.Platform != "telegram" || q.Channel != "42" || q.Question != "wachtlijst" || q.Total != 7 || len(q.ResultIDs) != 5 || q.Zero {
		t.Errorf("first logged question = %+v", q)
	}
	if z := rec.questions[1]; !z.Zero || z.Total != 0 || z.Platform != "web" {
		t.Errorf("zero-result question logged as %+v", z)
	}

	msg, err := r.Feedback(ctx, a, -1)
	if err != nil || msg != dutch.thanks {
		t.Fatalf("Feedback = %q, %v", msg, err)
	}
	f := rec.feedback[0]
	if f.Rating != -1 || f.Platform != "telegram" || f.Channel != "42" || len(f.ResultIDs) != 5 || f.ResultIDs[0] != "id1" {
		t.Errorf("feedback stored as %+v", f)
	}

	rec.err = errors.New("disk full")
	if a := r.Answer(ctx, Question{Text: "wachtlijst"}); len(a.Items) == 0 {
		t.Error("a failing question log broke the answer")
	}
	if msg, err := r.Feedback(ctx, a, 1); err == nil || msg != dutch.feedbackFailed {
		t.Errorf("Feedback with a failing store = %q, %v", msg, err)
	}
}

func TestResponderRecordsInStore(t *testing.T) {
	ctx := context.Background()
	st, err := corpus.OpenStore(ctx, filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}, Recorder: st}
	a := r.Answer(ctx, Question{Text: "wachtlijst", Platform: "discord", Channel: "c1"})
	if _, err := r.Feedback(ctx, a, 1); err != nil {
		t.Fatal(err)
	}
	qs, err := st.Questions(ctx, time.Time{})
	if err != nil || len(qs) != 1 || qs[0].Platform != "discord" || len(qs[0].ResultIDs) != 5 {
		t.Fatalf("Questions = %+v, %v", qs, err)
	}
	fb, err := st.FeedbackSince(ctx, time.Time{})
	if err != nil || len(fb) != 1 || fb[0].Rating != 1 || fb[0].Question != "wachtlijst" {
		t.Fatalf("FeedbackSince = %+v, %v", fb, err)
	}
}

func TestAsyncRecorder(t *testing.T) {
	rec := &memRecorder{}
	ar := NewAsyncRecorder(rec, 4, nil)
	r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}, Recorder: ar}
	for range 3 {
		r.Answer(context.Background(), Question{Text: "wachtlijst", Platform: "web"})
	}
	a := r.Answer(context.Background(), Question{Text: "wachtlijst"})
	if _, err := r.Feedback(context.Background(), a, 1); err != nil {
		t.Fatal(err)
	}
	ar.Close()
	ar.Close() // twice is harmless
	ar.LogQuestion(context.Background(), corpus.QuestionEvent{})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if got := len(rec.questions) + int(ar.Dropped()); got != 5 {
		t.Errorf("logged %d + dropped %d questions, want 5 in all", len(rec.questions), ar.Dropped())
	}
	if len(rec.questions) < 1 || ar.Dropped() < 1 || len(rec.feedback) != 1 {
		t.Errorf("%d questions logged, %d dropped (the one after Close must be), %d feedback rows", len(rec.questions), ar.Dropped(), len(rec.feedback))
	}
}

func TestResponderObserve(t *testing.T) {
	var got []string
	r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}, Observe: func(q Question, a Answer) {
		got = append(got, q.Platform+":"+Outcome(a))
	}}
	ctx := context.Background()
	r.Answer(ctx, Question{Text: "wachtlijst", Platform: "discord"})
	r.Answer(ctx, Question{Text: "niets", Platform: "telegram"})
	r.Answer(ctx, Question{Text: "", Platform: "web"})
	r.Searcher = &fakeSearcher{err: errors.New("index weg")}
	r.Answer(ctx, Question{Text: "wachtlijst", Platform: "discord"})
	want := "discord:hits telegram:empty web:empty discord:error"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("observed %q, want %q", s, want)
	}
}
