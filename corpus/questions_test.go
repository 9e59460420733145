package corpus

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestQuestionLogRoundTrip(t *testing.T) {
	s := openTestStore(t)
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	events := []QuestionEvent{
		{Time: t0, Platform: "discord", Channel: "c1", Question: "wat werkt bij schulden?", Query: "schulden", ResultIDs: []string{"a", "b"}, Total: 2, Latency: 1500 * time.Microsecond},
		{Time: t0.Add(time.Hour), Platform: "telegram", Question: "xyzzy", Query: "xyzzy", Zero: true},
		{Time: t0.Add(48 * time.Hour), Platform: "web", Question: strings.Repeat("é", 3000)},
	}
	for _, e := range events {
		if err := s.LogQuestion(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Questions(ctx, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Questions since t0+1m: %d events, want 2", len(got))
	}
	if !got[0].Zero || got[0].Platform != "telegram" || got[0].ResultIDs != nil && len(got[0].ResultIDs) != 0 {
		t.Errorf("zero-result event read back as %+v", got[0])
	}
	long := got[1].Question
	if !utf8.ValidString(long) || len(long) > maxLoggedQuestion {
		t.Errorf("a long question was stored as %d bytes (valid UTF-8: %v)", len(long), utf8.ValidString(long))
	}
	all, _ := s.Questions(ctx, time.Time{})
	if e := all[0]; e.Latency != 1500*time.Microsecond || len(e.ResultIDs) != 2 || e.Channel != "c1" || !e.Time.Equal(t0) {
		t.Errorf("first event read back as %+v", e)
	}

	if err := s.PutFeedback(ctx, Feedback{Time: t0, Platform: "discord", Question: "q", ResultIDs: []string{"a"}, Rating: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFeedback(ctx, Feedback{Rating: 0}); err == nil {
		t.Error("a rating of 0 was accepted")
	}
	if err := s.PutFeedback(ctx, Feedback{Time: t0.Add(72 * time.Hour), Platform: "telegram", Question: "q2", Rating: -1}); err != nil {
		t.Fatal(err)
	}
	fb, err := s.FeedbackSince(ctx, time.Time{})
	if err != nil || len(fb) != 2 || fb[0].Rating != 1 || fb[0].ResultIDs[0] != "a" || fb[1].Rating != -1 {
		t.Fatalf("FeedbackSince = %+v, %v", fb, err)
	}

	n, err := s.PruneLog(ctx, t0.Add(24*time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("PruneLog removed %d rows (%v), want 3", n, err)
	}
	rest, _ := s.Questions(ctx, time.Time{})
	fb, _ = s.FeedbackSince(ctx, time.Time{})
	if len(rest) != 1 || len(fb) != 1 {
		t.Errorf("after pruning: %d questions and %d feedback rows, want 1 and 1", len(rest), len(fb))
	}
}
