package search

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

const dekamerDir = "../../shared/data/retrieval/dekamer"

// dekamerEngine indexes the dekamer answers from ../shared (skips when
// absent) and returns the engine and the questions.
func dekamerEngine(tb testing.TB) (*Engine, []EvalQuery) {
	tb.Helper()
	path := filepath.Join(dekamerDir, "corpus.jsonl")
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("dekamer data not available: %v", err)
	}
	return indexJSONL(tb, path, tb.TempDir()), dekamerQuestions(tb)
}

// indexJSONL builds an index of a BEIR-style corpus file (JSON lines
// {_id, title, text}) in root and opens it.
func indexJSONL(tb testing.TB, path, root string) *Engine {
	return indexJSONLOrdered(tb, path, root, false)
}

// indexJSONLOrdered is indexJSONL, sending the documents in reverse
// order when reverse is set.
func indexJSONLOrdered(tb testing.TB, path, root string, reverse bool) *Engine {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	v := Versions{Root: root}
	var docs []*corpus.Document
	vocab := NewVocabulary()
	if err := ReadJSONL(f, filepath.Base(path), func(d EvalDoc) error {
		docs = append(docs, &corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)})
		vocab.Add(string(d.Title + " " + d.Text))
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	if reverse {
		slices.Reverse(docs)
	}
	bld, err := v.NewBuilder(vocab)
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range docs {
		if err := bld.Add(d); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := bld.Commit(context.Background()); err != nil {
		tb.Fatal(err)
	}
	e, err := v.OpenCurrent()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
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

func benchSearch(b *testing.B, form string, snippets bool) {
	e, qs := dekamerEngine(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := qs[i%len(qs)]
		if _, err := e.Search(ctx, Request{Query: q.Form(form), Limit: 10, Long: form == "long", NoSnippets: !snippets}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchShort(b *testing.B)           { benchSearch(b, "short", true) }
func BenchmarkSearchShortNoSnippets(b *testing.B) { benchSearch(b, "short", false) }
func BenchmarkSearchLong(b *testing.B)            { benchSearch(b, "long", true) }
func BenchmarkSearchLongNoSnippets(b *testing.B)  { benchSearch(b, "long", false) }
