package indexer

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

const testUA = "watwerkt-test/1.0 (+https://example.invalid/)"

// testSite is a small web site for the crawler, built from a map of
// handlers, that records every request it gets.
type testSite struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // paths
	agents   map[string]bool
}

func newTestSite(t *testing.T, tls bool, routes map[string]http.HandlerFunc) *testSite {
	s := &testSite{agents: map[string]bool{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.RequestURI())
		s.agents[r.Header.Get("User-Agent")] = true
		s.mu.Unlock()
		if f, ok := routes[r.URL.Path]; ok {
			f(w, r)
			return
		}
		http.NotFound(w, r)
	})
	s.Server = httptest.NewUnstartedServer(h)
	// Quiet the log line of a plain-HTTP request to the TLS server.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// requested reports whether a path (prefix) was requested.
func (s *testSite) requested(prefix string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.requests {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (s *testSite) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func htmlPage(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

func text(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// article is an HTML page with enough text to be stored.
func article(title, extraHead, extraBody string) string {
	return `<!DOCTYPE html><html lang="nl"><head><title>` + title + ` | Testsite</title>` + extraHead + `</head><body>
<nav><a href="/">Home</a></nav><article><h1>` + title + `</h1>
<p>` + strings.Repeat("Over "+title+" schrijven we hier een alinea met genoeg woorden. ", 5) + `</p>
<p>Een tweede alinea over wachtlijsten, wijkteams en wat gezinnen ervan merken.</p>` + extraBody + `
</article></body></html>`
}

func sitemapOf(base string, paths ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, p := range paths {
		fmt.Fprintf(&b, "<url><loc>%s%s</loc></url>", base, p)
	}
	b.WriteString("</urlset>")
	return b.String()
}

// newScenarioSite is the site of TestCrawlScenario: one page or answer of
// each kind the crawler must handle.
func newScenarioSite(t *testing.T, robotsStatus int, outside string) *testSite {
	var s *testSite
	dup := article("Dubbel", "", "")
	routes := map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			text(robotsStatus, "User-agent: *\nDisallow: /geheim\n\nSitemap: "+s.URL+"/sitemap.xml\n")(w, r)
		},
		"/sitemap.xml": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, sitemapOf(s.URL, "/artikel/a", "/artikel/b", "/kopie", "/geheim/rapport",
				"/bijlage.zip", "/fout", "/lus", "/weg", "/verborgen"))
		},
		"/": htmlPage(`<html><body><main><h2><a href="/artikel/a">A</a></h2><h2><a href="/artikel/b">B</a></h2>
<h2><a href="` + outside + `/elders">Elders</a></h2><p><a href="/nofollow" rel="nofollow">x</a></p></main></body></html>`),
		"/artikel/a": htmlPage(strings.Replace(dup, "</article>",
			`<p><time datetime="2021-11-26">26 november 2021</time> <a href="`+outside+`/ook-elders">elders</a></p></article>`, 1)),
		"/artikel/b": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Last-Modified", "Wed, 24 Nov 2021 10:00:00 GMT")
			htmlPage(article("Bee", "", ""))(w, r)
		},
		"/kopie": htmlPage(strings.Replace(dup, "</article>",
			`<p><time datetime="2021-11-26">26 november 2021</time> <a href="`+outside+`/ook-elders">elders</a></p></article>`, 1)),
		"/geheim/rapport": htmlPage(article("Geheim", "", "")),
		"/bijlage.zip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/zip")
			fmt.Fprint(w, "%PDF-1.4\n%âãÏÓ\n")
		},
		"/fout": text(http.StatusInternalServerError, "stuk"),
		"/lus":  func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/lus2", http.StatusFound) },
		"/lus2": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/lus", http.StatusFound) },
		"/weg": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, outside+"/doel", http.StatusMovedPermanently)
		},
		"/verborgen": htmlPage(article("Verborgen", `<meta name="robots" content="noindex">`,
			`<p><a href="/artikel/c">verder</a></p>`)),
		"/artikel/c": htmlPage(article("Cee", "", "")),
	}
	s = newTestSite(t, false, routes)
	return s
}

func openStore(t *testing.T) *corpus.Store {
	t.Helper()
	st, err := corpus.OpenStore(t.Context(), filepath.Join(t.TempDir(), "corpus.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func testCrawler(store *corpus.Store, client *http.Client) *Crawler {
	c := NewCrawler(store, nil)
	c.AllowPrivate = true // test sites are on loopback
	c.UserAgent = testUA
	if client != nil {
		c.Client = client
	}
	return c
}

func TestCrawlScenario(t *testing.T) {
	outside := newTestSite(t, false, nil)
	site := newScenarioSite(t, http.StatusOK, outside.URL)
	store := openStore(t)
	c := testCrawler(store, nil)
	progress := 0
	c.Progress = func(source, url string, fetched int) {
		progress++
		if source != "Testsite" || fetched != progress {
			t.Errorf("Progress(%q, %q, %d) as call %d", source, url, fetched, progress)
		}
	}
	src := corpus.Source{Name: "Testsite", Start: []string{site.URL + "/"}, Rate: 1000,
		Defaults: corpus.Defaults{Type: "artikel", Region: "Utrecht", Themes: []string{"jeugdhulp"}}}

	rep, err := c.Crawl(t.Context(), src)
	if err != nil {
		t.Fatalf("Crawl: %v", err)
	}
	// Fetched: /, a, b, kopie, bijlage.zip, verborgen and c (found only
	// through the noindex page, whose links are followed).
	if rep.Fetched != 7 || rep.Added != 3 || rep.Updated != 0 || rep.Unchanged != 0 || rep.Stored() != 3 {
		t.Errorf("Fetched %d, Added %d, Updated %d, Unchanged %d; want 7, 3, 0, 0", rep.Fetched, rep.Added, rep.Updated, rep.Unchanged)
	}
	wantSkips := map[string]int{SkipHub: 1, SkipDuplicate: 1, SkipRobots: 1, SkipNotHTML: 1, SkipNoIndex: 1}
	if !reflect.DeepEqual(rep.Skipped, wantSkips) {
		t.Errorf("Skipped = %v, want %v", rep.Skipped, wantSkips)
	}
	var errURLs []string
	for _, e := range rep.Errors {
		errURLs = append(errURLs, strings.TrimPrefix(e.URL, site.URL))
	}
	if want := []string{"/fout", "/lus", "/weg"}; !reflect.DeepEqual(errURLs, want) {
		t.Errorf("Errors at %v, want %v (%+v)", errURLs, want, rep.Errors)
	}
	if len(rep.Errors) > 0 && !strings.Contains(rep.Errors[0].Err, "500") {
		t.Errorf("error for /fout = %q, want it to name HTTP 500", rep.Errors[0].Err)
	}
	if rep.Source != "Testsite" || rep.Duration <= 0 {
		t.Errorf("Source %q, Duration %v", rep.Source, rep.Duration)
	}
	if site.requested("/geheim") || site.requested("/nofollow") {
		t.Error("the crawler fetched a path robots.txt disallows or a nofollow link")
	}
	if n := outside.count(); n != 0 {
		t.Errorf("the out-of-scope host got %d requests, want 0", n)
	}
	if len(site.agents) != 1 || !site.agents[testUA] {
		t.Errorf("User-Agent headers sent: %v, want only %q", site.agents, testUA)
	}

	if n, _ := store.Count(t.Context()); n != 3 {
		t.Errorf("store holds %d documents, want 3", n)
	}
	day := func(d int) time.Time { return time.Date(2021, 11, d, 0, 0, 0, 0, time.UTC) }
	for path, want := range map[string]struct {
		title     string
		published time.Time
	}{
		"/artikel/a": {"Dubbel", day(26)},
		"/artikel/b": {"Bee", day(24)}, // from Last-Modified
		"/artikel/c": {"Cee", time.Time{}},
	} {
		d, err := store.Get(t.Context(), corpus.DocumentID(site.URL+path))
		if err != nil {
			t.Errorf("%s not stored under the id of its URL: %v", path, err)
			continue
		}
		if d.Title != want.title || !d.Published.Equal(want.published) || d.CanonicalURL != site.URL+path {
			t.Errorf("%s: stored %q %v %q, want %q %v", path, d.Title, d.Published, d.CanonicalURL, want.title, want.published)
		}
		if d.Source != "Testsite" || d.Type != "artikel" || d.Region != "Utrecht" || !reflect.DeepEqual(d.Themes, []string{"jeugdhulp"}) {
			t.Errorf("%s: source defaults not applied: %q %q %q %v", path, d.Source, d.Type, d.Region, d.Themes)
		}
	}

	// A second crawl finds the same pages unchanged.
	progress = 0
	rep, err = c.Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Errorf("second crawl: Added %d, Updated %d, Unchanged %d; want 0, 0, 3", rep.Added, rep.Updated, rep.Unchanged)
	}
}

func TestCrawlRobotsUnavailable(t *testing.T) {
	site := newScenarioSite(t, http.StatusServiceUnavailable, "http://127.0.0.1:9")
	store := openStore(t)
	src := corpus.Source{Name: "Testsite", Start: []string{site.URL + "/"}, Sitemaps: []string{site.URL + "/sitemap.xml"}, Rate: 1000}
	rep, err := testCrawler(store, nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fetched != 0 || rep.Stored() != 0 {
		t.Errorf("Fetched %d, Stored %d; want nothing while robots.txt answers 503", rep.Fetched, rep.Stored())
	}
	if rep.Skipped[SkipRobots] == 0 {
		t.Errorf("Skipped = %v, want the start page skipped for robots.txt", rep.Skipped)
	}
	site.mu.Lock()
	defer site.mu.Unlock()
	for _, p := range site.requests {
		if p != "/robots.txt" && p != "/sitemap.xml" {
			t.Errorf("requested %s while robots.txt answers 503", p)
		}
	}
	if want := []string{"/robots.txt"}; !reflect.DeepEqual(site.requests, want) {
		t.Errorf("a host whose robots.txt answers 503 (complete disallow, RFC 9309 2.3.1.4) must get no other request, got %v", site.requests)
	}
}

func TestCrawlRobotsMissing(t *testing.T) {
	site := newScenarioSite(t, http.StatusNotFound, "http://127.0.0.1:9")
	store := openStore(t)
	src := corpus.Source{Name: "Testsite", Start: []string{site.URL + "/"}, Sitemaps: []string{site.URL + "/sitemap.xml"}, Rate: 1000}
	rep, err := testCrawler(store, nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[SkipRobots] != 0 {
		t.Errorf("Skipped = %v, want nothing skipped for robots.txt", rep.Skipped)
	}
	if _, err := store.Get(t.Context(), corpus.DocumentID(site.URL+"/geheim/rapport")); err != nil {
		t.Errorf("/geheim/rapport not stored though robots.txt is missing: %v", err)
	}
	if rep.Added != 4 {
		t.Errorf("Added = %d, want 4 (a, b, c and geheim/rapport)", rep.Added)
	}
}
