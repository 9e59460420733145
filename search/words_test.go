package search

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// sameWords reports how latinWords and bleve's Unicode tokenizer split
// text: "" when they agree (or latinWords declines the text).
func sameWords(text string) (string, bool) {
	got, ok := latinWords([]byte(text))
	if !ok {
		return "", false
	}
	want := unitok.NewUnicodeTokenizer().Tokenize([]byte(text))
	show := func(ts []string) string { return strings.Join(ts, " | ") }
	var g, w []string
	for _, t := range got {
		g = append(g, fmt.Sprintf("%q@%d-%d#%d/%d", t.Term, t.Start, t.End, t.Position, t.Type))
	}
	for _, t := range want {
		w = append(w, fmt.Sprintf("%q@%d-%d#%d/%d", t.Term, t.Start, t.End, t.Position, t.Type))
	}
	if show(g) != show(w) {
		return fmt.Sprintf("%q:\n latinWords %s\n bleve      %s", text, show(g), show(w)), true
	}
	return "", true
}

// TestLatinWordsClasses: every character latinWords classifies, alone
// and between letters, digits and the other classes, splits as bleve's
// tokenizer splits it.
func TestLatinWordsClasses(t *testing.T) {
	var chars []rune
	for r := rune(0); r < 0x2100; r++ {
		if _, ok := latinWords([]byte(string(r))); ok && utf8.ValidRune(r) {
			chars = append(chars, r)
		}
	}
	if len(chars) < 400 {
		t.Fatalf("only %d characters classified", len(chars))
	}
	ctx := []string{"", "a", "Z", "é", "1", "9", "_", ".", ",", ":", "'", " ", "-", "ab", "12", "a1", "1a"}
	for _, r := range chars {
		for _, before := range ctx {
			for _, after := range ctx {
				for _, text := range []string{before + string(r) + after, before + string(r) + string(r) + after} {
					if diff, ok := sameWords(text); ok && diff != "" {
						t.Fatal(diff)
					}
				}
			}
		}
	}
	for _, declined := range []string{"jeugd\u00adhulp", "e\u0301en", "日本", "שלום", "a\u200db", "\xff"} {
		if _, ok := latinWords([]byte(declined)); ok {
			t.Errorf("latinWords took %q", declined)
		}
	}
}

// TestLatinWordsCorpora: the dekamer answers and questions and the demo
// corpus split as bleve's tokenizer splits them.
func TestLatinWordsCorpora(t *testing.T) {
	var texts []string
	if err := filepath.WalkDir("../corpus/demo/content", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		texts = append(texts, string(b))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"corpus.jsonl", "queries-dev.jsonl"} {
		f, err := os.Open(filepath.Join(dekamerDir, name))
		if err != nil {
			t.Logf("dekamer %s not available: %v", name, err)
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			// The JSON line (quotes, braces, escapes) and its texts.
			texts = append(texts, sc.Text())
			var d EvalQuery
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, string(d.Title), string(d.Text))
		}
		f.Close()
	}
	taken := 0
	for _, text := range texts {
		diff, ok := sameWords(text)
		if diff != "" {
			t.Fatal(diff)
		}
		if ok {
			taken++
		}
	}
	t.Logf("%d of %d texts split by latinWords", taken, len(texts))
	if len(texts) > 1000 && taken < len(texts)*9/10 {
		t.Errorf("latinWords took only %d of %d texts", taken, len(texts))
	}
}

func FuzzLatinWords(f *testing.F) {
	for _, s := range []string{"z.b.v. kind's 66,6 % art.5 12:00 mypension.be", "één café’s naïef", "a_1 _ 1_ __a", "1.2a.b", "x'' y..z", "financiële · middel"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if diff, _ := sameWords(text); diff != "" {
			t.Fatal(diff)
		}
	})
}
