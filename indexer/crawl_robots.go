package indexer

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/watwerkt/watwerkt/corpus"
)

// robotsFor returns the robots policy of the URL's origin: from this
// crawl, from the store when an earlier crawl fetched it less than
// RobotsTTL ago, or fetched now. A 2xx is parsed (its first 500 KiB); a
// 4xx other than 429 means no rules; a 5xx, a 429 or a network error
// means keep out, and is not remembered, so the next crawl asks again.
func (cr *crawl) robotsFor(ctx context.Context, raw string) (*Robots, error) {
	cu, err := Canonicalize(raw)
	if err != nil {
		return DisallowAll(), nil
	}
	u, _ := url.Parse(cu)
	key := u.Scheme + "://" + u.Host
	if rb, ok := cr.robots[key]; ok {
		return rb, nil
	}
	rb := cr.cachedRobots(ctx, key)
	if rb == nil {
		if rb, err = cr.fetchRobots(ctx, key); err != nil {
			return nil, err
		}
	}
	if d, ok := rb.CrawlDelay(cr.c.Agent); ok && d > 0 {
		if lim := rate.Every(d); lim < cr.limiter.Limit() {
			cr.limiter.SetLimit(lim)
		}
	}
	cr.robots[key] = rb
	return rb, nil
}

// robotsTTL is how long a remembered robots.txt is used, and whether
// robots.txt files are remembered at all.
func (cr *crawl) robotsTTL() (time.Duration, bool) {
	d := orDefault(cr.c.RobotsTTL, defaultRobotsTTL)
	return d, d > 0
}

// cachedRobots returns the stored robots.txt of an origin while it is
// fresh, else nil.
func (cr *crawl) cachedRobots(ctx context.Context, origin string) *Robots {
	cache, ok := cr.c.Sink.(RobotsCache)
	d, use := cr.robotsTTL()
	if !ok || !use {
		return nil
	}
	rf, found, err := cache.RobotsFile(ctx, origin)
	if err != nil {
		cr.logger().Warn("robots.txt cache not read", "origin", origin, "err", err)
		return nil
	}
	age := cr.c.now().Sub(rf.FetchedAt)
	if !found || age < 0 || age >= d {
		return nil
	}
	cr.logger().Debug("robots.txt from the cache", "origin", origin, "age", age)
	return robotsOf(rf.Status, rf.Body)
}

func robotsOf(status int, body []byte) *Robots {
	if status >= 400 && status < 500 {
		return AllowAll()
	}
	return ParseRobots(body)
}

// fetchRobots fetches and, when the answer decides the policy, remembers
// the robots.txt of an origin.
func (cr *crawl) fetchRobots(ctx context.Context, origin string) (*Robots, error) {
	body, _, err := cr.fetchWith(ctx, origin+"/robots.txt", fetchOpts{limit: MaxRobotsSize, truncate: true, anyHost: true})
	status := http.StatusOK
	var st errStatus
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err == nil:
	case errors.As(err, &st) && st >= 400 && st < 500 && st != http.StatusTooManyRequests:
		status, body = int(st), nil
	default:
		cr.logger().Warn("robots.txt unavailable; keeping out of the host", "origin", origin, "err", err)
		return DisallowAll(), nil
	}
	if cache, ok := cr.c.Sink.(RobotsCache); ok {
		if _, use := cr.robotsTTL(); use {
			rf := corpus.RobotsFile{Origin: origin, Status: status, Body: body, FetchedAt: cr.c.now()}
			if err := cache.PutRobotsFile(context.WithoutCancel(ctx), rf); err != nil {
				cr.logger().Warn("robots.txt not cached", "origin", origin, "err", err)
			}
		}
	}
	return robotsOf(status, body), nil
}
