package indexer

import (
	"context"
	"fmt"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// BuildIndex writes a new index version from every document in the store
// and makes it current. The version being served is never written to.
func BuildIndex(ctx context.Context, store *corpus.Store, versions search.Versions) (*search.BuildStats, error) {
	// First pass: the vocabulary for the compound splitter.
	vocab := search.NewVocabulary()
	if err := store.Each(ctx, func(d *corpus.Document) error {
		vocab.Add(d.Title)
		vocab.Add(d.Intro)
		vocab.Add(d.Body)
		return ctx.Err()
	}); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	b, err := versions.NewBuilder(vocab)
	if err != nil {
		return nil, err
	}
	err = store.Each(ctx, func(d *corpus.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return b.Add(d)
	})
	if err != nil {
		b.Abort()
		return nil, fmt.Errorf("build index: %w", err)
	}
	return b.Commit(ctx)
}
