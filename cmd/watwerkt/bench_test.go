package main

import (
	"context"
	"testing"

	"github.com/watwerkt/watwerkt/search"
)

// BenchmarkDemoSearch runs the judged demo questions against the demo
// corpus as the API does: a top 10 with snippets.
func BenchmarkDemoSearch(b *testing.B) {
	eng, _ := demoEngine(b)
	qs := readJudgements(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Search(ctx, search.Request{Query: qs[i%len(qs)].question, Limit: 10}); err != nil {
			b.Fatal(err)
		}
	}
}
