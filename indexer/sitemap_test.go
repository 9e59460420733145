package indexer

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseSitemap(t *testing.T) {
	urlset := readTestdata(t, "sitemap.xml")
	wantURLset := &Sitemap{URLs: []SitemapURL{
		{Loc: "https://jeugdinbeeld.example/artikel/jim-informele-mentor", LastMod: "2021-11-26"},
		{Loc: "https://jeugdinbeeld.example/artikel/een-gezin-een-plan?a=1&b=2"},
		{Loc: "http://jeugdinbeeld.example/editie/najaar-2021", LastMod: "2021-11-30T10:00:00+01:00"},
	}}
	text := readTestdata(t, "sitemap.txt")
	wantText := &Sitemap{URLs: []SitemapURL{
		{Loc: "https://werkplaats.example/nieuws/wachtlijst"},
		{Loc: "https://werkplaats.example/programma/normaliseren"},
		{Loc: "http://werkplaats.example/nieuws?page=2"},
	}}
	tests := []struct {
		name string
		body []byte
		want *Sitemap
	}{
		{"urlset", urlset, wantURLset},
		{"urlset gzipped", gzipped(t, urlset), wantURLset},
		{"sitemap index", readTestdata(t, "sitemapindex.xml"), &Sitemap{Sitemaps: []string{
			"https://projecten.example/sitemap-projecten.xml",
			"https://projecten.example/sitemap-nieuws.xml.gz",
		}}},
		{"plain text", text, wantText},
		{"plain text gzipped", gzipped(t, text), wantText},
		{"no namespace, BOM", []byte("\xef\xbb\xbf<urlset><url><loc>http://a.example/x</loc></url></urlset>"),
			&Sitemap{URLs: []SitemapURL{{Loc: "http://a.example/x"}}}},
		{"latin-1 declaration", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>http://a.example/x</loc></url></urlset>`),
			&Sitemap{URLs: []SitemapURL{{Loc: "http://a.example/x"}}}},
		{"damage after entries keeps them", []byte("<urlset><url><loc>http://a.example/x</loc></url><url><loc>http://a.example/y</loc></url></urlset"),
			&Sitemap{URLs: []SitemapURL{{Loc: "http://a.example/x"}, {Loc: "http://a.example/y"}}}},
		{"empty urlset", []byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`), &Sitemap{}},
	}
	for _, tt := range tests {
		got, err := ParseSitemap(tt.body)
		if err != nil {
			t.Errorf("%s: ParseSitemap: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseSitemap =\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
	}
}

// TestParseSitemapImageExtension: a <loc> inside an extension element
// (image:loc, video:content_loc…) is not the page's location.
func TestParseSitemapImageExtension(t *testing.T) {
	got, err := ParseSitemap(readTestdata(t, "sitemap-images.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []SitemapURL{
		{Loc: "https://jeugdinbeeld.example/artikel/jim-informele-mentor", LastMod: "2021-11-26"},
		{Loc: "https://jeugdinbeeld.example/artikel/een-gezin-een-plan"},
	}
	if !reflect.DeepEqual(got.URLs, want) {
		t.Errorf("<image:loc> must not replace the page URL: got %+v, want %+v", got.URLs, want)
	}
}

func TestParseSitemapErrors(t *testing.T) {
	urlset := readTestdata(t, "sitemap.xml")
	tests := []struct {
		name string
		body []byte
	}{
		{"not xml", []byte("<<<!!! dit is geen sitemap >>>")},
		{"cut off before any entry", urlset[:len(urlset)/5]},
		{"broken gzip", []byte{0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad}},
		{"truncated gzip", gzipped(t, urlset)[:40]},
	}
	for _, tt := range tests {
		if got, err := ParseSitemap(tt.body); err == nil {
			t.Errorf("%s: ParseSitemap = %+v, want an error", tt.name, got)
		}
	}
	// Binary noise is read as a text list without URLs: no error, no entries.
	got, err := ParseSitemap([]byte{0x00, 0x01, 0xff, 0xfe, 'h', 't', 't', 'p', '\n', 0x7f})
	if err != nil || len(got.URLs)+len(got.Sitemaps) != 0 {
		t.Errorf("binary noise: ParseSitemap = %+v, %v; want no entries", got, err)
	}
}

// sharedFiles lists the files under ../../shared/data/crawler/<dir> whose
// path matches keep, or skips the test when that folder is absent.
func sharedFiles(t *testing.T, dir string, keep func(path string) bool) []string {
	t.Helper()
	root := filepath.Join("..", "..", "shared", "data", "crawler", dir)
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared test data not available: %v", err)
	}
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && keep(p) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParseSitemapSharedFiles parses third-party sitemap fixtures; they
// must not make the parser panic, whatever they hold.
func TestParseSitemapSharedFiles(t *testing.T) {
	isSitemap := func(p string) bool { return strings.Contains(strings.ToLower(filepath.Base(p)), "sitemap") }
	files := sharedFiles(t, "crawler-commons", isSitemap)
	files = append(files, sharedFiles(t, "sitemaps-and-feeds", isSitemap)...)
	if len(files) == 0 {
		t.Fatal("no sitemap files found in the shared data")
	}
	entries := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sm, err := ParseSitemap(body)
		if err != nil {
			t.Logf("%s: %v", f, err)
			continue
		}
		entries += len(sm.URLs) + len(sm.Sitemaps)
		for _, u := range sm.URLs {
			if !absHTTP(u.Loc) {
				t.Errorf("%s: entry %q is not an absolute http(s) URL", f, u.Loc)
			}
		}
	}
	if entries == 0 {
		t.Errorf("parsed %d files without finding a single entry", len(files))
	}
	t.Logf("%d files, %d entries", len(files), entries)
}

// TestParseRobotsSharedFiles parses crawler-commons' robots.txt fixtures
// (BOMs, UTF-16, typos, malformed paths) without panicking.
func TestParseRobotsSharedFiles(t *testing.T) {
	files := sharedFiles(t, "crawler-commons", func(p string) bool {
		return strings.Contains(filepath.ToSlash(p), "/robots/")
	})
	if len(files) == 0 {
		t.Fatal("no robots files found in the shared data")
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := ParseRobots(body)
		for _, u := range []string{"/", "/a/b?c=d", "http://example.com/%E3%83%84", "https://example.com/index.html"} {
			r.Allowed("watwerkt", u)
			r.Allowed("*", u)
		}
		r.CrawlDelay("watwerkt")
	}
}
