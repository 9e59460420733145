package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/corpus"
)

const testToken = "geheim-curatortoken-123"

// pageIndex answers every search with res (a copy), or with err.
type pageIndex struct {
	mu   sync.Mutex
	res  bots.SearchJSON
	err  error
	last Query
}

func (f *pageIndex) Search(ctx context.Context, q Query) (*bots.SearchJSON, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = q
	if f.err != nil {
		return nil, f.err
	}
	res := f.res
	res.Query = q.Text
	return &res, nil
}

func (f *pageIndex) Status() (Status, bool) { return Status{Version: "v1", Documents: 3}, true }

func (f *pageIndex) lastQuery() Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// memCurator keeps the rules a curator adds, written as in curation.txt;
// when err is set it refuses them with it.
type memCurator struct {
	mu    sync.Mutex
	rules []string
	err   error
}

func (c *memCurator) Pin(_ context.Context, q, docURL string) error {
	return c.add("pin " + q + " => " + docURL)
}
func (c *memCurator) Unpin(_ context.Context, q, docURL string) error {
	return c.add("unpin " + q + " => " + docURL)
}
func (c *memCurator) Hide(_ context.Context, docURL string) error { return c.add("hide " + docURL) }

func (c *memCurator) add(rule string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.rules = append(c.rules, rule)
	}
	return c.err
}

func (c *memCurator) written() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.rules)
}

// memRecorder counts logged questions.
type memRecorder struct{ n atomic.Int32 }

func (m *memRecorder) LogQuestion(context.Context, corpus.QuestionEvent) error {
	m.n.Add(1)
	return nil
}
func (m *memRecorder) PutFeedback(context.Context, corpus.Feedback) error { return nil }

// readJSON decodes testdata/name into v.
func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

type uiTest struct {
	srv     *httptest.Server
	idx     *pageIndex
	curator *memCurator
	rec     *memRecorder
	client  *http.Client // keeps cookies, does not follow redirects
}

func newUITest(t *testing.T, configure func(*Server)) *uiTest {
	t.Helper()
	ut := &uiTest{idx: &pageIndex{}, curator: &memCurator{}, rec: &memRecorder{}}
	readJSON(t, "hostile.json", &ut.idx.res)
	var rep corpus.Report
	readJSON(t, "report.json", &rep)
	s := New(ut.idx, NewMetrics(ut.idx), nil)
	s.Curator, s.CuratorToken, s.Recorder = ut.curator, testToken, ut.rec
	s.Report = func(ctx context.Context) (*corpus.Report, error) { r := rep; return &r, nil }
	if configure != nil {
		configure(s)
	}
	ut.srv = httptest.NewServer(s.Handler())
	t.Cleanup(ut.srv.Close)
	jar, _ := cookiejar.New(nil)
	ut.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return ut
}

// do sends a request; form, when not nil, is posted.
func (ut *uiTest) do(t *testing.T, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ut.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := ut.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// expect is do that fails the test unless the status is code.
func (ut *uiTest) expect(t *testing.T, code int, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	resp, body := ut.do(t, method, path, form, header)
	if resp.StatusCode != code {
		t.Errorf("%s %s: status %d, want %d\n%.400s", method, path, resp.StatusCode, code, body)
	}
	return resp, body
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// inert fails the test when untrusted text became markup: a script, an
// image, an event handler, or a link that is not to this site or http(s).
func inert(t *testing.T, doc *goquery.Document) {
	t.Helper()
	for _, sel := range []string{"script", "img", "iframe", "[onerror]", "[onload]"} {
		if n := doc.Find(sel).Length(); n != 0 {
			t.Errorf("page has %d elements matching %s, want 0", n, sel)
		}
	}
	doc.Find("[href]").Each(func(_ int, s *goquery.Selection) {
		href := strings.ToLower(strings.TrimSpace(s.AttrOr("href", "")))
		if !strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") {
			t.Errorf("link with href %q", href)
		}
	})
}

// signIn signs the client in and returns the CSRF token of its session.
func (ut *uiTest) signIn(t *testing.T) string {
	t.Helper()
	resp, _ := ut.expect(t, http.StatusSeeOther, "POST", "/curator/login", url.Values{"token": {testToken}, "next": {"/?q=wachtlijst"}}, nil)
	if got := resp.Header.Get("Location"); got != "/?q=wachtlijst" {
		t.Fatalf("sign-in redirects to %q", got)
	}
	_, body := ut.do(t, "GET", "/?q=wachtlijst", nil, nil)
	csrf, ok := parse(t, body).Find(`form[action^="/curator/"] input[name="csrf"]`).First().Attr("value")
	if !ok || csrf == "" {
		t.Fatalf("no CSRF token on the signed-in page:\n%s", body)
	}
	return csrf
}

func TestSearchPageRendersHostileHitsInert(t *testing.T) {
	ut := newUITest(t, nil)
	resp, body := ut.expect(t, 200, "GET", "/?q=wachtlijst", nil, nil)
	doc := parse(t, body)
	inert(t, doc)
	hits := doc.Find("ol.hits > li")
	if hits.Length() != 3 {
		t.Fatalf("got %d hits, want 3", hits.Length())
	}
	first := hits.Eq(0)
	if got := strings.TrimSpace(first.Find(".titel").Text()); got != "<script>alert(1)</script>" {
		t.Errorf("hostile title shown as %q, want the literal text", got)
	}
	if first.Find(".titel a").Length() != 0 || hits.Eq(2).Find(".titel a").Length() != 0 {
		t.Error("a javascript: URL became a link")
	}
	if got := first.Find(".snippet mark").Text(); got != "wachtlijst" {
		t.Errorf("marked %q, want wachtlijst", got)
	}
	if got := first.Find(".snippet").Text(); !strings.Contains(got, `"><img src=x onerror=alert(1)>`) || strings.Contains(got, "**") {
		t.Errorf("snippet text %q", got)
	}
	if got := first.Find(".bron").Text(); got != "Bron <b>X</b> · 26 november 2021" {
		t.Errorf("source line %q", got)
	}
	if href, _ := hits.Eq(1).Find(".titel a").Attr("href"); href != "https://jeugd.example/a" {
		t.Errorf("safe link %q", href)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": htmlCSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

func TestSearchPageBadgeExplainAndPaging(t *testing.T) {
	ut := newUITest(t, nil)
	_, body := ut.do(t, "GET", "/?q=wachtlijst&offset=10", nil, nil)
	doc := parse(t, body)
	hits := doc.Find("ol.hits > li")
	for i, want := range []bool{false, true, false} {
		if got := hits.Eq(i).Find(".badge").Text() == "vastgezet"; got != want {
			t.Errorf("hit %d: badge %v, want %v", i, got, want)
		}
	}
	if n := doc.Find("details").Length(); n != 0 || ut.idx.lastQuery().Explain {
		t.Errorf("without explain=1: %d <details>, query %+v", n, ut.idx.lastQuery())
	}
	if start, _ := doc.Find("ol.hits").Attr("start"); start != "11" {
		t.Errorf("list starts at %q, want 11", start)
	}
	prev, _ := doc.Find(`a[rel="prev"]`).Attr("href")
	next, _ := doc.Find(`a[rel="next"]`).Attr("href")
	if prev != "/?q=wachtlijst" || next != "/?offset=20&q=wachtlijst" {
		t.Errorf("paging links %q and %q", prev, next)
	}
	if q := ut.idx.lastQuery(); q.Offset != 10 || q.Limit != pageSize || !q.Facets {
		t.Errorf("query passed on as %+v", q)
	}

	_, body = ut.do(t, "GET", "/?q=wachtlijst&explain=1", nil, nil)
	doc = parse(t, body)
	if got := doc.Find("ol.hits > li").Eq(0).Find("details pre").Text(); got != "weight(tekst:wachtlijst)" || !ut.idx.lastQuery().Explain {
		t.Errorf("with explain=1: explanation %q, query %+v", got, ut.idx.lastQuery())
	}
	if v, _ := doc.Find(`form.zoek input[name="explain"]`).Attr("value"); v != "1" {
		t.Error("a new search from the explain page loses explain=1")
	}
}

func TestSearchPageFacets(t *testing.T) {
	ut := newUITest(t, nil)
	_, body := ut.do(t, "GET", "/?q=wachtlijst&filter=thema:lvb&filter=kleur:rood", nil, nil)
	if got := ut.idx.lastQuery().Filters; len(got) != 1 || got["thema"] != "lvb" {
		t.Errorf("filters passed on: %v", got)
	}
	doc := parse(t, body)
	link := doc.Find(".facetten a").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "jeugd in beeld" })
	href, ok := link.Attr("href")
	if !ok {
		t.Fatalf("no facet link for jeugd in beeld:\n%s", body)
	}
	u, _ := url.Parse(href)
	if got := u.Query()["filter"]; len(got) != 2 || got[0] != "bron:jeugd in beeld" || got[1] != "thema:lvb" || u.Query().Get("q") != "wachtlijst" {
		t.Errorf("facet link %q: filters %q", href, got)
	}
	if !strings.Contains(link.Parent().Text(), "(12)") {
		t.Errorf("facet count missing: %q", link.Parent().Text())
	}
	// The thema filter is in force: the facet shows it active, and both it
	// and the filter list offer a link that removes it.
	for _, sel := range []string{".actieve-filters a.weg", ".facetten a.weg"} {
		href, _ := doc.Find(sel).First().Attr("href")
		if href != "/?q=wachtlijst" {
			t.Errorf("%s: remove link %q, want /?q=wachtlijst", sel, href)
		}
	}
	if v, _ := doc.Find(`form.zoek input[name="filter"]`).Attr("value"); v != "thema:lvb" {
		t.Errorf("search form keeps filter %q", v)
	}
}

func TestSearchPageMessages(t *testing.T) {
	ut := newUITest(t, nil)
	tests := []struct {
		name  string
		set   func()
		query string
		code  int
		want  string
	}{
		{"empty form", func() {}, "", 200, "Wat wil je weten"},
		{"nothing found", func() { ut.idx.res = bots.SearchJSON{} }, "?q=niets", 200, "Niets gevonden voor ‘niets’"},
		{"no index", func() { ut.idx.err = fmt.Errorf("open: %w", ErrNotReady) }, "?q=x", 503, "nog geen index"},
		{"error", func() { ut.idx.err = errors.New("disk on fire: /var/lib/secret") }, "?q=x", 500, "Er ging iets mis bij het zoeken"},
		{"too long", func() { ut.idx.err = nil }, "?q=" + strings.Repeat("a", MaxQueryBytes+1), 400, "te lang"},
	}
	for _, tt := range tests {
		ut.idx.mu.Lock()
		tt.set()
		ut.idx.mu.Unlock()
		if _, body := ut.expect(t, tt.code, "GET", "/"+tt.query, nil, nil); !strings.Contains(body, tt.want) || strings.Contains(body, "secret") {
			t.Errorf("%s: want %q in:\n%s", tt.name, tt.want, body)
		}
	}
}

func TestPageSearchesAreRecorded(t *testing.T) {
	ut := newUITest(t, nil)
	ut.do(t, "GET", "/?q=wachtlijst", nil, nil)
	ut.do(t, "GET", "/?q=wachtlijst&offset=10", nil, nil)
	if got := int(ut.rec.n.Load()); got != 1 {
		t.Errorf("anonymous first and second page: %d questions logged, want 1", got)
	}
	ut.signIn(t)
	ut.do(t, "GET", "/?q=wachtlijst", nil, nil)
	if got := int(ut.rec.n.Load()); got != 1 {
		t.Errorf("a curator's searches were logged: %d questions, want 1", got)
	}
}

func TestLogin(t *testing.T) {
	ut := newUITest(t, nil)
	resp, body := ut.expect(t, http.StatusForbidden, "POST", "/curator/login", url.Values{"token": {"fout"}}, nil)
	if !strings.Contains(body, "klopt niet") || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: cookies %v, page:\n%s", resp.Cookies(), body)
	}
	resp, _ = ut.expect(t, http.StatusSeeOther, "POST", "/curator/login", url.Values{"token": {testToken}, "next": {"//evil.example/"}},
		http.Header{"X-Forwarded-Proto": {"https"}})
	if got := resp.Header.Get("Location"); got != "/" {
		t.Errorf("right token: redirect to %q, want /", got)
	}
	i := slices.IndexFunc(resp.Cookies(), func(c *http.Cookie) bool { return c.Name == sessionCookie })
	if i < 0 {
		t.Fatal("no session cookie")
	}
	switch sess := resp.Cookies()[i]; {
	case strings.Contains(sess.Value, testToken) || sess.Value == "":
		t.Errorf("session cookie %q holds the token", sess.Value)
	case !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.MaxAge != 12*3600:
		t.Errorf("session cookie attributes %+v", sess)
	}
}

func TestSessionsExpireAndResistTampering(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	a := newAuth(func() time.Time { return now })
	v := a.newSession(testToken)
	other := newAuth(func() time.Time { return now })
	tests := []struct {
		name, token, value string
		after              time.Duration
		want               bool
	}{
		{"fresh", testToken, v, 0, true},
		{"almost expired", testToken, v, 12*time.Hour - time.Second, true},
		{"expired", testToken, v, 12 * time.Hour, false},
		{"other token", "ander-token", v, 0, false},
		{"no token", "", v, 0, false},
		{"longer expiry", testToken, "9" + v, 0, false},
		{"no mac", testToken, v[:strings.LastIndexByte(v, '.')], 0, false},
		{"empty", testToken, "", 0, false},
		{"other key", testToken, other.newSession(testToken), 0, false},
	}
	start := now
	for _, tt := range tests {
		now = start.Add(tt.after)
		if got := a.validSession(tt.token, tt.value); got != tt.want {
			t.Errorf("%s: valid %v, want %v", tt.name, got, tt.want)
		}
	}
	if a.csrfOK(v, a.csrfToken(v+"x")) || !a.csrfOK(v, a.csrfToken(v)) || a.csrfOK(v, "") {
		t.Error("CSRF token not bound to its session")
	}
}

func TestPinAndHide(t *testing.T) {
	ut := newUITest(t, nil)
	form := url.Values{"q": {"wachtlijst jeugd"}, "url": {"https://jeugd.example/a"}, "filter": {"thema:lvb"}, "offset": {"10"}}
	ut.expect(t, http.StatusForbidden, "POST", "/curator/pin", form, nil) // no session
	ut.expect(t, http.StatusForbidden, "POST", "/curator/unpin", form, nil)
	csrf := ut.signIn(t)
	for _, bad := range []string{"", "verkeerd", csrf + "x"} {
		f := maps.Clone(form)
		f.Set("csrf", bad)
		ut.expect(t, http.StatusForbidden, "POST", "/curator/pin", f, nil)
	}
	form.Set("csrf", csrf)
	ut.expect(t, http.StatusForbidden, "POST", "/curator/pin", form, http.Header{"Origin": {"http://evil.example"}})
	ut.expect(t, http.StatusForbidden, "POST", "/curator/pin", form, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if got := ut.curator.written(); len(got) != 0 {
		t.Fatalf("refused requests reached the curator: %q", got)
	}

	resp, _ := ut.expect(t, http.StatusSeeOther, "POST", "/curator/pin", form, http.Header{"Origin": {ut.srv.URL}})
	back := "/?filter=thema%3Alvb&offset=10&q=wachtlijst+jeugd"
	if got := resp.Header.Get("Location"); got != back {
		t.Errorf("pin redirects to %q, want %q", got, back)
	}
	_, body := ut.do(t, "GET", back, nil, nil)
	if got := parse(t, body).Find(`.melding-ok[role="status"]`).Text(); !strings.HasPrefix(got, "Vastgezet") {
		t.Errorf("flash after pin %q", got)
	}
	if _, body = ut.do(t, "GET", back, nil, nil); parse(t, body).Find(".melding").Length() != 0 {
		t.Error("the flash message shows twice")
	}
	// Basic credentials that a proxy passes on leave the session in charge.
	ut.expect(t, http.StatusSeeOther, "POST", "/curator/hide", url.Values{"csrf": {csrf}, "url": {"https://jeugd.example/b"}},
		http.Header{"Authorization": {"Basic Y3VyYXRvcjpwcm94eQ=="}})
	for _, bad := range []url.Values{
		{"csrf": {csrf}, "url": {"javascript:alert(1)"}, "q": {"x"}},
		{"csrf": {csrf}, "url": {"https://x.nl/a"}, "q": {"  "}},
		{"csrf": {csrf}, "url": {"https://x.nl/a"}, "q": {strings.Repeat("a", MaxQueryBytes+1)}},
	} {
		ut.expect(t, http.StatusBadRequest, "POST", "/curator/pin", bad, nil)
	}
	ut.expect(t, http.StatusBadRequest, "POST", "/curator/unpin", url.Values{"csrf": {csrf}, "url": {"https://x.nl/a"}, "q": {" "}}, nil)
	ut.expect(t, http.StatusSeeOther, "POST", "/curator/unpin", url.Values{"csrf": {csrf}, "url": {"https://jeugd.example/a"}, "q": {"wachtlijst jeugd"}}, nil)
	_, body = ut.do(t, "GET", "/?q=wachtlijst+jeugd", nil, nil)
	if got := parse(t, body).Find(`.melding-ok`).Text(); !strings.HasPrefix(got, "Losgemaakt") {
		t.Errorf("flash after unpin %q", got)
	}
	want := []string{"pin wachtlijst jeugd => https://jeugd.example/a", "hide https://jeugd.example/b", "unpin wachtlijst jeugd => https://jeugd.example/a"}
	if got := ut.curator.written(); !slices.Equal(got, want) {
		t.Errorf("curator wrote %q, want %q", got, want)
	}
}

func TestCuratorErrorIsShown(t *testing.T) {
	ut := newUITest(t, nil)
	ut.curator.mu.Lock()
	ut.curator.err = errors.New(`curation.txt:7: "=>" ontbreekt`)
	ut.curator.mu.Unlock()
	csrf := ut.signIn(t)
	resp, _ := ut.expect(t, http.StatusSeeOther, "POST", "/curator/pin", url.Values{"csrf": {csrf}, "q": {"wachtlijst"}, "url": {"https://x.nl/a"}}, nil)
	_, body := ut.do(t, "GET", resp.Header.Get("Location"), nil, nil)
	if got := parse(t, body).Find(`.melding-fout[role="alert"]`).Text(); got != `Niet gelukt: curation.txt:7: "=>" ontbreekt` {
		t.Errorf("error flash %q", got)
	}
}

func TestBearerToken(t *testing.T) {
	ut := newUITest(t, nil)
	form := url.Values{"q": {"wachtlijst"}, "url": {"https://x.nl/a"}}
	if _, body := ut.expect(t, 200, "POST", "/curator/pin", form, bearer(testToken)); !strings.Contains(body, `"vastgezet"`) {
		t.Errorf("bearer pin answers %s", body)
	}
	resp, _ := ut.expect(t, http.StatusUnauthorized, "POST", "/curator/hide", form, bearer("fout"))
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("wrong bearer: headers %v", resp.Header)
	}
	if got := ut.curator.written(); len(got) != 1 {
		t.Errorf("curator wrote %q, want only the pin", got)
	}
	if _, body := ut.expect(t, 200, "GET", "/rapport", nil, bearer(testToken)); !strings.Contains(body, "paardentherapie") {
		t.Error("bearer report lacks its content")
	}
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestCuratorFunctionsOff(t *testing.T) {
	ut := newUITest(t, func(s *Server) { s.CuratorToken = "" })
	_, body := ut.expect(t, 200, "GET", "/curator/login", nil, nil)
	if !strings.Contains(body, "WATWERKT_CURATOR_TOKEN") || parse(t, body).Find(`input[name="token"]`).Length() != 0 {
		t.Errorf("login page with curator functions off:\n%s", body)
	}
	for _, tok := range []string{"", "iets"} {
		if resp, _ := ut.expect(t, http.StatusForbidden, "POST", "/curator/login", url.Values{"token": {tok}}, nil); len(resp.Cookies()) != 0 {
			t.Errorf("sign in with %q sets cookies %v", tok, resp.Cookies())
		}
	}
	ut.expect(t, http.StatusForbidden, "POST", "/curator/pin", url.Values{"q": {"x"}, "url": {"https://x.nl/a"}}, bearer(""))
	ut.expect(t, http.StatusForbidden, "GET", "/rapport", nil, nil)
}

func TestReportPage(t *testing.T) {
	ut := newUITest(t, nil)
	_, body := ut.expect(t, http.StatusForbidden, "GET", "/rapport", nil, nil)
	if strings.Contains(body, "paardentherapie") ||
		parse(t, body).Find(`form[action="/curator/login"] input[name="next"]`).AttrOr("value", "") != "/rapport" {
		t.Errorf("report without sign-in:\n%s", body)
	}
	ut.signIn(t)
	resp, body := ut.expect(t, 200, "GET", "/rapport", nil, nil)
	doc := parse(t, body)
	inert(t, doc)
	if first := doc.Find("main section").First(); !first.Is(".problemen") ||
		!strings.Contains(first.Text(), `curation.txt:3: onbekend woord "pinn"`) {
		t.Errorf("problems not first and highlighted: %q", first.Text())
	}
	for id, wants := range map[string][]string{
		"cijfers":    {"Vragen12", "zonder resultaat2", "👍4", "👎1", "2,5 ms", "11,3 ms", "discord5"},
		"top":        {"hoe lang is de wachtlijst?", "25 november 2026"},
		"nul":        {"werkt paardentherapie?", "24 november 2026"},
		"duim":       {"schulden jongeren", "telegram", "Schulden", "<script>alert(1)</script>"},
		"ongebruikt": {"Oude bron3"},
		"oud":        {"60 dagen", "Verouderd", "1 juli 2026"},
	} {
		text := strings.Join(strings.Fields(doc.Find("#"+id).Parent().Text()), "")
		for _, want := range wants {
			if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
				t.Errorf("section %s lacks %q: %s", id, want, text)
			}
		}
	}
	if href := doc.Find("#nul").Parent().Find("a").AttrOr("href", ""); href != "/?q=werkt+paardentherapie%3F" {
		t.Errorf("zero-result question links to %q", href)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the report may be cached")
	}

	nilReport := newUITest(t, func(s *Server) { s.Report = nil })
	if _, body := nilReport.expect(t, 404, "GET", "/rapport", nil, nil); !strings.Contains(body, "geen rapport") {
		t.Errorf("no report: %s", body)
	}
}

func TestLoginRateLimit(t *testing.T) {
	ut := newUITest(t, nil)
	for range loginBurst {
		ut.expect(t, http.StatusForbidden, "POST", "/curator/login", url.Values{"token": {"gok"}}, nil)
	}
	resp, body := ut.expect(t, http.StatusTooManyRequests, "POST", "/curator/login", url.Values{"token": {testToken}}, nil)
	if !strings.Contains(body, "Te veel") || len(resp.Cookies()) != 0 {
		t.Errorf("after %d wrong tokens the right one signs in: cookies %v", loginBurst, resp.Cookies())
	}
	ut.expect(t, http.StatusTooManyRequests, "POST", "/curator/pin", url.Values{"q": {"x"}, "url": {"https://x.nl/a"}}, bearer(testToken))
}

func TestLogout(t *testing.T) {
	ut := newUITest(t, nil)
	csrf := ut.signIn(t)
	ut.expect(t, http.StatusForbidden, "POST", "/curator/logout", url.Values{"csrf": {"x"}}, nil)
	ut.expect(t, http.StatusSeeOther, "POST", "/curator/logout", url.Values{"csrf": {csrf}}, nil)
	_, body := ut.do(t, "GET", "/?q=x", nil, nil)
	if doc := parse(t, body); doc.Find("button.vastzetten").Length() != 0 || !strings.Contains(doc.Find(".melding").Text(), "uitgelogd") {
		t.Errorf("still signed in after logout:\n%s", body)
	}
}

func TestUIMethodsAndLimits(t *testing.T) {
	ut := newUITest(t, nil)
	for _, tt := range []struct {
		method, path string
		form         url.Values
		code         int
	}{
		{"POST", "/", url.Values{}, http.StatusMethodNotAllowed},
		{"POST", "/rapport", url.Values{}, http.StatusMethodNotAllowed},
		{"GET", "/curator/pin", nil, http.StatusMethodNotAllowed},
		{"PUT", "/curator/pin", url.Values{}, http.StatusMethodNotAllowed},
		{"POST", "/curator/login", url.Values{"token": {strings.Repeat("a", maxFormBytes)}}, http.StatusRequestEntityTooLarge},
		{"GET", "/nergens", nil, http.StatusNotFound},
	} {
		ut.expect(t, tt.code, tt.method, tt.path, tt.form, nil)
	}
	_, body := ut.do(t, "GET", "/curator/login?next=https://evil.example", nil, nil)
	if next := parse(t, body).Find(`input[name="next"]`).AttrOr("value", ""); next != "/" {
		t.Errorf("sign-in form returns to %q, want /", next)
	}
	if resp, _ := ut.expect(t, 200, "GET", "/static/watwerkt.css", nil, nil); resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("stylesheet type %q", resp.Header.Get("Content-Type"))
	}
}

func TestSnippetHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"de **wachtlijst** groeit", "de <mark>wachtlijst</mark> groeit"},
		{"**a** en **b**", "<mark>a</mark> en <mark>b</mark>"},
		{"<b>**x**</b>", "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"},
		{"open **eind", "open **eind"},
		{"leeg **** mark", "leeg  mark"},
		{`"><img onerror=x>`, "&#34;&gt;&lt;img onerror=x&gt;"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(snippetHTML(tt.in)); got != tt.want {
			t.Errorf("snippetHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDatesAndPaths(t *testing.T) {
	for in, want := range map[string]string{"2021-11-26": "26 november 2021", "2020-01-01": "1 januari 2020", "2020": "2020", "": ""} {
		if got := publishedDate(in); got != want {
			t.Errorf("publishedDate(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"/rapport": "/rapport", "/?q=a+b": "/?q=a+b", "//evil.example": "/", "/\\evil.example": "/",
		"https://evil.example/": "/", "rapport": "/", "/\tx": "/", "": "/",
	} {
		if got := localPath(in, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
