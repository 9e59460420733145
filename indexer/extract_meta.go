package indexer

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// linkedData is what a page's JSON-LD (schema.org) says about its
// article; WordPress (Yoast), Drupal and magazine platforms publish it.
type linkedData struct {
	Headline, Name, Author, Description, Published, Language string
}

// title is the article's headline, or its name; when both are given and
// differ, the one closer to the page's <title>.
func (ld linkedData) title(docTitle string) string {
	switch {
	case ld.Headline == "":
		return ld.Name
	case ld.Name == "" || ld.Name == ld.Headline:
		return ld.Headline
	}
	d, nd := wordCounts([]string{docTitle})
	h, nh := wordCounts([]string{ld.Headline})
	n, nn := wordCounts([]string{ld.Name})
	if agreement(n, nn, d, nd) > agreement(h, nh, d, nd) {
		return ld.Name
	}
	return ld.Headline
}

// metaTags holds a page's <meta> values by lower-cased name or property
// ("og:title", "description"); Dublin Core's "DC.title" is "dc:title".
// A property (OpenGraph's attribute) wins over a name.
type metaTags map[string]string

var metaKeyPrefix = regexp.MustCompile(`^(dc|dcterm|dcterms|og|twitter|article|parsely|weibo:article|weibo:webpage)\s*[.:-]\s*`)

func metaTagsOf(dom *goquery.Document) metaTags {
	m := metaTags{}
	for _, attrs := range [][]string{{"property"}, {"name", "itemprop", "http-equiv"}} {
		for _, s := range dom.Find("meta[content]").EachIter() {
			content := strings.TrimSpace(s.AttrOr("content", ""))
			if content == "" {
				continue
			}
			for _, attr := range attrs {
				for _, key := range strings.Fields(strings.ToLower(s.AttrOr(attr, ""))) {
					key = metaKeyPrefix.ReplaceAllStringFunc(key, func(p string) string {
						return strings.TrimRight(p, ".:- \t") + ":"
					})
					if _, seen := m[key]; !seen {
						m[key] = content
					}
				}
			}
		}
	}
	return m
}

// first returns the first non-empty value of the keys.
func (m metaTags) first(keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}

// articleTypes are the schema.org types whose headline is the page's
// title.
var articleTypes = regexp.MustCompile(`^(Article|\w+Article|Report|BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|APIReference)$`)

func linkedDataOf(dom *goquery.Document) linkedData {
	var ld linkedData
	for _, s := range dom.Find(`script[type="application/ld+json" i]`).EachIter() {
		raw := strings.TrimSpace(s.Text())
		raw = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(raw, "<![CDATA["), "]]>"))
		var v any
		if json.Unmarshal([]byte(raw), &v) != nil {
			continue
		}
		walkLinkedData(v, &ld, 0)
	}
	return ld
}

func walkLinkedData(v any, ld *linkedData, depth int) {
	if depth > 6 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkLinkedData(e, ld, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkLinkedData(g, ld, depth+1)
		}
		article, page := false, false
		for _, t := range ldStrings(x["@type"]) {
			article = article || articleTypes.MatchString(t)
			page = page || t == "WebPage"
		}
		if !article && !page {
			return
		}
		set := func(dst *string, v string) {
			if *dst == "" {
				*dst = clean(v)
			}
		}
		if article {
			if ld.Headline == "" {
				ld.Headline = cleanTitle(ldString(x["headline"]))
			}
			if ld.Name == "" {
				ld.Name = cleanTitle(ldString(x["name"]))
			}
			set(&ld.Author, ldName(x["author"]))
		}
		set(&ld.Description, ldString(x["description"]))
		set(&ld.Published, ldString(x["datePublished"]))
		set(&ld.Language, ldString(x["inLanguage"]))
	}
}

func ldString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func ldStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ldName reads an author: a string, a Person, or a list of them.
func ldName(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return ldString(x["name"])
	case []any:
		var names []string
		for _, e := range x {
			if n := clean(ldName(e)); n != "" {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

// langOf reads the page's language: <html lang>, then the metadata that
// CMSes without a lang attribute publish.
func langOf(dom *goquery.Document, ld linkedData) string {
	for _, l := range []string{
		dom.Find("html").AttrOr("lang", ""),
		dom.Find("html").AttrOr("xml:lang", ""),
		metaContent(dom, `meta[http-equiv="content-language" i]`, `meta[name="language" i]`,
			`meta[name="dc.language" i]`, `meta[property="og:locale" i]`),
		ld.Language,
	} {
		l = strings.ToLower(strings.TrimSpace(l))
		if i := strings.IndexAny(l, "-_, "); i > 0 {
			l = l[:i]
		}
		if len(l) >= 2 && len(l) <= 3 {
			return l
		}
	}
	return ""
}

func metaContent(dom *goquery.Document, sels ...string) string {
	for _, sel := range sels {
		if v, ok := dom.Find(sel).First().Attr("content"); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func firstText(dom *goquery.Document, sels ...string) string {
	for _, sel := range sels {
		if t := strings.TrimSpace(dom.Find(sel).First().Text()); t != "" {
			return t
		}
	}
	return ""
}

// authorPrefix is the label a byline starts with.
var authorPrefix = regexp.MustCompile(`(?i)^(door|tekst|auteur|geschreven door|by)\s*:?\s+`)

// authorOf reads the byline: marked-up elements first, then metadata.
func authorOf(dom *goquery.Document, ld linkedData) string {
	a := clean(firstText(dom, `[itemprop="author"] [itemprop="name"]`, `[itemprop="author"]`, `.author`,
		`.story__author`, `[rel="author"]`, `.byline__name`, `.author-name`, `.auteur`, `.byline`))
	if a == "" {
		a = ld.Author
	}
	if a == "" {
		a = clean(metaContent(dom, `meta[name="author" i]`, `meta[name="dc.creator" i]`, `meta[property="article:author" i]`))
	}
	a = authorPrefix.ReplaceAllString(a, "")
	if len(a) > 120 || strings.HasPrefix(a, "http") {
		return "" // a paragraph or a profile URL, not a name
	}
	return a
}

// namedFields reads "label: value" pairs from tables and definition lists,
// as project databases lay out Status, Startdatum, Einddatum and Thema's.
func namedFields(dom *goquery.Document) map[string]string {
	fields := map[string]string{}
	add := func(k, v string) {
		k, v = clean(strings.TrimSuffix(clean(k), ":")), clean(v)
		if k == "" || v == "" || len(k) > 40 || len(v) > 300 {
			return
		}
		if _, dup := fields[k]; !dup {
			fields[k] = v
		}
	}
	dom.Find("tr").Each(func(_ int, tr *goquery.Selection) {
		if th, td := tr.Find("th"), tr.Find("td"); th.Length() == 1 && td.Length() == 1 {
			add(th.Text(), td.Text())
		}
	})
	dom.Find("dl").Each(func(_ int, dl *goquery.Selection) {
		dl.Find("dt").Each(func(_ int, dt *goquery.Selection) {
			if dd := dt.NextFiltered("dd"); dd.Length() > 0 {
				add(dt.Text(), dd.First().Text())
			}
		})
	})
	// "Thema: a, b" lines in article info blocks.
	dom.Find("dd, p, span, li").Each(func(_ int, s *goquery.Selection) {
		t := clean(s.Text())
		for _, label := range []string{"Thema", "Thema's", "Regio", "Status"} {
			if rest, ok := strings.CutPrefix(t, label+":"); ok && s.Children().Length() == 0 {
				add(label, rest)
			}
		}
	})
	return fields
}

// publishedOf finds the publication date: metadata first (it is meant
// for machines), then marked-up elements, named fields, and elements
// whose class says date.
func publishedOf(dom *goquery.Document, fields map[string]string, ld linkedData) time.Time {
	if v := metaContent(dom, `meta[property="article:published_time" i]`, `meta[name="date" i]`,
		`meta[name="dcterms.date" i]`, `meta[name="dc.date" i]`, `meta[name="dcterms.issued" i]`,
		`meta[itemprop="datePublished" i]`, `meta[name="publication_date" i]`); v != "" {
		if t, ok := parseDate(v); ok {
			return t
		}
	}
	if t, ok := parseDate(ld.Published); ok {
		return t
	}
	for _, sel := range []string{`[itemprop="datePublished"]`, "time[datetime]"} {
		if v, ok := dom.Find(sel).First().Attr("datetime"); ok {
			if t, ok := parseDate(v); ok {
				return t
			}
		}
	}
	for _, k := range []string{"Gepubliceerd", "Publicatiedatum", "Datum", "Verschenen", "Laatst gewijzigd"} {
		if t, ok := parseDate(fields[k]); ok {
			return t
		}
	}
	for _, sel := range []string{"time", `[itemprop="datePublished"]`, ".date", ".published", ".datum", "[class*=date]", "[class*=datum]"} {
		if t, ok := parseDate(dom.Find(sel).First().Text()); ok {
			return t
		}
	}
	return time.Time{}
}
