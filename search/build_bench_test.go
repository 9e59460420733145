package search

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// These benchmarks complement bench_test.go with the figures of the
// benchmark table (bench/cmd/benchtable): build throughput, latency
// percentiles and queries/s under concurrent clients, on the dekamer
// answers in ../shared (skipped when absent). They only run with -bench.

// BenchmarkBuildDekamer indexes the 3,483 dekamer answers per iteration
// as `watwerkt index` does: vocabulary for the compound splitter, then
// the documents, then the verified commit.
func BenchmarkBuildDekamer(b *testing.B) {
	f, err := os.Open(filepath.Join(dekamerDir, "corpus.jsonl"))
	if err != nil {
		b.Skipf("dekamer data not available: %v", err)
	}
	var docs []*corpus.Document
	var size int64
	err = ReadJSONL(f, "corpus", func(d EvalDoc) error {
		docs = append(docs, &corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)})
		size += int64(len(d.Title) + len(d.Text))
		return nil
	})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		root, err := os.MkdirTemp("", "watwerkt-buildbench-")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		vocab := NewVocabulary()
		for _, d := range docs {
			vocab.Add(d.Title)
			vocab.Add(d.Body)
		}
		bld, err := Versions{Root: root}.NewBuilder(vocab)
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
		b.StopTimer()
		os.RemoveAll(root)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkSearchPercentiles times every question as a chat front end
// asks it (top 10) and reports the latency percentiles besides the mean.
func BenchmarkSearchPercentiles(b *testing.B) {
	e, qs := dekamerEngine(b)
	benchPercentiles(b, e, qs, false)
}

// benchPercentiles times the questions short and long, with and without
// snippets (top 10), and reports p50, p95 and p99. With warm, one
// untimed pass over the questions comes first, as bench/run warms its
// caches (topK's term bounds are computed on a term's first use).
func benchPercentiles(b *testing.B, e *Engine, qs []EvalQuery, warm bool) {
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
			ask := func(q EvalQuery) {
				if _, err := e.Search(ctx, Request{Query: q.Form(form), Limit: 10, Long: c.long, NoSnippets: !c.snippets}); err != nil {
					b.Fatal(err)
				}
			}
			if warm {
				for _, q := range qs[:min(b.N, len(qs))] {
					ask(q)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				ask(qs[i%len(qs)])
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			for _, p := range []struct {
				unit string
				q    float64
			}{{"p50-ms", 0.50}, {"p95-ms", 0.95}, {"p99-ms", 0.99}} {
				b.ReportMetric(float64(lat[int(p.q*float64(len(lat)-1))])/1e6, p.unit)
			}
		})
	}
}

// BenchmarkSearchClients sends the short questions (top 10 with
// snippets) from 1, 8 and 32 concurrent clients and reports queries/s.
func BenchmarkSearchClients(b *testing.B) {
	e, qs := dekamerEngine(b)
	for _, clients := range []int{1, 8, 32} {
		b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
			ctx := context.Background()
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			b.ResetTimer()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						if _, err := e.Search(ctx, Request{Query: qs[i%len(qs)].Form("short"), Limit: 10}); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		})
	}
}
