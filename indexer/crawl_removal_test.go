package indexer

import (
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// TestRecrawlRemovesGonePages: pages stored by one crawl that answer 404
// or 410 (or now say noindex) at the next are taken out of the store and
// so out of the next index version; the report lists them with the
// reason. A page that comes back is added again.
func TestRecrawlRemovesGonePages(t *testing.T) {
	var mu sync.Mutex
	answers := map[string]http.HandlerFunc{}
	set := func(path string, h http.HandlerFunc) {
		mu.Lock()
		defer mu.Unlock()
		answers[path] = h
	}
	routes := map[string]http.HandlerFunc{}
	paths := []string{"/blijft", "/weg-404", "/weg-410", "/noindex", "/nooit"}
	for _, p := range paths {
		routes[p] = func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			h := answers[r.URL.Path]
			mu.Unlock()
			h(w, r)
		}
		set(p, htmlPage(article("Pagina "+p[1:], "", "")))
	}
	set("/nooit", text(http.StatusNotFound, "nooit bestaan"))
	site := newTestSite(t, false, routes)
	store := openStore(t)
	c := testCrawler(store, nil)
	src := corpus.Source{Name: "Site", Rate: 1000}
	for _, p := range paths {
		src.Start = append(src.Start, site.URL+p)
	}
	versions := search.Versions{Root: filepath.Join(t.TempDir(), "index"), Keep: 2}

	rep, err := c.Crawl(t.Context(), src)
	if err != nil || rep.Added != 4 {
		t.Fatalf("first crawl: err %v, added %d, want 4", err, rep.Added)
	}
	stats, err := BuildIndex(t.Context(), store, versions)
	if err != nil || stats.Documents != 4 {
		t.Fatalf("first index: %v, %+v", err, stats)
	}

	set("/weg-404", text(http.StatusNotFound, "weg"))
	set("/weg-410", text(http.StatusGone, "weg"))
	set("/noindex", htmlPage(article("Pagina noindex", `<meta name="robots" content="noindex">`, "")))
	rep, err = c.Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	wantRemoved := map[string]string{"/weg-404": "HTTP 404", "/weg-410": "HTTP 410", "/noindex": SkipNoIndex}
	if rep.Removed != len(wantRemoved) || len(rep.URLs.Removed) != len(wantRemoved) {
		t.Errorf("removed %d %+v, want %d", rep.Removed, rep.URLs.Removed, len(wantRemoved))
	}
	for _, n := range rep.URLs.Removed {
		if want := wantRemoved[n.URL[len(site.URL):]]; n.Reason != want {
			t.Errorf("removed %s with reason %q, want %q", n.URL, n.Reason, want)
		}
	}
	// A URL that never held a document is a broken link, not a removal.
	if got := outcome(rep, site.URL+"/nooit"); got != "fail:HTTP 404" {
		t.Errorf("/nooit: %q, want a failure HTTP 404", got)
	}
	if n, _ := store.Count(t.Context()); n != 1 {
		t.Errorf("store holds %d documents after the removals, want 1", n)
	}
	gone, err := store.RemovedDocuments(t.Context(), "Site")
	if err != nil || len(gone) != 3 {
		t.Errorf("RemovedDocuments: %d, %v; want 3", len(gone), err)
	}
	stats, err = BuildIndex(t.Context(), store, versions)
	if err != nil || stats.Documents != 1 {
		t.Fatalf("second index: %v, %+v; want 1 document", err, stats)
	}
	eng, err := versions.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := eng.Count(); err != nil || n != 1 {
		t.Errorf("index holds %d documents (%v), want 1", n, err)
	}
	eng.Close()

	// The page is back: stored again, no longer listed as removed.
	set("/weg-404", htmlPage(article("Pagina weg-404", "", "")))
	rep, err = c.Crawl(t.Context(), src)
	if err != nil || rep.Added != 1 || rep.Removed != 0 {
		t.Errorf("third crawl: err %v, added %d, removed %d; want 1 and 0", err, rep.Added, rep.Removed)
	}
	if gone, _ := store.RemovedDocuments(t.Context(), ""); len(gone) != 2 {
		t.Errorf("%d removed documents listed, want 2", len(gone))
	}
}

// TestRecrawlRedirectSupersedes: a stored page whose URL now redirects to
// another page of the site is replaced by the page it leads to.
func TestRecrawlRedirectSupersedes(t *testing.T) {
	var moved bool
	var mu sync.Mutex
	site := newTestSite(t, false, map[string]http.HandlerFunc{
		"/oud": func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			m := moved
			mu.Unlock()
			if m {
				http.Redirect(w, r, "/nieuw", http.StatusMovedPermanently)
				return
			}
			htmlPage(article("Verhuisd artikel", "", ""))(w, r)
		},
		"/nieuw": htmlPage(article("Verhuisd artikel", "", "<p>Nu op een nieuw adres.</p>")),
	})
	store := openStore(t)
	c := testCrawler(store, nil)
	src := corpus.Source{Name: "Site", Start: []string{site.URL + "/oud"}, Rate: 1000}
	if rep, err := c.Crawl(t.Context(), src); err != nil || rep.Added != 1 {
		t.Fatalf("first crawl: %v, %+v", err, rep)
	}
	mu.Lock()
	moved = true
	mu.Unlock()
	rep, err := c.Crawl(t.Context(), src)
	if err != nil || rep.Added != 1 || rep.Removed != 1 {
		t.Fatalf("second crawl: err %v, added %d, removed %d; want 1 and 1", err, rep.Added, rep.Removed)
	}
	if _, err := store.Get(t.Context(), corpus.DocumentID(site.URL+"/nieuw")); err != nil {
		t.Errorf("the new address is not stored: %v", err)
	}
	if n, _ := store.Count(t.Context()); n != 1 {
		t.Errorf("%d documents stored, want only the page at its new address", n)
	}
}
