package indexer

import (
	"context"
	"net/url"
)

// foundIn says where a URL came from.
type foundIn int

const (
	fromPage  foundIn = iota // a link on a page: other sites are left out silently
	fromStart                // a start URL of the source
	fromList                 // a sitemap or feed entry: other sites are reported
)

// enqueue adds a URL when it is new, in scope and permitted.
func (cr *crawl) enqueue(raw string, depth int, from foundIn) {
	cu, err := Canonicalize(raw)
	if err != nil || cr.seen[cu] {
		return
	}
	u, _ := url.Parse(cu)
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	if !cr.hosts[u.Host] {
		if from == fromList {
			cr.seen[cu] = true
			cr.rep.skip(SkipOutOfScope, cu)
		}
		return
	}
	cr.seen[cu] = true
	if !cr.src.Permits(cu) {
		cr.rep.skip(SkipFiltered, cu)
		return
	}
	cr.queue = append(cr.queue, queued{url: cu, depth: depth, start: from == fromStart})
}

// readSitemaps reads sitemaps, sitemap indexes and feeds given as
// sitemaps (the sitemap protocol accepts RSS and Atom), and queues the
// page URLs they list.
func (cr *crawl) readSitemaps(ctx context.Context, list []string) error {
	read := 0
	for len(list) > 0 && read < maxSitemaps {
		sm := list[0]
		list = list[1:]
		if cu, err := Canonicalize(sm); err != nil || cr.lists[cu] {
			continue
		} else {
			cr.lists[cu] = true
		}
		read++
		body, ok, err := cr.fetchList(ctx, sm, MaxSitemapSize)
		if err != nil || !ok {
			return err
		}
		parsed, err := ParseSitemap(body)
		if err == nil && len(parsed.URLs)+len(parsed.Sitemaps) == 0 && looksLikeFeed(body) {
			var feed *Feed
			if feed, err = ParseFeed(sm, body); err == nil {
				parsed = &Sitemap{}
				for _, it := range feed.Items {
					parsed.URLs = append(parsed.URLs, SitemapURL{Loc: it.URL})
				}
			}
		}
		if err != nil {
			cr.fail(sm, err)
			continue
		}
		for _, u := range parsed.URLs {
			cr.enqueue(u.Loc, 0, fromList)
		}
		list = append(list, parsed.Sitemaps...)
	}
	return nil
}

// readFeed reads an RSS, Atom or JSON feed and queues the publications it
// lists, as sitemap entries are.
func (cr *crawl) readFeed(ctx context.Context, raw string) error {
	cu, err := Canonicalize(raw)
	if err != nil || cr.lists[cu] || cr.feeds >= maxFeeds {
		return nil
	}
	cr.lists[cu] = true
	cr.feeds++
	body, ok, err := cr.fetchList(ctx, cu, orDefault(cr.c.MaxBodySize, defaultMaxBody))
	if err != nil || !ok {
		return err
	}
	feed, err := ParseFeed(cu, body)
	if err != nil {
		cr.fail(cu, err)
		return nil
	}
	cr.logger().Debug("feed read", "url", cu, "format", feed.Format, "items", len(feed.Items))
	for _, it := range feed.Items {
		cr.enqueue(it.URL, 0, fromList)
	}
	return nil
}

// fetchList fetches a sitemap or feed when robots.txt permits. ok is false
// when there is nothing to read (refused or failed, as the report says);
// the error is set only when the crawl must stop.
func (cr *crawl) fetchList(ctx context.Context, raw string, limit int64) ([]byte, bool, error) {
	rb, err := cr.robotsFor(ctx, raw)
	if err != nil {
		return nil, false, err
	}
	if !rb.Allowed(cr.c.Agent, raw) {
		cr.rep.skip(SkipRobots, raw)
		return nil, false, nil
	}
	body, _, err := cr.fetch(ctx, raw, limit)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		cr.fail(raw, err)
		return nil, false, nil
	}
	return body, true, nil
}
