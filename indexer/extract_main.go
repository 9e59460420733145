package indexer

import (
	"net/url"
	"regexp"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Methods of main-text extraction, as Page.Method names them.
const (
	MethodOwn         = "eigen"       // our container choice after boilerplate removal
	MethodReadability = "readability" // readeck's go-readability on our parsed tree
	MethodSelectors   = "selectors"   // the source's body selector
)

// candidate is one extractor's idea of a page's main text.
type candidate struct {
	method string
	paras  []string
	words  map[string]int
	n      int // number of words
	kinds  map[string]paraKind
}

func newCandidate(method string, paras []string) candidate {
	c := candidate{method: method, paras: paras}
	c.words, c.n = wordCounts(paras)
	return c
}

// noiseSelectors are removed from the tree before any extractor reads
// it: what is never shown, and the pop-ups laid over a page (cookie and
// consent banners, dialogs).
var noiseSelectors = strings.Join([]string{
	"script", "style", "noscript", "template", "iframe", "canvas",
	"[hidden]", "[style*='display:none']", "[style*='display: none']", "[style*='visibility:hidden']",
	"[aria-hidden=true]", "[role=dialog]", "[role=alertdialog]", "[aria-modal=true]",
}, ",")

// noiseClass matches class or id values of pop-ups and widgets that are
// laid over or dropped into an article: cookie consent, share buttons,
// newsletter sign-ups, and the readers' comments under it.
var noiseClass = regexp.MustCompile(`(?i)(^|[\s_-])(cookie|cookies|cookiebar|consent|gdpr|share|sharing|addthis|sharethis|newsletter|nieuwsbrief|popup|modal|comment|comments|commentlist|reactie|reacties|respond|disqus)([\s_-]|$)`)

// boilerplateSelectors are removed before our own choice of the main
// text. They cover what every CMS wraps around an article: menus,
// headers, footers, side bars, forms and buttons.
var boilerplateSelectors = strings.Join([]string{
	"svg", "nav", "header", "footer", "aside", "form", "button", "input", "select", "textarea",
	"[role=navigation]", "[role=banner]", "[role=contentinfo]", ".breadcrumb", ".breadcrumbs",
}, ",")

// boilerClass matches class or id values of wrapper elements that never
// hold the article text.
var boilerClass = regexp.MustCompile(`(?i)(^|[\s_-])(social|comment|comments|reactie|reacties|sidebar|pager|pagination|menu|navbar|breadcrumb|related|gerelateerd|footer|banner|skip|kicker|article-info|byline|meta|back|source-note|moduletable|search|topbar)([\s_-]|$)`)

// removeNoise strips the tree of what no reader sees as the page's text;
// all extractors read the tree after this. Menus go too, and a site
// header: a <header> outside the article that does not hold the main
// heading (an article's own header holds its title and lead).
func removeNoise(dom *goquery.Document) {
	dom.Find(noiseSelectors).Remove()
	removeWrappers(dom, noiseClass)
	dom.Find("nav, [role=navigation], [role=menu], [role=menubar]").Remove()
	dom.Find("header, [role=banner]").Each(func(_ int, h *goquery.Selection) {
		if h.Find("h1").Length() == 0 && h.ParentsFiltered("article, main, [role=main]").Length() == 0 {
			h.Remove()
		}
	})
}

// wrapperID reports whether an id names a wrapper re matches. Long ids
// are slugs of headings ("sharing-with-a-single-developer") that say
// nothing about what the element is.
func wrapperID(re *regexp.Regexp, id string) bool {
	return id != "" && len(strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' })) <= 3 && re.MatchString(id)
}

// removeWrappers removes elements whose class or id matches re, but not
// the page's frame: CMSes put layout flags such as "sidebar-primary" or
// "gp-header-standard" on <body> and on wrappers of the whole page.
// Such a frame holds the main heading or the main element; on a page
// with neither, it holds most of the text. A comment thread can be
// longer than the article, but never holds the article's heading.
func removeWrappers(dom *goquery.Document, re *regexp.Regexp) {
	pageText := len(dom.Find("body").Text())
	hasFrame := dom.Find(frameMarks).Length() > 0
	dom.Find("[class], [id]").Each(func(_ int, s *goquery.Selection) {
		switch goquery.NodeName(s) {
		case "html", "body", "main", "article":
			return
		}
		if !re.MatchString(s.AttrOr("class", "")) && !wrapperID(re, s.AttrOr("id", "")) {
			return
		}
		if hasFrame && s.Find(frameMarks).Length() > 0 {
			return
		}
		if !hasFrame && pageText > 0 && len(s.Text()) > pageText/2 {
			return
		}
		s.Remove()
	})
}

// frameMarks are elements only the page's frame around the article holds.
const frameMarks = "h1, main, [role=main], [itemprop=articleBody]"

// ownMain removes boilerplate from dom (which it changes) and returns the
// container it takes for the article.
func ownMain(dom *goquery.Document) *goquery.Selection {
	dom.Find(boilerplateSelectors).Remove()
	removeWrappers(dom, boilerClass)
	return mainContent(dom)
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

// mainCandidates returns the main text as each extractor sees it —
// our own choice and readability's — and the container our own choice
// took (for hub detection). Both read a copy of the tree without what
// no reader sees (scripts, hidden elements, cookie banners); readability
// copies it again, our own choice strips it further.
func mainCandidates(root *html.Node, base *url.URL) ([]candidate, *goquery.Selection) {
	clear := goquery.NewDocumentFromNode(cloneTree(root))
	removeNoise(clear)
	read := readabilityCandidate(clear.Nodes[0], base)
	main := ownMain(clear)
	paras, kinds := paragraphsAndKinds(main.Nodes)
	own := newCandidate(MethodOwn, paras)
	own.kinds = kinds
	return []candidate{own, read}, main
}

// maxReadabilityElems caps the elements readability scores; a larger
// page (a 10 MB export, a table of thousands of rows) is left to our
// own choice, which is linear in its size.
const maxReadabilityElems = 60000

// readabilityCandidate runs readeck's go-readability on the tree we
// parsed from the decoded page (it copies the tree before it changes
// anything). When the library panics on a strange page, that costs its
// candidate, not the crawl.
func readabilityCandidate(root *html.Node, base *url.URL) (read candidate) {
	read.method = MethodReadability
	defer func() { _ = recover() }()
	p := readability.NewParser()
	p.MaxElemsToParse = maxReadabilityElems
	art, err := p.ParseDocument(root, base)
	if err == nil && art.Node != nil {
		read = newCandidate(MethodReadability, paragraphs([]*html.Node{art.Node}))
	}
	return read
}

// restoreLimit is how much text (a share of readability's) may be put
// back from what our own choice kept and readability dropped.
const restoreLimit = 0.25

// pickMain chooses the main text (chooseMain) and, when that is
// readability's, puts back the small sections it dropped from the
// middle of the article that our own choice kept (restoreDropped):
// readability's clean-up drops short blocks with little running text —
// a project's contact persons, a short list — that the page does mean
// as content.
func pickMain(cands []candidate) candidate {
	chosen := chooseMain(cands)
	if chosen.method != MethodReadability {
		return chosen
	}
	for _, c := range cands {
		if c.method == MethodOwn {
			return restoreDropped(chosen, c, restoreLimit)
		}
	}
	return chosen
}

// chooseMain picks the main text: readability's, the more precise
// extractor, when our own choice confirms it; else ours. Confirmed means:
// the two found largely the same words (F1 agreement of at least 0.5),
// or nearly all of readability's words (90%) are in our text and it is
// not a fragment (at least 15% of ours): an article without the comment
// thread or photo gallery our container held. Unconfirmed, readability
// took a block our choice had removed as boilerplate (a side bar, a
// "related" list) or one caption, and our text is taken — unless ours is
// the fragment (less than 15% of readability's).
func chooseMain(cands []candidate) candidate {
	var own, read candidate
	own.method, read.method = MethodOwn, MethodReadability
	for _, c := range cands {
		switch c.method {
		case MethodOwn:
			own = c
		case MethodReadability:
			read = c
		}
	}
	switch {
	case read.n == 0:
		return own
	case own.n == 0:
		return read
	case confirmed(read, own):
		return read
	case float64(own.n) < 0.15*float64(read.n):
		return read // ours is the fragment
	}
	return own
}

// confirmed reports whether other backs c (see chooseMain).
func confirmed(c, other candidate) bool {
	if agreement(c.words, c.n, other.words, other.n) >= 0.5 {
		return true
	}
	return float64(c.n) >= 0.15*float64(other.n) && containment(c.words, c.n, other.words) >= 0.9
}

// restoreDropped puts back into base (readability's text) the sections
// that own (our choice) has and base left out: a run of own's
// paragraphs that base lacks, that starts with a heading, has at least
// one paragraph under it and is not mostly link text, and lies between
// base's first and last paragraph. Together they may add at most limit
// (a share of base's words). Readability drops such short sections with
// little running text — a project's contact persons under
// "Contactpersonen" — when the page means them as content; a single
// line (a caption, "Advertentie"), a list of links ("Meest gelezen"),
// what comes before or after the article and a large block (a photo
// gallery, the comments) it rightly leaves out.
func restoreDropped(base, own candidate, limit float64) candidate {
	inBase := map[string]bool{}
	for _, p := range base.paras {
		inBase[p] = true
	}
	first, last := -1, -1
	for i, p := range own.paras {
		if inBase[p] {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var blocks [][]string
	var run []string
	for i, p := range append(own.paras, "") {
		if p != "" && !inBase[p] && i > first && i < last && (len(run) > 0 || own.kinds[p].heading) {
			run = append(run, p)
			continue
		}
		links := 0
		for _, p := range run {
			if own.kinds[p].links {
				links++
			}
		}
		if len(run) >= 2 && 2*links < len(run) {
			blocks = append(blocks, run)
		}
		run = nil
	}
	restore := map[string]bool{}
	budget := int(limit * float64(base.n))
	for _, b := range blocks {
		if _, n := wordCounts(b); n <= budget {
			budget -= n
			for _, p := range b {
				restore[p] = true
			}
		}
	}
	if len(restore) == 0 {
		return base
	}
	// Merge: walk own's order; a paragraph base has is emitted with the
	// base paragraphs before it, so base's order and its own paragraphs
	// stay as they are.
	pos := map[string]int{}
	for i, p := range base.paras {
		if _, dup := pos[p]; !dup {
			pos[p] = i
		}
	}
	var out []string
	bi := 0
	emitUntil := func(p string) {
		if pos[p] < bi {
			return // emitted already
		}
		out = append(out, base.paras[bi:pos[p]+1]...)
		bi = pos[p] + 1
	}
	for _, p := range own.paras {
		switch {
		case inBase[p]:
			emitUntil(p)
		case restore[p]:
			out = append(out, p)
			delete(restore, p)
		}
	}
	out = append(out, base.paras[bi:]...)
	return newCandidate(base.method, out)
}
