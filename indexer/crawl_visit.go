package indexer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"

	"github.com/watwerkt/watwerkt/corpus"
)

// The crawl loop runs on one goroutine, which alone touches the crawl's
// state (queue, seen URLs, content hashes, report) and the store; only
// extraction, the costly part, runs on up to Crawler.Workers goroutines
// beside it. Each URL's outcome is a step committed in the order the URLs
// were taken from the queue, so a crawl with several workers queues,
// dedupes and stores exactly as one without.

// step is the outcome of one URL.
type step struct {
	url    string
	done   chan struct{} // closed when the work beside the loop is finished; nil when there was none
	commit func() error  // runs on the crawl goroutine, in queue order
}

// now is a step with nothing left to do beside the loop.
func now(commit func() error) *step { return &step{commit: commit} }

func (st *step) at(q queued) *step {
	st.url = q.url
	return st
}

func (st *step) finished() bool {
	if st.done == nil {
		return true
	}
	select {
	case <-st.done:
		return true
	default:
		return false
	}
}

func (cr *crawl) run(ctx context.Context) error {
	for _, s := range cr.src.Start {
		cr.enqueue(s, 0, fromStart)
	}
	sitemaps := append([]string{}, cr.src.Sitemaps...)
	for _, origin := range cr.origins {
		rb, err := cr.robotsFor(ctx, origin+"/")
		if err != nil {
			return err
		}
		sitemaps = append(sitemaps, rb.Sitemaps...)
	}
	if err := cr.readSitemaps(ctx, sitemaps); err != nil {
		return err
	}
	for _, f := range cr.src.Feeds {
		if err := cr.readFeed(ctx, f); err != nil {
			return err
		}
	}
	return cr.crawlQueue(ctx)
}

// crawlQueue takes URLs from the queue until it is empty, keeping at most
// Workers of them in flight.
func (cr *crawl) crawlQueue(ctx context.Context) error {
	workers := cr.c.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var pending []*step
	var err error
	for err == nil {
		switch {
		case len(pending) > 0 && (pending[0].finished() || len(pending) >= workers || len(cr.queue) == 0):
			err = cr.commit(pending[0])
			pending = pending[1:]
		case len(cr.queue) == 0:
			return nil
		case ctx.Err() != nil:
			err = ctx.Err()
		default:
			q := cr.queue[0]
			cr.queue = cr.queue[1:]
			var st *step
			if st, err = cr.visit(ctx, q); st != nil {
				pending = append(pending, st)
			}
		}
	}
	// Pages in hand are stored also when the crawl stops; the goroutines
	// beside the loop end before it returns.
	for _, st := range pending {
		if st.done != nil {
			<-st.done
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			if cerr := cr.commit(st); cerr != nil && !errors.Is(cerr, ctx.Err()) {
				err = cerr
			}
		}
	}
	return err
}

// commit waits for a step and commits it.
func (cr *crawl) commit(st *step) error {
	if st.done != nil {
		<-st.done
	}
	err := st.commit()
	cr.handled++
	if f := cr.c.OnProgress; f != nil {
		f(Progress{Source: cr.src.Name, URL: st.url, Done: cr.handled, Queued: len(cr.queue),
			Stored: cr.rep.Stored(), Failed: cr.rep.Failed})
	}
	return err
}

// visit fetches one URL and returns its outcome to commit. The error is
// set only when the crawl must stop.
func (cr *crawl) visit(ctx context.Context, q queued) (*step, error) {
	if cr.budget >= cr.src.MaxPages {
		return now(func() error { cr.rep.skip(SkipLimit, q.url); return nil }).at(q), nil
	}
	rb, err := cr.robotsFor(ctx, q.url)
	if err != nil {
		return nil, err
	}
	if !rb.Allowed(cr.c.Agent, q.url) {
		return now(func() error { cr.rep.skip(SkipRobots, q.url); return nil }).at(q), nil
	}
	states, _ := cr.c.Sink.(StateStore)
	var prev *corpus.CrawlState
	hdr := map[string]string{}
	if states != nil {
		if st, ok, err := states.CrawlState(ctx, q.url); err == nil && ok {
			prev = &st
			if !cr.resumeFrom.IsZero() && !st.FetchedAt.Before(cr.resumeFrom) {
				cr.budget++
				return now(func() error { return cr.resumed(q, prev) }).at(q), nil
			}
			if st.ETag != "" {
				hdr["If-None-Match"] = st.ETag
			}
			if st.LastModified != "" {
				hdr["If-Modified-Since"] = st.LastModified
			}
		}
	}
	body, resp, err := cr.fetchWith(ctx, q.url, fetchOpts{hdr: hdr, limit: orDefault(cr.c.MaxBodySize, defaultMaxBody)})
	if errors.Is(err, errNotModified) && prev != nil {
		return now(func() error { return cr.notModified(ctx, q, prev, states) }).at(q), nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return now(func() error { return cr.fetchFailed(ctx, q, prev, err) }).at(q), nil
	}
	cr.budget++
	ex := &extraction{}
	st := &step{done: make(chan struct{}), url: q.url}
	go func() {
		defer close(st.done)
		defer func() {
			// A parser that panics on one strange page must not end the
			// crawl, let alone the process.
			if r := recover(); r != nil {
				*ex = extraction{err: fmt.Errorf("extraction failed: %v", r)}
			}
		}()
		*ex = cr.extract(q, resp, body)
	}()
	st.commit = func() error { return cr.commitPage(ctx, q, resp, ex, states) }
	return st, nil
}

// fetchFailed decides what a failed fetch means: a stored page that is
// gone (404, 410) is removed, a page over the size cap is skipped, and
// anything else is a failure with its reason.
func (cr *crawl) fetchFailed(ctx context.Context, q queued, prev *corpus.CrawlState, err error) error {
	var st errStatus
	if errors.As(err, &st) && (st == http.StatusNotFound || st == http.StatusGone) {
		removed, rerr := cr.remove(ctx, q.url, st.Error())
		if rerr != nil {
			return rerr
		}
		if prev != nil {
			// The links of a page that is gone are not followed again.
			cleared := corpus.CrawlState{URL: q.url, FetchedAt: cr.c.now()}
			if states, ok := cr.c.Sink.(StateStore); ok {
				if err := states.PutCrawlState(context.WithoutCancel(ctx), cleared); err != nil {
					cr.logger().Warn("crawl state not saved", "url", q.url, "err", err)
				}
			}
		}
		if removed {
			return nil
		}
	}
	var tl *errTooLarge
	if errors.As(err, &tl) {
		cr.rep.skip(SkipTooLarge, q.url)
		cr.logger().Info("page too large", "url", q.url, "err", err)
		return nil
	}
	cr.fail(q.url, err)
	return nil
}

// remove takes the document stored under the URL out of the store. It
// reports whether there was one.
func (cr *crawl) remove(ctx context.Context, u, reason string) (bool, error) {
	rm, ok := cr.c.Sink.(Remover)
	if !ok {
		return false, nil
	}
	removed, err := rm.RemoveDocument(context.WithoutCancel(ctx), corpus.DocumentID(u), reason, cr.c.now())
	if err != nil {
		return false, fmt.Errorf("crawl %s: %w", cr.src.Name, err)
	}
	if removed {
		cr.rep.removed(u, reason)
		cr.logger().Info("removed", "url", u, "reason", reason)
	}
	return removed, nil
}

func (cr *crawl) fail(u string, err error) {
	cr.rep.fail(u, reasonOf(err))
	// Info, not Warn: the report lists every failure with its reason.
	cr.logger().Info("fetch failed", "url", u, "err", err)
}

// reasonOf is the text of an error for a report: without the "Get "url":"
// that net/http puts in front, as the report names the URL already.
func reasonOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// notModified handles a 304: the stored document is confirmed, and the
// links the page had last time are followed as if it had been fetched.
func (cr *crawl) notModified(ctx context.Context, q queued, prev *corpus.CrawlState, states StateStore) error {
	cr.rep.NotModified++
	cr.follow(q, prev.Links)
	now := cr.c.now()
	wctx := context.WithoutCancel(ctx)
	if prev.DocID != "" {
		if err := states.Touch(wctx, prev.DocID, now); err != nil {
			return fmt.Errorf("crawl %s: %w", cr.src.Name, err)
		}
		cr.rep.Unchanged++
		cr.rep.URLs.Unchanged = appendBounded(cr.rep.URLs.Unchanged, q.url)
	}
	prev.FetchedAt = now
	if err := states.PutCrawlState(wctx, *prev); err != nil {
		cr.logger().Warn("crawl state not saved", "url", q.url, "err", err)
	}
	return nil
}

// resumed handles a page an interrupted earlier run already fetched: its
// links are followed, nothing is fetched.
func (cr *crawl) resumed(q queued, prev *corpus.CrawlState) error {
	cr.rep.Resumed++
	cr.follow(q, prev.Links)
	return nil
}

// follow queues the links of a page when its depth allows.
func (cr *crawl) follow(q queued, links []string) {
	if q.depth < cr.src.MaxDepth {
		for _, l := range links {
			cr.enqueue(l, q.depth+1, fromPage)
		}
	}
}
