package search

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed synonyms_nl.txt
var defaultSynonyms string

// Weights of expansions relative to the words the user typed.
const (
	weightEquivalent = 0.8
	weightRelated    = 0.15
	maxPhraseWords   = 6
)

// Synonyms expands questions with equivalent and related words and
// phrases: acronyms of the field (LVB, JIM, GGZ …) and their spelled-out
// forms, and near-synonyms such as jeugdzorg ~ jeugdhulp.
type Synonyms struct {
	// by maps a phrase (lower-case words joined by one space) to its
	// alternatives.
	by map[string][]alternative

	// stemmed is by keyed on the Dutch stems of the phrase's words, so
	// "deurwaarders" finds the group of "deurwaarder"; built on first use.
	stemOnce sync.Once
	stemmed  map[string][]alternative
	// first has the first word of every phrase of by and of stemmed: a
	// word that is in neither starts no phrase (built with stemmed).
	first map[string]bool
}

// stemPhrase stems each word of a phrase.
func stemPhrase(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = stemWord(w)
	}
	return strings.Join(out, " ")
}

func (s *Synonyms) stems() map[string][]alternative {
	s.stemOnce.Do(func() {
		s.stemmed = make(map[string][]alternative, len(s.by))
		s.first = map[string]bool{}
		for from, alts := range s.by {
			words := strings.Fields(from)
			k := stemPhrase(words)
			s.stemmed[k] = append(s.stemmed[k], alts...)
			if len(words) > 0 {
				s.first[words[0]] = true
				first, _, _ := strings.Cut(k, " ") // the first word's stem, as expand joins them
				s.first[first] = true
			}
		}
	})
	return s.stemmed
}

type alternative struct {
	phrase string
	weight float64
}

// DefaultSynonyms returns the built-in list.
func DefaultSynonyms() *Synonyms {
	s, err := ParseSynonyms(strings.NewReader(defaultSynonyms), "synonyms_nl.txt")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return s
}

// ParseSynonyms reads a synonym file: one group per line, "a = b" for
// equivalents and "a ~ b" for related terms, # for comments. Errors name
// the file and line.
func ParseSynonyms(r io.Reader, name string) (*Synonyms, error) {
	s := &Synonyms{by: map[string][]alternative{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		// Split on both separators, remembering which joined each part.
		var parts []string
		var related []bool // related[i]: part i joined to the group with "~"
		cur := strings.Builder{}
		rel := false
		flush := func() error {
			p := normPhrase(cur.String())
			if p == "" {
				return fmt.Errorf("%s:%d: empty term", name, line)
			}
			if n := len(strings.Fields(p)); n > maxPhraseWords {
				return fmt.Errorf("%s:%d: %q has more than %d words", name, line, p, maxPhraseWords)
			}
			parts = append(parts, p)
			related = append(related, rel)
			cur.Reset()
			return nil
		}
		for _, r := range text {
			if r == '=' || r == '~' {
				if err := flush(); err != nil {
					return nil, err
				}
				rel = r == '~'
				continue
			}
			cur.WriteRune(r)
		}
		if err := flush(); err != nil {
			return nil, err
		}
		if len(parts) < 2 {
			return nil, fmt.Errorf("%s:%d: a group needs at least two terms joined by = or ~", name, line)
		}
		// Any "~" in a group makes its links related rather than equal,
		// except between parts joined by "=" to the head.
		for i, a := range parts {
			for j, b := range parts {
				if i == j || a == b {
					continue
				}
				w := weightEquivalent
				if related[i] || related[j] {
					w = weightRelated
				}
				s.add(a, b, w)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

func (s *Synonyms) add(from, to string, w float64) {
	for i, alt := range s.by[from] {
		if alt.phrase == to {
			if w > alt.weight {
				s.by[from][i].weight = w
			}
			return
		}
	}
	s.by[from] = append(s.by[from], alternative{to, w})
}

// Merge adds the groups of other to s. Call it before s is used for
// searching, not while searches run.
func (s *Synonyms) Merge(other *Synonyms) {
	if other == nil {
		return
	}
	s.stemOnce, s.stemmed = sync.Once{}, nil
	for from, alts := range other.by {
		for _, a := range alts {
			s.add(from, a.phrase, a.weight)
		}
	}
}

// normPhrase lower-cases and folds white space.
func normPhrase(p string) string {
	return strings.Join(strings.Fields(strings.ToLower(p)), " ")
}

// expand returns the alternatives of every phrase of terms (longest
// match first), at most limit of them.
func (s *Synonyms) expand(terms []string, limit int) []alternative {
	if s == nil || len(s.by) == 0 {
		return nil
	}
	var out []alternative
	seen := map[string]bool{}
	// Each word is stemmed once; a long question has hundreds, and
	// stemming every window again cost 1 ms per question.
	stemmed := make([]string, len(terms))
	for i, t := range terms {
		stemmed[i] = stemWord(t)
	}
	stems := s.stems()
	for i := 0; i < len(terms); {
		if !s.first[terms[i]] && !s.first[stemmed[i]] {
			i++ // starts no phrase: no need to join the windows
			continue
		}
		matched := 0
		for n := min(maxPhraseWords, len(terms)-i); n >= 1; n-- {
			alts, ok := s.by[strings.Join(terms[i:i+n], " ")]
			if !ok {
				alts, ok = stems[strings.Join(stemmed[i:i+n], " ")]
			}
			if !ok {
				continue
			}
			for _, a := range alts {
				if !seen[a.phrase] && len(out) < limit {
					seen[a.phrase] = true
					out = append(out, a)
				}
			}
			matched = n
			break
		}
		if matched == 0 {
			matched = 1
		}
		i += matched
	}
	return out
}
