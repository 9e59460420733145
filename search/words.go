package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// latinWords splits text written in the Latin script into words by the
// rules of Unicode word segmentation (UAX #29) that such text can meet,
// as bleve's Unicode tokenizer (blevesearch/segment) applies them: the
// same terms, byte offsets, positions and types. ok is false when the
// text holds a character outside the classes below (another script, a
// combining mark, a soft hyphen, invalid UTF-8); the caller then uses
// bleve's tokenizer. Word splitting was 7–11% of an index build, and a
// general UAX #29 state machine is slower than this one pass.
//
// The classes and rules:
//   - letters (ASCII, Latin-1 and Latin Extended-A/B, ª µ º) and digits
//     join; '_' (ExtendNumLet) joins anything in a word;
//   - between two letters, ':' '·' '.' '‘' '’' and '\” keep the word whole
//     (WB6/7: "z.b.v", "kind's");
//   - between two digits, ',' ';' '.' '‘' '’' and '\” do (WB11/12: "66,6");
//   - everything else (spaces, other punctuation, symbols) breaks and is
//     no word.
//
// A word without letters and with a digit is Numeric, any other word
// AlphaNumeric (bleve's convertType of segment.Number and Letter).
func latinWords(text []byte) (analysis.TokenStream, bool) {
	out := make(analysis.TokenStream, 0, len(text)/6+1)
	chunk := make([]analysis.Token, 0, cap(out))
	pos := 1
	i := 0
	for i < len(text) {
		c, size := wordClass(text, i)
		switch c {
		case wcUnsafe:
			return nil, false
		case wcLetter, wcDigit, wcJoin:
		default:
			i += size
			continue
		}
		start, letters, digits := i, false, false
		prev := c
		for i < len(text) {
			c, size := wordClass(text, i)
			switch c {
			case wcUnsafe:
				return nil, false
			case wcLetter:
				letters = true
			case wcDigit:
				digits = true
			case wcJoin:
			case wcMidLetter, wcMidNum, wcMidBoth:
				if i+size >= len(text) {
					goto end
				}
				next, _ := wordClass(text, i+size)
				if next == wcUnsafe {
					return nil, false
				}
				letterMid := prev == wcLetter && next == wcLetter && c != wcMidNum
				digitMid := prev == wcDigit && next == wcDigit && c != wcMidLetter
				if !letterMid && !digitMid {
					goto end
				}
			default:
				goto end
			}
			prev = c
			i += size
		}
	end:
		typ := analysis.AlphaNumeric
		if digits && !letters {
			typ = analysis.Numeric
		}
		if len(chunk) == cap(chunk) {
			chunk = make([]analysis.Token, 0, max(16, (len(text)-i)/6+1))
		}
		chunk = append(chunk, analysis.Token{Term: text[start:i:i], Start: start, End: i, Position: pos, Type: typ})
		out = append(out, &chunk[len(chunk)-1])
		pos++
	}
	return out, true
}

// Word classes of latinWords.
const (
	wcOther     = iota // breaks, no word
	wcLetter           // ALetter
	wcDigit            // Numeric
	wcJoin             // ExtendNumLet: '_'
	wcMidLetter        // MidLetter: ':' '·'
	wcMidNum           // MidNum: ',' ';'
	wcMidBoth          // MidNumLet and Single_Quote: '.' '‘' '’' '\''
	wcUnsafe           // anything latinWords does not classify
)

// asciiClass holds the class of every ASCII byte.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = wcLetter, wcLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = wcDigit
	}
	t['_'] = wcJoin
	t[':'] = wcMidLetter
	t[','], t[';'] = wcMidNum, wcMidNum
	t['.'], t['\''] = wcMidBoth, wcMidBoth
	// Newlines and other controls break like any other character.
	return t
}()

// wordClass returns the class of the character at text[i] and its size.
func wordClass(text []byte, i int) (uint8, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, size := utf8.DecodeRune(text[i:])
	switch {
	case r == utf8.RuneError && size <= 1:
		return wcUnsafe, size
	case r >= 0xC0 && r <= 0x24F:
		if r == 0xD7 || r == 0xF7 { // × ÷
			return wcOther, size
		}
		return wcLetter, size
	case r == 0xAA || r == 0xB5 || r == 0xBA: // ª µ º
		return wcLetter, size
	case r == 0xB7: // ·
		return wcMidLetter, size
	case r == 0xAD || r == 0xB2 || r == 0xB3 || r == 0xB9 || (r >= 0xBC && r <= 0xBE):
		// soft hyphen (Format: joins), superscripts and fractions
		return wcUnsafe, size
	case r >= 0x80 && r <= 0xBF:
		return wcOther, size // controls, no-break space, « » ° § € …
	case r == 0x2018 || r == 0x2019 || r == 0x2024: // ‘ ’ ․
		return wcMidBoth, size
	case r == 0x2027: // ‧
		return wcMidLetter, size
	case r >= 0x2010 && r <= 0x2029, r == 0x20AC: // dashes, quotes, bullets, …, €
		return wcOther, size
	}
	return wcUnsafe, size
}
