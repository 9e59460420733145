package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus/demo"
	"github.com/watwerkt/watwerkt/search"
)

// demoEngine crawls the embedded demo sites into a temporary data
// directory, builds an index and opens it; shared by the tests of this
// package.
func demoEngine(t testing.TB) (*search.Engine, *app) {
	t.Helper()
	ctx := context.Background()
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" },
		dataDir: t.TempDir(), log: slog.New(slog.DiscardHandler)}
	srv, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(ctx)
	if err := buildDemo(ctx, a, srv, io.Discard); err != nil {
		t.Fatal(err)
	}
	eng, err := a.versions().OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng, a
}

type judged struct {
	file, question, want string
}

// readJudgements reads testdata/relevance/*.tsv: a header line, then
// "question<TAB>expected page id" lines.
func readJudgements(t testing.TB) []judged {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "relevance", "*.tsv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no relevance files: %v", err)
	}
	var out []judged
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		line := 0
		for sc.Scan() {
			line++
			if line == 1 || strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			q, want, ok := strings.Cut(sc.Text(), "\t")
			if !ok {
				t.Fatalf("%s:%d: want question<TAB>id", f, line)
			}
			out = append(out, judged{filepath.Base(f), q, strings.TrimSpace(want)})
		}
		fh.Close()
	}
	return out
}

// pageID is the demo page id a hit's URL points at.
func pageID(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return path.Base(pu.Path)
}

// TestDemoRelevance checks that every judged demo question finds its
// page: first for the headline question, within the first three for the
// rest, and first for most of them.
func TestDemoRelevance(t *testing.T) {
	eng, _ := demoEngine(t)
	qs := readJudgements(t)
	if len(qs) < 15 {
		t.Fatalf("only %d judged questions, want at least 15", len(qs))
	}
	first, rr := 0, 0.0
	for _, j := range qs {
		res, err := eng.Search(context.Background(), search.Request{Query: j.question, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", j.question, err)
		}
		rank := 0
		for i, h := range res.Hits {
			if pageID(h.URL) == j.want {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			first++
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
		if rank == 0 || rank > 3 {
			var got []string
			for _, h := range res.Hits[:min(3, len(res.Hits))] {
				got = append(got, pageID(h.URL))
			}
			t.Errorf("%s: %q: %s at rank %d, want ≤ 3 (top: %v)", j.file, j.question, j.want, rank, got)
		} else if rank > 1 {
			t.Logf("%s: %q: %s at rank %d", j.file, j.question, j.want, rank)
		}
	}
	mrr := rr / float64(len(qs))
	t.Logf("%d questions: %d first, MRR@10 %.3f", len(qs), first, mrr)
	if mrr < 0.85 {
		t.Errorf("MRR@10 = %.3f, want ≥ 0.85", mrr)
	}
}
