package indexer

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.t.Store(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time               { return time.Unix(0, c.t.Load()).UTC() }
func (c *fakeClock) Add(d time.Duration)          { c.t.Add(int64(d)) }
func (c *fakeClock) crawler(cr *Crawler) *Crawler { cr.Now = c.Now; return cr }

// TestRobotsCacheAcrossCrawls: a robots.txt is fetched once per origin
// and TTL, also by a new crawler on the same store (a later run of the
// command), and its rules hold while it comes from the store.
func TestRobotsCacheAcrossCrawls(t *testing.T) {
	var robotsHits atomic.Int64
	var status atomic.Int64
	status.Store(http.StatusOK)
	site := newTestSite(t, false, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			robotsHits.Add(1)
			text(int(status.Load()), "User-agent: *\nDisallow: /geheim\n")(w, r)
		},
		"/open":   htmlPage(article("Open", "", "")),
		"/geheim": htmlPage(article("Geheim", "", "")),
	})
	store := openStore(t)
	clock := newFakeClock()
	src := corpus.Source{Name: "Site", Start: []string{site.URL + "/open", site.URL + "/geheim"}, Rate: 1000}
	crawl := func(ttl time.Duration) *Report {
		t.Helper()
		c := clock.crawler(testCrawler(store, nil)) // a new crawler each time, as a new run of the command
		c.RobotsTTL = ttl
		rep, err := c.Crawl(t.Context(), src)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	steps := []struct {
		name      string
		advance   time.Duration
		ttl       time.Duration
		status    int
		wantHits  int64
		wantGuard bool // /geheim skipped for robots.txt
	}{
		{"first crawl fetches", 0, 0, 200, 1, true},
		{"an hour later: from the store", time.Hour, 0, 200, 1, true},
		{"23 h later: still from the store", 22 * time.Hour, 0, 200, 1, true},
		{"25 h after the fetch: fetched again", 2 * time.Hour, 0, 200, 2, true},
		{"a short TTL makes it fetch again", 2 * time.Minute, time.Minute, 200, 3, true},
		{"TTL off: always fetched", 0, -1, 200, 4, true},
		{"a 404 is remembered as allow-all", 25 * time.Hour, 0, 404, 5, false},
		{"and used the next time", time.Hour, 0, 404, 5, false},
		{"a 503 is not remembered", 25 * time.Hour, 0, 503, 6, true},
		{"so the next crawl asks again", time.Minute, 0, 200, 7, true},
	}
	for _, s := range steps {
		clock.Add(s.advance)
		status.Store(int64(s.status))
		rep := crawl(s.ttl)
		if got := robotsHits.Load(); got != s.wantHits {
			t.Errorf("%s: robots.txt fetched %d times in all, want %d", s.name, got, s.wantHits)
		}
		if guarded := outcome(rep, site.URL+"/geheim") == "skip:"+SkipRobots; guarded != s.wantGuard {
			t.Errorf("%s: /geheim %s, want skipped for robots.txt: %v", s.name, outcome(rep, site.URL+"/geheim"), s.wantGuard)
		}
	}
}
