package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

func runEval(ctx context.Context, a *app, args []string) int {
	fs := a.flags("eval")
	queriesPath := fs.String("queries", "", "vragen als JSON-regels ({\"_id\",\"title\",\"text\",…})")
	qrelsPath := fs.String("qrels", "", "oordelen als TSV (query-id, corpus-id, score) met kopregel")
	corpusPath := fs.String("corpus", "", "indexeer dit corpus ({\"_id\",\"title\",\"text\"} per regel) in plaats van de huidige index")
	form := fs.String("form", "short", "short (titel van de vraag) of long (titel + tekst)")
	outPath := fs.String("out", "", "schrijf per vraag de rang en scores als TSV naar dit bestand")
	passes := fs.Int("passes", 3, "aantal meetrondes voor de latentie (na één opwarmronde)")
	opts := search.DefaultOptions()
	fs.Var(optionsFlag{&opts}, "set", "zet een zoekoptie, bv. title=1.5 of analyzer=nl (mag vaker; zie README)")
	compare := fs.Bool("compare", false, "vergelijk twee curatie-instellingen: eval --compare A B (mappen met synonyms.txt/curation.txt, losse bestanden, of \"geen\")")
	pos, ok := a.parse(fs, args)
	if !ok {
		return exitUsage
	}
	var settings [2]search.Tuning
	if *compare {
		if len(pos) != 2 {
			fmt.Fprintln(a.stderr, "watwerkt eval: --compare verwacht twee instellingen, bv. --compare huidig/ voorstel/")
			return exitUsage
		}
		for i, p := range pos {
			t, err := loadTuning(p)
			if err != nil {
				fmt.Fprintf(a.stderr, "watwerkt eval: %v\n", err)
				return exitUsage
			}
			settings[i] = t
		}
	} else if len(pos) > 0 {
		fmt.Fprintf(a.stderr, "watwerkt eval: onverwacht argument %q (bedoelde je --compare A B?)\n", pos[0])
		return exitUsage
	}
	if *queriesPath == "" || *qrelsPath == "" {
		fmt.Fprintln(a.stderr, "watwerkt eval: --queries en --qrels zijn verplicht.")
		return exitUsage
	}
	if *form != "short" && *form != "long" {
		fmt.Fprintln(a.stderr, "watwerkt eval: --form is short of long.")
		return exitUsage
	}
	queries, qrels, err := loadJudged(*queriesPath, *qrelsPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt eval: %v\n", err)
		return exitUsage
	}

	var eng *search.Engine
	if *corpusPath != "" {
		tmp, err := os.MkdirTemp("", "watwerkt-eval-")
		if err != nil {
			return a.fail("tijdelijke map", err)
		}
		defer os.RemoveAll(tmp)
		start := time.Now()
		n, err := indexEvalCorpus(ctx, *corpusPath, search.Versions{Root: tmp, Options: &opts})
		if err != nil {
			return a.fail("corpus indexeren", err)
		}
		fmt.Fprintf(a.stdout, "Corpus %s: %d documenten geïndexeerd in %.2f s.\n", *corpusPath, n, time.Since(start).Seconds())
		if eng, err = (search.Versions{Root: tmp, Options: &opts}).OpenCurrent(); err != nil {
			return a.fail("index openen", err)
		}
	} else if eng, err = a.openEngine(); err != nil {
		return a.fail("index openen", err)
	} else {
		eng.SetOptions(opts)
	}
	defer eng.Close()

	long := *form == "long"
	if *compare {
		return compareTunings(ctx, a, eng, queries, qrels, *form, pos, settings, *outPath)
	}
	scores, err := rankAll(ctx, eng, queries, qrels, *form)
	if err != nil {
		return a.fail("zoeken", err)
	}
	// Latency is measured on what users get: a top 10 with snippets.
	var p50s, p95s []time.Duration
	for pass := 0; pass <= *passes; pass++ {
		lat := make([]time.Duration, len(queries))
		for i, q := range queries {
			start := time.Now()
			if _, err := eng.Search(ctx, search.Request{Query: q.Form(*form), Limit: 10, Long: long}); err != nil {
				return a.fail("zoeken", err)
			}
			lat[i] = time.Since(start)
			if pass > 0 {
				scores[i].Latency = lat[i]
			}
		}
		if pass > 0 { // pass 0 warms caches
			p50s = append(p50s, search.Percentile(lat, 50))
			p95s = append(p95s, search.Percentile(lat, 95))
		}
	}
	all := search.Summarize(scores)
	all.P50, all.P95 = median(p50s), median(p95s)
	fmt.Fprintf(a.stdout, "%d vragen (%s), %d meetrondes, %s:\n", len(queries), *form, *passes, opts)
	printSummary(a.stdout, "alle vragen", all)
	var care []search.QueryScore
	for i, q := range queries {
		if q.Care {
			care = append(care, scores[i])
		}
	}
	if len(care) > 0 {
		printSummary(a.stdout, "care_social_related", search.Summarize(care))
	}
	if *outPath != "" {
		if err := writeRanks(*outPath, scores); err != nil {
			return a.fail("per-vraag-uitvoer schrijven", err)
		}
	}
	return exitOK
}

// rankAll scores every judged query's top 100.
func rankAll(ctx context.Context, eng *search.Engine, queries []search.EvalQuery, qrels search.Qrels, form string) ([]search.QueryScore, error) {
	scores := make([]search.QueryScore, 0, len(queries))
	for _, q := range queries {
		res, err := eng.Search(ctx, search.Request{Query: q.Form(form), Limit: 100, NoSnippets: true, Long: form == "long"})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		scores = append(scores, search.Score(string(q.ID), ids, qrels[string(q.ID)]))
	}
	return scores, nil
}

func printSummary(w io.Writer, label string, s search.Summary) {
	fmt.Fprintf(w, "  %-20s n=%-5d MRR@10 %.3f  nDCG@10 %.3f  Recall@10 %.3f  Recall@100 %.3f  latentie p50 %.3f ms  p95 %.3f ms\n",
		label, s.Queries, s.MRR10, s.NDCG10, s.Recall10, s.Recall100, ms(s.P50), ms(s.P95))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func loadJudged(queriesPath, qrelsPath string) ([]search.EvalQuery, search.Qrels, error) {
	qf, err := os.Open(qrelsPath)
	if err != nil {
		return nil, nil, err
	}
	defer qf.Close()
	qrels, err := search.ReadQrels(qf, qrelsPath)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(queriesPath)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// A query counts only when at least one document is judged relevant:
	// without one its score is 0 whatever the ranking (as trec_eval does).
	var queries []search.EvalQuery
	err = search.ReadJSONL(f, queriesPath, func(q search.EvalQuery) error {
		for _, g := range qrels[string(q.ID)] {
			if g > 0 {
				queries = append(queries, q)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(queries) == 0 {
		return nil, nil, fmt.Errorf("%s: geen vragen met een relevant document in %s", queriesPath, qrelsPath)
	}
	return queries, qrels, nil
}

func indexEvalCorpus(ctx context.Context, path string, v search.Versions) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var docs []*corpus.Document
	at := map[string]int{} // a repeated _id replaces the earlier document
	vocab := search.NewVocabulary()
	err = search.ReadJSONL(f, path, func(d search.EvalDoc) error {
		doc := &corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)}
		if doc.ID == "" {
			return fmt.Errorf("_id ontbreekt")
		}
		if i, dup := at[doc.ID]; dup {
			docs[i] = doc
		} else {
			at[doc.ID] = len(docs)
			docs = append(docs, doc)
		}
		vocab.Add(string(d.Title))
		vocab.Add(string(d.Text))
		return ctx.Err()
	})
	if err != nil {
		return 0, err
	}
	b, err := v.NewBuilder(vocab)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		if err := b.Add(d); err != nil {
			b.Abort()
			return 0, err
		}
		n++
	}
	_, err = b.Commit(ctx)
	return n, err
}

func writeRanks(path string, scores []search.QueryScore) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "query-id\trank\trr@10\tndcg@10\trecall@10\trecall@100\tlatency_ms")
	for _, s := range scores {
		fmt.Fprintf(f, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.3f\n", s.ID, s.Rank, s.RR10, s.NDCG10, s.Recall10, s.Recall100, ms(s.Latency))
	}
	return f.Close()
}

// optionsFlag collects repeated --set name=value.
type optionsFlag struct{ o *search.Options }

func (f optionsFlag) String() string {
	if f.o == nil {
		return ""
	}
	return f.o.String()
}

func (f optionsFlag) Set(v string) error { return f.o.Set(v) }
