package indexer

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// TestCrawlSkipsJavaScriptShell: a page that is only a script loader is
// reported as such, not stored as a "Loading…" document.
func TestCrawlSkipsJavaScriptShell(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<!doctype html><html><head><title>Kennisbank</title>
<script src="/static/js/main.4f3a.js"></script></head>
<body><noscript>Schakel JavaScript in om deze site te gebruiken.</noscript>
<div id="root">Loading...</div></body></html>`)
	}))
	defer srv.Close()
	c := NewCrawler(openStore(t), nil)
	c.AllowPrivate = true
	rep, err := c.Crawl(t.Context(), corpus.Source{Name: "Shell", Start: []string{srv.URL + "/"}, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stored() != 0 || rep.Skipped[SkipJSShell] != 1 {
		t.Errorf("stored %d, skips %v; want the page skipped as %q", rep.Stored(), rep.SortedSkips(), SkipJSShell)
	}
}
