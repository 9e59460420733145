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
	b, err := versions.NewBuilder()
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
