package corpora

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sharedData = "../../../shared/data"

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Een zin. Nog een zin! En een vraag?", []string{"Een zin.", "Nog een zin!", "En een vraag?"}},
		{"in real time.Bij incidenten", []string{"in real time.", "Bij incidenten"}},
		{"artikel 1.5 geldt.", []string{"artikel 1.5 geldt."}},
		{"regel een\nregel twee", []string{"regel een", "regel twee"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range splitSentences(tt.in, "", nil) {
			got = append(got, s.text)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLawSentences(t *testing.T) {
	md := "<meta charset='utf-8' />\n\n##Wet op de jeugd\n\n### Artikel  1  \n\nDe **gemeente** zorgt, zie [artikel 2](../x/README.md). Klaar.\n"
	title, sents := lawSentences(md)
	if title != "Wet op de jeugd" {
		t.Errorf("title = %q, want %q", title, "Wet op de jeugd")
	}
	if len(sents) != 2 || sents[0].text != "De gemeente zorgt, zie artikel 2." || sents[0].heading != "Artikel 1" {
		t.Errorf("sentences = %+v", sents)
	}
}

// words makes a sentence of n words.
func words(n int) sentence {
	return sentence{text: strings.TrimSpace(strings.Repeat("woord ", n)), words: n}
}

func TestWindowBounds(t *testing.T) {
	var sents []sentence
	for i := range 200 {
		sents = append(sents, words(5+i%40))
	}
	for _, target := range []int{MinWords, 120, MaxWords} {
		for _, w := range window(sents, 3, func() int { return target }) {
			if n := countWords(w); n < MinWords || n > MaxWords {
				t.Errorf("target %d: passage of %d words, want %d–%d", target, n, MinWords, MaxWords)
			}
		}
	}
	if got := window([]sentence{words(10)}, 0, func() int { return 100 }); len(got) != 0 {
		t.Errorf("a 10-word document gave %d passages, want none", len(got))
	}
}

func TestGenerateDeterministic(t *testing.T) {
	src := []Source{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}}
	for i := range 300 {
		src[i%2].sents = append(src[i%2].sents, words(7+i%13))
	}
	a, b := Generate(src, 100, 7), Generate(src, 100, 7)
	var ba, bb bytes.Buffer
	WriteJSONL(&ba, a)
	WriteJSONL(&bb, b)
	if len(a) != 100 || !bytes.Equal(ba.Bytes(), bb.Bytes()) {
		t.Fatalf("two generations with one seed differ (or not 100 passages: %d)", len(a))
	}
	seen := map[string]bool{}
	for _, p := range a {
		if seen[p.ID] {
			t.Errorf("duplicate id %s", p.ID)
		}
		seen[p.ID] = true
	}
	c := Generate(src, 100, 8)
	var bc bytes.Buffer
	WriteJSONL(&bc, c)
	if bytes.Equal(ba.Bytes(), bc.Bytes()) {
		t.Error("another seed gave the same corpus")
	}
}

// TestSharedSources cuts the real texts; it skips without ../shared.
func TestSharedSources(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedData, DekamerDir)); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	if testing.Short() {
		t.Skip("reads 16 MB of text")
	}
	src, err := LoadSources(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	laws := 0
	for _, s := range src {
		if strings.HasPrefix(s.ID, "BWBR") || strings.HasPrefix(s.ID, "BWBV") {
			laws++
		}
	}
	if len(src)-laws != 3483 || laws < 100 {
		t.Errorf("loaded %d dekamer answers and %d laws, want 3483 and about 150", len(src)-laws, laws)
	}
	ps := Generate(src, 2000, 1)
	for _, p := range ps {
		if n := len(strings.Fields(p.Text)); n < MinWords || n > MaxWords {
			t.Errorf("%s: %d words", p.ID, n)
		}
	}
}
