package indexer

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

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
}

// boilerplateSelectors are removed before the main text is chosen. They
// cover what every CMS wraps around an article: menus, cookie banners,
// share buttons, comment forms, newsletters and footers.
var boilerplateSelectors = strings.Join([]string{
	"script", "style", "noscript", "template", "iframe", "svg", "canvas",
	"[hidden]", "[style*='display:none']", "[style*='display: none']", "[style*='visibility:hidden']",
	"nav", "header", "footer", "aside", "form", "button", "input", "select", "textarea",
	"[role=navigation]", "[role=dialog]", "[role=banner]", "[role=contentinfo]",
	"[aria-hidden=true]", ".breadcrumb", ".breadcrumbs",
}, ",")

// boilerClass matches class or id values of wrapper elements that never
// hold the article text.
var boilerClass = regexp.MustCompile(`(?i)(^|[\s_-])(cookie|consent|share|sharing|social|comment|comments|reactie|reacties|newsletter|nieuwsbrief|sidebar|pager|pagination|menu|navbar|breadcrumb|related|gerelateerd|footer|banner|popup|modal|skip|kicker|article-info|byline|meta|back|source-note|moduletable|search|topbar)([\s_-]|$)`)

// boilerPhrases are sentences CMSes add to content areas; a paragraph that
// is nothing but one of them is dropped.
var boilerPhrases = []string{
	"dit e-mailadres wordt beveiligd tegen spambots",
	"javascript dient ingeschakeld te zijn",
	"deel dit artikel",
	"reageer op dit artikel",
	"terug naar overzicht",
	"lees verder",
	"verplicht veld",
	"lees het hele artikel in",
}

var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true, "li": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"pre": true, "td": true, "th": true, "dd": true, "dt": true, "figcaption": true,
	"tr": true, "ul": true, "ol": true, "dl": true, "table": true, "br": true, "hr": true,
	"figure": true, "address": true,
}

// Extract turns a fetched HTML page into a document. pageURL is the URL it
// was fetched from (after redirects), contentType the response header.
func Extract(pageURL string, body []byte, contentType string) (*Page, error) {
	return ExtractWith(pageURL, body, contentType, nil)
}

// ExtractWith is Extract with a source's CSS selectors, which take
// precedence over the automatic extraction for the parts they name.
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

	// Head metadata, before anything is removed.
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
	if !p.NoFollow {
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

	d := &p.Doc
	d.URL = pageURL
	d.Language = langOf(dom)
	d.Title = titleOf(dom)
	d.Intro = clean(metaContent(dom, `meta[name="description" i]`, `meta[property="og:description" i]`))
	d.Author = clean(firstText(dom, `[itemprop="author"]`, `.author`, `.story__author`, `[rel="author"]`))
	if d.Author == "" {
		d.Author = clean(metaContent(dom, `meta[name="author" i]`))
	}
	d.Fields = namedFields(dom)
	d.Published = publishedOf(dom, d.Fields)
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

	// Selectors work on the page as fetched; keep a copy for them.
	var raw *goquery.Document
	if !sel.Empty() {
		raw = goquery.NewDocumentFromNode(cloneTree(root))
	}

	// Main text.
	dom.Find(boilerplateSelectors).Remove()
	// Wrappers whose class or id says boilerplate go too, but not the
	// page's frame: CMSes put layout flags such as "sidebar-primary" or
	// "gp-header-standard" on <body> and on wrappers of the whole page.
	pageText := len(dom.Find("body").Text())
	dom.Find("[class], [id]").Each(func(_ int, s *goquery.Selection) {
		switch goquery.NodeName(s) {
		case "html", "body", "main", "article":
			return
		}
		if !boilerClass.MatchString(s.AttrOr("class", "")) && !boilerClass.MatchString(s.AttrOr("id", "")) {
			return
		}
		if pageText > 0 && len(s.Text()) > pageText/2 {
			return
		}
		s.Remove()
	})
	main := mainContent(dom)
	paras := paragraphs(main.Nodes)
	// The title is usually repeated as the first heading.
	if len(paras) > 0 && strings.EqualFold(paras[0], d.Title) {
		paras = paras[1:]
	}
	d.Body = strings.Join(paras, "\n\n")
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
	if raw != nil {
		applySelectors(raw, sel, d)
	}
	d.ContentHash = corpus.HashContent(d.Title, d.Body)
	return p, nil
}

func langOf(dom *goquery.Document) string {
	l := strings.ToLower(strings.TrimSpace(dom.Find("html").AttrOr("lang", "")))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	return l
}

var titleSuffix = regexp.MustCompile(`\s+[|–—-]\s+[^|–—-]{2,80}$`)

func titleOf(dom *goquery.Document) string {
	if t := clean(metaContent(dom, `meta[property="og:title" i]`)); t != "" {
		return t
	}
	for _, sel := range []string{"main h1", "article h1", "h1", "[itemprop=headline]", "main h2", "article h2"} {
		if t := clean(dom.Find(sel).First().Text()); t != "" {
			return t
		}
	}
	return clean(titleSuffix.ReplaceAllString(dom.Find("title").First().Text(), ""))
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

func publishedOf(dom *goquery.Document, fields map[string]string) time.Time {
	if v := metaContent(dom, `meta[property="article:published_time" i]`, `meta[name="date" i]`,
		`meta[name="dcterms.date" i]`, `meta[itemprop="datePublished" i]`); v != "" {
		if t, ok := ParseDutchDate(v); ok {
			return t
		}
	}
	for _, sel := range []string{`[itemprop="datePublished"]`, "time[datetime]"} {
		if v, ok := dom.Find(sel).First().Attr("datetime"); ok {
			if t, ok := ParseDutchDate(v); ok {
				return t
			}
		}
	}
	for _, k := range []string{"Gepubliceerd", "Publicatiedatum", "Datum", "Laatst gewijzigd"} {
		if t, ok := ParseDutchDate(fields[k]); ok {
			return t
		}
	}
	for _, sel := range []string{"time", ".date", ".published", "[class*=date]"} {
		if t, ok := ParseDutchDate(dom.Find(sel).First().Text()); ok {
			return t
		}
	}
	return time.Time{}
}

// mainContent picks the element holding the article: the candidate
// container with the most text that is not link text.
func mainContent(dom *goquery.Document) *goquery.Selection {
	best, bestScore := dom.Find("body"), -1.0
	if best.Length() == 0 {
		best = dom.Selection
	}
	for _, sel := range []string{"article", "[itemprop=articleBody]", "main", "[role=main]",
		"#content", ".content", ".item-page", ".entry-content", ".post", ".project-detail"} {
		dom.Find(sel).Each(func(_ int, s *goquery.Selection) {
			text := float64(len(strings.TrimSpace(s.Text())))
			links := float64(len(strings.TrimSpace(s.Find("a").Text())))
			score := text - 2*links
			// Prefer the outer container when an inner one holds nearly
			// all its text: the lead and headings sit outside the body div.
			if score > bestScore*1.0001 {
				best, bestScore = s, score
			}
		})
	}
	return best
}

// paragraphs walks the tree and returns its text as paragraphs, one per
// block element, with runs of white space folded.
func paragraphs(nodes []*html.Node) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := clean(cur.String()); t != "" && !isBoilerplate(t) {
			if len(out) == 0 || out[len(out)-1] != t {
				out = append(out, t)
			}
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if blockTags[n.Data] {
				flush()
				defer flush()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return out
}

// creditRe matches photo credits and captions' bylines.
var creditRe = regexp.MustCompile(`(?i)^(foto|beeld|illustratie|afbeelding|bron foto)\s*:`)

func isBoilerplate(t string) bool {
	if creditRe.MatchString(t) && len(t) < 120 {
		return true
	}
	l := strings.ToLower(t)
	for _, p := range boilerPhrases {
		if strings.Contains(l, p) && len(l) < len(p)+80 {
			return true
		}
	}
	return false
}

// clean folds white space and drops control characters.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		if r == '\u00a0' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func splitThemes(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '·' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func truncateWords(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndex(s[:max], " ")
	if cut < max/2 {
		cut = max
	}
	return strings.TrimSpace(s[:cut]) + " …"
}

// isHub tells a page that mostly points elsewhere (a magazine's table of
// contents, a news list) from an article: most of its text is link text,
// it has many links with little text per link, or it is a list of teasers
// whose headings link to the full articles.
func isHub(main *goquery.Selection) bool {
	if main.Find("h1 a[href], h2 a[href], h3 a[href], h4 a[href]").Length() >= 3 {
		return true
	}
	teasers, teaserText := 0, 0
	main.Find("li").Each(func(_ int, li *goquery.Selection) {
		if n := len(strings.TrimSpace(li.Text())); li.Find("a[href]").Length() > 0 && n > 100 {
			teasers++
			teaserText += n
		}
	})
	if teasers >= 4 || (teasers >= 2 && float64(teaserText) > 0.6*float64(allTextOf(main))) {
		return true
	}
	links := main.Find("a[href]")
	linkText := len(strings.TrimSpace(links.Text()))
	allText := allTextOf(main)
	if allText == 0 {
		return true
	}
	if float64(linkText)/float64(allText) > 0.35 {
		return true
	}
	return links.Length() >= 5 && allText/links.Length() < 250
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
