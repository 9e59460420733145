package search

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

const dekamerDir = "../../shared/data/retrieval/dekamer"

// dekamerEngine indexes the dekamer answers from ../shared (skips when
// absent) and returns the engine and the questions.
func dekamerEngine(b testing.TB) (*Engine, []EvalQuery) {
	b.Helper()
	cf, err := os.Open(filepath.Join(dekamerDir, "corpus.jsonl"))
	if err != nil {
		b.Skipf("dekamer data not available: %v", err)
	}
	defer cf.Close()
	v := Versions{Root: b.TempDir()}
	var docs []*corpus.Document
	vocab := NewVocabulary()
	if err := ReadJSONL(cf, "corpus", func(d EvalDoc) error {
		docs = append(docs, &corpus.Document{ID: string(d.ID), Title: string(d.Title), Body: string(d.Text)})
		vocab.Add(string(d.Title + " " + d.Text))
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
	qf, err := os.Open(filepath.Join(dekamerDir, "queries-dev.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer qf.Close()
	var qs []EvalQuery
	ReadJSONL(qf, "queries", func(q EvalQuery) error { qs = append(qs, q); return nil })
	return e, qs
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
