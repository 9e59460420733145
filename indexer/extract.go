package indexer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/watwerkt/watwerkt/corpus"
)

// Page is what extraction makes of one fetched HTML page.
type Page struct {
	Doc       corpus.Document
	Links     []string // absolute, in page order, rel=nofollow left out
	Canonical string   // from <link rel=canonical>, absolute, may be ""
	NoIndex   bool     // robots meta noindex
	NoFollow  bool     // robots meta nofollow
	Charset   string
	// JSShell is set for a page that is only a JavaScript application
	// shell ("Loading...", an empty <div id="root">): its text is drawn
	// in the browser. Doc.Body is then empty; see SkipJSShell.
	JSShell bool
	// Method names the extractor whose main text Doc.Body holds: one of
	// MethodOwn, MethodReadability, MethodSelectors.
	Method string
}

// Rejected says why a crawler leaves the page out of the index, in the
// words of its report (SkipNoIndex, SkipJSShell, SkipHub, SkipEmpty), or
// "" when the page is worth indexing.
func (p *Page) Rejected() string {
	switch {
	case p.NoIndex:
		return SkipNoIndex
	case p.JSShell:
		return SkipJSShell
	case p.Doc.Type == "overzicht":
		return SkipHub
	case utf8.RuneCountInString(p.Doc.Body) < minBodyRunes:
		return SkipEmpty
	}
	return ""
}

// Extract turns a fetched HTML page into a document. pageURL is the URL it
// was fetched from (after redirects), contentType the response header.
func Extract(pageURL string, body []byte, contentType string) (*Page, error) {
	return ExtractWith(pageURL, body, contentType, nil)
}

// ExtractWith is Extract with a source's CSS selectors, which take
// precedence over the automatic extraction for the parts they name.
//
// The page is decoded once (DecodeHTML: the libraries would guess the
// charset and ignore <meta charset>) and parsed once; the main-text
// extractors all read that tree. See docs/extraction.md.
func ExtractWith(pageURL string, body []byte, contentType string, sel *corpus.Selectors) (*Page, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	text, cs := DecodeHTML(body, contentType)
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("extract %s: parse: %w", pageURL, err)
	}
	dom := goquery.NewDocumentFromNode(root)
	p := &Page{Charset: cs}
	if b, ok := dom.Find("base[href]").Attr("href"); ok {
		if bu, err := base.Parse(b); err == nil {
			base = bu
		}
	}
	readHead(dom, base, p)

	d := &p.Doc
	d.URL = pageURL
	readMetadata(dom, base, d)

	cands, main := mainCandidates(root, base)
	chosen := pickMain(cands)
	paras := chosen.paras
	// The title is usually repeated as the first heading.
	if len(paras) > 0 && strings.EqualFold(paras[0], d.Title) {
		paras = paras[1:]
	}
	paras = slices.DeleteFunc(paras, func(p string) bool { return isByline(p, d.Author) })
	d.Body = strings.Join(paras, "\n\n")
	p.Method = chosen.method
	if d.Language == "" && utf8.RuneCountInString(d.Body) >= minBodyRunes {
		d.Language = guessLanguage(d.Body) // a few words are too few to tell
	}
	if d.Intro == "" {
		// The first real paragraph, not a heading like "Samenvatting".
		for _, p := range paras {
			if len(p) >= 80 {
				d.Intro = truncateWords(p, 300)
				break
			}
		}
	}
	if isHub(main) && (sel.Empty() || sel.Body == "") {
		d.Type = "overzicht" // a table of contents, a list, a home page
	}
	if !sel.Empty() {
		auto := d.Body
		applySelectors(dom, sel, d)
		if sel.Body != "" && d.Body != auto {
			p.Method = MethodSelectors
		}
	}
	if isJSShell(dom, utf8.RuneCountInString(d.Body)) {
		p.JSShell = true
		d.Body = ""
	}
	d.ContentHash = corpus.HashContent(d.Title, d.Body)
	return p, nil
}

// readMetadata reads the title, intro, author, fields, date, themes,
// region and language from the page as fetched.
func readMetadata(dom *goquery.Document, base *url.URL, d *corpus.Document) {
	ld, meta := linkedDataOf(dom), metaTagsOf(dom)
	d.Language = langOf(dom, ld)
	d.Title = titleOf(dom, base, ld, meta)
	d.Intro = clean(meta.first("description", "og:description", "dc:description", "twitter:description"))
	if d.Intro == "" {
		d.Intro = ld.Description
	}
	d.Author = authorOf(dom, ld)
	d.Fields = namedFields(dom)
	d.Published = publishedOf(dom, d.Fields, ld)
	if th := d.Fields["Thema's"]; th != "" {
		d.Themes = splitThemes(th)
	} else if th := d.Fields["Thema"]; th != "" {
		d.Themes = splitThemes(th)
	}
	if len(d.Themes) == 0 {
		// OpenGraph tags, as magazine platforms publish them.
		for _, m := range dom.Find(`meta[property="article:tag" i]`).EachIter() {
			if v := clean(m.AttrOr("content", "")); v != "" {
				d.Themes = append(d.Themes, v)
			}
		}
	}
	d.Region = d.Fields["Regio"]
}

// readHead reads what the crawler needs before the text: robots meta,
// the canonical URL and the links to follow.
func readHead(dom *goquery.Document, base *url.URL, p *Page) {
	for _, content := range dom.Find(`meta[name="robots" i], meta[name="watwerkt" i]`).EachIter() {
		v := strings.ToLower(content.AttrOr("content", ""))
		p.NoIndex = p.NoIndex || strings.Contains(v, "noindex") || strings.Contains(v, "none")
		p.NoFollow = p.NoFollow || strings.Contains(v, "nofollow") || strings.Contains(v, "none")
	}
	if href, ok := dom.Find(`link[rel~="canonical" i]`).First().Attr("href"); ok {
		if cu, err := base.Parse(strings.TrimSpace(href)); err == nil && (cu.Scheme == "http" || cu.Scheme == "https") {
			p.Canonical = cu.String()
		}
	}
	if p.NoFollow {
		return
	}
	seen := map[string]bool{}
	for _, a := range dom.Find("a[href]").EachIter() {
		if strings.Contains(strings.ToLower(a.AttrOr("rel", "")), "nofollow") {
			continue
		}
		lu, err := base.Parse(strings.TrimSpace(a.AttrOr("href", "")))
		if err != nil || (lu.Scheme != "http" && lu.Scheme != "https") {
			continue
		}
		lu.Fragment = ""
		if s := lu.String(); !seen[s] {
			seen[s] = true
			p.Links = append(p.Links, s)
		}
	}
}

// isHub tells a page that mostly points elsewhere (a magazine's table of
// contents, a news list, a home page) from an article: it is made of
// headlines that link to the full articles, or of list items that do,
// or its text is mostly link text. Only links to other pages count: permalinks of headings
// ("¶", "#section") and a table of contents within the page do not make
// an article a hub.
func isHub(main *goquery.Selection) bool {
	headlines := 0
	for _, h := range main.Find("h1, h2, h3, h4").EachIter() {
		if a := outLinks(h); a.Length() > 0 && 2*len(clean(a.Text())) >= len(clean(h.Text())) {
			headlines++
		}
	}
	allText := allTextOf(main)
	if allText == 0 {
		return true
	}
	// A teaser is a headline and a paragraph: a page of them has little
	// text per headline, an article with a "related" block a lot.
	if headlines >= 3 && allText/headlines < 800 {
		return true
	}
	teasers, teaserText := 0, 0
	for _, li := range main.Find("li").EachIter() {
		if n := len(strings.TrimSpace(li.Text())); n > 100 && outLinks(li).Length() > 0 {
			teasers++
			teaserText += n
		}
	}
	if teasers >= 2 && float64(teaserText) > 0.6*float64(allText) {
		return true
	}
	return float64(len(strings.TrimSpace(outLinks(main).Text())))/float64(allText) > 0.5
}

// outLinks are the links in s to other pages.
func outLinks(s *goquery.Selection) *goquery.Selection {
	return s.Find("a[href]").FilterFunction(func(_ int, a *goquery.Selection) bool {
		h := strings.TrimSpace(a.AttrOr("href", ""))
		return h != "" && !strings.HasPrefix(h, "#") && !strings.HasPrefix(strings.ToLower(h), "javascript:")
	})
}

func allTextOf(s *goquery.Selection) int { return len(strings.TrimSpace(s.Text())) }

// cloneTree deep-copies a parsed HTML tree.
func cloneTree(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace,
		Attr: append([]html.Attribute(nil), n.Attr...)}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.AppendChild(cloneTree(ch))
	}
	return c
}
