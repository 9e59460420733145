package indexer

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// blockTags end a paragraph: the text of every block element, heading
// and list item becomes a paragraph of its own, so a document keeps the
// structure search snippets and passages are cut from.
var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true, "li": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"pre": true, "td": true, "th": true, "dd": true, "dt": true, "figcaption": true,
	"tr": true, "ul": true, "ol": true, "dl": true, "table": true, "br": true, "hr": true,
	"figure": true, "address": true, "header": true, "footer": true, "aside": true, "nav": true,
	"details": true, "summary": true, "caption": true, "center": true, "form": true, "fieldset": true,
	"head": true, "body": true, "html": true, "title": true,
}

// skipTags never hold readable text.
var skipTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"math": true, "canvas": true, "iframe": true, "object": true, "select": true,
	"textarea": true, "button": true, "head": true,
}

// paragraphs walks the trees and returns their text as paragraphs, one
// per block element, with runs of white space folded. Boilerplate lines
// are left out, and so is a short line (a heading, a label) that repeats
// the one before it, as responsive layouts print them twice; a long
// paragraph that comes twice is what the page says twice.
func paragraphs(nodes []*html.Node) []string {
	paras, _ := paragraphsAndKinds(nodes)
	return paras
}

// headingTags are the elements whose paragraph is a heading.
var headingTags = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// paraKind says what a paragraph is beyond its text: the text of a
// heading element (h1–h6), or mostly link text (a teaser, a "related"
// list, a menu item).
type paraKind struct{ heading, links bool }

// paragraphsAndKinds is paragraphs, with what each paragraph is.
func paragraphsAndKinds(nodes []*html.Node) ([]string, map[string]paraKind) {
	var out []string
	kinds := map[string]paraKind{}
	var cur strings.Builder
	linkText, inLink := 0, 0
	flush := func(heading bool) {
		if t := clean(cur.String()); t != "" && !isBoilerplate(t) {
			if len(out) == 0 || out[len(out)-1] != t || len(t) >= 100 {
				out = append(out, t)
			}
			k := kinds[t]
			k.heading = k.heading || heading
			k.links = k.links || 2*linkText > len(strings.TrimSpace(cur.String()))
			kinds[t] = k
		}
		cur.Reset()
		linkText = 0
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			if inLink > 0 {
				linkText += len(strings.TrimSpace(n.Data))
			}
			return
		case html.ElementNode:
			if skipTags[n.Data] {
				return
			}
			if blockTags[n.Data] {
				flush(false)
				defer flush(headingTags[n.Data])
			}
			if n.Data == "a" && hasAttr(n, "href") {
				inLink++
				defer func() { inLink-- }()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush(false)
	return out, kinds
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// boilerPhrases are sentences CMSes add to content areas; a paragraph that
// is nothing but one of them is dropped.
var boilerPhrases = []string{
	"dit e-mailadres wordt beveiligd tegen spambots",
	"javascript dient ingeschakeld te zijn",
	"deel dit artikel",
	"deel deze pagina",
	"reageer op dit artikel",
	"plaats een reactie",
	"plaats reactie",
	"terug naar overzicht",
	"lees verder",
	"lees meer",
	"verplicht veld",
	"lees het hele artikel in",
	"cookies accepteren",
	"alleen noodzakelijke cookies",
	"wij gebruiken cookies",
	"deze website gebruikt cookies",
	"schrijf je in voor de nieuwsbrief",
	"meld je aan voor de nieuwsbrief",
	"aanmelden nieuwsbrief",
	"print deze pagina",
}

// creditRe matches photo credits and captions' bylines.
var creditRe = regexp.MustCompile(`(?i)^(foto|beeld|illustratie|afbeelding|bron foto)\s*:`)

// readTimeRe matches "Leestijd: 3 minuten" lines of magazine platforms.
var readTimeRe = regexp.MustCompile(`(?i)^leestijd:?\s*\d+\s*(min|minuten|minuut)\.?$`)

// infoLine matches the article-info lines Dutch CMSes print above or
// below the text ("Geschreven door …", "Gepubliceerd: 8 juni 2023",
// "Thema: …"); what they say is read into the metadata.
var infoLine = regexp.MustCompile(`(?i)^((geschreven|gepost|geplaatst) door\s|(gepubliceerd|geplaatst|laatst gewijzigd|laatst bijgewerkt|bijgewerkt)( op)?\s*:?\s*(\d|[a-z]+dag\b)|(thema|thema's|tags|trefwoorden|categorie|categorieën)\s*:)`)

// cookieNotice matches the sentence of a cookie banner.
var cookieNotice = regexp.MustCompile(`(?i)\bcookies?\b.*\b(gebruik|plaats|toestemming|accepte|akkoord|use|consent|accept)`)

// infoLabels are the labels of article-info blocks that stand on a line
// of their own (Joomla's "Details").
var infoLabels = map[string]bool{"details": true, "artikelinformatie": true, "delen": true, "deel": true, "share": true}

func isBoilerplate(t string) bool {
	if infoLabels[strings.ToLower(strings.TrimSuffix(t, ":"))] {
		return true
	}
	if creditRe.MatchString(t) && len(t) < 120 {
		return true
	}
	if cookieNotice.MatchString(t) && len(t) < 400 {
		return true
	}
	if readTimeRe.MatchString(t) || (infoLine.MatchString(t) && len(t) < 200) {
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

// wordCounts is the bag of lower-cased words of some paragraphs, used to
// compare what two extractors found.
func wordCounts(paras []string) (map[string]int, int) {
	bag := map[string]int{}
	n := 0
	for _, p := range paras {
		for _, w := range strings.FieldsFunc(strings.ToLower(p), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			bag[w]++
			n++
		}
	}
	return bag, n
}

// agreement is the F1 overlap of two word bags: 1 when two extractors
// found the same words, 0 when they share none.
func agreement(a map[string]int, na int, b map[string]int, nb int) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	common := 0
	for w, n := range a {
		common += min(n, b[w])
	}
	return 2 * float64(common) / float64(na+nb)
}

// containment is the share of the words of a that b also has.
func containment(a map[string]int, na int, b map[string]int) float64 {
	if na == 0 {
		return 0
	}
	common := 0
	for w, n := range a {
		common += min(n, b[w])
	}
	return float64(common) / float64(na)
}

// isByline reports whether a paragraph is the article's byline: a short
// line with the author's name that starts like a byline ("Door …",
// "Tekst: …") or carries the date ("26 november 2021 · Tekst: …").
func isByline(p, author string) bool {
	if author == "" || len(p) > 150 || !strings.Contains(p, author) {
		return false
	}
	if authorPrefix.MatchString(p) {
		return true
	}
	_, dated := ParseDutchDate(p)
	return dated
}
