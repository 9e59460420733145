package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	dir := filepath.Join("testdata", "eval")
	out := filepath.Join(t.TempDir(), "ranks.tsv")
	for _, form := range []string{"short", "long"} {
		code, stdout, stderr := runCLI(t, t.TempDir(), "eval", "--queries", filepath.Join(dir, "queries.jsonl"),
			"--qrels", filepath.Join(dir, "qrels.tsv"), "--corpus", filepath.Join(dir, "corpus.jsonl"),
			"--form", form, "--passes", "1", "--out", out)
		if code != exitOK {
			t.Fatalf("%s: exit %d, stderr %q", form, code, stderr)
		}
		for _, want := range []string{"4 vragen", "n=4 ", "MRR@10 1.000", "nDCG@10 1.000", "Recall@10 1.000", "care_social_related  n=2 "} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: output lacks %q:\n%s", form, want, stdout)
			}
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[1], "q1\t1\t") {
		t.Errorf("ranks file:\n%s", b)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"_id\": \"q1\", \"title\": \"x\"}\n{kapot\n"), 0o644)
	qrels := filepath.Join(dir, "qrels.tsv")
	os.WriteFile(qrels, []byte("query-id\tcorpus-id\tscore\nq1\td1\tx\n"), 0o644)
	good := filepath.Join("testdata", "eval")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"eval"}, "verplicht"},
		{[]string{"eval", "--queries", bad, "--qrels", filepath.Join(good, "qrels.tsv"), "--form", "middel"}, "short of long"},
		{[]string{"eval", "--queries", bad, "--qrels", filepath.Join(good, "qrels.tsv")}, "bad.jsonl:2"},
		{[]string{"eval", "--queries", filepath.Join(good, "queries.jsonl"), "--qrels", qrels}, "qrels.tsv:2"},
		{[]string{"eval", "--queries", filepath.Join(good, "queries.jsonl"), "--qrels", filepath.Join(good, "qrels.tsv"), "--set", "titel=2"}, "unknown option"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, t.TempDir(), tt.args...)
		if code != exitUsage || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tt.args[1:], code, stdout+stderr, exitUsage, tt.want)
		}
	}
}
