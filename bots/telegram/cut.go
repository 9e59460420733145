package telegram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Telegram limits a message to 4096 characters "after entities parsing",
// and counts characters in UTF-16 code units. The functions here measure
// and shorten plain text (before HTML escaping, so a tag or an entity can
// never be cut) and avoid cutting inside a grapheme cluster: a flag, an
// emoji with a skin tone or joined by ZWJ, a letter with combining marks.
// The standard library has no grapheme segmentation and go.mod has no
// module for it, so boundary covers the rules of UAX #29 that matter for
// chat text; where it is unsure it refuses to cut, which only costs a
// character or two of the budget.

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

const ellipsis = "…"

// cut shortens s to at most max UTF-16 units, ending it with "…" when it
// had to cut. It cuts at a word boundary when one is near, else at a
// grapheme cluster boundary.
func cut(s string, max int) string {
	if utf16Len(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	return s[:cutPoint(s, max-1)] + ellipsis
}

// cutPoint is the byte index at which to cut s so that s[:i] takes at
// most max UTF-16 units, with trailing spaces and separators trimmed.
func cutPoint(s string, max int) int {
	end, units, ri := 0, 0, 0 // ri: regional indicators just before i
	for i, r := range s {
		if units > max {
			break
		}
		if boundary(s, i, ri) {
			end = i
		}
		units += utf16Units(r)
		if isRegional(r) {
			ri++
		} else {
			ri = 0
		}
	}
	if units <= max {
		end = len(s)
	}
	// Prefer the end of a word when that keeps most of the allowance.
	if end < len(s) && !startsWithSpace(s[end:]) {
		if sp := strings.LastIndexFunc(s[:end], unicode.IsSpace); sp > 0 && utf16Len(s[:sp]) >= max*3/5 {
			end = sp
		}
	}
	return len(strings.TrimRightFunc(s[:end], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
	}))
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// boundary reports whether a grapheme cluster may end at byte index i
// of s, which follows ri regional indicators.
func boundary(s string, i, ri int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i:])
	switch {
	case isExtend(next) || next == zwj:
		return false // GB9, GB9a: marks, modifiers, selectors and ZWJ stay with what they follow
	case prev == zwj:
		return false // GB11, conservatively for every character after a ZWJ
	case isRegional(prev) && isRegional(next):
		return ri%2 == 0 // GB12/13: regional indicators pair up into flags
	case isHangulL(prev) && (isHangulL(next) || isHangulV(next) || isHangulSyllable(next)):
		return false // GB6
	case isHangulV(next) || isHangulT(next):
		return false // GB7, GB8 (and a V or T after anything, conservatively)
	}
	return true
}

const zwj = '\u200d'

// isExtend reports the characters that never start a grapheme cluster.
func isExtend(r rune) bool {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin tone modifiers
		return true
	case r >= 0xE0020 && r <= 0xE007F: // tags, as in the flags of England, Scotland, Wales
		return true
	}
	return false
}

func isRegional(r rune) bool       { return r >= 0x1F1E6 && r <= 0x1F1FF }
func isHangulL(r rune) bool        { return (r >= 0x1100 && r <= 0x115F) || (r >= 0xA960 && r <= 0xA97C) }
func isHangulV(r rune) bool        { return (r >= 0x1160 && r <= 0x11A7) || (r >= 0xD7B0 && r <= 0xD7C6) }
func isHangulT(r rune) bool        { return (r >= 0x11A8 && r <= 0x11FF) || (r >= 0xD7CB && r <= 0xD7FB) }
func isHangulSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// clean makes text from a web page safe to show on one line: valid
// UTF-8, no control characters (Telegram rejects some), no bidirectional
// overrides (which could make a title read differently from what it is),
// and white space folded.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
