package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// sameRanking compares a search ranked by topK with the same search
// ranked by bleve's searchers: the same documents in the same order with
// the same scores (up to rounding: bleve adds a document's term scores
// in its own order) and the same total. Where two scores are equal up to
// rounding the order may differ, and a document whose score equals the
// last one on the page may take its place.
//
// bleve scores short questions differently from the defaults (see
// Options.RawTF), so they are compared with the short-question options
// set to bleve's formula; samePruned checks the defaults.
func sameRanking(t *testing.T, e *Engine, req Request) {
	t.Helper()
	opt := e.opt
	defer e.SetOptions(opt)
	bleveLike := opt
	bleveLike.RawTF, bleveLike.CoordPower, bleveLike.Coverage = false, 1, 0
	e.SetOptions(bleveLike)
	e.noTopK = true
	slow, err := e.Search(context.Background(), req)
	e.noTopK = false
	if err != nil {
		t.Fatal(err)
	}
	compareRankings(t, e, req, slow, "bleve")
}

// samePruned compares a search ranked by topK with the same search
// ranked by topK scoring every matching document (no bounds, no
// skipping), with the engine's options: the same documents in the same
// order (equal scores by id), the same scores.
func samePruned(t *testing.T, e *Engine, req Request) {
	t.Helper()
	e.noPrune = true
	slow, err := e.Search(context.Background(), req)
	e.noPrune = false
	if err != nil {
		t.Fatal(err)
	}
	compareRankings(t, e, req, slow, "every document")
	fast, err := e.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(ids(fast)), fmt.Sprint(ids(slow)); a != b {
		t.Fatalf("%q: pruned %s\nevery document %s", req.Query, a, b)
	}
}

// compareRankings ranks req with topK and compares it with slow.
func compareRankings(t *testing.T, e *Engine, req Request, slow *Result, what string) {
	t.Helper()
	fast, err := e.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if fast.Total != slow.Total || len(fast.Hits) != len(slow.Hits) {
		t.Fatalf("%q: topK total %d, %d hits; %s total %d, %d hits", req.Query, fast.Total, len(fast.Hits), what, slow.Total, len(slow.Hits))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	for i, h := range fast.Hits {
		s := slow.Hits[i]
		if !close(h.Score, s.Score) {
			t.Fatalf("%q: hit %d: topK %s %.12g, %s %s %.12g\ntopK  %v\nother %v", req.Query, i, h.ID, h.Score, what, s.ID, s.Score, scores(fast), scores(slow))
		}
		if h.ID != s.ID && !tied(slow, s.Score, h.ID) {
			t.Fatalf("%q: hit %d: topK %s, %s %s\ntopK  %v\nother %v", req.Query, i, h.ID, what, s.ID, scores(fast), scores(slow))
		}
		if h.ID == s.ID {
			// The page loaded from the snapshot shows what bleve loads.
			h.Score, s.Score = 0, 0
			if fmt.Sprintf("%+v", h) != fmt.Sprintf("%+v", s) {
				t.Fatalf("%q: hit %d:\ntopK  %+v\n%s %+v", req.Query, i, h, what, s)
			}
		}
	}
}

// tied reports whether r has id with a score equal to s up to rounding,
// or is a page whose last score is s (id may have lost the tie there).
func tied(r *Result, s float64, id string) bool {
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	for _, h := range r.Hits {
		if h.ID == id {
			return close(h.Score, s)
		}
	}
	return close(r.Hits[len(r.Hits)-1].Score, s)
}

func scores(r *Result) string {
	out := ""
	for _, h := range r.Hits {
		out += fmt.Sprintf(" %s:%.6g", h.ID, h.Score)
	}
	return out
}

func TestTopKMatchesBleve(t *testing.T) {
	e := testEngine(t)
	// The questions below are ranked by topK, not handed back to bleve.
	for _, q := range []string{"gezin met schulden", "wat werkt bij LVB"} {
		if _, _, ok, err := e.topK(context.Background(), e.buildQuery(Understand(q), 0), 10, false, nil); !ok || err != nil {
			t.Fatalf("%q: topK ok=%v err=%v", q, ok, err)
		}
	}
	if _, _, ok, _ := e.topK(context.Background(), e.buildQuery(Understand("schuldn"), 1), 10, false, nil); ok {
		t.Fatal("topK ranked a fuzzy query")
	}
	for _, q := range []string{
		"schulden", "gezin met schulden", "wachtlijst jeugdhulp", "informele mentor",
		"wat werkt bij LVB", // synonym phrase: licht verstandelijke beperking
		"regiehouder van het plan", "dialoogtafel casus gezin kind",
		"gezinnen schulden kind wachtlijst gezin plan regiehouder dialoogtafel casus jeugdhulp schuldhulp opvoedvragen overbruggingshulp samen",
		"woordendienietbestaan", "kind kind kind",
	} {
		for _, limit := range []int{1, 2, 10} {
			for _, offset := range []int{0, 1} {
				sameRanking(t, e, Request{Query: q, Limit: limit, Offset: offset})
				sameRanking(t, e, Request{Query: q, Limit: limit, Offset: offset, NoSnippets: true})
				samePruned(t, e, Request{Query: q, Limit: limit, Offset: offset})
			}
		}
	}
}

// TestTopKMatchesBleveDekamer ranks every dekamer development question,
// short and long, both ways.
func TestTopKMatchesBleveDekamer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dekamer index")
	}
	e, qs := dekamerEngine(t)
	for _, q := range qs {
		sameRanking(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
		samePruned(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
		sameRanking(t, e, Request{Query: q.Form("long"), Long: true, Limit: 10, NoSnippets: true})
		sameRanking(t, e, Request{Query: q.Form("short"), Limit: 5})
		sameRanking(t, e, Request{Query: q.Form("long"), Long: true, Limit: 5})
	}
	// Blocks of 8 documents (windows of 8, or 32 for long questions):
	// hundreds of windows, many skipped whole; every window accumulated,
	// then every window through the heap.
	e.blockBits = 3
	e.maxSats.clear()
	defer func() { e.blockBits, e.accMin = 0, 0; e.maxSats.clear() }()
	for _, accMin := range []int{1, 1 << 20} {
		e.accMin = accMin
		for _, q := range qs {
			sameRanking(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
			samePruned(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
			sameRanking(t, e, Request{Query: q.Form("long"), Long: true, Limit: 10, NoSnippets: true})
		}
	}
}

// TestTopKMatchesBleveCorpus compares the rankings on a benchmark
// corpus (WATWERKT_BENCH_CORPUS, e.g. 100k passages), where windows
// hold real block bounds; it skips when the variable is unset.
func TestTopKMatchesBleveCorpus(t *testing.T) {
	e := corpusEngine(t)
	qs := dekamerQuestions(t)
	for i, q := range qs {
		if i%5 != 0 {
			continue
		}
		sameRanking(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
		samePruned(t, e, Request{Query: q.Form("short"), Limit: 10, NoSnippets: true})
		sameRanking(t, e, Request{Query: q.Form("long"), Long: true, Limit: 10})
	}
}

// TestTopKConcurrent ranks the same questions from several goroutines
// at once (the bounds cache and the accumulation buffers are shared)
// and expects the answers of one at a time; run it with -race.
func TestTopKConcurrent(t *testing.T) {
	e := testEngine(t)
	e.blockBits, e.accMin = 1, 1 // many windows, all accumulated
	defer func() { e.blockBits, e.accMin = 0, 0; e.maxSats.clear() }()
	qs := []string{"schulden", "gezin met schulden", "wachtlijst jeugdhulp", "informele mentor", "wat werkt bij LVB", "dialoogtafel casus gezin kind"}
	want := map[string]string{}
	for _, q := range qs {
		r, err := e.Search(context.Background(), Request{Query: q, Limit: 5, NoSnippets: true})
		if err != nil {
			t.Fatal(err)
		}
		want[q] = scores(r)
	}
	// The goroutines fill the caches together: the bounds, and the
	// packed postings of every term.
	e.maxSats.clear()
	e.packMin = 1
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(qs))
	for g := range 8 {
		wg.Go(func() {
			for i := range qs {
				q := qs[(i+g)%len(qs)]
				r, err := e.Search(context.Background(), Request{Query: q, Limit: 5, NoSnippets: true})
				if err != nil {
					errs <- err.Error()
				} else if got := scores(r); got != want[q] {
					errs <- fmt.Sprintf("%q: %s, alone %s", q, got, want[q])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if e.packs.bytes == 0 {
		t.Error("no postings were packed")
	}
}

// TestQuantizeBounds: a quantised block bound is never below the bound
// it stands for and at most one step above it; empty blocks stay 0.
func TestQuantizeBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		bounds := make([]float64, 64)
		var top float64
		for i := range bounds {
			if rng.IntN(4) > 0 {
				bounds[i] = rng.Float64() * math.Pow(10, float64(rng.IntN(6)-3))
			}
			top = max(top, bounds[i])
		}
		if top == 0 {
			continue
		}
		step := top / 255 * slack
		for i, q := range quantize(bounds, step) {
			v := float64(q) * step
			if v < bounds[i] || v > bounds[i]+step*(1+1e-9) || (bounds[i] == 0) != (q == 0) {
				t.Fatalf("bound %g became %d × %g = %g", bounds[i], q, step, v)
			}
		}
	}
	c := &boundsCache{}
	c.put(boundsKey{field: "body", term: "gezin"}, &termBounds{max: 0.7})
	c.put(boundsKey{field: "body", term: "jeugd"}, &termBounds{max: 0.9, blocks: [][]uint8{{1, 255}}, step: 0.9 / 255})
	if tb, ok := c.get(boundsKey{field: "body", term: "gezin"}, new(termBounds)); !ok || tb.max < 0.7 || tb.max > 0.7000001 || tb.blocks != nil {
		t.Errorf("rare term bound %+v, %v", tb, ok)
	}
	if tb, ok := c.get(boundsKey{field: "body", term: "jeugd"}, new(termBounds)); !ok || len(tb.blocks) != 1 {
		t.Errorf("blocked term bound %+v, %v", tb, ok)
	}
	if _, ok := c.get(boundsKey{field: "title", term: "gezin"}, new(termBounds)); ok {
		t.Error("a term of another field found")
	}
}

// TestShortScoringPaths: a filtered search ranks the documents the
// unfiltered one ranks, in the same order with the same scores (topK
// handles filters; bleve would add the filter terms' scores), and asking
// for an explanation does not change the ranking. (Boosted scores are
// the plain ones times the factors: TestCurationPinHideBoost.)
func TestShortScoringPaths(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	for _, q := range []string{"gezin met schulden", "wachtlijst jeugdhulp", "schulden", "gezin plan casus kind"} {
		all, err := e.Search(ctx, Request{Query: q, Limit: 50, NoSnippets: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Hits) == 0 {
			t.Fatalf("%q: no hits", q)
		}
		for _, src := range []string{"Bron A", "Bron B"} {
			var want []string
			for _, h := range all.Hits {
				if h.Source == src {
					want = append(want, fmt.Sprintf("%s:%.9g", h.ID, h.Score))
				}
			}
			f, err := e.Search(ctx, Request{Query: q, Limit: 50, NoSnippets: true, Filters: map[string]string{"bron": src}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range f.Hits {
				got = append(got, fmt.Sprintf("%s:%.9g", h.ID, h.Score))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%q bron:%s: got %v, want %v", q, src, got, want)
			}
		}
		ex, err := e.Search(ctx, Request{Query: q, Limit: 50, Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		if scores(ex) != scores(all) {
			t.Errorf("%q: with an explanation %s, without %s", q, scores(ex), scores(all))
		}
		for _, h := range ex.Hits {
			if !strings.Contains(h.Explain, "van de woorden van de vraag") {
				t.Fatalf("%q: explanation without the short-question factors:\n%s", q, h.Explain)
			}
		}
	}
}

// TestRankingIgnoresIndexOrder: the same answers indexed in the opposite
// order (so bleve numbers them differently) rank every dekamer question
// the same, down to the 100th hit (except those nothing matched, which
// the fuzzy fallback hands to bleve): equal scores are ordered by id, and
// which of several equal documents make the top 100 does not depend on
// their numbers. (Evaluation runs of one configuration differed in
// Recall@100 before.)
func TestRankingIgnoresIndexOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dekamer index twice")
	}
	path := filepath.Join(dekamerDir, "corpus.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("dekamer data not available: %v", err)
	}
	qs := dekamerQuestions(t)
	a := indexJSONLOrdered(t, path, t.TempDir(), false)
	b := indexJSONLOrdered(t, path, t.TempDir(), true)
	ties, fuzzy := 0, 0
	for _, q := range qs {
		for _, form := range []string{"short", "long"} {
			req := Request{Query: q.Form(form), Long: form == "long", Limit: 100, NoSnippets: true}
			ra, err := a.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			rb, err := b.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if ra.Fuzzy != rb.Fuzzy {
				t.Fatalf("%s %s: fuzzy %v, reversed %v", q.ID, form, ra.Fuzzy, rb.Fuzzy)
			}
			if ra.Fuzzy {
				fuzzy++ // ranked by bleve, in its own order
				continue
			}
			if ra.Total != rb.Total || len(ra.Hits) != len(rb.Hits) {
				t.Fatalf("%s %s: total %d / %d hits, reversed %d / %d", q.ID, form, ra.Total, len(ra.Hits), rb.Total, len(rb.Hits))
			}
			for i, h := range ra.Hits {
				if h.ID != rb.Hits[i].ID || h.Score != rb.Hits[i].Score {
					t.Fatalf("%s %s: hit %d %s %v, reversed %s %v", q.ID, form, i, h.ID, h.Score, rb.Hits[i].ID, rb.Hits[i].Score)
				}
				if i > 0 && h.Score == ra.Hits[i-1].Score {
					ties++
				}
			}
		}
	}
	if ties == 0 {
		t.Error("no equal scores in any ranking: the test shows nothing")
	}
	t.Logf("%d equal neighbouring scores; %d questions left to the fuzzy fallback", ties, fuzzy)
}
