package search

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/registry"
)

// Decompounding. Dutch writes compounds as one word: a question about
// "hulpverleners" should find "jeugdhulpverleners", and one about
// "bestaanszekerheid" the text that says "zeker van bestaan". The
// splitter here follows the frequency method of Koehn and Knight (2003):
// a word is split into two known words (with an optional linking s, e or
// en between them) when the parts are, on average, more frequent in the
// corpus than the whole word. The known words and their frequencies come
// from the corpus being indexed plus a curated list of the field's word
// parts, and are stored in the index mapping, so queries are split with
// the same dictionary. Unlike bleve's dict_compound filter, which emits
// every dictionary substring, it adds at most two parts per word.

const (
	compoundFilterType = "watwerkt_decompound"
	minCompoundLen     = 8 // shorter words are not split
	minPartLen         = 4 // nor into parts shorter than this
	maxVocabulary      = 60000
)

// fieldParts are word parts of the youth-care field that must split
// even in a small corpus; each counts as if seen this often.
var fieldParts = map[string]int{
	"jeugd": 500, "hulp": 500, "zorg": 500, "gezin": 500, "gezins": 0, "ouder": 500, "ouders": 500,
	"kind": 500, "kinder": 0, "wijk": 300, "team": 300, "plan": 300, "werk": 300, "school": 300,
	"onderwijs": 300, "verlener": 200, "verleners": 200, "hulpverlener": 300, "hulpverleners": 300,
	"professional": 200, "professionals": 200, "regie": 200, "plaatsing": 200, "lijst": 200,
	"wacht": 200, "mentor": 200, "netwerk": 200, "beperking": 200, "problematiek": 200,
	"participatie": 200, "arrangement": 200, "deskundige": 200, "deskundigen": 200,
	"ervaring": 200, "ervarings": 0, "opvoed": 0, "opvoeding": 200, "preventie": 200,
	"zekerheid": 200, "bestaan": 200, "schuld": 200, "schulden": 200, "armoede": 200,
	"gedrag": 200, "scheiding": 200, "casus": 200, "overleg": 200, "aanpak": 200,
}

// Vocabulary counts the words of a corpus for the compound splitter.
type Vocabulary struct {
	counts map[string]int
	bytes  int // of the texts added
}

// NewVocabulary returns an empty vocabulary.
func NewVocabulary() *Vocabulary { return &Vocabulary{counts: map[string]int{}} }

// Add counts the words of a text.
func (v *Vocabulary) Add(text string) {
	v.bytes += len(text)
	start := -1
	lower := strings.ToLower(text)
	for i := 0; i <= len(lower); i++ {
		if i < len(lower) && lower[i] >= 'a' && lower[i] <= 'z' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if i-start >= minPartLen {
				v.counts[lower[start:i]]++
			}
			start = -1
		}
	}
}

// encode keeps the words seen at least twice (and all field parts), the
// most frequent first, as "word:count word:count …" for the mapping.
func (v *Vocabulary) encode() string {
	counts := map[string]int{}
	for w, n := range v.counts {
		if n >= 2 {
			counts[w] = n
		}
	}
	for w, n := range fieldParts {
		if n > counts[w] {
			counts[w] = n
		}
	}
	stop := stopwordsNL()
	words := make([]string, 0, len(counts))
	for w := range counts {
		if !stop[w] {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > maxVocabulary {
		words = words[:maxVocabulary]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w + ":" + strconv.Itoa(counts[w]))
	}
	return b.String()
}

func stopwordsNL() map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(string(nl.DutchStopWords)) {
		if !strings.HasPrefix(w, "|") {
			set[w] = true
		}
	}
	return set
}

// splitter splits compounds with a word-frequency dictionary.
type splitter struct{ freq map[string]int }

func newSplitter(encoded string) (*splitter, error) {
	s := &splitter{freq: map[string]int{}}
	for _, f := range strings.Fields(encoded) {
		w, n, ok := strings.Cut(f, ":")
		c, err := strconv.Atoi(n)
		if !ok || err != nil {
			return nil, fmt.Errorf("compound dictionary: bad entry %q", f)
		}
		s.freq[w] = c
	}
	return s, nil
}

// split returns the two parts of a compound, or ok=false.
func (s *splitter) split(w string) (left, right string, ok bool) {
	if len(w) < minCompoundLen {
		return "", "", false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return "", "", false
		}
	}
	best := float64(s.freq[w]) // a split must beat the whole word
	for i := minPartLen; i <= len(w)-minPartLen; i++ {
		l := w[:i]
		fl := s.freq[l]
		if fl == 0 {
			continue
		}
		rest := w[i:]
		for _, link := range []string{"", "s", "e", "en"} {
			if !strings.HasPrefix(rest, link) || len(rest)-len(link) < minPartLen {
				continue
			}
			r := rest[len(link):]
			if fr := s.freqOf(r); fr > 0 {
				if score := math.Sqrt(float64(fl) * float64(fr)); score > best {
					best, left, right, ok = score, l, r, true
				}
			}
		}
	}
	return left, right, ok
}

// freqOf looks a right-hand part up as written or without a plural or
// inflection ending, so "wachtlijsten" splits where only "lijst" is known.
func (s *splitter) freqOf(r string) int {
	if f := s.freq[r]; f > 0 {
		return f
	}
	for _, suf := range []string{"en", "s", "n", "e"} {
		if base, ok := strings.CutSuffix(r, suf); ok && len(base) >= minPartLen {
			if f := s.freq[base]; f > 0 {
				return f
			}
		}
	}
	return 0
}

// Filter adds the parts of compound tokens after them, at the same
// position, so both the compound and its parts match.
func (s *splitter) Filter(in analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	for _, t := range in {
		out = append(out, t)
		l, r, ok := s.split(string(t.Term))
		if !ok {
			continue
		}
		for _, part := range []string{l, r} {
			out = append(out, &analysis.Token{Term: []byte(part), Start: t.Start, End: t.End,
				Position: t.Position, Type: t.Type})
		}
	}
	return out
}

func init() {
	if err := registry.RegisterTokenFilter(compoundFilterType, func(config map[string]any, _ *registry.Cache) (analysis.TokenFilter, error) {
		enc, _ := config["words"].(string)
		return newSplitter(enc)
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(apostropheFilterName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return apostrophes{}, nil
	}); err != nil {
		panic(err)
	}
}

const apostropheFilterName = "watwerkt_apostrophes"
