package indexer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// MaxSitemapSize caps a sitemap after decompression (the protocol's own
// limit is 50 MB).
const MaxSitemapSize = 50 << 20

// Sitemap is a parsed sitemap: page URLs, or for a sitemap index, the
// URLs of further sitemaps.
type Sitemap struct {
	URLs     []SitemapURL
	Sitemaps []string
}

// SitemapURL is one <url> entry.
type SitemapURL struct {
	Loc     string
	LastMod string
}

// ParseSitemap reads an XML sitemap, a sitemap index or a plain-text list
// of URLs, gzip-compressed or not. Entries that are not absolute http(s)
// URLs are skipped.
func ParseSitemap(body []byte) (*Sitemap, error) {
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("sitemap: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, MaxSitemapSize))
		if err != nil {
			return nil, fmt.Errorf("sitemap: gunzip: %w", err)
		}
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	sm := &Sitemap{}
	if len(trimmed) > 0 && trimmed[0] != '<' {
		sc := bufio.NewScanner(bytes.NewReader(trimmed))
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if u := strings.TrimSpace(sc.Text()); absHTTP(u) {
				sm.URLs = append(sm.URLs, SitemapURL{Loc: u})
			}
		}
		return sm, nil
	}
	dec := xml.NewDecoder(bytes.NewReader(trimmed))
	dec.Strict = false
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) { return in, nil }
	var inURL, inSitemap bool
	var cur SitemapURL
	var stack []xml.Name // open elements
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(sm.URLs)+len(sm.Sitemaps) > 0 {
				break // keep what was read before the damage
			}
			return nil, fmt.Errorf("sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := xml.Name{}
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			// Only <loc> and <lastmod> of the sitemap namespace directly
			// under <url> or <sitemap> count: image and video extensions
			// have their own <image:loc>.
			own := (parent.Local == "url" || parent.Local == "sitemap") && sitemapNS(t.Name.Space)
			switch {
			case t.Name.Local == "url" && sitemapNS(t.Name.Space):
				inURL, cur = true, SitemapURL{}
			case t.Name.Local == "sitemap" && sitemapNS(t.Name.Space):
				inSitemap, cur = true, SitemapURL{}
			case t.Name.Local == "loc" && own:
				var s string
				if err := dec.DecodeElement(&s, &t); err == nil {
					cur.Loc = strings.TrimSpace(s)
				}
			case t.Name.Local == "lastmod" && own:
				var s string
				if err := dec.DecodeElement(&s, &t); err == nil {
					cur.LastMod = strings.TrimSpace(s)
				}
			default:
				stack = append(stack, t.Name)
				continue
			}
			if t.Name.Local == "url" || t.Name.Local == "sitemap" {
				stack = append(stack, t.Name)
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			switch t.Name.Local {
			case "url":
				if inURL && absHTTP(cur.Loc) {
					sm.URLs = append(sm.URLs, cur)
				}
				inURL = false
			case "sitemap":
				if inSitemap && absHTTP(cur.Loc) {
					sm.Sitemaps = append(sm.Sitemaps, cur.Loc)
				}
				inSitemap = false
			}
		}
	}
	return sm, nil
}

func absHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sitemapNS accepts the sitemap protocol's namespace, its old Google
// variant and no namespace at all (common in hand-written files).
func sitemapNS(ns string) bool {
	return ns == "" || strings.Contains(ns, "sitemaps.org/schemas/sitemap") || strings.Contains(ns, "google.com/schemas/sitemap")
}
