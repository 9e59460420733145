package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/bots"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkInert reports anything in s that Discord would act on: a
// markdown character not escaped, a bold pair around more than a plain
// word, a mention, an invisible character of the page's own.
func checkInert(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	for _, m := range []string{"@everyone", "@here"} {
		if strings.Contains(s, m) {
			return fmt.Errorf("mention %q", m)
		}
	}
	rs := []rune(s)
	lineStart := true
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\':
			if i+1 >= len(rs) || !strings.ContainsRune(special+".", rs[i+1]) {
				return fmt.Errorf("lone backslash at %d", i)
			}
			i++
		case r == '*' && i+1 < len(rs) && rs[i+1] == '*':
			j := i + 2
			for j+1 < len(rs) && !(rs[j] == '*' && rs[j+1] == '*') {
				j++
			}
			if j+1 >= len(rs) {
				return fmt.Errorf("unclosed ** at %d", i)
			}
			if inner := string(rs[i+2 : j]); !boldable(inner) {
				return fmt.Errorf("bold around %q", inner)
			}
			if j+2 < len(rs) && rs[j+2] == '*' {
				return fmt.Errorf("*** at %d", j)
			}
			i = j + 1
		case strings.ContainsRune(special, r):
			return fmt.Errorf("unescaped %q at %d in %q", r, i, s)
		case r == '@':
			if i+1 >= len(rs) || string(rs[i+1]) != zwsp {
				return fmt.Errorf("unbroken @ at %d", i)
			}
			i++
		case r == '\n':
			lineStart = true
			continue
		case lineStart && r >= '0' && r <= '9':
			k := i
			for k < len(rs) && rs[k] >= '0' && rs[k] <= '9' {
				k++
			}
			if k < len(rs) && rs[k] == '.' {
				return fmt.Errorf("a list starts at %d", i)
			}
			i = k - 1
		case invisible(r):
			return fmt.Errorf("invisible %U at %d", r, i)
		}
		lineStart = false
	}
	return nil
}

// checkMessage checks a rendered message against Discord's limits and
// for inert text.
func checkMessage(m *message) error {
	n := utf8.RuneCountInString
	if n(m.Content) > maxContent {
		return fmt.Errorf("content has %d code points", n(m.Content))
	}
	if err := checkInert(m.Content); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if len(m.Embeds) > maxEmbeds {
		return fmt.Errorf("%d embeds", len(m.Embeds))
	}
	total := 0
	for i, e := range m.Embeds {
		if n(e.Title) > maxTitle || n(e.Description) > maxDescription {
			return fmt.Errorf("embed %d: title %d, description %d code points", i, n(e.Title), n(e.Description))
		}
		total += n(e.Title) + n(e.Description)
		for _, s := range []string{e.Title, e.Description} {
			if err := checkInert(s); err != nil {
				return fmt.Errorf("embed %d: %w", i, err)
			}
		}
		if e.URL != "" && (pageURL(e.URL) != e.URL || len(e.URL) > maxURL) {
			return fmt.Errorf("embed %d: url %q", i, e.URL)
		}
	}
	if total > maxEmbedsTotal {
		return fmt.Errorf("embeds hold %d code points", total)
	}
	for _, row := range m.Components {
		for _, b := range row.Components {
			if len(b.CustomID) > maxCustomID || n(b.Label) > 80 {
				return fmt.Errorf("button %+v", b)
			}
		}
	}
	raw, _ := json.Marshal(m)
	if !bytes.Contains(raw, []byte(`"allowed_mentions":{"parse":[]`)) {
		return fmt.Errorf("no allowed_mentions {parse: []} in %s", raw)
	}
	return nil
}

// hostile is page text and a question meant to do harm.
var hostile = struct{ question, title, snippet, source, url string }{
	question: "@everyone <@123> [tekst](http://x) `code` ||spoiler|| \u202Eevil\u202C zero\u200Bwidth",
	title:    "@here <@&1> <#1> </watwerkt:1> <t:0:R> [klik](https://phish.example) **vet** __onder__ ~~door~~",
	snippet: "1. > # Kop\n- lijst ||spoiler|| `code` ```blok``` **wachtlijst** \\*ontsnapt\\* " +
		"**<@123>** **a****b** ***drie*** ** los " + strings.Repeat("lang \u200F\u2066", 900),
	source: "# Bron\n> citaat @everyone",
	url:    "javascript:alert(1)",
}

func hostileAnswer() bots.Answer {
	a := bots.Answer{
		Header:  "Dit vond ik over „" + hostile.question + "” (7 resultaten):",
		HasMore: true, NextOffset: 2,
	}
	a.Items = []bots.Item{
		{Rank: 1, ID: "a", Title: hostile.title, URL: hostile.url, Source: hostile.source, Date: "1 april 2024", Snippet: hostile.snippet},
		{Rank: 2, ID: "b", Title: strings.Repeat("Titel ", 100), URL: "https://example.org/a b?<x>", Source: "Bron", Snippet: strings.Repeat("x", 5000)},
	}
	return a
}

func plainAnswer() bots.Answer {
	r := bots.Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}}
	return r.Answer(t0ctx, bots.Question{Text: "wachtlijst"})
}

func TestRenderGolden(t *testing.T) {
	long := bots.Answer{Header: strings.Repeat("kop ", 600), HasMore: false}
	for i := range 10 {
		long.Items = append(long.Items, bots.Item{Rank: i + 1, ID: fmt.Sprint(i), Title: strings.Repeat("T", 400),
			URL: "https://example.org/" + strings.Repeat("p", 3000), Source: strings.Repeat("bron ", 100), Date: "26 november 2021",
			Snippet: strings.Repeat("**woord** en ", 500)})
	}
	english := plainAnswer()
	english.English = true
	for _, c := range []struct {
		name string
		a    bots.Answer
		key  string
	}{
		{"plain", plainAnswer(), "ABCDEFGHIJ"},
		{"hostile", hostileAnswer(), "ABCDEFGHIJ"},
		{"empty", bots.Answer{Message: "\u200b\u202e"}, ""},
		{"message", bots.Answer{Message: "Niets gevonden over „" + hostile.question + "”. Probeer andere woorden."}, ""},
		{"long", long, "ABCDEFGHIJ"},
		{"english", english, "ABCDEFGHIJ"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := render(c.a, c.key, c.a.English)
			if err := checkMessage(m); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			json.Indent(&got, raw, "", "  ")
			got.WriteString("\n")
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", c.name, got.String())
			}
		})
	}
}

func TestRenderHostileDetails(t *testing.T) {
	m := render(hostileAnswer(), "ABCDEFGHIJ", false)
	e := m.Embeds[0]
	if e.URL != "" {
		t.Errorf("javascript: URL kept: %q", e.URL)
	}
	if !strings.Contains(e.Description, "**wachtlijst**") {
		t.Errorf("the match lost its bold: %q", e.Description)
	}
	if !strings.Contains(e.Description, "**ab**") {
		t.Errorf("adjacent bold groups not joined: %q", e.Description)
	}
	if strings.Contains(e.Description, "**<") || strings.Contains(m.Content, "\u202E") {
		t.Errorf("unsafe bold or bidi kept")
	}
	if got := m.Embeds[1].URL; got != "" {
		t.Errorf("url = %q, want a URL with \"<\" in its query dropped", got)
	}
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"gewoon woord", "gewoon woord"},
		{"@everyone", "@" + zwsp + "everyone"},
		{"<@123>", `\<@` + zwsp + `123\>`},
		{"[x](http://y)", `\[x\](http://y)`},
		{"a_b*c~d`e|f>g#h-i\\j", `a\_b\*c\~d` + "\\`" + `e\|f\>g\#h\-i\\j`},
		{"12. punt", `12\. punt`},
		{"in 2021. Toen", "in 2021. Toen"},
		{"zero\u200Bwidth \u202Eomgekeerd\u202C", "zerowidth omgekeerd"},
		{"regel\nnog\tééntje", "regel nog ééntje"},
		{"\xff", "\uFFFD"},
	} {
		if got := inert(c.in, true, maxContent).String(); got != c.want {
			t.Errorf("inert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMarked(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"op de **wachtlijst** staan", "op de **wachtlijst** staan"},
		{"**a****b**", "**ab**"},
		{"**a** **b**", "**a** **b**"},
		{"**@everyone**", "@" + zwsp + "everyone"},
		{"een ** los", `een \*\* los`},
		{"**12**. punt", "**12**. punt"},
		{"**x_y**", `x\_y`},
	} {
		if got := appendMarked(nil, c.in, true, maxDescription).String(); got != c.want {
			t.Errorf("appendMarked(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFitNeverSplits(t *testing.T) {
	tx := appendMarked(nil, "ab **woord** \\*@x", false, 100)
	full := tx.String()
	for limit := 1; limit <= utf8.RuneCountInString(full)+1; limit++ {
		got := tx.fit(limit)
		if n := utf8.RuneCountInString(got); n > limit {
			t.Errorf("fit(%d) = %q: %d code points", limit, got, n)
		}
		if err := checkInert(strings.TrimSuffix(got, ellipsis)); err != nil {
			t.Errorf("fit(%d) = %q: %v", limit, got, err)
		}
	}
}

func TestPageURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://example.org/x", "https://example.org/x"},
		{"http://example.org/<x>", "http://example.org/%3Cx%3E"},
		{"https://example.org/zoek?q=<x>", ""},
		{"https://voorbeeld.nl/jeugd zorg", "https://voorbeeld.nl/jeugd%20zorg"},
		{"javascript:alert(1)", ""},
		{"JAVASCRIPT:alert(1)", ""},
		{"data:text/html,x", ""},
		{"//example.org/x", ""},
		{"https://user:pw@example.org/", ""},
		{"https://exa\u200Bmple.org/", ""},
		{"https://example.org/" + strings.Repeat("a", 3000), ""},
	} {
		if got := pageURL(c.in); got != c.want {
			t.Errorf("pageURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCustomIDs(t *testing.T) {
	key := bots.NewSessions(0, 0).Put(bots.Answer{})
	for _, c := range []struct {
		id     string
		kind   buttonKind
		rating int
	}{
		{moreID(key), buttonMore, 0},
		{feedbackID(key, 1), buttonFeedback, 1},
		{feedbackID(key, -1), buttonFeedback, -1},
		{"m:" + key + "x", buttonUnknown, 0},
		{"f:" + key + ":*", buttonUnknown, 0},
		{"", buttonUnknown, 0},
	} {
		kind, k, rating := parseCustomID(c.id)
		if kind != c.kind || rating != c.rating || (kind != buttonUnknown && k != key) {
			t.Errorf("parseCustomID(%q) = %v %q %d", c.id, kind, k, rating)
		}
	}
}

// randomText mixes what makes rendering hard: markdown, mentions,
// invisible and wide characters, marks, line breaks.
func randomText(r *rand.Rand, max int) string {
	pieces := []string{"*", "**", "_", "~", "`", "|", ">", "#", "-", "[", "]", "(", ")", "<", "\\", "@", "everyone", "here",
		"<@123>", "<#1>", "<@&2>", "\u200b", "\u202e", "\u2066", "\n", " ", "1.", "é", "e\u0301", "😀", "漢", "\xff", "woord", "http://x"}
	var b strings.Builder
	n := r.IntN(max + 1)
	for b.Len() < n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestRenderLimitsRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		a := bots.Answer{Header: randomText(r, 3000), HasMore: r.IntN(2) == 0}
		for k := range r.IntN(13) {
			a.Items = append(a.Items, bots.Item{Rank: k + 1, ID: fmt.Sprint(k), Title: randomText(r, 400), URL: randomText(r, 50),
				Source: randomText(r, 300), Date: randomText(r, 20), Snippet: randomText(r, 6000)})
		}
		if r.IntN(5) == 0 {
			a.Message = randomText(r, 3000)
		}
		if err := checkMessage(render(a, "ABCDEFGHIJ", false)); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
}
