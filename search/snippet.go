package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/watwerkt/watwerkt/corpus"
)

// MaxSnippetRunes is the longest snippet, without its ** markers.
const MaxSnippetRunes = 300

// snippet picks the paragraph that covers most of the query's terms and
// cuts a window of at most MaxSnippetRunes around its matches, never
// inside a word, with each matched word marked as **word**.
func (e *Engine) snippet(terms map[string]bool, intro, body string) string {
	paras := corpus.SplitParagraphs(body)
	if intro != "" {
		paras = append([]string{intro}, paras...)
	}
	if len(paras) == 0 {
		return ""
	}
	frags := make([]fragment, len(paras))
	for i, p := range paras {
		// A literal asterisk would be read as a marker by the renderers.
		p = strings.ReplaceAll(p, "*", "")
		spans, distinct := e.matchSpans(p, terms)
		f := fragment{text: p, spans: spans}
		for t := range distinct {
			f.terms = append(f.terms, t)
		}
		frags[i] = f
	}
	return bestFragments(frags)
}

// fragment is a paragraph with the byte ranges of its matches and the
// distinct terms they match.
type fragment struct {
	text  string
	spans [][2]int
	terms []string // distinct
}

func (f fragment) score() int { return len(f.terms)*10 + min(len(f.spans), 9) }

// Room for a second fragment: the first gets at most this many runes
// when a second one is added.
const firstFragmentRunes = 170

// bestFragments picks the paragraph that covers most of the question's
// terms; when another paragraph holds terms the first lacks, a window
// of it follows (in document order), so the snippet shows why the
// document matched the whole question — two fragments, together at most
// MaxSnippetRunes.
func bestFragments(frags []fragment) string {
	best := -1
	for i, f := range frags {
		if best < 0 || f.score() > frags[best].score() {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	second, secondScore := -1, 0
	for i, f := range frags {
		if i == best {
			continue
		}
		extra := 0
		for _, t := range f.terms {
			if !slices.Contains(frags[best].terms, t) {
				extra++
			}
		}
		if sc := extra*10 + min(len(f.spans), 9); extra > 0 && sc > secondScore {
			second, secondScore = i, sc
		}
	}
	if second < 0 {
		return window(frags[best].text, frags[best].spans, MaxSnippetRunes)
	}
	a, b := best, second
	first := window(frags[a].text, frags[a].spans, firstFragmentRunes)
	room := MaxSnippetRunes - unmarkedRunes(first) - 3 // " … "
	if room < 60 {
		return window(frags[best].text, frags[best].spans, MaxSnippetRunes)
	}
	next := window(frags[b].text, frags[b].spans, room)
	if b < a {
		first, next = next, first
	}
	return strings.TrimSuffix(first, "…") + " … " + strings.TrimPrefix(next, "…")
}

// unmarkedRunes counts the runes of a snippet without its ** markers.
func unmarkedRunes(s string) int {
	return utf8.RuneCountInString(strings.ReplaceAll(s, "**", ""))
}

// matchSpans finds the words of text whose stem is one of terms and
// returns their byte ranges and the number of distinct terms matched.
// Running the analyzer over whole documents is what made snippets slow,
// so words are found with a plain scan and only words that start with a
// query stem (a stem is a prefix of the folded word it comes from) are
// analysed, one at a time, to confirm.
func (e *Engine) matchSpans(text string, terms map[string]bool) ([][2]int, map[string]bool) {
	var spans [][2]int
	distinct := map[string]bool{}
	start := -1
	// Most words can be ruled out by their first letter alone; the
	// others are compared with the terms of their first letter, from
	// slices (a long question has 200 terms, and ranging over a map per
	// word was most of the snippet time).
	var first [256]bool
	var byFirst [256][]string
	all := make([]string, 0, len(terms))
	for t := range terms {
		if t != "" {
			first[t[0]] = true
			byFirst[t[0]] = append(byFirst[t[0]], t)
			all = append(all, t)
		}
	}
	compounds := e.analyzerName == compoundAnalyzerName
	check := func(end int) {
		w := text[start:end]
		long := compounds && len(w) >= minCompoundLen
		if c := text[start]; c < 0x80 && !long {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if !first[c] {
				return
			}
		}
		lw := foldLower(w)
		if terms[lw] { // the word is its own stem
			spans = append(spans, [2]int{start, end})
			distinct[lw] = true
			return
		}
		// A word can match when it starts with a query stem, or, for a
		// compound, contains one (its second part).
		candidate := false
		if long {
			for _, t := range all {
				if strings.Contains(lw, t) {
					candidate = true
					break
				}
			}
		} else if lw != "" {
			for _, t := range byFirst[lw[0]] {
				if strings.HasPrefix(lw, t) {
					candidate = true
					break
				}
			}
		}
		if !candidate {
			return
		}
		if e.analyzerName == dutchAnalyzerName || compounds {
			if st := stemWord(strings.ToLower(w)); terms[st] {
				spans = append(spans, [2]int{start, end})
				distinct[st] = true
				return
			}
			if !long {
				return
			}
		}
		// Other analyzers, and compounds whose parts may match.
		for _, tok := range e.analyze(w) {
			if terms[string(tok.Term)] {
				spans = append(spans, [2]int{start, end})
				distinct[string(tok.Term)] = true
				break
			}
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '’') && start >= 0) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			check(i)
			start = -1
		}
	}
	if start >= 0 {
		check(len(text))
	}
	return spans, distinct
}

// foldLower lower-cases and removes the diacritics the Dutch stemmer
// folds (ë → e, é → e, …), so stems can be found as substrings.
func foldLower(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ä', 'á', 'à', 'â', 'Ä', 'Á', 'À', 'Â':
			return 'a'
		case 'ë', 'é', 'è', 'ê', 'Ë', 'É', 'È', 'Ê':
			return 'e'
		case 'ï', 'í', 'ì', 'î', 'Ï', 'Í', 'Ì', 'Î':
			return 'i'
		case 'ö', 'ó', 'ò', 'ô', 'Ö', 'Ó', 'Ò', 'Ô':
			return 'o'
		case 'ü', 'ú', 'ù', 'û', 'Ü', 'Ú', 'Ù', 'Û':
			return 'u'
		}
		return unicode.ToLower(r)
	}, s)
}

// window cuts text to at most max runes around the densest run of spans
// (byte ranges of matches, in order) and marks the spans inside it.
func window(text string, spans [][2]int, max int) string {
	start, end := 0, len(text)
	if moreRunes(text, max) {
		// Try a window starting a little before each match; keep the one
		// holding the most matches.
		// The windows start in text order, so the end of each (max-2
		// runes on, room for the two ellipses) moves on from the last
		// one's by as many runes as its start did: the text is counted
		// once, not once per window.
		best, last, raw := -1, -1, 0
		from := 0 // spans[from:] start at or after s
		for _, sp := range spans {
			s := wordStart(text, backRunes(text, sp[0], 40))
			if s == last {
				continue // the same window again
			}
			for from < len(spans) && spans[from][0] < s {
				from++
			}
			if len(spans)-from <= best {
				break // no later window can hold more
			}
			if last < 0 {
				raw = advanceRunes(text, s, max-2)
			} else {
				raw = advanceRunes(text, raw, countRunes(text[last:s]))
			}
			last = s
			e := wordEnd(text, s, raw)
			n := 0
			for _, o := range spans {
				if o[0] >= s && o[1] <= e {
					n++
				}
			}
			if n > best {
				best, start, end = n, s, e
			}
			if best == len(spans) {
				break // no window holds more
			}
		}
		if best < 0 {
			end = cutRunes(text, 0, max-1)
		}
	}
	var b strings.Builder
	b.Grow(end - start + 4*len(spans) + 2*len("…"))
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, sp := range spans {
		if sp[0] < pos || sp[1] > end {
			continue
		}
		b.WriteString(text[pos:sp[0]])
		b.WriteString("**")
		b.WriteString(text[sp[0]:sp[1]])
		b.WriteString("**")
		pos = sp[1]
	}
	b.WriteString(text[pos:end])
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

// backRunes moves back n runes from byte offset i.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		if n >= 8 && i >= 8 && ascii8(s, i-8) {
			i, n = i-8, n-7 // the loop takes the eighth
			continue
		}
		if s[i-1] < utf8.RuneSelf {
			i--
			continue
		}
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// moreRunes reports whether s has more than n runes, without counting
// the runes of a long text to its end.
func moreRunes(s string, n int) bool {
	if len(s) <= n {
		return false // every rune takes at least a byte
	}
	if len(s) > 4*n {
		return true // and at most four
	}
	return advanceRunes(s, 0, n) < len(s)
}

// wordStart moves i forward to the start of a word, unless it is at one.
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	if unicode.IsSpace(prev) {
		return i
	}
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			return i
		}
	}
	return i
}

// cutRunes returns the byte offset of the end of a window of at most n
// runes from start, pulled back to the end of a word.
func cutRunes(s string, start, n int) int {
	return wordEnd(s, start, advanceRunes(s, start, n))
}

// advanceRunes moves n runes on from byte offset i (at most to the end).
func advanceRunes(s string, i, n int) int {
	for i < len(s) && n > 0 {
		if n >= 8 && ascii8(s, i) {
			i, n = i+8, n-8
			continue
		}
		i += runeLen(s, i)
		n--
	}
	return i
}

// runeLen is the length in bytes of the rune at s[i] (1 for a byte
// that starts no valid rune, as utf8 counts it).
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return size
}

// countRunes is utf8.RuneCountInString, eight bytes at a time where
// they are ASCII.
func countRunes(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if ascii8(s, i) {
			i, n = i+8, n+8
			continue
		}
		i += runeLen(s, i)
		n++
	}
	return n
}

// ascii8 reports whether s[i:i+8] exists and is ASCII.
func ascii8(s string, i int) bool {
	if i+8 > len(s) {
		return false
	}
	// One 8-byte load (the compiler merges the shifts).
	s = s[i : i+8]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	return w&0x8080808080808080 == 0
}

// wordEnd pulls the end i of a window that starts at start back to the
// end of a word.
func wordEnd(s string, start, i int) int {
	if i >= len(s) {
		return len(s)
	}
	// Inside a word: go back to the last space.
	if r, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) {
		if j := strings.LastIndexFunc(s[start:i], unicode.IsSpace); j > 0 {
			i = start + j
		}
	}
	return i
}

// snippetFromLocations builds the snippet from the term locations bleve
// recorded while matching (byte offsets into the stored intro and body),
// so no text has to be analysed again. It picks the paragraph with the
// most distinct matched terms, then the window around them.
func snippetFromLocations(locs search.FieldTermLocationMap, intro, body string) (string, bool) {
	if len(locs[fBody]) == 0 && len(locs[fIntro]) == 0 {
		return "", false
	}
	type span struct {
		start, end int
		term       string
	}
	collect := func(field string, text string) []span {
		n := 0
		for _, ls := range locs[field] {
			n += len(ls)
		}
		out := make([]span, 0, n)
		for term, ls := range locs[field] {
			for _, l := range ls {
				if int(l.End) <= len(text) && l.Start < l.End {
					out = append(out, span{int(l.Start), int(l.End), term})
				}
			}
		}
		slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
		return out
	}
	// Candidate paragraphs: the intro, and the body's blank-line-separated
	// paragraphs, each with its offset.
	type para struct {
		text   string
		spans  []span
		offset int
	}
	var paras []para
	if intro != "" {
		paras = append(paras, para{text: intro, spans: collect(fIntro, intro)})
	}
	// The body's spans, sorted by start, are cut into runs per
	// paragraph and moved to the paragraph's offsets in place (a span
	// belongs to one paragraph at most).
	bodySpans := collect(fBody, body)
	off, next := 0, 0
	for rest := body; ; {
		p, after, more := strings.Cut(rest, "\n\n")
		for next < len(bodySpans) && bodySpans[next].start < off {
			next++ // across a paragraph break
		}
		first := next
		mine := bodySpans[first:first]
		for next < len(bodySpans) && bodySpans[next].start < off+len(p) {
			if s := bodySpans[next]; s.end <= off+len(p) {
				mine = append(mine, span{s.start - off, s.end - off, s.term})
			}
			next++
		}
		if strings.TrimSpace(p) != "" {
			paras = append(paras, para{text: p, spans: mine, offset: off})
		}
		if !more {
			break
		}
		off += len(p) + 2
		rest = after
	}
	frags := make([]fragment, 0, len(paras))
	for _, p := range paras {
		// Leading and trailing white space would shift the offsets: trim
		// by hand and move the spans with it.
		lead := len(p.text) - len(strings.TrimLeft(p.text, " \t\n"))
		text := strings.TrimSpace(p.text)
		var f fragment
		for _, s := range p.spans {
			if s.start-lead >= 0 && s.end-lead <= len(text) {
				if f.spans == nil {
					f.spans = make([][2]int, 0, len(p.spans))
				}
				f.spans = append(f.spans, [2]int{s.start - lead, s.end - lead})
				if !slices.Contains(f.terms, s.term) {
					f.terms = append(f.terms, s.term)
				}
			}
		}
		// A literal asterisk would be read as a marker by the renderers;
		// a space keeps the offsets.
		f.text = strings.ReplaceAll(text, "*", " ")
		frags = append(frags, f)
	}
	if len(frags) == 0 {
		return "", false
	}
	return bestFragments(frags), true
}
