package indexer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// errNotModified is a 304 answer to a conditional request.
var errNotModified = errors.New("not modified")

// errStatus is a non-200 answer.
type errStatus int

func (e errStatus) Error() string { return fmt.Sprintf("HTTP %d", int(e)) }

// errTooLarge is a body over the size cap.
type errTooLarge struct{ limit int64 }

func (e *errTooLarge) Error() string {
	return fmt.Sprintf("body larger than %s (the crawler's cap)", sizeString(e.limit))
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// errRetryTooLong is a 429 or 503 whose Retry-After asks for a longer wait
// than the crawler gives a URL.
type errRetryTooLong struct {
	status     errStatus
	wait, most time.Duration
}

func (e *errRetryTooLong) Error() string {
	return fmt.Sprintf("%v with Retry-After %v, longer than the %v the crawler waits", e.status, e.wait, e.most)
}

func (e *errRetryTooLong) Unwrap() error { return e.status }

// errTimeout is a request the crawler gave up on.
type errTimeout struct {
	what string // "read", "request"
	d    time.Duration
}

func (e *errTimeout) Error() string {
	if e.what == "read" {
		return fmt.Sprintf("timeout: no data from the server for %v", e.d)
	}
	return fmt.Sprintf("timeout: request not done within %v", e.d)
}

// fetchOpts says how to fetch one URL.
type fetchOpts struct {
	hdr   map[string]string // extra request headers (conditional requests)
	limit int64             // body cap after decompression
	// truncate cuts a body at the cap instead of failing (robots.txt,
	// of which only the first 500 KiB count anyway).
	truncate bool
	// anyHost lets redirects leave the source's hosts (robots.txt, which
	// RFC 9309 says to follow through up to five redirects).
	anyHost bool
}

// fetch GETs a URL politely with the page cap.
func (cr *crawl) fetch(ctx context.Context, raw string, limit int64) ([]byte, *http.Response, error) {
	return cr.fetchWith(ctx, raw, fetchOpts{limit: limit})
}

// fetchWith GETs a URL politely: it waits for the rate limiter, follows
// only redirects within scope, caps the body, and honours Retry-After on
// 429 and 503 answers up to MaxRetryWait and MaxRetries.
func (cr *crawl) fetchWith(ctx context.Context, raw string, o fetchOpts) ([]byte, *http.Response, error) {
	most := orDefault(cr.c.MaxRetryWait, defaultMaxRetryWait)
	retries := orDefault(cr.c.MaxRetries, defaultMaxRetries)
	for attempt := 0; ; attempt++ {
		body, resp, err := cr.fetchOnce(ctx, raw, o)
		var st errStatus
		if !errors.As(err, &st) || (st != http.StatusTooManyRequests && st != http.StatusServiceUnavailable) {
			return body, resp, err
		}
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), cr.c.now())
		if !ok {
			if st == http.StatusServiceUnavailable {
				return nil, resp, err // down, not busy: no reason to think it will answer soon
			}
			wait = time.Second << attempt
		}
		if st == http.StatusTooManyRequests {
			cr.slowDown()
		}
		if attempt >= retries {
			return nil, resp, fmt.Errorf("%w, still after %d retries", err, attempt)
		}
		if wait > most {
			return nil, resp, &errRetryTooLong{st, wait, most}
		}
		cr.logger().Info("server asks to wait", "url", raw, "status", int(st), "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, resp, ctx.Err()
		case <-t.C:
		}
	}
}

// slowDown halves the request rate after a 429 answer, down to one
// request per ten seconds.
func (cr *crawl) slowDown() {
	lim := cr.limiter.Limit()
	if lim == rate.Inf {
		lim = rate.Limit(math.MaxFloat32)
	}
	if lim /= 2; lim < 0.1 {
		lim = 0.1
	}
	cr.limiter.SetLimit(lim)
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > 1<<31 {
			secs = 1 << 31
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// fetchOnce is one request with the read and request timeouts.
func (cr *crawl) fetchOnce(ctx context.Context, raw string, o fetchOpts) ([]byte, *http.Response, error) {
	if err := cr.limiter.Wait(ctx); err != nil {
		return nil, nil, err
	}
	total := orDefault(cr.c.RequestTimeout, defaultRequestTimeout)
	idle := orDefault(cr.c.ReadTimeout, defaultReadTimeout)
	rctx, cancel := context.WithTimeoutCause(ctx, total, &errTimeout{"request", total})
	defer cancel()
	rctx, stop := context.WithCancelCause(rctx)
	defer stop(nil)
	watchdog := time.AfterFunc(idle, func() { stop(&errTimeout{"read", idle}) })
	defer watchdog.Stop()

	req, err := http.NewRequestWithContext(rctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", cr.c.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5")
	req.Header.Set("Accept-Language", "nl,en;q=0.5")
	for k, v := range o.hdr {
		req.Header.Set(k, v)
	}
	client := *cr.c.Client
	client.CheckRedirect = cr.checkRedirect(o.anyHost)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, cr.cause(ctx, rctx, err)
	}
	defer resp.Body.Close()
	watchdog.Reset(idle)
	if resp.StatusCode == http.StatusNotModified && len(o.hdr) > 0 {
		return nil, resp, errNotModified
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, resp, errStatus(resp.StatusCode)
	}
	if ce := strings.ToLower(resp.Header.Get("Content-Encoding")); !resp.Uncompressed && ce != "" && ce != "identity" {
		// net/http unpacks only the gzip it asked for; anything else
		// would reach the extractor as noise.
		return nil, resp, fmt.Errorf("unsupported Content-Encoding %q", ce)
	}
	limit := orDefault(o.limit, defaultMaxBody)
	if resp.ContentLength > limit && !o.truncate {
		return nil, resp, &errTooLarge{limit}
	}
	body, err := io.ReadAll(io.LimitReader(idleReader{resp.Body, watchdog, idle}, limit+1))
	if err != nil {
		return nil, resp, cr.cause(ctx, rctx, err)
	}
	if int64(len(body)) > limit {
		if !o.truncate {
			return nil, resp, &errTooLarge{limit}
		}
		body = body[:limit]
	}
	return body, resp, nil
}

// cause turns the error of a request stopped by one of its timeouts into
// that timeout; the crawl's own end stays ctx.Err().
func (cr *crawl) cause(ctx, rctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var te *errTimeout
	if c := context.Cause(rctx); errors.As(c, &te) {
		return te
	}
	return err
}

// checkRedirect follows up to maxRedirects redirects within the source's
// hosts (any host when anyHost), and names a loop as one.
func (cr *crawl) checkRedirect(anyHost bool) func(*http.Request, []*http.Request) error {
	return func(r *http.Request, via []*http.Request) error {
		for _, v := range via {
			if v.URL.String() == r.URL.String() {
				return fmt.Errorf("redirect loop at %s", r.URL)
			}
		}
		if len(via) > maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		cu, err := Canonicalize(r.URL.String())
		if err != nil {
			return err
		}
		u, _ := url.Parse(cu)
		if u == nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("redirect to a non-http URL %s", r.URL.Redacted())
		}
		if !anyHost && !cr.hosts[u.Host] {
			return fmt.Errorf("redirect out of scope to %s", r.URL.Host)
		}
		return nil
	}
}

// idleReader restarts the read watchdog whenever bytes arrive.
type idleReader struct {
	r    io.Reader
	t    *time.Timer
	idle time.Duration
}

func (ir idleReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	if n > 0 {
		ir.t.Reset(ir.idle)
	}
	return n, err
}
