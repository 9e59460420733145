package indexer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// TestCrawlReportURLs: the report names the URL of every outcome of the
// scenario site, and its JSON form has the lists under "urls".
func TestCrawlReportURLs(t *testing.T) {
	outside := newTestSite(t, false, nil)
	site := newScenarioSite(t, http.StatusOK, outside.URL)
	src := corpus.Source{Name: "Testsite", Start: []string{site.URL + "/"}, Rate: 1000}
	rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	rel := func(list []string) []string {
		var out []string
		for _, u := range list {
			out = append(out, strings.TrimPrefix(u, site.URL))
		}
		sort.Strings(out)
		return out
	}
	if got, want := rel(rep.URLs.Added), []string{"/artikel/a", "/artikel/b", "/artikel/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("added %v, want %v", got, want)
	}
	wantSkipped := map[string][]string{
		SkipHub: {"/"}, SkipDuplicate: {"/kopie"}, SkipRobots: {"/geheim/rapport"},
		SkipNotHTML: {"/bijlage.zip"}, SkipNoIndex: {"/verborgen"},
	}
	for reason, want := range wantSkipped {
		if got := rel(rep.URLs.Skipped[reason]); !reflect.DeepEqual(got, want) {
			t.Errorf("skipped for %s: %v, want %v", reason, got, want)
		}
	}
	if rep.Failed != 3 || len(rep.Errors) != 3 {
		t.Errorf("failed %d, %d errors listed; want 3", rep.Failed, len(rep.Errors))
	}
	for _, e := range rep.Errors {
		if strings.Contains(e.Err, "Get \"") {
			t.Errorf("reason %q repeats the URL; the report names it already", e.Err)
		}
	}
	b, _ := json.Marshal(rep)
	var generic map[string]any
	json.Unmarshal(b, &generic)
	urls, _ := generic["urls"].(map[string]any)
	for _, key := range []string{"added", "skipped"} {
		if _, ok := urls[key]; !ok {
			t.Errorf("JSON report lacks urls.%s: %s", key, b)
		}
	}
}

// TestCrawlReportBounded: each list keeps its first MaxReportURLs URLs
// while the counts go on.
func TestCrawlReportBounded(t *testing.T) {
	const n = MaxReportURLs + 500
	site := newTestSite(t, false, map[string]http.HandlerFunc{
		"/sitemap.txt": func(w http.ResponseWriter, r *http.Request) {
			for i := range n {
				fmt.Fprintf(w, "https://elders%d.example/\n", i)
			}
		},
	})
	src := corpus.Source{Name: "Groot", Sitemaps: []string{site.URL + "/sitemap.txt"}, Rate: 1000}
	rep, err := testCrawler(openStore(t), nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[SkipOutOfScope] != n || len(rep.URLs.Skipped[SkipOutOfScope]) != MaxReportURLs {
		t.Errorf("out of scope: count %d, %d listed; want %d and %d", rep.Skipped[SkipOutOfScope],
			len(rep.URLs.Skipped[SkipOutOfScope]), n, MaxReportURLs)
	}
}
