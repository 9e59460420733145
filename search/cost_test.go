package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestQuestionCost measures what one question costs on the dekamer
// answers, for comparing two versions of the code on a machine whose
// speed drifts (bench/cost runs it under valgrind to count
// instructions). It is skipped unless WATWERKT_COST_INDEX names a
// directory: the first run builds the index there and stops, later
// runs open it, ask WATWERKT_COST_WARM questions (default 600) to fill
// the caches, then time WATWERKT_COST_N questions (default 600) of
// WATWERKT_COST_FORM (short or long), with WATWERKT_COST_SET options
// (name=value,…), and print the time, bytes and allocations per
// question.
func TestQuestionCost(t *testing.T) {
	root := os.Getenv("WATWERKT_COST_INDEX")
	if root == "" {
		t.Skip("WATWERKT_COST_INDEX not set (bench/cost sets it)")
	}
	if _, err := os.Stat(filepath.Join(root, "built")); err != nil {
		indexJSONL(t, filepath.Join(dekamerDir, "corpus.jsonl"), root)
		if err := os.WriteFile(filepath.Join(root, "built"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	e, err := Versions{Root: root}.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if set := os.Getenv("WATWERKT_COST_SET"); set != "" {
		o := DefaultOptions()
		for _, kv := range strings.Split(set, ",") {
			if err := o.Set(kv); err != nil {
				t.Fatal(err)
			}
		}
		e.SetOptions(o)
	}
	form := os.Getenv("WATWERKT_COST_FORM")
	if form == "" {
		form = "short"
	}
	if form != "short" && form != "long" {
		t.Fatalf("WATWERKT_COST_FORM %q: short or long", form)
	}
	count := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a number", name, v)
		}
		return n
	}
	warm, n := count("WATWERKT_COST_WARM", 600), count("WATWERKT_COST_N", 600)
	qs := dekamerQuestions(t)
	ctx := context.Background()
	ask := func(i int) {
		q := qs[i%len(qs)]
		if _, err := e.Search(ctx, Request{Query: q.Form(form), Limit: 10, Long: form == "long"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range warm {
		ask(i)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for i := range n {
		ask(i)
	}
	took := time.Since(start)
	runtime.ReadMemStats(&m1)
	if n > 0 {
		fmt.Printf("%s questions: %d asked, per question %v, %d bytes, %d allocations\n", form, n,
			took/time.Duration(n), (m1.TotalAlloc-m0.TotalAlloc)/uint64(n), (m1.Mallocs-m0.Mallocs)/uint64(n))
	}
}
