package indexer

import (
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
)

// TestCrawlDemoSites crawls the three demo sites as watwerkt's own demo
// does: every content page must be stored once, and nothing else (tables
// of contents, lists, home pages, service pages, print versions, the
// endless calendar).
func TestCrawlDemoSites(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls about 80 pages")
	}
	s := startDemo(t)
	c := s.Corpus()
	store := openStore(t)
	crawler := NewCrawler(store, nil)
	crawler.AllowPrivate = true // the demo sites are on loopback
	total := 0
	for _, src := range s.Sources() {
		rep, err := crawler.Crawl(t.Context(), src)
		if err != nil {
			t.Fatalf("crawl %s: %v", src.Name, err)
		}
		if len(rep.Errors) > 0 {
			t.Errorf("crawl %s: errors %+v", src.Name, rep.Errors)
		}
		if rep.Skipped[SkipDuplicate] != 0 {
			t.Errorf("crawl %s: skipped %v, want no duplicates", src.Name, rep.SortedSkips())
		}
		t.Logf("%s: fetched %d, stored %d, skipped %v", src.Name, rep.Fetched, rep.Stored(), rep.SortedSkips())
		total += rep.Stored()
	}
	want := map[string]string{} // canonical URL → site key
	for _, p := range c.Pages {
		if p.Kind != "toc" {
			want[s.URL(p.Site)+c.PagePath(p.ID)] = p.Site
		}
	}
	if total != len(want) {
		t.Errorf("stored %d documents, want %d (the content pages of the demo corpus)", total, len(want))
	}
	names := map[string]string{}
	for _, site := range demo.Sites {
		names[site.Key] = site.Name
	}
	err := store.Each(t.Context(), func(d *corpus.Document) error {
		site, ok := want[d.CanonicalURL]
		if !ok {
			t.Errorf("stored %s, which is no content page", d.CanonicalURL)
			return nil
		}
		delete(want, d.CanonicalURL)
		if d.Source != names[site] {
			t.Errorf("%s: Source %q, want %q", d.CanonicalURL, d.Source, names[site])
		}
		if d.Published.IsZero() || d.Title == "" || len(d.Body) < minBodyRunes {
			t.Errorf("%s: incomplete document: %q, %v, %d bytes of body", d.CanonicalURL, d.Title, d.Published, len(d.Body))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for u := range want {
		t.Errorf("content page %s not stored", u)
	}
}
