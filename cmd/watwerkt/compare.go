package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/watwerkt/watwerkt/search"
)

// loadTuning reads a curation setting for eval --compare: a directory
// with synonyms.txt and/or curation.txt (as the data directory has), a
// single file (a name containing "synonym" is a synonym list, anything
// else a curation file), or "geen"/"none" for the built-in synonyms only.
func loadTuning(p string) (search.Tuning, error) {
	t := search.Tuning{Synonyms: search.DefaultSynonyms()}
	switch strings.ToLower(p) {
	case "geen", "none", "-":
		return t, nil
	}
	fi, err := os.Stat(p)
	if err != nil {
		return t, fmt.Errorf("instelling %q: %w", p, err)
	}
	readSyn := func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		extra, err := search.ParseSynonyms(f, path)
		if err != nil {
			return err
		}
		t.Synonyms.Merge(extra)
		return nil
	}
	readCur := func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		c, err := search.ParseCuration(f, path)
		t.Curation = c
		return err
	}
	if !fi.IsDir() {
		if strings.Contains(strings.ToLower(filepath.Base(p)), "synonym") {
			return t, readSyn(p)
		}
		return t, readCur(p)
	}
	found := false
	if err := readSyn(filepath.Join(p, synonymsFile)); err == nil {
		found = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return t, err
	}
	if err := readCur(filepath.Join(p, curationFile)); err == nil {
		found = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return t, err
	}
	if !found {
		return t, fmt.Errorf("instelling %q: de map heeft geen %s en geen %s", p, synonymsFile, curationFile)
	}
	return t, nil
}

// compareTunings ranks the judged queries under two settings on the
// same index and prints both summaries and the queries that won or lost.
func compareTunings(ctx context.Context, a *app, eng *search.Engine, queries []search.EvalQuery, qrels search.Qrels,
	form string, names []string, settings [2]search.Tuning, outPath string) int {
	var scores [2][]search.QueryScore
	for i := range settings {
		if err := eng.SetTuning(settings[i]); err != nil {
			return a.fail("instelling "+names[i]+" toepassen", err)
		}
		s, err := rankAll(ctx, eng, queries, qrels, form)
		if err != nil {
			return a.fail("zoeken", err)
		}
		scores[i] = s
	}
	fmt.Fprintf(a.stdout, "%d vragen (%s), A = %s, B = %s:\n", len(queries), form, names[0], names[1])
	sa, sb := search.Summarize(scores[0]), search.Summarize(scores[1])
	printCompareLine(a.stdout, "A", sa)
	printCompareLine(a.stdout, "B", sb)
	fmt.Fprintf(a.stdout, "  B − A   MRR@10 %+.3f  nDCG@10 %+.3f  Recall@10 %+.3f  Recall@100 %+.3f\n",
		sb.MRR10-sa.MRR10, sb.NDCG10-sa.NDCG10, sb.Recall10-sa.Recall10, sb.Recall100-sa.Recall100)

	type change struct {
		id, text      string
		rankA, rankB  int
		delta, ndcgDt float64
	}
	var wins, losses []change
	for i, q := range queries {
		x, y := scores[0][i], scores[1][i]
		c := change{id: string(q.ID), text: q.Form("short"), rankA: x.Rank, rankB: y.Rank, delta: y.RR10 - x.RR10, ndcgDt: y.NDCG10 - x.NDCG10}
		switch {
		case c.delta > 1e-9 || c.delta > -1e-9 && c.ndcgDt > 1e-9:
			wins = append(wins, c)
		case c.delta < -1e-9 || c.ndcgDt < -1e-9:
			losses = append(losses, c)
		}
	}
	by := func(l []change, sign float64) {
		sort.SliceStable(l, func(i, j int) bool {
			if l[i].delta != l[j].delta {
				return sign*l[i].delta > sign*l[j].delta
			}
			return sign*l[i].ndcgDt > sign*l[j].ndcgDt
		})
	}
	by(wins, 1)
	by(losses, -1)
	fmt.Fprintf(a.stdout, "\nB wint bij %d vragen, verliest bij %d, gelijk bij %d.\n", len(wins), len(losses), len(queries)-len(wins)-len(losses))
	show := func(title string, l []change) {
		if len(l) == 0 {
			return
		}
		fmt.Fprintf(a.stdout, "\n%s (rang eerste relevante document A → B; 0 = niet in de top 100):\n", title)
		for i, c := range l {
			if i == 20 {
				fmt.Fprintf(a.stdout, "  … en nog %d (zie --out)\n", len(l)-20)
				break
			}
			fmt.Fprintf(a.stdout, "  %-12s %3d → %-3d  RR %+.3f  %s\n", c.id, c.rankA, c.rankB, c.delta, oneLine(c.text, 70))
		}
	}
	show("Gewonnen", wins)
	show("Verloren", losses)
	if outPath != "" {
		if err := writeComparison(outPath, queries, scores); err != nil {
			return a.fail("per-vraag-uitvoer schrijven", err)
		}
	}
	return exitOK
}

func printCompareLine(w io.Writer, label string, s search.Summary) {
	fmt.Fprintf(w, "  %-7s MRR@10 %.3f  nDCG@10 %.3f  Recall@10 %.3f  Recall@100 %.3f\n", label, s.MRR10, s.NDCG10, s.Recall10, s.Recall100)
}

func writeComparison(path string, queries []search.EvalQuery, scores [2][]search.QueryScore) error {
	var b strings.Builder
	b.WriteString("query-id\trank_a\trank_b\trr10_a\trr10_b\tndcg10_a\tndcg10_b\n")
	for i, q := range queries {
		x, y := scores[0][i], scores[1][i]
		fmt.Fprintf(&b, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\n", q.ID, x.Rank, y.Rank, x.RR10, y.RR10, x.NDCG10, y.NDCG10)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
