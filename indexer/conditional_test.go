package indexer

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// TestConditionalRecrawl: a second crawl sends the validators the server
// gave, counts 304s as unchanged documents, and still follows the links
// of unchanged pages.
func TestConditionalRecrawl(t *testing.T) {
	var full, notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		etag := `"` + r.URL.Path + `-v1"`
		if r.Header.Get("If-None-Match") == etag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		next := ""
		if r.URL.Path == "/" {
			next = `<p><a href="/b">verder</a></p>`
		}
		fmt.Fprintf(w, `<html><head><title>Pagina %s</title></head><body><article><h1>Pagina %s</h1>
<p>Een alinea met genoeg tekst over jeugdhulp, wijkteams en gezinnen om als document te tellen. %s</p>
<p>Nog een alinea over wachtlijsten in de jeugd-GGZ en wat professionals in de tussentijd kunnen doen, zoals overbruggingshulp vanuit het wijkteam en contact met de huisarts.</p>%s</article></body></html>`,
			r.URL.Path, r.URL.Path, r.URL.Path, next)
	}))
	defer srv.Close()
	store := openStore(t)
	src := corpus.Source{Name: "Site", Start: []string{srv.URL + "/"}, Rate: 1000}
	c := testCrawler(store, nil)
	rep, err := c.Crawl(t.Context(), src)
	if err != nil || rep.Added != 2 || full.Load() != 2 {
		t.Fatalf("first crawl: %+v, %v (full responses %d)", rep, err, full.Load())
	}
	rep, err = c.Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NotModified != 2 || rep.Unchanged != 2 || rep.Added != 0 || full.Load() != 2 || notModified.Load() != 2 {
		t.Errorf("second crawl: %+v (full %d, 304 %d); want both pages 304 and unchanged, /b still reached",
			rep, full.Load(), notModified.Load())
	}
	if n, _ := store.Count(t.Context()); n != 2 {
		t.Errorf("%d documents stored, want 2", n)
	}
}
