package telegram

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenKey stands in for a session key in golden files.
const goldenKey = "KEYKEYKEY1"

func page(items ...bots.Item) bots.Answer {
	for i := range items {
		items[i].Rank = i + 1
		if items[i].ID == "" {
			items[i].ID = fmt.Sprintf("id%d", i+1)
		}
	}
	return bots.Answer{
		Header: "Dit vond ik over „wachtlijst” (12 resultaten):", Items: items,
		Footer: `Typ "meer" voor de volgende resultaten.`, HasMore: true, NextOffset: len(items),
	}
}

func wachtlijstPage() bots.Answer {
	var items []bots.Item
	for _, h := range wachtlijstHits()[:5] {
		items = append(items, bots.Item{ID: h.ID, Title: h.Title, URL: h.URL, Source: h.Source, Date: "26 november 2021", Snippet: h.Snippet})
	}
	return page(items...)
}

func goldenCases() map[string]bots.Answer {
	last := wachtlijstPage()
	last.HasMore, last.Footer = false, "Dit waren alle resultaten."

	english := wachtlijstPage()
	english.English, english.Header = true, `This is what I found about "waiting list" (12 results, in Dutch):`

	long := strings.Repeat("Jongeren die het contact met hun netwerk kwijt zijn, hebben baat bij **netwerkberaad**. ", 60) // ≈5,000 characters
	var longs []bots.Item
	for i := range 5 {
		longs = append(longs, bots.Item{Title: fmt.Sprintf("Netwerkberaad %d", i+1), URL: "https://werkplaats.example/netwerk", Source: "AWJ", Snippet: long})
	}

	// Runs without spaces, so the cut must fall between grapheme clusters.
	edge := func(unit string) string { return "Begin " + strings.Repeat(unit, 5000/utf16Len(unit)) }
	boundary := page(
		bots.Item{Title: "Vlaggen 🇳🇱🇧🇪", URL: "https://e.example/1", Snippet: edge("🇳🇱")},
		bots.Item{Title: "Huidskleur en ZWJ", URL: "https://e.example/2", Snippet: edge("👩🏽‍💻")},
		bots.Item{Title: "Combinerende tekens", URL: "https://e.example/3", Snippet: edge("e\u0301\u0323")},
		bots.Item{Title: "Engelse vlag", URL: "https://e.example/4", Snippet: edge("🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F")},
		bots.Item{Title: "Hangul", URL: "https://e.example/5", Snippet: edge("\u1100\u1161\u11A8")},
	)

	hostile := page(
		bots.Item{Title: `<script>alert("x")</script>`, URL: `https://example.org/zoek?a=1&b="2"<x>`, Source: "<i>Bron</i> & co", Date: "1 januari 2024",
			Snippet: `Tom &amp; Jerry <b>niet vet **echt vet** en een losse ** ster`},
		bots.Item{Title: "Klik mij", URL: "javascript:alert(1)", Snippet: "Geen **link** want geen http."},
		bots.Item{Title: "Inlog-truc", URL: "https://bank.example@evil.example/pad", Snippet: "**"},
		bots.Item{Title: "Stuurtekens\u202Egnp.exe\x00\x07", URL: "ftp://example.org/x", Snippet: "a\u2066b\u2069c\n\td"},
		bots.Item{Title: "", URL: "https://example.org/", Snippet: "****leeg****"},
	)

	var titles []bots.Item
	for i := range 5 {
		titles = append(titles, bots.Item{Title: strings.Repeat("Titel ", 200), URL: "https://e.example/" + fmt.Sprint(i), Source: strings.Repeat("Bron ", 100), Date: "2 februari 2022", Snippet: strings.Repeat("tekst ", 500)})
	}
	titlesAnswer := page(titles...)
	titlesAnswer.Header = strings.Repeat("Kop ", 1000)

	return map[string]bots.Answer{
		"wachtlijst":     wachtlijstPage(),
		"laatste-pagina": last,
		"engels":         english,
		"lange-snippets": page(longs...),
		"grensgevallen":  boundary,
		"vijandig":       hostile,
		"lange-titels":   titlesAnswer,
		"niets-gevonden": {Message: "Niets gevonden over „<b>zorg & co</b>”. Probeer andere of minder woorden, of een synoniem."},
		"leeg-antwoord":  {},
	}
}

// TestGolden renders the answers as they are sent (text and
// reply_markup) and compares them with testdata/*.golden; -update
// rewrites the files.
func TestGolden(t *testing.T) {
	t.Parallel()
	for name, a := range goldenCases() {
		text, shown := present(a)
		checkMessage(t, name, text)
		kb := ""
		if m := keyboard(shown, goldenKey); m != nil {
			b, _ := json.Marshal(m)
			kb = string(b)
		}
		got := "-- text --\n" + text + "\n-- reply_markup --\n" + kb + "\n"
		file := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: rendering differs from %s (go test -update rewrites it)\ngot:\n%s", name, file, got)
		}
	}
}

var allowedTag = regexp.MustCompile(`^<(b|/b|/a|a href="[^"<>]*")>`)

// checkMessage asserts that text is what Telegram accepts and we intend:
// valid UTF-8, well-formed HTML of the parse mode with balanced tags,
// only <b> and <a href>, at most 4096 UTF-16 units after entity parsing.
func checkMessage(t testing.TB, name, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Fatalf("%s: not valid UTF-8", name)
	}
	plain, entities, err := faketelegram.ParseHTML(text)
	if err != nil {
		t.Fatalf("%s: Telegram would reject it: %v\n%s", name, err, text)
	}
	if n := faketelegram.UTF16Len(plain); n > maxText || n == 0 {
		t.Fatalf("%s: %d UTF-16 units after entity parsing, want 1..%d", name, n, maxText)
	}
	for _, e := range entities {
		if e.Type != "bold" && e.Type != "text_link" {
			t.Fatalf("%s: entity %q; only bold and links are used", name, e.Type)
		}
		if e.Type == "text_link" && !strings.HasPrefix(e.URL, "https://") && !strings.HasPrefix(e.URL, "http://") {
			t.Fatalf("%s: link to %q", name, e.URL)
		}
	}
	for i := strings.IndexByte(text, '<'); i >= 0; {
		if !allowedTag.MatchString(text[i:]) {
			t.Fatalf("%s: unexpected tag at %d: %.40q", name, i, text[i:])
		}
		next := strings.IndexByte(text[i+1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
}

func TestRenderHostileIsInert(t *testing.T) {
	t.Parallel()
	text, _ := present(goldenCases()["vijandig"])
	for _, bad := range []string{"<script", "<i>", "javascript:", "bank.example@", "\u202E", "\x00", `b="2"`} {
		if strings.Contains(text, bad) {
			t.Errorf("rendered hostile answer contains %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "Tom &amp;amp; Jerry &lt;b&gt;niet vet <b>echt vet</b> en een losse ** ster", `href="https://example.org/zoek?a=1&amp;b=%222%22%3Cx%3E"`} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered hostile answer lacks %q:\n%s", want, text)
		}
	}
}

func TestRenderDropsResultsThatDoNotFit(t *testing.T) {
	t.Parallel()
	var items []bots.Item
	for i := range 20 {
		items = append(items, bots.Item{Title: strings.Repeat("Lange titel ", 30) + fmt.Sprint(i), URL: "https://e.example/", Source: strings.Repeat("Bron ", 40), Snippet: strings.Repeat("woord ", 100)})
	}
	a := page(items...)
	a.HasMore, a.NextOffset = false, 20
	text, shown := present(a)
	checkMessage(t, "20 results", text)
	n := len(shown.Items)
	if n == 0 || n == 20 {
		t.Fatalf("shown %d of 20 results, want some dropped", n)
	}
	if !shown.HasMore || shown.NextOffset != n || strings.Contains(text, "Dit waren alle resultaten") {
		t.Errorf("after dropping: HasMore=%v NextOffset=%d, want the next page to start at %d", shown.HasMore, shown.NextOffset, n)
	}
	for _, it := range shown.Items {
		if !strings.Contains(text, fmt.Sprintf("<b>%d.</b>", it.Rank)) {
			t.Errorf("result %d counted as shown but not in the text", it.Rank)
		}
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "kort", 4, "kort"},
		{"word boundary", "een twee drie vier", 12, "een twee…"},
		{"trailing comma", "een, twee drie", 7, "een…"},
		{"no space", "abcdefghij", 5, "abcd…"},
		{"flag not split", "ab🇳🇱🇧🇪", 5, "ab…"},        // a, b, 🇳🇱 (4 units) would need 6 with …
		{"flag kept whole", "ab🇳🇱🇧🇪", 7, "ab🇳🇱…"},     // 2 + 4 + 1
		{"flag parity", "🇳🇱🇧🇪🇩🇪", 11, "🇳🇱🇧🇪…"},        // never 🇱🇧
		{"skin tone", "ab👍🏽cd", 5, "ab…"},             // 👍🏽 is 4 units and one cluster
		{"zwj sequence", "x👩‍💻y", 5, "x…"},            // 👩‍💻 is 5 units
		{"combining marks", "cafe\u0301s", 5, "caf…"}, // é = e + U+0301
		{"surrogate pair", "a😀b", 3, "a…"},
		{"hangul jamo", "\u1100\u1161\u11A8x", 3, "…"},
		{"tiny", "abc", 1, "…"},
		{"zero", "abc", 0, ""},
	} {
		got := cut(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("%s: cut(%q, %d) = %q, want %q", tc.name, tc.in, tc.max, got, tc.want)
		}
		if utf16Len(got) > tc.max {
			t.Errorf("%s: %q is %d units, over %d", tc.name, got, utf16Len(got), tc.max)
		}
	}
}

func TestParseMarks(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a **b** c":     "a [b] c",
		"**a****b**":    "[ab]",
		"a ** b":        "a ** b",
		"**a** b **c":   "[a] b **c",
		"****":          "",
		"x **y** **z**": "x [y] [z]",
	} {
		var b strings.Builder
		for _, s := range parseMarks(in) {
			if s.bold {
				b.WriteString("[" + s.text + "]")
			} else {
				b.WriteString(s.text)
			}
		}
		if b.String() != want {
			t.Errorf("parseMarks(%q) = %q, want %q", in, b.String(), want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://e.example/a b":                          "https://e.example/a%20b",
		"http://e.example":                               "http://e.example",
		"javascript:alert(1)":                            "",
		"data:text/html,x":                               "",
		"//e.example/x":                                  "",
		"https://u:p@e.example/":                         "https://e.example/",
		"mailto:a@e.example":                             "",
		"https://e.example/" + strings.Repeat("x", 3000): "",
	} {
		if got := safeURL(in); got != want {
			t.Errorf("safeURL(%.40q) = %q, want %q", in, got, want)
		}
	}
}

func TestCallbackData(t *testing.T) {
	t.Parallel()
	a := wachtlijstPage()
	kb := keyboard(a, "ABCDEFGHIJ")
	for _, row := range kb.InlineKeyboard {
		for _, btn := range row {
			if len(*btn.CallbackData) > 64 {
				t.Errorf("%q: %d bytes", *btn.CallbackData, len(*btn.CallbackData))
			}
			if _, key, _, ok := parseData(*btn.CallbackData); !ok || key != "ABCDEFGHIJ" {
				t.Errorf("parseData(%q) = %q, %v", *btn.CallbackData, key, ok)
			}
		}
	}
	for _, bad := range []string{"", "m:", "m:short", "f:ABCDEFGHIJ", "f:ABCDEFGHIJ:x", "x:ABCDEFGHIJ"} {
		if _, _, _, ok := parseData(bad); ok {
			t.Errorf("parseData(%q) accepted", bad)
		}
	}
}

// FuzzRender renders arbitrary answer text: the result must never
// exceed the limit, always be well-formed HTML with balanced tags, be
// valid UTF-8, and the renderer must not panic.
func FuzzRender(f *testing.F) {
	f.Add("Dit vond ik over „x” (3 resultaten):", "Titel", "https://e.example/a?b=1&c=2", "Bron", "Een **match** hier", 3)
	f.Add("<b>", "<script>", "javascript:x", "&amp;", "**open", 5)
	f.Add("", "🇳🇱🇳🇱🇳🇱", "http://[::1]/", "e\u0301", strings.Repeat("👩🏽‍💻", 2000), 7)
	f.Fuzz(func(t *testing.T, header, title, url, source, snippet string, n int) {
		count := 1 + (n%8+8)%8
		var items []bots.Item
		for i := range count {
			items = append(items, bots.Item{Rank: i + 1, ID: fmt.Sprint(i), Title: title, URL: url, Source: source, Date: source, Snippet: strings.Repeat(snippet, 1+i)})
		}
		a := bots.Answer{Header: header, Items: items, Footer: snippet, HasMore: n%2 == 0, NextOffset: count}
		if n%5 == 0 {
			a = bots.Answer{Message: header + snippet}
		}
		text, shown := present(a)
		checkMessage(t, "fuzz", text)
		if len(a.Items) > 0 && len(shown.Items) == 0 {
			t.Fatalf("no result shown of %d", len(a.Items))
		}
		if kb := keyboard(shown, goldenKey); kb != nil {
			for _, btn := range kb.InlineKeyboard[0] {
				if len(*btn.CallbackData) > 64 {
					t.Fatalf("callback data %q over 64 bytes", *btn.CallbackData)
				}
			}
		}
	})
}
