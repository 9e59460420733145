package indexer

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

func feedURLs(f *Feed) []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.URL)
	}
	return out
}

// TestParseFeedTestdata reads this repository's own feeds: RSS 2.0 in
// latin-1 with relative links and guids, Atom with xml:base and several
// alternates, JSON Feed 1.1 and RSS 1.0.
func TestParseFeedTestdata(t *testing.T) {
	tests := []struct {
		file, feedURL, format, title string
		urls                         []string
	}{
		{"rss2-latin1.xml", "https://werkplaats.example/feed.xml", "rss", "Werkplaats Jeugd Noord - publicaties", []string{
			"https://werkplaats.example/publicaties/cafegesprekken?utm_source=rss",
			"https://werkplaats.example/publicaties/relatief",
			"https://werkplaats.example/publicaties/guid",
		}},
		{"atom-xmlbase.xml", "https://projecten.example/jeugd/atom.xml", "atom", "Projectenbank Jeugd – nieuwe projecten", []string{
			"https://projecten.example/jeugd/projecten/netwerkberaad",
			"https://projecten.example/archief/gezinshuizen",
		}},
		{"feed-nl.json", "https://jeugdinbeeld.example/feed.json", "json", "Jeugd in Beeld", []string{
			"https://jeugdinbeeld.example/artikel/informele-mentor",
			"https://elders.example/onderzoek",
			"https://jeugdinbeeld.example/artikel/relatief",
		}},
		{"rss1-rdf.xml", "https://kennisbank.example/rss", "rdf", "Kennisbank", []string{
			"https://kennisbank.example/dossier/pleegzorg",
			"https://kennisbank.example/dossier/lvb",
		}},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", "feeds", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFeed(tt.feedURL, body)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if f.Format != tt.format || f.Title != tt.title {
			t.Errorf("%s: format %q, title %q; want %q, %q", tt.file, f.Format, f.Title, tt.format, tt.title)
		}
		if got := feedURLs(f); !reflect.DeepEqual(got, tt.urls) {
			t.Errorf("%s: URLs\n got %q\nwant %q", tt.file, got, tt.urls)
		}
	}
}

func TestParseFeedDetails(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "feeds", "rss2-latin1.xml"))
	f, err := ParseFeed("https://werkplaats.example/feed.xml", body)
	if err != nil || len(f.Items) == 0 {
		t.Fatalf("%v, %+v", err, f)
	}
	if it := f.Items[0]; it.Title != "Cafégesprekken met ouders" || !it.Published.Equal(time.Date(2021, 11, 26, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("first item %q %v, want the latin-1 title decoded and the date read", it.Title, it.Published)
	}
	for _, bad := range []string{"", "<html><body>geen feed</body></html>", `{"version":"1"}`, "<rss><channel><item><link>http://x"} {
		if f, err := ParseFeed("https://x.example/f", []byte(bad)); err == nil && len(f.Items) > 0 {
			t.Errorf("ParseFeed(%q) = %+v, want an error or nothing", bad, f)
		}
	}
}

// sharedFeedsDir holds real feeds kept next to the repository.
const sharedFeedsDir = "../../shared/data/crawler/sitemaps-and-feeds"

// TestParseFeedRealSamples reads real feeds (RSS 2.0, Atom, NPR's JSON
// Feed) and crawler-commons' feed samples in place.
func TestParseFeedRealSamples(t *testing.T) {
	tests := []struct {
		path  string
		count int
		first string
	}{
		{filepath.Join(sharedFeedsDir, "feed1.atom"), 1, "http://example.org/2003/12/13/atom03"},
		{filepath.Join(sharedFeedsDir, "feed2.rss"), 1, "http://www.example.com/blog/post/1"},
		{filepath.Join(sharedFeedsDir, "feed.json"), 25, "https://www.npr.org/2021/10/29/1050315385/keller-rinaudo-how-can-delivery-drones-save-lives?utm_medium=JSONFeed&utm_campaign=technology"},
		// The isPermaLink="false" guid is no link; the entity and the
		// CDATA section are part of theirs.
		{filepath.Join(crawlerCommonsDir, "rss", "feed.rss"), 3, "https://www.example.com/blog/post/1"},
		{filepath.Join(crawlerCommonsDir, "rss", "xmlRss_pubDate.xml"), -1, "http://www.example.com/article_1"},
		// Of an entry's links the text/html alternate wins.
		{filepath.Join(crawlerCommonsDir, "sitemaps", "atom.xml"), 1, "http://example.org/2003/12/13/atom03.html"},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(tt.path)
		if err != nil {
			t.Skipf("shared feed samples not present: %v", err)
		}
		f, err := ParseFeed("https://feeds.example/feed", body)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		if (tt.count >= 0 && len(f.Items) != tt.count) || len(f.Items) == 0 || f.Items[0].URL != tt.first {
			t.Errorf("%s: %d items, first %q; want %d, %q", filepath.Base(tt.path), len(f.Items), feedURLs(f), tt.count, tt.first)
		}
		if strings.HasSuffix(tt.path, "feed.rss") {
			want := []string{"https://www.example.com/blog/post/1", "https://www.example.com/foo?q=a&l=en", "https://www.example.com/foo?q=a&l=fr"}
			if got := feedURLs(f); !reflect.DeepEqual(got, want) {
				t.Errorf("feed.rss: %q, want %q", got, want)
			}
		}
		if !looksLikeFeed(body) {
			t.Errorf("%s: looksLikeFeed false", tt.path)
		}
	}
}

func TestDiscoverFeeds(t *testing.T) {
	page := `<!DOCTYPE html><html><head><base href="https://site.example/nl/">
<link rel="alternate" type="application/rss+xml" title="Nieuws" href="feed/">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="https://site.example/feed.json#x">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" type="text/css" href="/s.css">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="feed/">
</head><body><a href="/rss.xml">RSS</a></body></html>`
	got := DiscoverFeeds("https://site.example/", []byte(page))
	want := []string{"https://site.example/nl/feed/", "https://site.example/atom.xml", "https://site.example/feed.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiscoverFeeds = %q, want %q", got, want)
	}
}

// TestCrawlFeeds: a start page announces an RSS feed, the source names a
// JSON feed and gives an Atom feed as a sitemap. Their in-scope items are
// crawled although no page links to them; items on other sites are
// reported as out of scope and not requested.
func TestCrawlFeeds(t *testing.T) {
	outside := newTestSite(t, false, nil)
	var site *testSite
	pages := map[string]http.HandlerFunc{
		"/": htmlPage(`<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>
<body><main><h1>Werkplaats</h1><p>Welkom.</p></main></body></html>`),
		"/rss.xml": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Nieuws</title>
<item><title>Een</title><link>%s/nieuw/een</link></item>
<item><title>Elders</title><link>%s/elders</link></item></channel></rss>`, site.URL, outside.URL)
		},
		"/feed.json": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"%s/nieuw/twee"}]}`, site.URL)
		},
		"/atom.xml": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Drie</title><link href="%s/nieuw/drie"/></entry></feed>`, site.URL)
		},
	}
	for _, p := range []string{"een", "twee", "drie"} {
		pages["/nieuw/"+p] = htmlPage(article("Publicatie "+p, "", ""))
	}
	site = newTestSite(t, false, pages)
	store := openStore(t)
	src := corpus.Source{Name: "Feeds", Start: []string{site.URL + "/"}, Feeds: []string{site.URL + "/feed.json"},
		Sitemaps: []string{site.URL + "/atom.xml"}, Rate: 1000}
	rep, err := testCrawler(store, nil).Crawl(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"een", "twee", "drie"} {
		if got := outcome(rep, site.URL+"/nieuw/"+p); got != "stored" {
			t.Errorf("/nieuw/%s: %s, want stored", p, got)
		}
	}
	if got := outcome(rep, outside.URL+"/elders"); got != "skip:"+SkipOutOfScope {
		t.Errorf("feed item on another site: %s, want skip:%s", got, SkipOutOfScope)
	}
	if n := outside.count(); n != 0 {
		t.Errorf("the other site got %d requests", n)
	}
}

func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"rss2-latin1.xml", "atom-xmlbase.xml", "feed-nl.json", "rss1-rdf.xml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "feeds", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<rss><channel><item><link><![CDATA[/a]]></link></item>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := ParseFeed("https://x.example/feed", body)
		if err != nil {
			return
		}
		for _, it := range feed.Items {
			if !absHTTP(it.URL) {
				t.Fatalf("non-http item URL %q", it.URL)
			}
		}
		DiscoverFeeds("https://x.example/", body)
		looksLikeFeed(body)
	})
}

// TestSourceFeedsValidated: feeds in a source must be http(s) URLs, and a
// source with only feeds is complete.
func TestSourceFeedsValidated(t *testing.T) {
	bad := corpus.Source{Name: "Feeds", Feeds: []string{"ftp://x.example/feed"}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "feeds") {
		t.Errorf("Validate of an ftp feed: %v, want an error naming feeds", err)
	}
	only := corpus.Source{Name: "Feeds", Feeds: []string{"https://x.example/feed.xml"}}
	if err := only.Validate(); err != nil {
		t.Errorf("Validate of a source with only a feed: %v", err)
	}
	cfg, err := corpus.ParseConfig(strings.NewReader("[[source]]\nname = \"F\"\nfeeds = [\"https://x.example/rss\"]\n"), "t.toml")
	if err != nil || len(cfg.Sources) != 1 || !reflect.DeepEqual(cfg.Sources[0].Feeds, []string{"https://x.example/rss"}) {
		t.Errorf("ParseConfig with feeds: %+v, %v", cfg, err)
	}
}
