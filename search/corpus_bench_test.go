package search

import (
	"os"
	"strings"
	"testing"
)

// corpusEngine opens the index of the passages file named by
// WATWERKT_BENCH_CORPUS (bench/run's 1k/10k/100k corpora, cached in
// ~/.cache/watwerkt-bench), building it first into
// WATWERKT_BENCH_INDEX (default: next to the corpus) when that has none.
// It skips when the variable is unset: these benchmarks are for
// profiling a size, `go test -bench Corpus -cpuprofile …`.
// WATWERKT_BENCH_SET sets search options, as eval's --set does
// ("coord=1;tf=sqrt").
func corpusEngine(tb testing.TB) *Engine {
	e := openCorpusEngine(tb)
	if set := os.Getenv("WATWERKT_BENCH_SET"); set != "" {
		o := e.opt
		for _, kv := range strings.Split(set, ";") {
			if err := o.Set(kv); err != nil {
				tb.Fatal(err)
			}
		}
		e.SetOptions(o)
	}
	return e
}

func openCorpusEngine(tb testing.TB) *Engine {
	path := os.Getenv("WATWERKT_BENCH_CORPUS")
	if path == "" {
		tb.Skip("WATWERKT_BENCH_CORPUS not set")
	}
	root := os.Getenv("WATWERKT_BENCH_INDEX")
	if root == "" {
		root = path + ".index"
	}
	v := Versions{Root: root}
	if e, err := v.OpenCurrent(); err == nil {
		tb.Cleanup(func() { e.Close() })
		return e
	}
	return indexJSONL(tb, path, root)
}

// BenchmarkCorpus times the dekamer dev questions (top 10) on the
// corpus of WATWERKT_BENCH_CORPUS and reports latency percentiles,
// after one untimed pass.
func BenchmarkCorpus(b *testing.B) {
	benchPercentiles(b, corpusEngine(b), dekamerQuestions(b), true)
}
