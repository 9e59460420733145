package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/indexer"
)

// runCLI runs the program as a user would, with its own data directory.
func runCLI(t *testing.T, dataDir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "WATWERKT_DATA" {
			return dataDir
		}
		return ""
	}
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb, env)
	return code, out.String(), errb.String()
}

// TestAskBuildsDemoOnFirstUse is the newcomer's first command: no index
// yet, so the demo corpus is built (said in one line) and the
// informal-mentor article answers the headline question.
func TestAskBuildsDemoOnFirstUse(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, dir, "ask", "wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if lines := strings.Count(strings.TrimSpace(errOut), "\n") + 1; !strings.Contains(errOut, "democorpus") || lines != 1 {
		t.Errorf("stderr = %q, want one line about building the demo corpus", errOut)
	}
	first := strings.SplitN(out, "\n2. ", 2)[0]
	if !strings.Contains(first, "1. Een mentor uit eigen kring") || !strings.Contains(first, "/artikel/jim-informele-mentor") {
		t.Errorf("first result is not the informal-mentor article:\n%s", out)
	}
	if !strings.Contains(out, "**netwerk**") {
		t.Errorf("snippet does not mark the match:\n%s", out)
	}
	// A second question reuses the index without a word on stderr.
	code, _, errOut = runCLI(t, dir, "ask", "dialoogtafel")
	if code != exitOK || errOut != "" {
		t.Errorf("second ask: exit %d, stderr %q", code, errOut)
	}
}

func TestSearchJSON(t *testing.T) {
	_, a := demoEngine(t)
	code, out, errOut := runCLI(t, a.dataDir, "search", "--json", "--limit", "3", "wachtlijst jeugd-GGZ")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res struct {
		Query string
		Total int
		Hits  []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Total == 0 || len(res.Hits) != 3 {
		t.Fatalf("total %d, %d hits; want results and 3 hits", res.Total, len(res.Hits))
	}
	for _, key := range []string{"id", "url", "title", "source", "published", "score", "snippet"} {
		if _, ok := res.Hits[0][key]; !ok {
			t.Errorf("hit lacks %q: %v", key, res.Hits[0])
		}
	}
	// Flags after the question work too, and filters narrow the results.
	code, out, _ = runCLI(t, a.dataDir, "search", "wachtlijst", "--json", "--filter", "bron=Projectenbank Jeugd")
	if code != exitOK {
		t.Fatalf("filtered search: exit %d", code)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h["source"] != "Projectenbank Jeugd" {
			t.Errorf("filter bron: got a hit from %v", h["source"])
		}
	}
}

// TestHostileQuestions: whatever a user types, the answer is a short
// Dutch sentence or results, the exit code 0 or 1, and never a panic, a
// stack trace or a query-syntax error.
func TestHostileQuestions(t *testing.T) {
	_, a := demoEngine(t)
	tests := []struct {
		name, q string
	}{
		{"empty", ""},
		{"spaces", "   \t  "},
		{"10000 chars", strings.Repeat("jeugdhulp wachtlijst ", 500)},
		{"10000 one word", strings.Repeat("a", 10000)},
		{"wildcard question", "ADHD?"},
		{"regexp", "/.*/"},
		{"field syntax", "tijd: 12:00"},
		{"star", "*"},
		{"quote", `"`},
		{"unbalanced quotes", `"wachtlijst jeugd`},
		{"boolean syntax", "+gezin -schulden AND (OR"},
		{"emoji only", "😀🙈👍"},
		{"control characters", "wacht\x00lijst\x07\x1b[31m"},
		{"invalid utf-8", "gezin\xff\xfeschulden"},
		{"rtl text", "ما الذي ينجح"},
		{"filter only", "bron:onbekend"},
		{"fuzzy", "dialoogtafell"},
		{"html", "<script>alert(1)</script>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, a.dataDir, "ask", "--", tt.q)
			if code != exitOK && code != exitNothing {
				t.Errorf("exit %d, want 0 or 1; stderr %q", code, errOut)
			}
			all := out + errOut
			for _, bad := range []string{"panic", "goroutine", "syntax", "parse error", "unexpected", "error"} {
				if strings.Contains(strings.ToLower(all), bad) {
					t.Errorf("output contains %q:\n%s", bad, all)
				}
			}
			if strings.TrimSpace(out) == "" {
				t.Errorf("no answer at all")
			}
			if !utf8.ValidString(out) {
				t.Errorf("answer is not valid UTF-8")
			}
			if code == exitNothing && !dutchNothing(out) {
				t.Errorf("no results, but no clear Dutch message:\n%s", out)
			}
		})
	}
}

func dutchNothing(s string) bool {
	for _, m := range []string{"Niets gevonden", "Stel een vraag", "geen woorden", "Niets dat precies"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "Gebruik"},
		{[]string{"help"}, exitOK, "Commando's"},
		{[]string{"bestaatniet"}, exitUsage, "onbekend commando"},
		{[]string{"search", "--limit", "0", "x"}, exitUsage, "--limit"},
		{[]string{"search", "--filter", "kleur=rood", "x"}, exitUsage, "sleutel=waarde"},
		{[]string{"crawl", "--config", "/bestaat/niet.toml"}, exitUsage, "configuratie"},
		{[]string{"serve", "--postings-mb", "-1"}, exitUsage, "--postings-mb"},
		{[]string{"serve", "--postings-mb", "veel"}, exitUsage, "postings-mb"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, t.TempDir(), tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tt.args, code, out+errOut, tt.code, tt.want)
		}
	}
}

// TestCuratorSynonyms: a synonyms.txt in the data directory adds to the
// built-in list; a broken one is reported with file and line.
func TestCuratorSynonyms(t *testing.T) {
	_, a := demoEngine(t)
	os.WriteFile(filepath.Join(a.dataDir, "synonyms.txt"), []byte("# eigen lijst\nmaatje = informele mentor\n"), 0o644)
	code, out, errOut := runCLI(t, a.dataDir, "ask", "maatje")
	if code != exitOK || !strings.Contains(strings.SplitN(out, "\n2. ", 2)[0], "informele") {
		t.Errorf("maatje: exit %d %s\n%s", code, errOut, out)
	}
	os.WriteFile(filepath.Join(a.dataDir, "synonyms.txt"), []byte("# eigen lijst\nalleen een woord\n"), 0o644)
	code, _, errOut = runCLI(t, a.dataDir, "ask", "maatje")
	if code == exitOK || !strings.Contains(errOut, "synonyms.txt:2") {
		t.Errorf("broken synonyms.txt: exit %d, stderr %q", code, errOut)
	}
}

// TestExampleConfig: the sample configuration in docs parses and its
// selectors compile.
func TestExampleConfig(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "docs", "watwerkt.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := corpus.ParseConfig(f, "watwerkt.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) < 3 {
		t.Errorf("%d sources", len(cfg.Sources))
	}
	for _, s := range cfg.Sources {
		if err := indexer.CheckSelectors(&s.Selectors); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// TestAskOnCrawledStoreWithoutIndex: when the store already holds the
// user's own documents, ask points at "watwerkt index" instead of mixing
// the demo corpus into them.
func TestAskOnCrawledStoreWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(t.TempDir(), "docs.jsonl")
	os.WriteFile(f, []byte(`{"_id":"e1","title":"Eigen rapport","text":"Over wachtlijsten in de jeugdhulp."}`+"\n"), 0o644)
	if code, _, errOut := runCLI(t, dir, "import", "--jsonl", f, "--source", "Eigen"); code != exitOK {
		t.Fatalf("import: %d %s", code, errOut)
	}
	code, _, errOut := runCLI(t, dir, "ask", "wachtlijst")
	if code != exitFailure || !strings.Contains(errOut, "watwerkt index") {
		t.Errorf("ask: exit %d, stderr %q; want a pointer to watwerkt index", code, errOut)
	}
	if code, out, _ := runCLI(t, dir, "index"); code != exitOK || !strings.Contains(out, "1 documenten") {
		t.Errorf("index: exit %d, %q; want only the imported document", code, out)
	}
}
