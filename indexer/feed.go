package indexer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Feed is a parsed RSS 2.0 (or 0.9x), RSS 1.0 (RDF), Atom or JSON Feed
// document: the publications it lists.
type Feed struct {
	Format string // "rss", "rdf", "atom" or "json"
	Title  string
	Items  []FeedItem
}

// FeedItem is one publication in a feed.
type FeedItem struct {
	URL       string // absolute http(s)
	Title     string
	Published time.Time // zero when the feed gives no date it can read
}

// ParseFeed reads a feed fetched from feedURL, against which relative
// links are resolved. Items without an http(s) link are left out: an RSS
// guid counts as the link only when it is a permalink.
func ParseFeed(feedURL string, body []byte) (*Feed, error) {
	base, err := url.Parse(feedURL)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	var f *Feed
	if len(trimmed) > 0 && trimmed[0] == '{' {
		f, err = parseJSONFeed(base, trimmed)
	} else {
		f, err = parseXMLFeed(base, trimmed)
	}
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	return f, nil
}

var errNotFeed = errors.New("not an RSS, Atom or JSON feed")

func parseJSONFeed(base *url.URL, body []byte) (*Feed, error) {
	var jf struct {
		Version string `json:"version"`
		Title   string `json:"title"`
		Items   []struct {
			URL         string `json:"url"`
			ExternalURL string `json:"external_url"`
			Title       string `json:"title"`
			Published   string `json:"date_published"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &jf); err != nil {
		return nil, err
	}
	if !strings.Contains(jf.Version, "jsonfeed.org/version/") {
		return nil, errNotFeed
	}
	f := &Feed{Format: "json", Title: strings.TrimSpace(jf.Title)}
	for _, it := range jf.Items {
		link := it.URL
		if link == "" {
			link = it.ExternalURL
		}
		f.add(base, link, it.Title, it.Published)
	}
	return f, nil
}

// add appends an item when its link resolves to an http(s) URL.
func (f *Feed) add(base *url.URL, link, title, date string) {
	link = strings.TrimSpace(link)
	if link == "" {
		return
	}
	u, err := base.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	f.Items = append(f.Items, FeedItem{URL: u.String(), Title: strings.Join(strings.Fields(title), " "), Published: feedDate(date)})
}

var feedDateLayouts = []string{
	time.RFC3339, time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700", "Mon, 02 Jan 06 15:04:05 -0700", "02 Jan 06 15:04:05 -0700", "2006-01-02",
}

func feedDate(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, l := range feedDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// feedEntry is the item or entry being read.
type feedEntry struct {
	link, guid, title, date string
	alternate               string // Atom: the preferred rel=alternate link
	alternateRank           int    // 2: type text/html, 1: no type, 0: another type
	base                    *url.URL
}

func parseXMLFeed(base *url.URL, body []byte) (*Feed, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	f := &Feed{}
	var cur *feedEntry
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if f.Format != "" && len(f.Items) > 0 {
				break // keep what was read before the damage
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if f.Format == "" {
				switch name {
				case "rss":
					f.Format = "rss"
				case "rdf":
					f.Format = "rdf"
				case "feed":
					f.Format = "atom"
					base = xmlBase(base, t)
				default:
					return nil, errNotFeed
				}
				continue
			}
			if cur == nil {
				if name == "item" || name == "entry" {
					cur = &feedEntry{base: xmlBase(base, t)}
					if about := attr(t, "about"); about != "" {
						cur.link = about // RSS 1.0
					}
				} else if name == "title" && f.Title == "" {
					f.Title = readText(dec)
				}
				continue
			}
			cur.read(dec, t, name)
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			if cur != nil && (name == "item" || name == "entry") {
				link := cur.alternate
				if link == "" {
					link = cur.link
				}
				if link == "" {
					link = cur.guid
				}
				f.add(cur.base, link, cur.title, cur.date)
				cur = nil
			}
		}
	}
	if f.Format == "" {
		return nil, errNotFeed
	}
	return f, nil
}

// read takes in one child element of an item or entry.
func (e *feedEntry) read(dec *xml.Decoder, t xml.StartElement, name string) {
	switch name {
	case "link":
		if href := attr(t, "href"); href != "" || t.Name.Space == atomNS {
			// Atom: <link rel="alternate" type="text/html" href="…"/>;
			// no rel means alternate.
			rel := strings.ToLower(attr(t, "rel"))
			if href != "" && (rel == "" || rel == "alternate") {
				typ, _, _ := mime.ParseMediaType(attr(t, "type"))
				rank := 0
				switch typ {
				case "text/html", "application/xhtml+xml":
					rank = 2
				case "":
					rank = 1
				}
				if e.alternate == "" || rank > e.alternateRank {
					e.alternate, e.alternateRank = href, rank
				}
			}
			dec.Skip()
			return
		}
		if e.link == "" || strings.HasPrefix(e.link, "urn:") {
			e.link = readText(dec)
		} else {
			dec.Skip()
		}
	case "guid":
		if !strings.EqualFold(attr(t, "isPermaLink"), "false") {
			e.guid = readText(dec)
		} else {
			dec.Skip()
		}
	case "title":
		e.title = readText(dec)
	case "pubdate", "published", "updated", "date":
		if d := readText(dec); e.date == "" || name == "published" || name == "pubdate" {
			e.date = d
		}
	default:
		dec.Skip()
	}
}

const atomNS = "http://www.w3.org/2005/Atom"

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Name.Local, local) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// xmlBase applies an xml:base attribute (Atom) to the base URL.
func xmlBase(base *url.URL, t xml.StartElement) *url.URL {
	for _, a := range t.Attr {
		if a.Name.Local == "base" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			if u, err := base.Parse(strings.TrimSpace(a.Value)); err == nil {
				return u
			}
		}
	}
	return base
}

// readText returns the character data of the element just opened, also
// inside child elements (CDATA sections included), and consumes its end.
func readText(dec *xml.Decoder) string {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			b.Write(t)
		}
	}
	return strings.TrimSpace(b.String())
}

// looksLikeFeed reports whether a body is an RSS, Atom or JSON feed
// rather than a sitemap.
func looksLikeFeed(body []byte) bool {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return bytes.Contains(trimmed[:min(len(trimmed), 4096)], []byte("jsonfeed.org"))
	}
	dec := xml.NewDecoder(bytes.NewReader(trimmed))
	dec.Strict = false
	dec.CharsetReader = charset.NewReaderLabel
	for range 64 {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if t, ok := tok.(xml.StartElement); ok {
			switch strings.ToLower(t.Name.Local) {
			case "rss", "rdf", "feed":
				return true
			}
			return false
		}
	}
	return false
}

// feedTypes are the media types of feeds a page links to.
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/rdf+xml": true, "application/json": true,
}

// maxDiscoveredFeeds bounds the feeds taken from one page.
const maxDiscoveredFeeds = 5

// DiscoverFeeds returns the feeds an HTML page announces with
// <link rel="alternate" type="application/rss+xml" href="…"> (or Atom or
// JSON Feed), resolved against the page URL and its <base href>.
func DiscoverFeeds(pageURL string, body []byte) []string {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil
	}
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), 512<<10)]))
	var out []string
	seen := map[string]bool{}
	for len(out) < maxDiscoveredFeeds {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || (string(name) != "link" && string(name) != "base") {
			continue
		}
		attrs := map[string]string{}
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			attrs[string(k)] = strings.TrimSpace(string(v))
		}
		if string(name) == "base" {
			if u, err := base.Parse(attrs["href"]); err == nil && attrs["href"] != "" {
				base = u
			}
			continue
		}
		typ, _, _ := mime.ParseMediaType(strings.ToLower(attrs["type"]))
		if !hasToken(attrs["rel"], "alternate") || !feedTypes[typ] || attrs["href"] == "" {
			continue
		}
		u, err := base.Parse(attrs["href"])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		u.Fragment = ""
		if s := u.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}
