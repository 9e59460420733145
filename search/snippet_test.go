package search

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

func TestMoreRunes(t *testing.T) {
	for _, s := range []string{"", "a", "abc", "één", "ééé", "aéb", "日本語テキスト", strings.Repeat("é", 40) + "abc"} {
		for n := 0; n <= 50; n++ {
			if got, want := moreRunes(s, n), utf8.RuneCountInString(s) > n; got != want {
				t.Errorf("moreRunes(%q, %d) = %v, want %v", s, n, got, want)
			}
		}
	}
}

// TestTokenCache: the tokenizer's memory of recent texts gives the
// tokens a fresh split gives, even after the first caller's filters
// changed its tokens and its buffer in place (as bleve's lower-case
// filter does), and never for a different text of the same length.
func TestTokenCache(t *testing.T) {
	text := "Het plan werkte.Daarna kwam ÉÉN gezin met Schulden naar het wijkteam; 12:00 uur, z.b.v. mypension.be"
	other := strings.Replace(text, "gezin", "kind!", 1)
	plain := wordsTokenizer{inner: unitok.NewUnicodeTokenizer()}
	cached := wordsTokenizer{inner: unitok.NewUnicodeTokenizer(), recent: &recentTokens{}}
	show := func(ts analysis.TokenStream) string {
		var b strings.Builder
		for _, tok := range ts {
			fmt.Fprintf(&b, "%s@%d:%d#%d/%d ", tok.Term, tok.Start, tok.End, tok.Position, tok.Type)
		}
		return b.String()
	}
	for _, in := range []string{text, text, other, text} {
		want := show(plain.Tokenize([]byte(in)))
		buf := []byte(in)
		got := cached.Tokenize(buf)
		if s := show(got); s != want {
			t.Fatalf("%q:\ncached %s\nfresh  %s", in, s, want)
		}
		for _, tok := range got { // what the filters after the tokenizer may do
			copy(tok.Term, bytes.ToLower(tok.Term))
			tok.Term, tok.Position = []byte("x"), -1
		}
	}
}

// TestStemCache: cached stems are those of the uncached stemmer, the
// second time too, and the cache stops growing at its bound.
func TestStemCache(t *testing.T) {
	words := []string{"gezinnen", "kinderen", "jeugdhulpverleners", "wachtlijsten", "baby", "gezin", "ouders"}
	stem := func(f dutchStemmer) string {
		var ts analysis.TokenStream
		for _, w := range words {
			ts = append(ts, &analysis.Token{Term: []byte(w)})
		}
		var out []string
		for _, tok := range f.Filter(ts) {
			out = append(out, string(tok.Term))
		}
		return strings.Join(out, " ")
	}
	want := stem(dutchStemmer{})
	c := &stemCache{m: map[string][]byte{}, max: 3}
	for range 2 {
		if got := stem(dutchStemmer{cache: c}); got != want {
			t.Errorf("cached stems %q, want %q", got, want)
		}
	}
	if len(c.m) != 3 {
		t.Errorf("cache holds %d words, want its bound 3", len(c.m))
	}
}

// TestWindowMovesOn: the window whose end moves on with its start picks
// the same window as cutting each candidate from its own start, on
// texts with multi-byte letters, long words and matches at both ends.
func TestWindowMovesOn(t *testing.T) {
	ref := func(text string, spans [][2]int, max int) (int, int) {
		start, end := 0, len(text)
		if !moreRunes(text, max) {
			return start, end
		}
		best, last := -1, -1
		for _, sp := range spans {
			s := wordStart(text, backRunes(text, sp[0], 40))
			if s == last {
				continue
			}
			last = s
			e := cutRunes(text, s, max-2)
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
				break
			}
		}
		if best < 0 {
			end = cutRunes(text, 0, max-1)
		}
		return start, end
	}
	words := []string{"één", "gezin", "jeugdhulpverleners", "wachtlijst", "ü", "kinderen", "naïeve", "schulden", "日本語", "a"}
	rng := uint64(7)
	next := func(n int) int { rng = rng*6364136223846793005 + 1442695040888963407; return int(rng>>33) % n }
	for trial := range 400 {
		var b strings.Builder
		var spans [][2]int
		for range 20 + next(200) {
			w := words[next(len(words))]
			if next(4) == 0 {
				spans = append(spans, [2]int{b.Len(), b.Len() + len(w)})
			}
			b.WriteString(w)
			b.WriteString(" ")
		}
		text := b.String()
		max := 40 + next(300)
		s, e := ref(text, spans, max)
		want := text[s:e]
		got := window(text, spans, max)
		// window marks the spans and adds ellipses: strip them.
		got = strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(got, "**", ""), "…"), "…")
		if got != strings.TrimSpace(want) {
			t.Fatalf("trial %d (max %d): window %q, want %q", trial, max, got, strings.TrimSpace(want))
		}
	}
}

// TestRuneCounting compares the eight-bytes-at-a-time rune counting of
// the snippet window (forward, backward, more than n) with package utf8 on random texts of ASCII runs,
// multi-byte letters and invalid bytes.
func TestRuneCounting(t *testing.T) {
	parts := []string{"a", "gezinnen ", "jeugdhulpverleners", "é", "日本", "\xff", "\xc3", "\x80", " ", "ü12345678"}
	rng := uint64(11)
	next := func(n int) int { rng = rng*6364136223846793005 + 1442695040888963407; return int(rng>>33) % n }
	for trial := range 2000 {
		var b strings.Builder
		for range next(30) {
			b.WriteString(parts[next(len(parts))])
		}
		s := b.String()
		if got, want := countRunes(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("trial %d: countRunes(%q) = %d, want %d", trial, s, got, want)
		}
		i := next(len(s) + 1)
		n := next(40)
		want := i
		for k := 0; k < n && want < len(s); k++ {
			_, size := utf8.DecodeRuneInString(s[want:])
			want += size
		}
		if got := advanceRunes(s, i, n); got != want {
			t.Fatalf("trial %d: advanceRunes(%q, %d, %d) = %d, want %d", trial, s, i, n, got, want)
		}
		back := i
		for k := 0; k < n && back > 0; k++ {
			_, size := utf8.DecodeLastRuneInString(s[:back])
			back -= size
		}
		if got := backRunes(s, i, n); got != back {
			t.Fatalf("trial %d: backRunes(%q, %d, %d) = %d, want %d", trial, s, i, n, got, back)
		}
		if got, want := moreRunes(s, n), utf8.RuneCountInString(s) > n; got != want {
			t.Fatalf("trial %d: moreRunes(%q, %d) = %v, want %v", trial, s, n, got, want)
		}
	}
}
