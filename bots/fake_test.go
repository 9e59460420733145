package bots

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// fakeSearcher is an in-memory Searcher: every hit whose title contains
// the question (case-insensitively) matches, and Offset and Limit page
// through them.
type fakeSearcher struct {
	hits    []Hit
	err     error // returned by every search when set
	english bool
	noTopic bool
	fuzzy   bool

	mu    sync.Mutex
	calls []Question
}

var _ Searcher = (*fakeSearcher)(nil)

func (f *fakeSearcher) Search(ctx context.Context, q Question) (*Results, error) {
	f.mu.Lock()
	f.calls = append(f.calls, q)
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Results{Topic: strings.TrimSpace(q.Text), English: f.english, NoTopic: f.noTopic, Fuzzy: f.fuzzy}
	if f.noTopic {
		return res, nil
	}
	var found []Hit
	for _, h := range f.hits {
		if strings.Contains(strings.ToLower(h.Title), strings.ToLower(res.Topic)) {
			found = append(found, h)
		}
	}
	res.Total = len(found)
	if q.Offset < len(found) {
		res.Hits = found[q.Offset:min(q.Offset+q.Limit, len(found))]
	}
	return res, nil
}

func (f *fakeSearcher) lastCall() Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return Question{}
	}
	return f.calls[len(f.calls)-1]
}

// wachtlijstHits are seven hits about "wachtlijst", dated a day apart
// from 26 November 2021 backwards; the third has no date.
func wachtlijstHits() []Hit {
	var hits []Hit
	for i := range 7 {
		h := Hit{
			ID:        fmt.Sprintf("id%d", i+1),
			Title:     fmt.Sprintf("Wachtlijst overbruggen, deel %d", i+1),
			URL:       fmt.Sprintf("https://werkplaats.example/nieuws/wachtlijst-%d", i+1),
			Source:    "Academische Werkplaats Jeugd Rivierenland",
			Published: time.Date(2021, 11, 26-i, 0, 0, 0, 0, time.UTC),
			Snippet:   fmt.Sprintf("Gezinnen op de **wachtlijst** krijgen overbruggingshulp (%d).", i+1),
		}
		if i == 2 {
			h.Published = time.Time{}
		}
		hits = append(hits, h)
	}
	return hits
}
