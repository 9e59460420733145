package indexer

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
)

// titleSep splits a <title> into the article's title and the names of
// the site and its sections: "Wachtlijst overbruggen | Jeugd in Beeld",
// "Thuis, tenzij — Projectenbank Jeugd".
var titleSep = regexp.MustCompile(`\s+(?:[|\-–—·»/\\>]|::)\s+`)

// titleOf chooses the page's title. Metadata meant for sharing and
// search engines (JSON-LD headline, Dublin Core, OpenGraph, Twitter)
// comes first, taken as the publisher wrote it. Then the <title>, with
// the site's name cut off (see stripSiteName). The main heading is the
// last resort: many pages start with a section or site heading.
func titleOf(dom *goquery.Document, base *url.URL, ld linkedData, meta metaTags) string {
	h1s := headingTexts(dom)
	docTitle := dom.Find("head title").First()
	if docTitle.Length() == 0 {
		docTitle = dom.Find("title").Not("svg title").First()
	}
	orig := cleanTitle(docTitle.Text())
	t := ld.title(orig)
	if t == "" {
		t = meta.first("dc:title", "dcterm:title", "dcterms:title", "og:title", "weibo:article:title",
			"weibo:webpage:title", "title", "twitter:title", "parsely:title")
	}
	if t != "" {
		return cleanTitle(t)
	}
	t = stripSiteName(orig, siteNames(dom, meta, base), h1s)
	// A title that is a word or two yields to the one main heading of
	// the page when that says more.
	if len([]rune(t)) < 15 && len(h1s) == 1 && words(h1s[0]) > max(words(titleSep.ReplaceAllString(t, " ")), 2) {
		return h1s[0]
	}
	if t != "" {
		return t
	}
	for _, sel := range []string{"main h1", "article h1", "h1", "[itemprop=headline]", "main h2", "article h2"} {
		if t := clean(dom.Find(sel).First().Text()); t != "" {
			return t
		}
	}
	return ""
}

// cleanTitle trims a title and folds runs of white space, but keeps a
// single no-break or ideographic space where the publisher put one
// ("Screenshot\u00a0: …", Japanese titles).
func cleanTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(spaceRun.ReplaceAllString(s, " "))
}

var spaceRun = regexp.MustCompile(`[\t\n\v\f\r ]+|\s{2,}`)

// headingTexts returns the texts of the page's h1 elements.
func headingTexts(dom *goquery.Document) []string {
	var out []string
	for _, h := range dom.Find("h1").EachIter() {
		if t := clean(h.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// siteNames are the names the page gives its site: OpenGraph's
// site_name, the application name, the text of the logo link to the home
// page, and the host name without www and top-level domain ("nji" for
// www.nji.nl).
func siteNames(dom *goquery.Document, meta metaTags, base *url.URL) []string {
	var out []string
	add := func(v string) {
		if k := squash(v); k != "" && len(k) <= 60 {
			out = append(out, k)
		}
	}
	add(meta["og:site_name"])
	add(meta["application-name"])
	add(meta["apple-mobile-web-app-title"])
	for _, a := range dom.Find(`a[href], [rel~="home"]`).EachIter() {
		href := strings.TrimSpace(a.AttrOr("href", ""))
		home := href == "/" || strings.Contains(a.AttrOr("rel", ""), "home")
		if base != nil && !home {
			if u, err := base.Parse(href); err == nil && u.Host == base.Host && (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
				home = true
			}
		}
		if home {
			add(clean(a.Text()))
			add(a.Find("img[alt]").AttrOr("alt", ""))
		}
	}
	if base != nil {
		labels := strings.Split(strings.TrimPrefix(strings.ToLower(base.Hostname()), "www."), ".")
		if len(labels) >= 2 {
			add(strings.Join(labels[:len(labels)-1], ""))
		}
	}
	return out
}

// squash lower-cases s and keeps only letters and digits, so "Jeugd in
// Beeld" and "jeugdinbeeld" compare equal.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isSiteName reports whether part of a title names the site.
func isSiteName(part string, sites []string) bool {
	k := squash(part)
	if k == "" {
		return false
	}
	for _, s := range sites {
		if k == s || (len(s) >= 4 && len(k) >= 3 && (strings.HasPrefix(s, k) || strings.HasPrefix(k, s))) {
			return true
		}
	}
	return false
}

// stripSiteName cuts the site's name off a <title>, on evidence: a
// first or last part that is the site's name (see siteNames), or a title that starts
// with the page's main heading followed by a short tail ("Thuis,
// tenzij — Projectenbank Jeugd" above <h1>Thuis, tenzij</h1>). Without
// evidence, the last part after "|" or a dash is cut as most readers
// do, unless too little would remain.
func stripSiteName(t string, sites, h1s []string) string {
	seps := titleSep.FindAllStringIndex(t, -1)
	if len(seps) == 0 || t == "" {
		return t
	}
	first, last := t[:seps[0][0]], t[seps[len(seps)-1][1]:]
	head, tail := t[:seps[len(seps)-1][0]], t[seps[0][1]:]
	switch {
	case isSiteName(last, sites):
		return head
	case isSiteName(first, sites) && len(seps) == 1:
		return tail
	}
	for _, h := range h1s {
		for _, s := range seps {
			if strings.EqualFold(strings.TrimSpace(t[:s[0]]), h) && words(t[s[1]:]) <= 4 {
				return h
			}
		}
	}
	sep := strings.TrimSpace(t[seps[len(seps)-1][0]:seps[len(seps)-1][1]])
	if sep != "|" && sep != "-" && sep != "–" && sep != "—" {
		return t
	}
	cut := head
	if words(cut) < 3 {
		cut = tail
	}
	if words(cut) <= 4 {
		return t
	}
	return strings.TrimSpace(cut)
}

func words(s string) int { return len(strings.Fields(s)) }
