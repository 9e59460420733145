package corpora

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A sentence is the unit passages are packed from: a piece of text that
// keeps the heading it stood under, so a passage can be titled by where
// it starts.
type sentence struct {
	text    string
	words   int
	heading string
}

// maxSentenceWords is where an overlong "sentence" (a law's enumeration
// joined by semicolons, a table flattened into one line) is cut, so that
// one sentence alone never overflows a passage.
const maxSentenceWords = 120

// splitSentences cuts text into sentences at '.', '!' or '?' followed by
// white space or by an upper-case letter ("real time.Bij incidenten" is
// how some dekamer answers lost their spaces), and at line breaks.
func splitSentences(text, heading string, out []sentence) []sentence {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		start := 0
		for i, r := range line {
			if r != '.' && r != '!' && r != '?' {
				continue
			}
			next, _ := utf8.DecodeRuneInString(line[i+1:])
			if i+1 < len(line) && !unicode.IsSpace(next) && !unicode.IsUpper(next) {
				continue
			}
			out = appendSentence(out, line[start:i+1], heading)
			start = i + 1
		}
		out = appendSentence(out, line[start:], heading)
	}
	return out
}

func appendSentence(out []sentence, s, heading string) []sentence {
	words := strings.Fields(s)
	for len(words) > 0 {
		n := min(len(words), maxSentenceWords)
		out = append(out, sentence{text: strings.Join(words[:n], " "), words: n, heading: heading})
		words = words[n:]
	}
	return out
}

var (
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdHeading  = regexp.MustCompile(`^#+\s*`)
	mdEmphasis = strings.NewReplacer("**", "", "*", "", "__", "", "\u00a0", " ")
)

// lawSentences reads one law in Markdown: the first heading is the
// law's title, "### Artikel 1.1" headings name the article every
// following sentence belongs to.
func lawSentences(md string) (title string, out []sentence) {
	heading := ""
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "<") {
			continue
		}
		line = mdEmphasis.Replace(mdLink.ReplaceAllString(line, "$1"))
		if strings.HasPrefix(line, "#") {
			h := strings.Join(strings.Fields(mdHeading.ReplaceAllString(line, "")), " ")
			if title == "" {
				title = h
			} else {
				heading = h
			}
			continue
		}
		out = splitSentences(line, heading, out)
	}
	return title, out
}

// passage bounds, in words.
const (
	MinWords = 50
	MaxWords = 300
)

// window packs sentences into passages of MinWords–MaxWords words. Each
// passage aims at a length drawn from target; the first skip sentences
// are left out, which moves every boundary of the document. A remainder
// shorter than MinWords joins the previous passage when it fits, and is
// dropped otherwise.
func window(sents []sentence, skip int, target func() int) [][]sentence {
	var out [][]sentence
	var cur []sentence
	words, want := 0, target()
	for _, s := range sents[min(skip, len(sents)):] {
		if words > 0 && words+s.words > MaxWords {
			if words >= MinWords {
				out = append(out, cur)
			}
			cur, words, want = nil, 0, target()
		}
		cur = append(cur, s)
		words += s.words
		if words >= want {
			out = append(out, cur)
			cur, words, want = nil, 0, target()
		}
	}
	if words >= MinWords {
		out = append(out, cur)
	} else if words > 0 && len(out) > 0 && countWords(out[len(out)-1])+words <= MaxWords {
		out[len(out)-1] = append(out[len(out)-1], cur...)
	}
	return out
}

func countWords(ss []sentence) int {
	n := 0
	for _, s := range ss {
		n += s.words
	}
	return n
}

func joinSentences(ss []sentence) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.text)
	}
	return b.String()
}
