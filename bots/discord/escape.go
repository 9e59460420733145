package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Page text (titles, snippets and sources of indexed pages) and
// questions come from strangers, and Discord renders markdown and
// mentions in message content and in embeds. Everything we did not
// write ourselves is made inert here: invisible characters removed,
// markdown characters backslash-escaped, mentions broken with a
// zero-width space. The one exception is the **word** mark the search
// engine puts around matches, which is re-applied as bold after
// escaping, and only around plain words.

// zwsp breaks "@everyone" and "<@123>" so that neither renders nor
// pings; page text cannot bring its own, since clean strips them.
const zwsp = "\u200b"

// invisible reports the runes stripped from outside text: zero-width
// characters and bidi controls (which can hide text or make a line read
// differently from what it holds), the word joiner, soft hyphen and
// byte order mark, and control characters.
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space, (non-)joiner, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r == 0xFEFF, r == 0x00AD, r == 0x061C, r == 0x180E:
		return true
	}
	return unicode.IsControl(r)
}

// clean turns outside text into one line of visible characters: invalid
// UTF-8 replaced, invisible runes dropped, white space folded.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if invisible(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s to at most n runes, at a rune boundary.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// atom is an indivisible piece of rendered text: one character, an
// escape sequence ("\*"), a broken mention ("@" + zwsp) or a whole bold
// group ("**word**"). Truncation cuts between atoms only, so it never
// splits a rune, an escape or a bold pair.
type atom struct {
	s    string
	n    int    // length in code points, as Discord counts
	bold string // the word inside a bold group, "" otherwise
}

// text is rendered text as atoms.
type text []atom

func (t text) add(s string) text {
	return append(t, atom{s: s, n: utf8.RuneCountInString(s)})
}

func (t text) len() int {
	n := 0
	for _, a := range t {
		n += a.n
	}
	return n
}

func (t text) String() string {
	var b strings.Builder
	for _, a := range t {
		b.WriteString(a.s)
	}
	return b.String()
}

// ellipsis marks text that was cut.
const ellipsis = "…"

// fit renders t in at most limit code points, cutting between atoms and
// marking the cut with an ellipsis.
func (t text) fit(limit int) string {
	if t.len() <= limit {
		return t.String()
	}
	var b strings.Builder
	n := 0
	for _, a := range t {
		if n+a.n+1 > limit {
			break
		}
		b.WriteString(a.s)
		n += a.n
	}
	if n+1 > limit {
		return ""
	}
	return strings.TrimRight(b.String(), " ") + ellipsis
}

// special are the characters Discord's markdown gives a meaning to:
// emphasis, strike-through, code, spoilers, quotes, headings, lists,
// masked links, and "<" for mentions, channels, roles, commands,
// custom emoji and timestamps. The backslash itself comes first.
const special = "\\*_~`|>#-[]<"

// appendEscaped appends s, which must be clean, as inert atoms.
// lineStart says s begins a line, where "12. " would start a list.
func appendEscaped(t text, s string, lineStart bool) text {
	return appendEscapedAfter(t, s, lineStart, false)
}

// appendEscapedAfter is appendEscaped for s continuing a line start
// that already holds digits when seenDigit is set.
func appendEscapedAfter(t text, s string, lineStart, seenDigit bool) text {
	digits := lineStart
	for _, r := range s {
		switch {
		case strings.ContainsRune(special, r):
			t = t.add(`\` + string(r))
		case r == '@':
			t = t.add("@" + zwsp)
		case digits && seenDigit && r == '.':
			t = t.add(`\.`)
		default:
			t = t.add(string(r))
		}
		isDigit := r >= '0' && r <= '9'
		digits = digits && isDigit
		seenDigit = seenDigit || isDigit
	}
	return t
}

// inert renders outside text with nothing left for Discord to
// interpret, for a field of limit code points; lineStart as for
// appendEscaped.
func inert(s string, lineStart bool, limit int) text {
	return appendEscaped(nil, clean(bound(s, limit)), lineStart)
}

// bound cuts outside text that could never fit in a field of limit code
// points before any work is done on it: every kept rune costs at least
// one code point, so twice the limit leaves room for what cleaning and
// dropped marks remove. A page of a megabyte then costs no more than a
// page of a few kilobytes.
func bound(s string, limit int) string {
	if n := 2*limit + 16; len(s) > n {
		if c := clip(s, n); len(c) < len(s) {
			return c + " " + ellipsis
		}
	}
	return s
}

// appendMarked is appendEscaped for a snippet whose matches are marked
// **word**: the marks become bold again when the word inside is plain.
// An unmatched "**" is escaped as text. limit is as for inert.
func appendMarked(t text, s string, lineStart bool, limit int) text {
	s = clean(bound(s, limit))
	parts := strings.Split(s, "**")
	if len(parts)%2 == 0 {
		n := len(parts)
		parts = append(parts[:n-2], parts[n-2]+"**"+parts[n-1])
	}
	start := len(t)
	var bold strings.Builder // bold groups back to back, joined into one
	flush := func() {
		if bold.Len() > 0 {
			w := bold.String()
			t = append(t, atom{s: "**" + w + "**", n: utf8.RuneCountInString(w) + 4, bold: w})
			bold.Reset()
		}
	}
	for i, p := range parts {
		switch {
		case i%2 == 1 && boldable(p):
			// "**a****b**" does not parse as two bold groups; one it is.
			bold.WriteString(p)
		case p == "":
		default:
			flush()
			// The line's leading digits may run across parts: "0**. **"
			// must still escape the dot after "0".
			lead := lineStart && leadingDigits(t[start:])
			t = appendEscapedAfter(t, p, lead, lead && len(t) > start)
		}
	}
	flush()
	return t
}

// leadingDigits reports whether t holds nothing but ASCII digits, so
// that text appended to it still continues the start of a line.
func leadingDigits(t text) bool {
	for _, a := range t {
		if len(a.s) != 1 || a.s[0] < '0' || a.s[0] > '9' {
			return false
		}
	}
	return true
}

// boldable reports whether w can sit between ** marks without help:
// words, digits, inner spaces and a few harmless punctuation marks.
// Anything else is shown escaped and not bold, which is the safe side.
func boldable(w string) bool {
	if w == "" || w[0] == ' ' || w[len(w)-1] == ' ' {
		return false
	}
	for _, r := range w {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		case r == ' ', r == '\'', r == '’', r == ',', r == '.':
		default:
			return false
		}
	}
	return true
}
