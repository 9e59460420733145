package indexer

import (
	"bytes"
	"compress/gzip"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for everything the crawler reads from strangers. The
// seeds run as ordinary tests; `go test -fuzz FuzzX ./indexer` explores.

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"<html><head><title>T</title></head><body><article><h1>T</h1><p>Tekst over jeugdhulp.</p></article></body></html>",
		"<html><body><div class='cookie'>x</div><main><p>26 november 2021</p></main>",
		"<meta charset=gb2312><p>\xff\xfe</p>", "", "<", "<html><base href='javascript:x'><a href='//x'>a</a>",
		"<table><tr><th>Status</th><td>Lopend</td></tr></table><dl><dt>Thema's</dt><dd>LVB</dd></dl>",
	} {
		f.Add([]byte(s), "text/html; charset=utf-8")
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		p, err := Extract("https://x.nl/a/b?c=d", body, ct)
		if err != nil {
			return
		}
		if !utf8.ValidString(p.Doc.Body) || !utf8.ValidString(p.Doc.Title) {
			t.Fatalf("invalid UTF-8 out of %q", body)
		}
	})
}

func FuzzDecodeHTML(f *testing.F) {
	for _, s := range []string{"\xef\xbb\xbfhé", "\xff\xfeh\x00", "<meta charset=latin1>caf\xe9", "caf\xe9", ""} {
		f.Add([]byte(s), "text/html")
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		if s, _ := DecodeHTML(body, ct); !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 from %q", body)
		}
	})
}

func FuzzRobots(f *testing.F) {
	for _, s := range []string{"User-agent: *\nDisallow: /a*b$\nAllow: /a\n", "\xef\xbbuser-agent:x\ndisallow /", "Sitemap: http://x/s.xml\nCrawl-delay: 1e9", ""} {
		f.Add([]byte(s), "/a/b?c")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		r := ParseRobots(body)
		r.Allowed("watwerkt", "http://x.nl"+path)
		r.CrawlDelay("watwerkt")
	})
}

func FuzzSitemap(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("<urlset><url><loc>https://x.nl/a</loc></url></urlset>"))
	zw.Close()
	for _, s := range [][]byte{
		[]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.nl/</loc><lastmod>2021-11-26</lastmod></url></urlset>`),
		[]byte(`<sitemapindex><sitemap><loc>https://x.nl/s2.xml</loc></sitemap></sitemapindex>`),
		[]byte("https://x.nl/a\nhttps://x.nl/b\n"), gz.Bytes(), {0x1f, 0x8b}, nil,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sm, err := ParseSitemap(body)
		if err != nil {
			return
		}
		for _, u := range sm.URLs {
			if !absHTTP(u.Loc) {
				t.Fatalf("non-http URL %q accepted", u.Loc)
			}
		}
	})
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"HTTP://X.nl:80/a/./b/../c?utm_source=x&b=2&a=1#f", "http://[::1]:8080/", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Canonicalize(s)
		if err != nil {
			return
		}
		// Canonical form is stable.
		if c2, err := Canonicalize(c); err == nil && c2 != c {
			t.Fatalf("Canonicalize not idempotent: %q → %q → %q", s, c, c2)
		}
	})
}

func FuzzDutchDate(f *testing.F) {
	for _, s := range []string{"26 november 2021", "31-02-2021", "2021-11-26T10:00:00Z", "99 mrt. 99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := ParseDutchDate(s); ok && (d.Year() < 1900 || d.Year() > 2100) {
			t.Fatalf("implausible date %v from %q", d, s)
		}
	})
}

func FuzzPDF(f *testing.F) {
	f.Add(makePDF("Titel", "D:20211126", reportLines))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ExtractPDF("https://x.nl/r.pdf", b); err == nil && !utf8.ValidString(p.Doc.Body) {
			t.Fatalf("invalid UTF-8 body")
		}
	})
}
