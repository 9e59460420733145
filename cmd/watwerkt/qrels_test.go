package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// TestQrelsExportAndCompare: feedback becomes judged queries, and eval
// --compare measures a pin against no curation on them before it goes
// live.
func TestQrelsExportAndCompare(t *testing.T) {
	eng, a := demoEngine(t)
	res, err := eng.Search(t.Context(), search.Request{Query: "schulden", Limit: 5})
	if err != nil || len(res.Hits) < 3 {
		t.Fatalf("search: %v, %d hits", err, len(res.Hits))
	}
	third := res.Hits[2]
	st, err := a.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []corpus.Feedback{
		{Platform: "telegram", Question: "Schulden", ResultIDs: []string{third.ID}, Rating: 1},
		{Platform: "discord", Question: "schulden ", ResultIDs: []string{res.Hits[0].ID}, Rating: -1},
		{Platform: "discord", Question: "wachtlijst", ResultIDs: []string{res.Hits[1].ID}, Rating: -1},
	} {
		if err := st.PutFeedback(t.Context(), f); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	out := filepath.Join(t.TempDir(), "judged")
	code, stdout, stderr := runCLI(t, a.dataDir, "qrels", "export", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "3 beoordelingen → 2 vragen met 1 relevante") {
		t.Fatalf("qrels export: exit %d\n%s%s", code, stdout, stderr)
	}
	qrels, _ := os.ReadFile(filepath.Join(out, "qrels.tsv"))
	if want := "fb0001\t" + third.ID + "\t1\n"; !strings.Contains(string(qrels), want) {
		t.Errorf("qrels.tsv lacks %q:\n%s", want, qrels)
	}

	pin := filepath.Join(t.TempDir(), "curation.txt")
	os.WriteFile(pin, []byte("pin schulden => "+third.URL+"\n"), 0o644)
	code, stdout, stderr = runCLI(t, a.dataDir, "eval", "--queries", filepath.Join(out, "queries.jsonl"),
		"--qrels", filepath.Join(out, "qrels.tsv"), "--compare", "geen", pin)
	if code != exitOK {
		t.Fatalf("eval --compare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"B wint bij 1 vragen, verliest bij 0", "3 → 1", "MRR@10 +0.667", "1 vragen (short)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eval --compare output lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := runCLI(t, a.dataDir, "eval", "--queries", "q", "--qrels", "r", "--compare", "geen"); code != exitUsage || !strings.Contains(stderr, "twee instellingen") {
		t.Errorf("--compare with one setting: exit %d, %q", code, stderr)
	}
}
