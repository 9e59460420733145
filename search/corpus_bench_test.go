package search

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// corpusEngine opens the index of the passages file named by
// WATWERKT_BENCH_CORPUS (bench/run's 1k/10k/100k corpora, cached in
// ~/.cache/watwerkt-bench), building it first into
// WATWERKT_BENCH_INDEX (default: next to the corpus) when that has none.
// It skips when the variable is unset: these benchmarks are for
// profiling a size, `go test -bench Corpus -cpuprofile …`.
func corpusEngine(b testing.TB) *Engine {
	path := os.Getenv("WATWERKT_BENCH_CORPUS")
	if path == "" {
		b.Skip("WATWERKT_BENCH_CORPUS not set")
	}
	root := os.Getenv("WATWERKT_BENCH_INDEX")
	if root == "" {
		root = path + ".index"
	}
	v := Versions{Root: root}
	if e, err := v.OpenCurrent(); err == nil {
		b.Cleanup(func() { e.Close() })
		return e
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var docs []*corpus.Document
	vocab := NewVocabulary()
	if err := ReadJSONL(f, filepath.Base(path), func(d EvalDoc) error {
		docs = append(docs, &corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)})
		vocab.Add(string(d.Title))
		vocab.Add(string(d.Text))
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	bld, err := v.NewBuilder(vocab)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range docs {
		if err := bld.Add(d); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bld.Commit(context.Background()); err != nil {
		b.Fatal(err)
	}
	e, err := v.OpenCurrent()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return e
}

// BenchmarkCorpus times the dekamer dev questions (top 10) on the
// corpus of WATWERKT_BENCH_CORPUS and reports latency percentiles.
func BenchmarkCorpus(b *testing.B) {
	e := corpusEngine(b)
	qs := dekamerQuestions(b)
	for _, c := range []struct {
		name     string
		long     bool
		snippets bool
	}{{"short", false, true}, {"short-nosnippets", false, false}, {"long", true, true}, {"long-nosnippets", true, false}} {
		b.Run(c.name, func(b *testing.B) {
			form := "short"
			if c.long {
				form = "long"
			}
			ctx := context.Background()
			// One untimed pass first, as bench/run warms its caches.
			for _, q := range qs[:min(b.N, len(qs))] {
				if _, err := e.Search(ctx, Request{Query: q.Form(form), Limit: 10, Long: c.long, NoSnippets: !c.snippets}); err != nil {
					b.Fatal(err)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := e.Search(ctx, Request{Query: qs[i%len(qs)].Form(form), Limit: 10, Long: c.long, NoSnippets: !c.snippets}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[int(0.99*float64(len(lat)-1))])/1e6, "p99-ms")
		})
	}
}

// dekamerQuestions reads the dekamer development questions, or skips.
func dekamerQuestions(tb testing.TB) []EvalQuery {
	qf, err := os.Open(filepath.Join(dekamerDir, "queries-dev.jsonl"))
	if err != nil {
		tb.Skipf("dekamer questions not available: %v", err)
	}
	defer qf.Close()
	var qs []EvalQuery
	if err := ReadJSONL(qf, "queries", func(q EvalQuery) error { qs = append(qs, q); return nil }); err != nil {
		tb.Fatal(err)
	}
	return qs
}
