package indexer

import (
	"net/url"
	"regexp"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Methods of main-text extraction, as Page.Method names them.
const (
	MethodOwn         = "eigen"       // our container choice after boilerplate removal
	MethodTrafilatura = "trafilatura" // go-trafilatura on our parsed tree
	MethodReadability = "readability" // readeck's go-readability on our parsed tree
	MethodSelectors   = "selectors"   // the source's body selector
)

// candidate is one extractor's idea of a page's main text.
type candidate struct {
	method string
	paras  []string
	words  map[string]int
	n      int // number of words
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

// mainCandidates returns the main text as each extractor sees it, the
// container our own choice took (for hub detection), and the language
// trafilatura guessed from the text. Every extractor reads a copy of the
// tree without what no reader sees (scripts, hidden elements, cookie
// banners); the libraries copy it again, our own choice strips it
// further.
func mainCandidates(root *html.Node, base *url.URL) ([]candidate, *goquery.Selection, string) {
	clear := goquery.NewDocumentFromNode(cloneTree(root))
	removeNoise(clear)
	traf, read, lang := libraryCandidates(clear.Nodes[0], base)
	main := ownMain(clear)
	return []candidate{newCandidate(MethodOwn, paragraphs(main.Nodes)), traf, read}, main, lang
}

// maxReadabilityElems caps the elements readability scores; a larger
// page (a 10 MB export, a table of thousands of rows) is left to the
// other extractors, which are linear in its size.
const maxReadabilityElems = 60000

// libraryCandidates runs go-trafilatura and readeck's go-readability on
// the tree we parsed from the decoded page (both copy it before they
// change anything). A library that panics on a strange page costs its
// candidate, not the crawl.
func libraryCandidates(root *html.Node, base *url.URL) (traf, read candidate, lang string) {
	traf.method, read.method = MethodTrafilatura, MethodReadability
	func() {
		defer func() { _ = recover() }()
		res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
			OriginalURL:     base,
			ExcludeComments: true,
			// Dates are ours: Dutch formats, metadata first.
			HtmlDateMode: trafilatura.Disabled,
		})
		if err == nil && res != nil && res.ContentNode != nil {
			traf = newCandidate(MethodTrafilatura, paragraphs([]*html.Node{res.ContentNode}))
			lang = res.Metadata.Language
		}
	}()
	func() {
		defer func() { _ = recover() }()
		p := readability.NewParser()
		p.MaxElemsToParse = maxReadabilityElems
		art, err := p.ParseDocument(root, base)
		if err == nil && art.Node != nil {
			read = newCandidate(MethodReadability, paragraphs([]*html.Node{art.Node}))
		}
	}()
	return traf, read, lang
}

// restoreLimit is how much text (a share of readability's) may be put
// back from what the other two extractors agree on.
const restoreLimit = 0.25

// pickMain chooses the main text (chooseMain) and, when that is
// readability's, puts back the small blocks it dropped that both other
// extractors kept (restoreAgreed): readability's clean-up drops short
// blocks with little running text — a project's contact persons, a
// "Regio:" line, a short list — that the page does mean as content.
func pickMain(cands []candidate) candidate {
	chosen := chooseMain(cands)
	if chosen.method != MethodReadability {
		return chosen
	}
	var own, traf candidate
	for _, c := range cands {
		switch c.method {
		case MethodOwn:
			own = c
		case MethodTrafilatura:
			traf = c
		}
	}
	return restoreAgreed(chosen, own, traf, restoreLimit)
}

// chooseMain picks the main text among the candidates. The extractors
// are asked in order of their measured accuracy — readability, then
// trafilatura, then our own choice — and the first whose text another
// extractor confirms is taken. Confirmed means: the two found largely
// the same words (F1 agreement of at least 0.5); or nearly all of its
// words (90%) are in each other extractor's text and it is not a
// fragment (at least 15% of the longest candidate): an article without
// the comment thread the others kept. This keeps the most precise extractor
// in charge but not on its own: when it takes the wrong block (a side
// bar, a teaser list, one caption), the other two outvote it. When none
// is confirmed, the candidate that agrees most with the others is taken.
func chooseMain(cands []candidate) candidate {
	var live []candidate
	longest := 0
	for _, c := range cands {
		if c.n > 0 {
			live = append(live, c)
			longest = max(longest, c.n)
		}
	}
	switch len(live) {
	case 0:
		return candidate{method: MethodOwn}
	case 1:
		return live[0]
	}
	for _, method := range []string{MethodReadability, MethodTrafilatura, MethodOwn} {
		for _, c := range live {
			if c.method == method && confirmed(c, live, longest) {
				return c
			}
		}
	}
	best, bestScore := live[0], -1.0
	for i, c := range live {
		score := 0.0
		for j, o := range live {
			if i != j {
				score += agreement(c.words, c.n, o.words, o.n)
			}
		}
		if score > bestScore+1e-9 {
			best, bestScore = c, score
		}
	}
	return best
}

// confirmed reports whether the other candidates back c (see chooseMain).
func confirmed(c candidate, all []candidate, longest int) bool {
	within := float64(c.n) >= 0.15*float64(longest)
	for _, o := range all {
		if o.method == c.method {
			continue
		}
		if agreement(c.words, c.n, o.words, o.n) >= 0.5 {
			return true
		}
		within = within && containment(c.words, c.n, o.words) >= 0.9
	}
	return within
}

// restoreAgreed puts back into base the blocks of paragraphs that own
// and other both have and base left out, at their place in own's order,
// as long as together they add at most limit (a share of base's words).
// A larger block is more likely a photo gallery, a "related" block or
// comments that base rightly left out.
func restoreAgreed(base, own, other candidate, limit float64) candidate {
	inBase := map[string]bool{}
	for _, p := range base.paras {
		inBase[p] = true
	}
	inOther := map[string]bool{}
	for _, p := range other.paras {
		inOther[p] = true
	}
	// Blocks: runs of such paragraphs in own's order.
	var blocks [][]string
	var run []string
	for _, p := range append(own.paras, "") {
		if p != "" && !inBase[p] && inOther[p] {
			run = append(run, p)
			continue
		}
		if len(run) > 0 {
			blocks = append(blocks, run)
			run = nil
		}
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
