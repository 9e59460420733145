package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/watwerkt/watwerkt/bots"
)

// fakeSearcher finds every hit whose title contains the question.
type fakeSearcher struct {
	hits []bots.Hit

	mu        sync.Mutex
	questions []string
}

func (f *fakeSearcher) Search(ctx context.Context, q bots.Question) (*bots.Results, error) {
	f.mu.Lock()
	f.questions = append(f.questions, q.Text)
	f.mu.Unlock()
	res := &bots.Results{Topic: q.Text}
	var found []bots.Hit
	for _, h := range f.hits {
		if strings.Contains(strings.ToLower(h.Title), strings.ToLower(q.Text)) {
			found = append(found, h)
		}
	}
	res.Total = len(found)
	if q.Offset < len(found) {
		res.Hits = found[q.Offset:min(q.Offset+q.Limit, len(found))]
	}
	return res, nil
}

func newConversation() (*bots.Conversation, *fakeSearcher) {
	f := &fakeSearcher{}
	for i := range 7 {
		f.hits = append(f.hits, bots.Hit{
			ID:        fmt.Sprint(i),
			Title:     fmt.Sprintf("Wachtlijst overbruggen %d", i+1),
			URL:       fmt.Sprintf("https://werkplaats.example/nieuws/%d", i+1),
			Source:    "Academische Werkplaats Jeugd Rivierenland",
			Published: time.Date(2021, 11, 26, 0, 0, 0, 0, time.UTC),
		})
	}
	return bots.NewConversation(&bots.Responder{Searcher: f}), f
}

// run calls Run and fails the test when it does not return in time.
func run(t *testing.T, ctx context.Context, in io.Reader) (string, error) {
	t.Helper()
	conv, _ := newConversation()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, conv, in, &out) }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return "", nil
	}
}

func TestRunSession(t *testing.T) {
	out, err := run(t, t.Context(), strings.NewReader("wachtlijst\n\n   \nmeer\nstop\nwachtlijst\n"))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{
		Greeting,
		"vraag> ",
		"Dit vond ik over „wachtlijst” (7 resultaten):",
		"1. Wachtlijst overbruggen 1",
		"   Academische Werkplaats Jeugd Rivierenland · 26 november 2021",
		"5. Wachtlijst overbruggen 5",
		`Typ "meer" voor de volgende resultaten.`,
		"6. Wachtlijst overbruggen 6",
		"7. Wachtlijst overbruggen 7",
		"Dit waren alle resultaten.",
		"Tot ziens!",
	}
	pos := 0
	for _, w := range want {
		i := strings.Index(out[pos:], w)
		if i < 0 {
			t.Fatalf("output lacks %q after byte %d:\n%s", w, pos, out)
		}
		pos += i + len(w)
	}
	if !strings.HasPrefix(out, Greeting) {
		t.Errorf("output does not start with the greeting:\n%s", out)
	}
	// Two answers: the question and "meer"; the line after stop is not read.
	if n := strings.Count(out, "Dit vond ik over"); n != 2 {
		t.Errorf("%d answers with a header, want 2", n)
	}
	if !strings.HasSuffix(out, "Tot ziens!\n") {
		t.Errorf("output does not end with Tot ziens!: %q", out[max(0, len(out)-40):])
	}
}

func TestRunStopWords(t *testing.T) {
	for _, w := range []string{"stop", "STOP", " exit ", "quit", "doei", "q"} {
		out, err := run(t, t.Context(), strings.NewReader(w+"\nwachtlijst\n"))
		if err != nil || !strings.Contains(out, "Tot ziens!") || strings.Contains(out, "Dit vond ik") {
			t.Errorf("%q: err %v, output %q; want a goodbye and no answer", w, err, out)
		}
	}
}

func TestRunEOF(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty input", ""},
		{"last line without newline", "wachtlijst"},
		{"CRLF lines", "wachtlijst\r\nmeer\r\n"},
	}
	for _, tt := range tests {
		out, err := run(t, t.Context(), strings.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: Run = %v, want nil at EOF", tt.name, err)
		}
		if strings.Contains(out, "Tot ziens!") {
			t.Errorf("%s: EOF said goodbye as if stop was typed", tt.name)
		}
		if tt.in != "" && !strings.Contains(out, "1. Wachtlijst overbruggen 1") {
			t.Errorf("%s: the question before EOF was not answered:\n%s", tt.name, out)
		}
	}
	out, _ := run(t, t.Context(), strings.NewReader("wachtlijst\r\nmeer\r\n"))
	if !strings.Contains(out, "6. Wachtlijst overbruggen 6") {
		t.Errorf("\"meer\\r\" was not taken as meer:\n%s", out)
	}
}

func TestRunLongLine(t *testing.T) {
	conv, f := newConversation()
	long := "wachtlijst" + strings.Repeat("x", 1<<20)
	in := strings.NewReader(long + "\nwachtlijst\nmeer\nstop\n")
	var out bytes.Buffer
	if err := Run(t.Context(), conv, in, &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.questions) != 3 {
		t.Fatalf("searched %d questions, want 3", len(f.questions))
	}
	if n := len(f.questions[0]); n != MaxLine {
		t.Errorf("the 1 MiB line reached the searcher as %d bytes, want it cut to %d", n, MaxLine)
	}
	if f.questions[1] != "wachtlijst" {
		t.Errorf("the line after the long one was read as %.40q…, want wachtlijst", f.questions[1])
	}
	if !strings.Contains(out.String(), "6. Wachtlijst overbruggen 6") || !strings.HasSuffix(out.String(), "Tot ziens!\n") {
		t.Errorf("the chat did not go on after the long line")
	}
}

func TestRunCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := run(t, ctx, pr); err != nil {
		t.Errorf("Run with a cancelled context = %v, want nil", err)
	}

	// Cancelled while waiting for the next question.
	pr2, pw2 := io.Pipe()
	t.Cleanup(func() { pw2.Close() })
	ctx, cancel = context.WithCancel(t.Context())
	go func() {
		fmt.Fprintln(pw2, "wachtlijst")
		cancel()
	}()
	if _, err := run(t, ctx, pr2); err != nil {
		t.Errorf("Run cancelled mid-chat = %v, want nil", err)
	}
}

func TestRunReadError(t *testing.T) {
	boom := errors.New("terminal weg")
	_, err := run(t, t.Context(), iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Errorf("Run = %v, want it to wrap %v", err, boom)
	}
	_, err = run(t, t.Context(), io.MultiReader(strings.NewReader("wachtlijst\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Errorf("Run after one question = %v, want it to wrap %v", err, boom)
	}
}
