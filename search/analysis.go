package search

import (
	"bytes"
	"hash/maphash"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
)

// dutchAnalyzerName is watwerkt's analysis of Dutch text: bleve's "nl"
// chain (unicode words, lower case, Dutch stopwords, Snowball stemmer)
// with the fixes that chain lacks for our questions:
//
//   - possessive and plural apostrophes: "baby's", "auto's" → baby, auto;
//   - irregular plurals the stemmer cannot know: kinderen → kind,
//     eieren → ei, …;
//   - doubled final consonants after stemming: the Snowball stemmer
//     undoubles only kk/dd/tt, so gezinnen stayed "gezinn" apart from
//     gezin; now both are "gezin".
const dutchAnalyzerName = "watwerkt_nl"

const dutchStemFilterName = "watwerkt_nl_stem"

// Registering with bleve's registry is how a mapping finds analyzers by
// name when an index is opened, so it has to happen at package load.
func init() {
	if err := registry.RegisterTokenFilter(dutchStemFilterName,
		func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return dutchStemmer{cache: &stemCache{m: map[string][]byte{}, max: stemCacheMax}}, nil
		}); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(dutchAnalyzerName, newDutchAnalyzer); err != nil {
		panic(err)
	}
}

func newDutchAnalyzer(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
	tok, err := cache.TokenizerNamed(wordsTokenizerName)
	if err != nil {
		return nil, err
	}
	lower, err := cache.TokenFilterNamed(lowercase.Name)
	if err != nil {
		return nil, err
	}
	stop, err := cache.TokenFilterNamed(nl.StopName)
	if err != nil {
		return nil, err
	}
	stem, err := cache.TokenFilterNamed(dutchStemFilterName)
	if err != nil {
		return nil, err
	}
	return &analysis.DefaultAnalyzer{
		Tokenizer:    tok,
		TokenFilters: []analysis.TokenFilter{lower, apostrophes{}, stop, stem},
	}, nil
}

// apostrophes removes a trailing 's or ’s and other apostrophes.
type apostrophes struct{}

func (apostrophes) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		term := t.Term
		for _, suf := range [][]byte{[]byte("'s"), []byte("’s"), []byte("'"), []byte("’")} {
			if bytes.HasSuffix(term, suf) && len(term) > len(suf) {
				term = term[:len(term)-len(suf)]
				break
			}
		}
		t.Term = term
	}
	return in
}

// stemOverrides fixes words the stemmer gets wrong, in the manner of
// Lucene's DutchAnalyzer stem dictionary. Keys are lower-case surface
// forms, values the stem both forms must share.
var stemOverrides = map[string]string{
	"kind": "kind", "kinderen": "kind", "kinds": "kind",
	"ei": "ei", "eieren": "ei",
	"lied": "lied", "liederen": "lied",
	"blad": "blad", "bladeren": "blad",
	"volk": "volk", "volkeren": "volk",
	"jeugd": "jeugd",
	"gezin": "gezin", "gezinnen": "gezin", "gezins": "gezin",
	"stad": "stad", "steden": "stad",
	"schip": "schip", "schepen": "schip",
	"lid": "lid", "leden": "lid",
	"dag": "dag", "dagen": "dag",
	"weg": "weg", "wegen": "weg",
	"slot": "slot",
	"wijk": "wijk", "wijken": "wijk",
	"school": "school", "scholen": "school",
	"zorg": "zorg", "zorgen": "zorg",
	"hulp":  "hulp",
	"ouder": "ouder", "ouders": "ouder",
	"jongere": "jonger", "jongeren": "jonger",
	"beperking": "beperk", "beperkingen": "beperk",
}

// dutchStemmer stems with Snowball's Dutch stemmer, after the override
// dictionary, and then undoubles a final consonant pair. With a cache
// (one per index mapping: the registry makes the filter once per
// mapping) words are stemmed once: words repeat, and Snowball was 12%
// of an index build's CPU.
type dutchStemmer struct{ cache *stemCache }

// stemCache maps words to their stems, up to stemCacheMax words; the
// stems are shared and never written to.
type stemCache struct {
	mu  sync.RWMutex
	m   map[string][]byte
	max int
}

// stemCacheMax bounds the cache (about 6 MB of words and stems). An
// index opened for questions keeps its cache as long as it is open, so
// the bound is also what a long-running serve can spend on it. A build
// meets its frequent words early, and they are most of its words.
const stemCacheMax = 1 << 16

func (f dutchStemmer) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if f.cache != nil {
			f.cache.mu.RLock()
			s, ok := f.cache.m[string(t.Term)]
			f.cache.mu.RUnlock()
			if ok {
				t.Term = s
				continue
			}
		}
		word := string(t.Term)
		var stem []byte
		if s, ok := stemOverrides[word]; ok {
			stem = []byte(s)
		} else {
			env := snowballstem.NewEnv(word)
			dutch.Stem(env)
			stem = undouble([]byte(env.Current()))
		}
		stem = stem[:len(stem):len(stem)] // an append copies
		t.Term = stem
		if f.cache != nil {
			f.cache.mu.Lock()
			if len(f.cache.m) < f.cache.max {
				f.cache.m[word] = stem
			}
			f.cache.mu.Unlock()
		}
	}
	return in
}

// undouble turns a final doubled consonant into one: "gezinn" → "gezin".
func undouble(term []byte) []byte {
	n := len(term)
	if n < 4 || term[n-1] != term[n-2] {
		return term
	}
	switch term[n-1] {
	case 'b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'z':
		return term[:n-1]
	}
	return term
}

// stemWord runs one lower-cased word through the same steps as the
// analyzer's filters after tokenising (apostrophes, overrides, stemmer,
// undoubling), for snippets, where tokenising whole texts is too slow.
func stemWord(w string) string {
	tok := &analysis.Token{Term: []byte(w)}
	ts := analysis.TokenStream{tok}
	apostrophes{}.Filter(ts)
	dutchStemmer{cache: wordStems}.Filter(ts)
	return string(tok.Term)
}

// wordStems caches stemWord's stems: a long question's synonym lookup
// stems its thousand words, and snippets stem the words they compare.
// Smaller than an index's cache, as it lives as long as the process.
var wordStems = &stemCache{m: map[string][]byte{}, max: 1 << 14}

// wordsTokenizerName is the tokenizer of every text analyzer: Unicode
// word boundaries (UAX #29) after sentences run together are pulled
// apart. Text pasted from PDFs and forms often lacks the space after a
// full stop ("bedroeg.In uw antwoord"), and UAX #29 keeps a letter, a
// full stop or colon and a letter together as one word, so both words
// were lost to search: 11,570 times in the 3,483 dekamer answers.
const wordsTokenizerName = "watwerkt_words"

func init() {
	if err := registry.RegisterTokenizer(wordsTokenizerName,
		func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
			return wordsTokenizer{inner: unitok.NewUnicodeTokenizer(), recent: &recentTokens{}}, nil
		}); err != nil {
		panic(err)
	}
}

type wordsTokenizer struct {
	inner  analysis.Tokenizer
	recent *recentTokens
}

// Tokenize replaces a full stop or colon between a letter and an upper
// case letter by a space before splitting: byte offsets stay those of
// the input, so term locations still cut snippets from the stored text.
// "mypension.be" and "z.b.v." stay one word; digits ("art.5", "12:00")
// are not touched here.
//
// The tokenizer is made once per index mapping and shared by its
// analyzers; the stemmed field and its unstemmed copy (title and
// title_exact, body and body_exact) tokenize the same text one after
// the other, so recent texts are remembered and their words copied
// instead of split again (Unicode word splitting was 15% of a build).
func (w wordsTokenizer) Tokenize(input []byte) analysis.TokenStream {
	src := unfuseSentences(input)
	if w.recent == nil || len(input) < minRecentText {
		return w.split(src)
	}
	h := maphash.Bytes(w.recent.seed(), input)
	if ts, ok := w.recent.get(h, input, src); ok {
		return ts
	}
	ts := w.split(src)
	w.recent.put(h, input, ts)
	return ts
}

// split splits text into words: latinWords for Latin-script text,
// bleve's Unicode tokenizer for the rest (the same words either way).
func (w wordsTokenizer) split(text []byte) analysis.TokenStream {
	if ts, ok := latinWords(text); ok {
		return ts
	}
	return w.inner.Tokenize(text)
}

// minRecentText is the shortest text worth remembering.
const minRecentText = 64

// recentTokens remembers the tokens of the last texts tokenized: a
// private copy of each text (analysis lower-cases words in place, in
// the caller's buffer) and of its tokens. Safe for concurrent use.
type recentTokens struct {
	mu    sync.Mutex
	s     maphash.Seed
	init  bool
	next  int
	texts [8]recentText
}

type recentText struct {
	hash   uint64
	text   []byte
	tokens []analysis.Token
}

func (r *recentTokens) seed() maphash.Seed {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.init {
		r.s, r.init = maphash.MakeSeed(), true
	}
	return r.s
}

// get returns fresh tokens of input (whose hash is h), their terms cut
// from src (input with sentences opened), if input was seen recently.
func (r *recentTokens) get(h uint64, input, src []byte) (analysis.TokenStream, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.texts {
		t := &r.texts[i]
		if t.hash != h || t.text == nil || !bytes.Equal(t.text, input) {
			continue
		}
		out := make(analysis.TokenStream, len(t.tokens))
		toks := make([]analysis.Token, len(t.tokens))
		for j := range t.tokens {
			toks[j] = t.tokens[j]
			toks[j].Term = src[toks[j].Start:toks[j].End:toks[j].End]
			out[j] = &toks[j]
		}
		return out, true
	}
	return nil, false
}

// put remembers the tokens of input, replacing the oldest text.
func (r *recentTokens) put(h uint64, input []byte, ts analysis.TokenStream) {
	for _, t := range ts {
		if t.Start < 0 || t.End > len(input) || t.Start > t.End {
			return // not cut from the input: not worth the risk
		}
	}
	toks := make([]analysis.Token, len(ts))
	for i, t := range ts {
		toks[i] = *t
		toks[i].Term = nil
	}
	text := bytes.Clone(input)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts[r.next] = recentText{hash: h, text: text, tokens: toks}
	r.next = (r.next + 1) % len(r.texts)
}

// unfuseSentences returns input, or a copy with the fused sentence
// boundaries opened (see wordsTokenizer).
func unfuseSentences(input []byte) []byte {
	var out []byte
	for i := 1; i+1 < len(input); i++ {
		c := input[i]
		if c != '.' && c != ':' {
			continue
		}
		prev, _ := utf8.DecodeLastRune(input[:i])
		next, _ := utf8.DecodeRune(input[i+1:])
		if !unicode.IsLetter(prev) || !unicode.IsUpper(next) {
			continue
		}
		if out == nil {
			out = append([]byte(nil), input...)
		}
		out[i] = ' '
	}
	if out == nil {
		return input
	}
	return out
}
