package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnderstand(t *testing.T) {
	tests := []struct {
		in      string
		topic   string
		english bool
		filters map[string]string
	}{
		{"wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?", "jongeren die het contact met hun netwerk kwijt zijn", false, nil},
		{"Wat weten we over de dialoogtafel?", "de dialoogtafel", false, nil},
		{"is er iets bekend over wachtlijsten in de jeugd-GGZ?", "wachtlijsten de jeugd-ggz", false, nil},
		{"hoe kan ik ouders betrekken bij het plan?", "ouders betrekken bij het plan", false, nil},
		{"what works for children on a waiting list?", "kinderen wachtlijst", true, nil},
		{"What works for out-of-home placement prevention", "uithuisplaatsing preventie", true, nil},
		{"wachtlijst bron:\"Projectenbank Jeugd\" jaar:2021", "wachtlijst", false,
			map[string]string{fSource: "Projectenbank Jeugd", fYear: "2021"}},
		{"LVB thema:lvb", "lvb", false, map[string]string{fThemes: "lvb"}},
		{"tijd: 12:00", "tijd 12 00", false, nil},
		{"ADHD?", "adhd", false, nil},
		{"/.*/", "", false, nil},
		{"\x00\x01wacht\u200blijst", "wacht lijst", false, nil},
	}
	for _, tt := range tests {
		q := Understand(tt.in)
		if q.Topic != tt.topic || q.English != tt.english {
			t.Errorf("Understand(%q) = topic %q english %v; want %q %v", tt.in, q.Topic, q.English, tt.topic, tt.english)
		}
		for k, v := range tt.filters {
			if q.Filters[k] != v {
				t.Errorf("Understand(%q).Filters[%s] = %q, want %q", tt.in, k, q.Filters[k], v)
			}
		}
		if len(q.Filters) != len(tt.filters) {
			t.Errorf("Understand(%q).Filters = %v, want %v", tt.in, q.Filters, tt.filters)
		}
	}
}

func TestUnderstandLimits(t *testing.T) {
	q := Understand(strings.Repeat("jeugdhulp ", 5000))
	if n := utf8.RuneCountInString(q.Raw); n > MaxQuestionRunes {
		t.Errorf("raw question has %d runes, want ≤ %d", n, MaxQuestionRunes)
	}
	if len(q.Terms) > maxTopicTerms {
		t.Errorf("%d terms, want ≤ %d", len(q.Terms), maxTopicTerms)
	}
	if q := Understand("gezin\xffschulden"); !utf8.ValidString(q.Topic) {
		t.Errorf("topic %q is not valid UTF-8", q.Topic)
	}
}

func TestWindow(t *testing.T) {
	long := strings.Repeat("Dit is een zin over iets anders dan het onderwerp. ", 12) +
		"Hier gaat het over de wachtlijst in de jeugdhulp en wat helpt tijdens het wachten. " +
		strings.Repeat("Nog meer tekst die er niet toe doet. ", 12)
	i := strings.Index(long, "wachtlijst")
	spans := [][2]int{{i, i + len("wachtlijst")}}
	got := window(long, spans, MaxSnippetRunes)
	plain := strings.ReplaceAll(got, "**", "")
	if n := utf8.RuneCountInString(plain); n > MaxSnippetRunes {
		t.Errorf("snippet has %d runes, want ≤ %d: %q", n, MaxSnippetRunes, got)
	}
	if !strings.Contains(got, "**wachtlijst**") {
		t.Errorf("match not marked: %q", got)
	}
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("cut snippet should show ellipses: %q", got)
	}
	// Never cut inside a word: every word of the snippet is a word of the text.
	words := map[string]bool{}
	for _, w := range strings.Fields(long) {
		words[w] = true
	}
	for _, w := range strings.Fields(strings.Trim(plain, "…")) {
		if !words[w] {
			t.Errorf("snippet word %q is not a whole word of the text", w)
		}
	}
	// Short text comes back whole.
	if got := window("Kort en goed.", nil, MaxSnippetRunes); got != "Kort en goed." {
		t.Errorf("short text: got %q", got)
	}
}

func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"wat werkt bij gezinnen met schulden?", "ADHD?", "/.*/", "tijd: 12:00", "*", `"`,
		"bron:\"x", "😀", "\x00", strings.Repeat("a ", 300), "ما الذي ينجح", "what works for youth care"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Understand(s)
		if !utf8.ValidString(q.Topic) {
			t.Fatalf("invalid UTF-8 topic %q", q.Topic)
		}
		if len(q.Terms) > maxTopicTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
	})
}

func FuzzParseSynonyms(f *testing.F) {
	f.Add("lvb = licht verstandelijke beperking\njeugdzorg ~ jeugdhulp\n# c\n")
	f.Add("= =\n~")
	f.Fuzz(func(t *testing.T, s string) {
		syn, err := ParseSynonyms(strings.NewReader(s), "syn.txt")
		if err != nil {
			return
		}
		syn.expand(strings.Fields(s), 8)
	})
}

func TestEvalFormats(t *testing.T) {
	var qs []EvalQuery
	in := `{"_id": 12, "title": "a", "text": "b", "themes": ["X","Y"], "care_social_related": "true"}
{"_id": "q2", "title": null, "text": "alleen tekst", "care_social_related": 0}
`
	if err := ReadJSONL(strings.NewReader(in), "q.jsonl", func(q EvalQuery) error { qs = append(qs, q); return nil }); err != nil {
		t.Fatal(err)
	}
	if qs[0].ID != "12" || qs[0].Themes != "X,Y" || !bool(qs[0].Care) || bool(qs[1].Care) || qs[1].Form("short") != "alleen tekst" {
		t.Errorf("parsed %+v", qs)
	}
	for _, tt := range []struct{ name, in string }{
		{"beir", "query-id\tcorpus-id\tscore\nq1\td1\t1\n"},
		{"trec", "q1 0 d1 1\n"},
		{"float", "q1\td1\t1.0\n"},
	} {
		q, err := ReadQrels(strings.NewReader(tt.in), tt.name)
		if err != nil || q["q1"]["d1"] != 1 {
			t.Errorf("%s: %v %v", tt.name, q, err)
		}
	}
}

// TestMayHaveFilter: wherever the filter regexp matches, the quick check
// that lets long questions skip it says it may — on written cases and on
// random texts made of keys, colons, word and other characters,
// including the letters (?i) folds onto the keys' letters.
func TestMayHaveFilter(t *testing.T) {
	for _, s := range []string{
		"bron: Jeugd in Beeld", "BRON:x", "Thema:\"a b\"", "a jaar:2020", "(type:artikel)",
		"xbron:y", "_bron:y", "1bron:y", "bron :y", "geen filter", "als volgt: zie",
		"ſource:x", "a ſource:x", "xſource:x", "\u212aype", "regio:\n", "é,year:1",
	} {
		if filterRe.MatchString(s) && !mayHaveFilter(s) {
			t.Errorf("%q: the regexp matches, mayHaveFilter says no", s)
		}
	}
	parts := []string{"bron", "Source", "THEMA", "theme", "regio", "region", "jaar", "year", "type",
		":", ": ", " ", "x", "_", "7", "é", "ſ", "\u212a", "\"", "a b", "\n", ".", "-"}
	rng := uint64(3)
	next := func(n int) int { rng = rng*6364136223846793005 + 1442695040888963407; return int(rng>>33) % n }
	matched := 0
	for range 20000 {
		var b strings.Builder
		for range next(8) {
			b.WriteString(parts[next(len(parts))])
		}
		s := b.String()
		if filterRe.MatchString(s) {
			matched++
			if !mayHaveFilter(s) {
				t.Fatalf("%q: the regexp matches, mayHaveFilter says no", s)
			}
		}
	}
	if matched < 500 {
		t.Fatalf("only %d random texts had a filter: the test says little", matched)
	}
}
