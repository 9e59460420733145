package search

import (
	"context"
	"time"

	"github.com/watwerkt/watwerkt/bots"
)

// Searcher is what the chat front ends search: an Engine or a Live.
type Searcher interface {
	Search(ctx context.Context, req Request) (*Result, error)
}

// ForBots adapts s to the chat front ends' bots.Searcher. serve, ask and
// the bot benchmark all answer through it, so the benchmark measures the
// wiring the bots really use.
func ForBots(s Searcher) bots.Searcher { return botSearcher{s} }

type botSearcher struct{ s Searcher }

func (b botSearcher) Search(ctx context.Context, q bots.Question) (*bots.Results, error) {
	res, err := b.s.Search(ctx, Request{Query: q.Text, Filters: q.Filters, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, err
	}
	return BotResults(res), nil
}

// BotResults converts a search result for the chat front ends.
func BotResults(res *Result) *bots.Results {
	out := &bots.Results{Topic: res.Query, Total: res.Total, English: res.English, NoTopic: res.NoTopic, Fuzzy: res.Fuzzy}
	for _, h := range res.Hits {
		bh := bots.Hit{ID: h.ID, Title: h.Title, URL: h.URL, Source: h.Source, Snippet: h.Snippet}
		if t, err := time.Parse("2006-01-02", h.Published); err == nil {
			bh.Published = t
		}
		out.Hits = append(out.Hits, bh)
	}
	return out
}
