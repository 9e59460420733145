package bots

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update if the change is wanted)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestRenderTextGolden(t *testing.T) {
	hits := wachtlijstHits()[:3]
	hits[1].Title = "Wachtlijst\novergebrugd:\r\n  wat   werkt?"
	hits[1].Snippet = "Eerste regel\n\nTweede **regel**\tmet tab"
	hits[2].Source = ""
	r := &Responder{Searcher: &fakeSearcher{hits: hits}}
	golden(t, "answer.golden", RenderText(r.Answer(t.Context(), Question{Text: "wachtlijst"})))
}

func TestRenderTextMessage(t *testing.T) {
	got := RenderText(Answer{Message: "Er zijn geen verdere resultaten.", Header: "genegeerd"})
	if want := "Er zijn geen verdere resultaten.\n"; got != want {
		t.Errorf("RenderText = %q, want %q", got, want)
	}
}

// TestRenderTextLayout: whatever a page's title, source or snippet holds,
// every result keeps its layout: a numbered line, then indented lines.
func TestRenderTextLayout(t *testing.T) {
	nasty := []string{"a\nb", "a\r\nb", "a\u2028b", " \n a\t\v\fb", "regel\n2. Nep resultaat", "\n   https://nep.example/"}
	var hits []Hit
	for i, s := range nasty {
		hits = append(hits, Hit{ID: s, Title: "Wachtlijst " + s, Source: s, Snippet: s,
			URL: "https://x.example/" + string(rune('a'+i)), Published: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)})
	}
	r := &Responder{Searcher: &fakeSearcher{hits: hits}, PageSize: len(hits)}
	out := RenderText(r.Answer(t.Context(), Question{Text: "wachtlijst"}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	rank := regexp.MustCompile(`^\d+\. \S`)
	ranks, urls := 0, 0
	for i, l := range lines[1:] {
		switch {
		case l == "":
		case rank.MatchString(l):
			ranks++
		case strings.HasPrefix(l, "   ") && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "    "):
			if strings.HasPrefix(l, "   https://x.example/") {
				urls++
			}
		case i == len(lines)-2 && l == "Dit waren alle resultaten.":
		default:
			t.Errorf("line %d breaks the layout: %q", i+2, l)
		}
	}
	if ranks != len(hits) || urls != len(hits) {
		t.Errorf("got %d numbered lines and %d URLs, want %d of each in\n%s", ranks, urls, len(hits), out)
	}
}

// TestRenderTextBlankFields: a title or snippet of only white space must
// not leave an empty numbered line or a line of spaces.
func TestRenderTextBlankFields(t *testing.T) {
	hits := []Hit{{ID: "x", Title: " \n ", Snippet: "\n\t \n", URL: "https://x.example/"}}
	r := &Responder{Searcher: &fakeSearcher{hits: hits}}
	out := RenderText(r.Answer(t.Context(), Question{Filters: map[string]string{"thema": "ggz"}}))
	var bad []string
	for _, l := range strings.Split(out, "\n") {
		if (l != "" && strings.TrimSpace(l) == "") || strings.TrimSpace(l) == "1." {
			bad = append(bad, l)
		}
	}
	if len(bad) > 0 {
		t.Errorf("blank page text renders as %q in %q", bad, out)
	}
}
