package indexer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// TestCrawlResumesAfterInterrupt stops a crawl half-way (as Ctrl-C does)
// and runs it again: what the first run fetched is kept and not fetched
// again, and the second run completes the site through the links the
// first one remembered. A run after a completed one fetches everything.
func TestCrawlResumesAfterInterrupt(t *testing.T) {
	const n = 30
	routes := map[string]http.HandlerFunc{}
	for i := range n {
		routes[fmt.Sprintf("/p/%d", i)] = htmlPage(article(fmt.Sprintf("Pagina %d", i), "",
			fmt.Sprintf(`<p><a href="/p/%d">volgende</a> <a href="/p/%d">daarna</a></p>`, (i+1)%n, (i+2)%n)))
	}
	site := newTestSite(t, false, routes)
	store := openStore(t)
	src := corpus.Source{Name: "Keten", Start: []string{site.URL + "/p/0"}, Rate: 1000, MaxDepth: 100}

	ctx, cancel := context.WithCancel(t.Context())
	c := testCrawler(store, nil)
	c.OnProgress = func(p Progress) {
		if p.Stored == 10 {
			cancel()
		}
	}
	rep, err := c.Crawl(ctx, src)
	if !errors.Is(err, context.Canceled) || !rep.Interrupted {
		t.Fatalf("interrupted crawl: err %v, interrupted %v", err, rep.Interrupted)
	}
	// Pages already fetched when the stop came are stored too.
	stored, _ := store.Count(t.Context())
	if stored < 10 || stored >= n || rep.Added != stored {
		t.Fatalf("interrupted crawl stored %d (added %d), want the 10 or a few more pages it fetched", stored, rep.Added)
	}

	rep, err = testCrawler(store, nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resumed != stored || rep.Added != n-stored {
		t.Errorf("resumed crawl: resumed %d, added %d; want %d and %d", rep.Resumed, rep.Added, stored, n-stored)
	}
	site.mu.Lock()
	times := map[string]int{}
	for _, p := range site.requests {
		times[p]++
	}
	site.mu.Unlock()
	for i := range n {
		if p := fmt.Sprintf("/p/%d", i); times[p] != 1 {
			t.Errorf("%s requested %d times over the two runs, want once", p, times[p])
		}
	}
	if stored, _ := store.Count(t.Context()); stored != n {
		t.Errorf("%d documents after the resumed crawl, want %d", stored, n)
	}

	// The run completed, so the next one is a new run.
	rep, err = testCrawler(store, nil).Crawl(t.Context(), src)
	if err != nil || rep.Resumed != 0 || rep.Fetched != n || rep.Unchanged != n {
		t.Errorf("next crawl: err %v, resumed %d, fetched %d, unchanged %d; want 0, %d, %d", err, rep.Resumed, rep.Fetched, rep.Unchanged, n, n)
	}
}
