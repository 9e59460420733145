package telegram

import (
	"net/url"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/watwerkt/watwerkt/bots"
)

// Answers are sent in Telegram's HTML parse mode, never MarkdownV2 (the
// SDK's MarkdownV2 escaping misses '\'). Only <b> and <a href> are used.
// All lengths are measured on the plain text before escaping, which is
// what Telegram counts: "&amp;" is one character and tags are none.
//
//	<b>Dit vond ik over „wachtlijst” (7 resultaten):</b>
//
//	<b>1.</b> <a href="https://…">Wachtlijst overbruggen</a>
//	Academische Werkplaats Jeugd · 26 november 2021
//	Gezinnen op de <b>wachtlijst</b> krijgen …
//
// The footer of bots.Answer ('Typ "meer" …') is left out while there are
// more results, because the "Meer ▶" button says the same; the last page
// keeps its "Dit waren alle resultaten.".

// maxText is Telegram's limit on a message text, in UTF-16 code units
// after entity parsing.
const maxText = 4096

// Budgets for the parts of an answer, in UTF-16 code units; what is left
// of maxText goes to the snippets.
const (
	maxHeader  = 600
	maxTitle   = 300
	maxMeta    = 160
	maxFooter  = 300
	minSnippet = 60 // a result whose snippet must be cut shorter than this is dropped instead
	maxURL     = 2048
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// escape makes text inert in Telegram's HTML: every character that could
// start a tag or an entity, or end an attribute, becomes an entity.
func escape(s string) string { return htmlEscaper.Replace(s) }

// span is a run of snippet text, bold when the search marked it a match.
type span struct {
	text string
	bold bool
}

// parseMarks splits a snippet into runs; "**word**" marks a match, and an
// unmatched "**" stays as it is.
func parseMarks(s string) []span {
	parts := strings.Split(s, "**")
	var (
		out  []span
		run  strings.Builder
		bold bool
	)
	add := func(text string, b bool) {
		if text == "" {
			return
		}
		if b != bold && run.Len() > 0 {
			out = append(out, span{text: run.String(), bold: bold})
			run.Reset()
		}
		bold = b
		run.WriteString(text)
	}
	for i, p := range parts {
		if i == len(parts)-1 && len(parts)%2 == 0 {
			add("**"+p, false) // the last marker has no partner
			break
		}
		add(p, i%2 == 1)
	}
	if run.Len() > 0 {
		out = append(out, span{text: run.String(), bold: bold})
	}
	return out
}

func appendSpan(out []span, s span) []span {
	if s.text == "" {
		return out
	}
	if n := len(out); n > 0 && out[n-1].bold == s.bold {
		out[n-1].text += s.text
		return out
	}
	return append(out, s)
}

func spansLen(spans []span) int {
	n := 0
	for _, s := range spans {
		n += utf16Len(s.text)
	}
	return n
}

// cutSpans shortens runs to at most max UTF-16 units, like cut.
func cutSpans(spans []span, max int) []span {
	if spansLen(spans) <= max {
		return spans
	}
	if max < 1 {
		return nil
	}
	var plain strings.Builder
	for _, s := range spans {
		plain.WriteString(s.text)
	}
	end := cutPoint(plain.String(), max-1)
	var out []span
	pos := 0
	for _, s := range spans {
		if pos >= end {
			break
		}
		keep := min(len(s.text), end-pos)
		out = append(out, span{text: s.text[:keep], bold: s.bold})
		pos += len(s.text)
	}
	return appendSpan(out, span{text: ellipsis})
}

// queryEscaper percent-encodes what url.URL.String leaves raw in a query
// but does not belong in a URL.
var queryEscaper = strings.NewReplacer(`"`, "%22", "<", "%3C", ">", "%3E", " ", "%20", "`", "%60")

// safeURL returns the link target to use for raw, or "" when raw is not
// an absolute http or https URL. User info ("https://bank.example@evil")
// is dropped.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	u.RawQuery = queryEscaper.Replace(u.RawQuery)
	s := u.String()
	if len(s) > maxURL {
		return ""
	}
	return s
}

// item is a result prepared for layout.
type item struct {
	rank, title, href, meta string
	snippet                 []span
}

func prepare(it bots.Item, english bool) item {
	p := item{rank: strconv.Itoa(it.Rank) + ".", href: safeURL(it.URL)}
	p.title = cut(clean(it.Title), maxTitle)
	if p.title == "" {
		p.title = texts(english).untitled
	}
	meta := clean(it.Source)
	if d := clean(it.Date); d != "" {
		if meta != "" {
			meta += " · "
		}
		meta += d
	}
	p.meta = cut(meta, maxMeta)
	p.snippet = parseMarks(clean(it.Snippet))
	return p
}

// fixedLen is the length of everything but the snippets, for n items.
func fixedLen(header, footer string, items []item) int {
	n := utf16Len(header)
	for _, it := range items {
		n += 2 + utf16Len(it.rank) + 1 + utf16Len(it.title)
		if it.meta != "" {
			n += 1 + utf16Len(it.meta)
		}
		if len(it.snippet) > 0 {
			n++
		}
	}
	if footer != "" {
		n += 2 + utf16Len(footer)
	}
	return n
}

// allocate shares budget among snippets of the given lengths: short ones
// keep all they have, long ones share the rest evenly. It fails when even
// minSnippet each does not fit.
func allocate(lens []int, budget int) ([]int, bool) {
	need := 0
	for _, l := range lens {
		need += min(l, minSnippet)
	}
	if need > budget {
		return nil, false
	}
	order := make([]int, len(lens))
	for i := range order {
		order[i] = i
	}
	// Shortest first (insertion sort: at most a page of results).
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && lens[order[j]] < lens[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	alloc := make([]int, len(lens))
	left := budget
	for k, i := range order {
		alloc[i] = min(lens[i], left/(len(order)-k))
		left -= alloc[i]
	}
	return alloc, true
}

// layout renders an answer as HTML within maxText and says how many of
// its results it shows: all of them unless even short snippets do not
// fit, in which case the last results are left for the next page.
func layout(a bots.Answer) (string, int) {
	if len(a.Items) == 0 {
		msg := clean(a.Message)
		if msg == "" {
			msg = clean(a.Header)
		}
		if msg == "" {
			msg = texts(a.English).noAnswer
		}
		return escape(cut(msg, maxText)), 0
	}
	header := cut(clean(a.Header), maxHeader)
	footer := ""
	if !a.HasMore {
		footer = cut(clean(a.Footer), maxFooter)
	}
	all := make([]item, len(a.Items))
	for i, it := range a.Items {
		all[i] = prepare(it, a.English)
	}
	for n := len(all); n > 0; n-- {
		items := all[:n]
		lens := make([]int, n)
		for i, it := range items {
			lens[i] = spansLen(it.snippet)
		}
		alloc, ok := allocate(lens, maxText-fixedLen(header, footer, items))
		if !ok && n > 1 {
			continue
		}
		var b strings.Builder
		if header != "" {
			b.WriteString("<b>" + escape(header) + "</b>")
		}
		for i, it := range items {
			if i > 0 || header != "" {
				b.WriteString("\n\n")
			}
			b.WriteString("<b>" + escape(it.rank) + "</b> ")
			if it.href != "" {
				b.WriteString(`<a href="` + escape(it.href) + `">` + escape(it.title) + "</a>")
			} else {
				b.WriteString(escape(it.title))
			}
			if it.meta != "" {
				b.WriteString("\n" + escape(it.meta))
			}
			snippet := it.snippet
			if ok {
				snippet = cutSpans(snippet, alloc[i])
			} else {
				snippet = cutSpans(snippet, max(0, maxText-fixedLen(header, footer, items)))
			}
			if len(snippet) > 0 {
				b.WriteString("\n")
			}
			for _, s := range snippet {
				if s.bold {
					b.WriteString("<b>" + escape(s.text) + "</b>")
				} else {
					b.WriteString(escape(s.text))
				}
			}
		}
		if footer != "" {
			b.WriteString("\n\n" + escape(footer))
		}
		return b.String(), n
	}
	return "", 0 // not reached: the loop always returns for n == 1
}

// present lays an answer out and returns the text and the answer as
// shown: when results had to be left out, they move to the next page, so
// "Meer" continues where the message ends and 👍/👎 rate what was seen.
func present(a bots.Answer) (string, bots.Answer) {
	text, n := layout(a)
	if n < len(a.Items) {
		a.Items = a.Items[:n]
		a.NextOffset = a.Items[n-1].Rank
		a.HasMore = true
		text, _ = layout(a)
	}
	return text, a
}

// Callback data: "m:<key>" for the next page, "f:<key>:+" and
// "f:<key>:-" for feedback; at most 14 bytes, well under Telegram's 64.
const (
	dataMore     = "m:"
	dataFeedback = "f:"
)

// keyboard returns the buttons under an answer stored under key: 👍, 👎
// and, while there are more results, "Meer ▶". Answers without results
// get none.
func keyboard(a bots.Answer, key string) *tgbotapi.InlineKeyboardMarkup {
	if key == "" || len(a.Items) == 0 {
		return nil
	}
	row := tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("👍", dataFeedback+key+":+"),
		tgbotapi.NewInlineKeyboardButtonData("👎", dataFeedback+key+":-"),
	)
	if a.HasMore {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(bots.MoreLabel(a.English)+" ▶", dataMore+key))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(row)
	return &kb
}

// parseData splits callback data into its kind, session key and rating.
func parseData(data string) (kind, key string, rating int, ok bool) {
	switch {
	case strings.HasPrefix(data, dataMore):
		key = data[len(dataMore):]
		return "more", key, 0, len(key) == bots.KeyLen
	case strings.HasPrefix(data, dataFeedback):
		key, sign, found := strings.Cut(data[len(dataFeedback):], ":")
		if !found || len(key) != bots.KeyLen {
			return "", "", 0, false
		}
		switch sign {
		case "+":
			return "feedback", key, 1, true
		case "-":
			return "feedback", key, -1, true
		}
	}
	return "", "", 0, false
}
