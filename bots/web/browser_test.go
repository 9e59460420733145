package web

// A curator's session in a real, headless Chromium: search, sign in, pin,
// hide, read the report. It proves what the httptest checks cannot: that
// the forms, cookies (SameSite=Strict, HttpOnly), redirects and the
// Content-Security-Policy work together in a browser. It skips when no
// Chromium is installed; run it with
//
//	go test -run Browser -v ./bots/web/

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/corpus"
)

// shelf is an in-memory index that is also its own curator: a pin puts a
// document first for the same question, a hide drops it from every answer.
type shelf struct {
	mu     sync.Mutex
	docs   []bots.JSONHit
	pins   map[string]string // question → URL
	hidden map[string]bool
}

func newShelf() *shelf {
	s := &shelf{pins: map[string]string{}, hidden: map[string]bool{}}
	for i, title := range []string{"Schuldhulp voor jongeren", "Budgetcoaching in de wijk", "Vroegsignalering van schulden",
		"Geldzorgen en opvoeden", "Schuldenvrij op je achttiende"} {
		s.docs = append(s.docs, bots.JSONHit{ID: string(rune('a' + i)), URL: "https://jeugd.example/" + string(rune('a'+i)),
			Title: title, Source: "Jeugd in Beeld", Published: "2024-03-0" + string(rune('1'+i)),
			Snippet: "wat werkt bij **schulden** van jongeren", Score: float64(5 - i)})
	}
	return s
}

func normalQuestion(q string) string { return strings.Join(strings.Fields(strings.ToLower(q)), " ") }

func (s *shelf) Search(ctx context.Context, q Query) (*bots.SearchJSON, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []bots.JSONHit
	pin := s.pins[normalQuestion(q.Text)]
	for _, d := range s.docs {
		switch {
		case s.hidden[d.URL]:
		case d.URL == pin:
			d.Pinned = true
			hits = slices.Insert(hits, 0, d)
		default:
			hits = append(hits, d)
		}
	}
	res := &bots.SearchJSON{Query: q.Text, Total: len(hits)}
	if q.Offset < len(hits) {
		res.Hits = hits[q.Offset:min(len(hits), q.Offset+q.Limit)]
	}
	return res, nil
}

func (s *shelf) Status() (Status, bool) {
	return Status{Version: "v1", Documents: uint64(len(s.docs))}, true
}

func (s *shelf) Pin(ctx context.Context, question, docURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pins[normalQuestion(question)] = docURL
	return nil
}

func (s *shelf) Unpin(ctx context.Context, question, docURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pins[normalQuestion(question)] != docURL {
		return errors.New("geen pin gevonden")
	}
	delete(s.pins, normalQuestion(question))
	return nil
}

func (s *shelf) Hide(ctx context.Context, docURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hidden[docURL] = true
	return nil
}

// findChromium returns the path of an installed Chromium or Chrome, or
// skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium or Chrome found (looked for chromium, chromium-browser, google-chrome): install one to run the browser test")
	return ""
}

func TestBrowserCuratorSession(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test starts Chromium; skipped with -short")
	}
	chromium := findChromium(t)
	sh := newShelf()
	s := New(sh, NewMetrics(sh), nil)
	s.Curator, s.CuratorToken = sh, testToken
	s.Report = func(ctx context.Context) (*corpus.Report, error) {
		return &corpus.Report{Questions: 3, ZeroResults: 1,
			Zero: []corpus.QuestionCount{{Query: "paardentherapie", Example: "werkt paardentherapie?", Count: 1}}}, nil
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	// One deadline for everything, the browser included, so that a hung
	// Chromium can never hold up CI.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1024, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// submit clicks and waits for the page that the click leads to,
	// redirects included.
	submit := func(step, sel string) {
		t.Helper()
		_, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(sel)))
		must(step, err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		must("read "+sel, err)
		return strings.TrimSpace(s)
	}
	count := func(sel string) int {
		t.Helper()
		nodes, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0)))
		must("count "+sel, err)
		return len(nodes)
	}

	must("open the search page", chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#q"))))
	// The stylesheet is allowed by the page's CSP and applied.
	style, err := chromedp.Run(bctx, chromedp.ComputedStyle(chromedp.CSS("header.kop")))
	must("read the header's style", err)
	if !slices.ContainsFunc(style, func(p *css.ComputedStyleProperty) bool { return p.Name == "display" && p.Value == "flex" }) {
		t.Error("the stylesheet is not applied")
	}

	must("type a question", chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS("#q"), "Wat werkt bij schulden?")))
	submit("search", "form.zoek button[type=submit]")
	if got := count("ol.hits > li"); got != 5 {
		t.Fatalf("got %d results, want 5", got)
	}
	if got := text("ol.hits > li:nth-child(1) .titel"); got != "Schuldhulp voor jongeren" {
		t.Errorf("first result %q", got)
	}
	if got := count("button.vastzetten"); got != 0 {
		t.Errorf("%d pin buttons before sign-in, want 0", got)
	}

	submit("open the sign-in page", `a[href^="/curator/login"]`)
	// Without the token there is no pinning: a wrong one is refused and
	// the search page still has no pin buttons.
	must("type a wrong token", chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS("#token"), "niet-het-token")))
	submit("sign in with the wrong token", "form.formulier button[type=submit]")
	if got := text("p.fout"); got != msgWrong {
		t.Errorf("after a wrong token the page says %q", got)
	}
	must("back to the search", chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/?q=schulden"), chromedp.WaitVisible(chromedp.CSS("ol.hits"))))
	if got := count("button.vastzetten"); got != 0 {
		t.Errorf("%d pin buttons after a wrong token, want 0", got)
	}
	submit("open the sign-in page again", `a[href^="/curator/login"]`)
	must("type the token", chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS("#token"), testToken)))
	submit("sign in", "form.formulier button[type=submit]")
	if got := text(".melding"); !strings.Contains(got, "ingelogd") {
		t.Errorf("after sign-in the page says %q", got)
	}
	if got := count("button.vastzetten"); got != 5 {
		t.Fatalf("after sign-in: %d pin buttons, want 5 (back on the search?)", got)
	}

	third := text("ol.hits > li:nth-child(3) .titel")
	submit("pin the third result", "ol.hits > li:nth-child(3) button.vastzetten")
	if got := text("ol.hits > li:nth-child(1) .titel"); got != third+" vastgezet" {
		t.Errorf("after the pin the first result is %q, want %q with its badge", got, third)
	}
	if got := text("ol.hits > li:nth-child(1) .badge"); got != "vastgezet" {
		t.Errorf("badge %q", got)
	}
	// The page with the pinned result is kept as a test artefact
	// (go test -artifacts -outputdir DIR keeps it; otherwise it is removed
	// with the test's temporary files).
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // quality 100 is a PNG
	must("take a screenshot", err)
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Errorf("the screenshot is not a PNG (%d bytes)", len(shot))
	}
	must("save the screenshot", os.WriteFile(filepath.Join(t.ArtifactDir(), "pinned.png"), shot, 0o644))
	if got := count("button.losmaken"); got != 1 || count("ol.hits > li:nth-child(1) button.vastzetten") != 0 {
		t.Errorf("%d unpin buttons, want 1, on the pinned result", got)
	}
	if got := text(".melding"); !strings.HasPrefix(got, "Vastgezet") {
		t.Errorf("after the pin the page says %q", got)
	}

	other := text("ol.hits > li:nth-child(2) .titel")
	submit("hide the second result", "ol.hits > li:nth-child(2) button.verbergen")
	if got := count("ol.hits > li"); got != 4 {
		t.Errorf("after hiding: %d results, want 4", got)
	}
	if got := text("ol.hits"); strings.Contains(got, other) || !strings.HasPrefix(got, third) {
		t.Errorf("after hiding %q the results read:\n%s", other, got)
	}

	submit("unpin it", "ol.hits > li:nth-child(1) button.losmaken")
	if got := text(".melding"); !strings.HasPrefix(got, "Losgemaakt") {
		t.Errorf("after unpinning the page says %q", got)
	}
	if got := count(".badge"); got != 0 {
		t.Errorf("after unpinning %d results still carry a badge", got)
	}

	submit("open the report", `a[href="/rapport"]`)
	if got := text("#nul"); got != "Vragen zonder resultaat" {
		t.Errorf("report section heading %q", got)
	}
	if got := text("#nul + .tabel"); !strings.Contains(got, "werkt paardentherapie?") {
		t.Errorf("zero-result questions read %q", got)
	}
}
