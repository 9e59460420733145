package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/watwerkt/watwerkt/bench/measure"
	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// A step runs in a child process of benchtable, so that its peak RSS is
// its own (getrusage of the child) and a crash or leak cannot skew the
// steps after it. Steps print measure records on stdout.
type stepFunc func(ctx context.Context, args stepArgs, w *measure.Writer) error

var steps = map[string]stepFunc{
	"ours-build":  oursBuild,
	"ours-query":  oursQuery,
	"bleve-build": bleveBuild,
	"bleve-query": bleveQuery,
}

// stepArgs are the flags a step understands.
type stepArgs struct {
	corpus string // JSON lines {_id,title,text}
	index  string // index directory (ours: the versions root)
	// Question files (TSV: id, text). The rank files, when given, are
	// searched once first for MRR@10 (and warm the caches); short and
	// long are then timed pass after pass; tput feeds the clients.
	short, long, rankShort, rankLong, tput string
	passes                                 int
	longBudget, rankBudget                 time.Duration
	clients                                []int
	duration                               time.Duration
	runs                                   int // throughput runs per clients count
}

func runStep(ctx context.Context, name string, argv []string, stdout io.Writer) error {
	fn, ok := steps[name]
	if !ok {
		return fmt.Errorf("unknown step %q", name)
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var a stepArgs
	var clients string
	fs.StringVar(&a.corpus, "corpus", "", "")
	fs.StringVar(&a.index, "index", "", "")
	fs.StringVar(&a.short, "short", "", "")
	fs.StringVar(&a.long, "long", "", "")
	fs.StringVar(&a.rankShort, "rank-short", "", "")
	fs.StringVar(&a.rankLong, "rank-long", "", "")
	fs.StringVar(&a.tput, "tput", "", "")
	fs.IntVar(&a.passes, "passes", 5, "")
	fs.DurationVar(&a.longBudget, "long-budget", 0, "")
	fs.DurationVar(&a.rankBudget, "rank-budget", 0, "")
	fs.StringVar(&clients, "clients", "1,8,32", "")
	fs.DurationVar(&a.duration, "duration", 2*time.Second, "")
	fs.IntVar(&a.runs, "runs", 5, "")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	var err error
	if a.clients, err = parseInts(clients); err != nil {
		return err
	}
	w := measure.NewWriter(stdout)
	err = fn(ctx, a, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// loadCorpus reads a corpus into memory; builds are timed from there on,
// in every system.
func loadCorpus(path string) ([]search.EvalDoc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []search.EvalDoc
	err = search.ReadJSONL(f, path, func(d search.EvalDoc) error {
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// question is one question of a TSV file (id, text).
type question = measure.Question

// readQuestions reads a question file; "" is no questions.
func readQuestions(path string) ([]question, error) {
	if path == "" {
		return nil, nil
	}
	return measure.ReadQuestions(path, 0)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// oursBuild builds one index version the way `watwerkt index` does: the
// vocabulary for the compound splitter first, then the documents.
func oursBuild(ctx context.Context, a stepArgs, w *measure.Writer) error {
	docs, err := loadCorpus(a.corpus)
	if err != nil {
		return err
	}
	start := time.Now()
	vocab := search.NewVocabulary()
	for _, d := range docs {
		vocab.Add(string(d.Title))
		vocab.Add(string(d.Text))
	}
	b, err := search.Versions{Root: a.index}.NewBuilder(vocab)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := b.Add(&corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)}); err != nil {
			b.Abort()
			return err
		}
	}
	if _, err := b.Commit(ctx); err != nil {
		return err
	}
	w.Record("build", time.Since(start).Nanoseconds(), dirSize(a.index), len(docs))
	return nil
}

// searchFunc runs one question and returns the ids of its top 10.
type searchFunc func(ctx context.Context, q string, long, snippets bool) ([]string, error)

func oursQuery(ctx context.Context, a stepArgs, w *measure.Writer) error {
	eng, err := search.Versions{Root: a.index}.OpenCurrent()
	if err != nil {
		return err
	}
	defer eng.Close()
	fn := func(ctx context.Context, q string, long, snippets bool) ([]string, error) {
		res, err := eng.Search(ctx, search.Request{Query: q, Limit: 10, Long: long, NoSnippets: !snippets})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		return ids, nil
	}
	return queryAll(ctx, a, fn, []bool{true, false}, w)
}

// queryAll ranks the rank questions once (MRR@10; this also warms the
// caches, or else one untimed pass does), times the short and long
// questions pass after pass, then measures throughput on the tput
// questions. The first snippets setting is the one ranked and loaded.
func queryAll(ctx context.Context, a stepArgs, fn searchFunc, snippets []bool, w *measure.Writer) error {
	var sets [5][]question
	for i, p := range []string{a.rankShort, a.rankLong, a.short, a.long, a.tput} {
		var err error
		if sets[i], err = readQuestions(p); err != nil {
			return err
		}
	}
	rank, timed, tput := [2][]question{sets[0], sets[1]}, [2][]question{sets[2], sets[3]}, sets[4]
	forms := [2]string{"short", "long"}
	first := 1
	if len(rank[0])+len(rank[1]) == 0 {
		first = 0 // a warm-up pass instead
	}
	// Long questions can take seconds each in the slower systems: the
	// first pass over them may take at most longBudget, and the passes
	// after it time the same questions.
	limit := [2]int{len(timed[0]), len(timed[1])}
	overBudget := func(form string, start time.Time, budget time.Duration) bool {
		return form == "long" && budget > 0 && time.Since(start) > budget
	}
	for fi, form := range forms {
		start := time.Now()
		for i, q := range rank[fi] {
			if overBudget(form, start, a.rankBudget) {
				w.Record("note", fmt.Sprintf("ranked only the first %d of %d long questions within %v", i, len(rank[fi]), a.rankBudget))
				break
			}
			ids, err := fn(ctx, q.Text, form == "long", snippets[0])
			if err != nil {
				return fmt.Errorf("question %s: %w", q.ID, err)
			}
			w.Record("rank", form, q.ID, strings.Join(ids, "\t"))
		}
	}
	for pass := first; pass <= a.passes; pass++ {
		for fi, form := range forms {
			for _, snip := range snippets {
				start := time.Now()
				for i, q := range timed[fi][:limit[fi]] {
					if pass == first && overBudget(form, start, a.longBudget) {
						limit[fi] = i
						w.Record("note", fmt.Sprintf("timed only the first %d of %d long questions (the first pass took over %v)", i, len(timed[fi]), a.longBudget))
						break
					}
					t0 := time.Now()
					_, err := fn(ctx, q.Text, form == "long", snip)
					took := time.Since(t0)
					if err != nil {
						return fmt.Errorf("question %s: %w", q.ID, err)
					}
					w.Record("lat", form, b01(snip), pass, q.ID, took.Nanoseconds())
				}
			}
		}
	}
	if len(tput) == 0 {
		return nil
	}
	for _, n := range a.clients {
		for range a.runs {
			count, took, err := throughput(ctx, n, a.duration, len(tput), func(ctx context.Context, i int) error {
				_, err := fn(ctx, tput[i].Text, false, snippets[0])
				return err
			})
			if err != nil {
				return err
			}
			w.Record("tput", "short", n, count, took.Nanoseconds())
		}
	}
	return nil
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// throughput runs n clients, each sending question after question (client
// c starts at its own place in the list) until d has passed, and returns
// how many were answered and how long that took.
func throughput(ctx context.Context, n int, d time.Duration, questions int, fn func(ctx context.Context, i int) error) (int64, time.Duration, error) {
	var wg sync.WaitGroup
	counts := make([]int64, n)
	errs := make([]error, n)
	start := time.Now()
	deadline := start.Add(d)
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c * questions / n; time.Now().Before(deadline); i++ {
				if err := fn(ctx, i%questions); err != nil {
					errs[c] = err
					return
				}
				counts[c]++
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var total int64
	for _, c := range counts {
		total += c
	}
	return total, took, errors.Join(errs...)
}

// bleveBuild is bleve out of the box: the default mapping (standard
// analyzer, every field into _all), tf-idf scoring, batches of 200 as our
// builder uses.
func bleveBuild(ctx context.Context, a stepArgs, w *measure.Writer) error {
	docs, err := loadCorpus(a.corpus)
	if err != nil {
		return err
	}
	start := time.Now()
	idx, err := bleve.New(a.index, bleve.NewIndexMapping())
	if err != nil {
		return err
	}
	batch := idx.NewBatch()
	for _, d := range docs {
		if err := batch.Index(string(d.ID), map[string]any{"title": string(d.Title), "text": string(d.Text)}); err != nil {
			return err
		}
		if batch.Size() >= 200 {
			if err := idx.Batch(batch); err != nil {
				return err
			}
			batch.Reset()
		}
	}
	if err := idx.Batch(batch); err != nil {
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	w.Record("build", time.Since(start).Nanoseconds(), dirSize(a.index), len(docs))
	return ctx.Err()
}

func bleveQuery(ctx context.Context, a stepArgs, w *measure.Writer) error {
	idx, err := bleve.OpenUsing(a.index, map[string]any{"read_only": true})
	if err != nil {
		return err
	}
	defer idx.Close()
	fn := func(ctx context.Context, q string, _, _ bool) ([]string, error) {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), 10, 0, false)
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		return ids, nil
	}
	return queryAll(ctx, a, fn, []bool{false}, w)
}
