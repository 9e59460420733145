package indexer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// newChainSite serves /p/0 … /p/9, each linking to the next, and a sitemap
// listing them all; robots.txt is missing when robots is "", and "{base}"
// in it stands for the site's URL.
func newChainSite(t *testing.T, tls bool, robots string) *testSite {
	var s *testSite
	routes := map[string]http.HandlerFunc{
		"/sitemap.xml": func(w http.ResponseWriter, r *http.Request) {
			var paths []string
			for i := range 10 {
				paths = append(paths, fmt.Sprintf("/p/%d", i))
			}
			fmt.Fprint(w, sitemapOf(s.URL, paths...))
		},
	}
	if robots != "" {
		routes["/robots.txt"] = func(w http.ResponseWriter, r *http.Request) {
			text(http.StatusOK, strings.ReplaceAll(robots, "{base}", s.URL))(w, r)
		}
	}
	for i := range 10 {
		routes[fmt.Sprintf("/p/%d", i)] = htmlPage(article(fmt.Sprintf("Pagina %d", i), "",
			fmt.Sprintf(`<p><a href="/p/%d">volgende</a></p>`, i+1)))
	}
	s = newTestSite(t, tls, routes)
	return s
}

func TestCrawlMaxPages(t *testing.T) {
	site := newChainSite(t, false, "")
	src := corpus.Source{Name: "Keten", Sitemaps: []string{site.URL + "/sitemap.xml"}, MaxPages: 4, Rate: 1000}
	rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	// Skipped: /p/4 … /p/9 and the home page the articles link to.
	if rep.Fetched != 4 || rep.Added != 4 || rep.Skipped[SkipLimit] != 7 {
		t.Errorf("Fetched %d, Added %d, Skipped %v; want 4, 4 and 7 for max_pages", rep.Fetched, rep.Added, rep.Skipped)
	}
	for i := 4; i < 10; i++ {
		if site.requested(fmt.Sprintf("/p/%d", i)) {
			t.Errorf("/p/%d fetched beyond max_pages", i)
		}
	}
}

func TestCrawlMaxDepth(t *testing.T) {
	tests := []struct{ depth, want int }{{1, 2}, {2, 3}, {5, 6}}
	for _, tt := range tests {
		site := newChainSite(t, false, "")
		src := corpus.Source{Name: "Keten", Start: []string{site.URL + "/p/0"}, MaxDepth: tt.depth, Rate: 1000}
		rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Fetched != tt.want {
			t.Errorf("max_depth %d: Fetched %d, want %d", tt.depth, rep.Fetched, tt.want)
		}
		if p := fmt.Sprintf("/p/%d", tt.want); site.requested(p) {
			t.Errorf("max_depth %d: %s fetched", tt.depth, p)
		}
	}
}

func TestCrawlDenyPattern(t *testing.T) {
	site := newChainSite(t, false, "")
	src := corpus.Source{Name: "Keten", Sitemaps: []string{site.URL + "/sitemap.xml"}, Deny: []string{`/p/[2-4]$`}, Rate: 1000}
	rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fetched != 7 || rep.Skipped[SkipFiltered] != 3 || site.requested("/p/3") {
		t.Errorf("Fetched %d, Skipped %v; want 7 and 3 for allow/deny", rep.Fetched, rep.Skipped)
	}
}

func TestCrawlDelayFromRobots(t *testing.T) {
	site := newChainSite(t, false, "User-agent: *\nCrawl-delay: 0.1\n")
	src := corpus.Source{Name: "Keten", Start: []string{site.URL + "/p/0"}, MaxPages: 4, Rate: 1000}
	start := time.Now()
	rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	// robots.txt and four pages: at least four gaps of 0.1 s. Only a lower
	// bound: a slow machine cannot make this fail.
	if el := time.Since(start); rep.Fetched != 4 || el < 350*time.Millisecond {
		t.Errorf("fetched %d pages in %v, want 4 pages in at least 0.4 s", rep.Fetched, el)
	}
}

func TestCrawlStopsWithContext(t *testing.T) {
	site := newChainSite(t, false, "")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	src := corpus.Source{Name: "Keten", Start: []string{site.URL + "/p/0"}, Rate: 1000}
	rep, err := testCrawler(openStore(t), nil).Crawl(ctx, src)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Crawl with a cancelled context: err %v, want context.Canceled", err)
	}
	if rep == nil || rep.Fetched != 0 {
		t.Errorf("report %+v, want one with nothing fetched", rep)
	}
}

func TestCrawlInvalidSource(t *testing.T) {
	_, err := testCrawler(openStore(t), nil).Crawl(t.Context(), corpus.Source{Name: "Leeg"})
	if err == nil || !strings.Contains(err.Error(), "Leeg") {
		t.Errorf("Crawl of a source without start URLs: %v, want an error naming it", err)
	}
}

// TestCrawlHTTPSRobotsSitemap: an https source whose sitemap is announced
// only in robots.txt.
func TestCrawlHTTPSRobotsSitemap(t *testing.T) {
	// robots.txt names the sitemap; the start page links nowhere new.
	site := newChainSite(t, true, "User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
	src := corpus.Source{Name: "Keten", Start: []string{site.URL + "/p/9"}, Rate: 1000}
	rep, err := testCrawler(openStore(t), site.Client()).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !site.requested("/sitemap.xml") || rep.Fetched != 10 {
		t.Errorf("robots.txt must be read over the source's own scheme so its Sitemap lines count "+
			"(sitemap requested: %v, fetched %d of 10)", site.requested("/sitemap.xml"), rep.Fetched)
	}
}

// TestCrawlStartURLWithDefaultPort: "http://host:80/" is the same site as
// "http://host/", which is how Canonicalize writes every URL it queues.
func TestCrawlStartURLWithDefaultPort(t *testing.T) {
	site := newChainSite(t, false, "")
	// Route every connection to the test site, whatever host and port.
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", site.Listener.Addr().String())
	}}
	t.Cleanup(tr.CloseIdleConnections)
	src := corpus.Source{Name: "Keten", Start: []string{"http://keten.example:80/p/0"}, MaxPages: 3, Rate: 1000}
	rep, err := testCrawler(openStore(t), &http.Client{Transport: tr}).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fetched != 3 {
		t.Errorf("start host %q and canonical host %q must be the same scope: fetched %d, want 3", "keten.example:80", "keten.example", rep.Fetched)
	}
}
