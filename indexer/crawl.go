// Package indexer turns the outside world into corpus documents: a polite
// crawler (robots.txt, sitemaps, rate limits, scope rules), the extraction
// of main text and metadata from HTML, and the build of index versions
// from the corpus store.
package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/watwerkt/watwerkt/corpus"
)

// Sink receives crawled documents; *corpus.Store is one.
type Sink interface {
	Put(ctx context.Context, d *corpus.Document) (corpus.PutResult, error)
}

// StateStore is a Sink that also remembers per-URL crawl state, which
// enables conditional requests (If-None-Match, If-Modified-Since);
// *corpus.Store is one.
type StateStore interface {
	CrawlState(ctx context.Context, url string) (corpus.CrawlState, bool, error)
	PutCrawlState(ctx context.Context, st corpus.CrawlState) error
	Touch(ctx context.Context, id string, at time.Time) error
}

// Crawler fetches the pages of configured sources and puts the extracted
// documents into a Sink.
type Crawler struct {
	Client *http.Client
	// UserAgent is the User-Agent header; Agent the product token matched
	// against robots.txt groups.
	UserAgent string
	Agent     string
	Logger    *slog.Logger
	Sink      Sink
	// MaxBodySize caps a page; larger pages are cut there.
	MaxBodySize int64
	// Progress, when set, is called after every fetched page.
	Progress func(source, url string, fetched int)
	// AllowPrivate lets the crawler connect to loopback, private,
	// link-local and other non-public addresses. Off by default: a page
	// or a DNS answer pointing at 127.0.0.1, 10.0.0.0/8 or the cloud
	// metadata address 169.254.169.254 must not make the crawler fetch
	// from inside the network it runs in. The check is made on the
	// address actually dialled, after DNS, so rebinding does not help.
	AllowPrivate bool
}

// ErrPrivateAddress is the error for a refused non-public address.
var ErrPrivateAddress = errors.New("non-public address refused (use --allow-private to crawl it)")

// Default identity of the crawler.
const (
	DefaultAgent     = "watwerkt"
	DefaultUserAgent = "watwerkt/0.1 (+https://github.com/watwerkt/watwerkt; zoekmachine voor jeugdhulpkennis)"
	defaultMaxBody   = 10 << 20
	maxSitemaps      = 50
	maxRedirects     = 5
	// minBodyRunes is the least text a page needs to be worth answering
	// with; shorter pages are home pages, landing pages and forms.
	minBodyRunes = 200
)

// NewCrawler returns a crawler with sensible defaults. Its HTTP client
// refuses non-public addresses unless AllowPrivate is set.
func NewCrawler(sink Sink, logger *slog.Logger) *Crawler {
	c := &Crawler{
		UserAgent:   DefaultUserAgent,
		Agent:       DefaultAgent,
		Logger:      logger,
		Sink:        sink,
		MaxBodySize: defaultMaxBody,
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if c.AllowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !PublicAddr(ip) {
			return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
		}
		return nil
	}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a proxy would dial on our behalf and bypass the check
	tr.DialContext = dialer.DialContext
	c.Client = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	return c
}

// PublicAddr reports whether ip is a public unicast address.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are ranges that the netip predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64 can reach private IPv4
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// Report says what one crawl of a source did.
type Report struct {
	Source    string `json:"source"`
	Fetched   int    `json:"fetched"`
	Added     int    `json:"added"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	// NotModified counts pages the server answered 304 Not Modified to.
	NotModified int            `json:"not_modified"`
	Skipped     map[string]int `json:"skipped"` // reason → count
	Errors      []FetchError   `json:"errors"`
	Duration    time.Duration  `json:"duration_ns"`
}

// Stored is the number of documents added, updated or confirmed.
func (r *Report) Stored() int { return r.Added + r.Updated + r.Unchanged }

// FetchError records one URL that could not be fetched or read.
type FetchError struct {
	URL string `json:"url"`
	Err string `json:"error"`
}

func (r *Report) skip(reason string) { r.Skipped[reason]++ }

// Skip reasons, as they appear in reports.
const (
	SkipRobots    = "robots.txt"
	SkipFiltered  = "allow/deny"
	SkipNoIndex   = "noindex"
	SkipDuplicate = "duplicate"
	SkipHub       = "overzichtspagina"
	SkipNotHTML   = "geen html"
	SkipEmpty     = "te weinig tekst"
	SkipLimit     = "max_pages"
)

type queued struct {
	url   string
	depth int
}

type crawl struct {
	c       *Crawler
	src     corpus.Source
	rep     *Report
	hosts   map[string]bool
	origins []string // scheme://host of the start URLs and sitemaps
	robots  map[string]*Robots
	limiter *rate.Limiter
	seen    map[string]bool
	hashes  map[string]string
	queue   []queued
}

// Crawl fetches one source. It returns a report even when it stops early;
// the error is set only when the context ends or the sink fails.
func (c *Crawler) Crawl(ctx context.Context, src corpus.Source) (*Report, error) {
	start := time.Now()
	if err := src.Validate(); err != nil {
		return nil, fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	if err := CheckSelectors(&src.Selectors); err != nil {
		return nil, fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	cr := &crawl{
		c: c, src: src,
		rep:     &Report{Source: src.Name, Skipped: map[string]int{}},
		hosts:   map[string]bool{},
		robots:  map[string]*Robots{},
		limiter: rate.NewLimiter(rate.Limit(src.Rate), 1),
		seen:    map[string]bool{},
		hashes:  map[string]string{},
	}
	for _, raw := range append(append([]string{}, src.Start...), src.Sitemaps...) {
		if cu, err := Canonicalize(raw); err == nil {
			if u, err := url.Parse(cu); err == nil {
				cr.hosts[u.Host] = true
				cr.origins = append(cr.origins, u.Scheme+"://"+u.Host)
			}
		}
	}
	err := cr.run(ctx)
	cr.rep.Duration = time.Since(start)
	return cr.rep, err
}

func (cr *crawl) run(ctx context.Context) error {
	for _, s := range cr.src.Start {
		cr.enqueue(s, 0)
	}
	sitemaps := append([]string{}, cr.src.Sitemaps...)
	done := map[string]bool{}
	for _, origin := range cr.origins {
		if done[origin] {
			continue
		}
		done[origin] = true
		rb, err := cr.robotsFor(ctx, origin+"/")
		if err != nil {
			return err
		}
		sitemaps = append(sitemaps, rb.Sitemaps...)
	}
	if err := cr.readSitemaps(ctx, sitemaps); err != nil {
		return err
	}
	for len(cr.queue) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := cr.queue[0]
		cr.queue = cr.queue[1:]
		if cr.rep.Fetched >= cr.src.MaxPages {
			cr.rep.skip(SkipLimit)
			continue
		}
		if err := cr.visit(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// enqueue adds a URL when it is new, in scope and permitted.
func (cr *crawl) enqueue(raw string, depth int) {
	cu, err := Canonicalize(raw)
	if err != nil || cr.seen[cu] {
		return
	}
	u, _ := url.Parse(cu)
	if !cr.hosts[u.Host] {
		return // other sites are out of scope, silently
	}
	cr.seen[cu] = true
	if !cr.src.Permits(cu) {
		cr.rep.skip(SkipFiltered)
		return
	}
	cr.queue = append(cr.queue, queued{cu, depth})
}

func (cr *crawl) readSitemaps(ctx context.Context, list []string) error {
	done := map[string]bool{}
	for len(list) > 0 && len(done) < maxSitemaps {
		sm := list[0]
		list = list[1:]
		if done[sm] {
			continue
		}
		done[sm] = true
		rb, err := cr.robotsFor(ctx, sm)
		if err != nil {
			return err
		}
		if !rb.Allowed(cr.c.Agent, sm) {
			cr.rep.skip(SkipRobots)
			continue
		}
		body, _, err := cr.fetch(ctx, sm)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			cr.fail(sm, err)
			continue
		}
		parsed, err := ParseSitemap(body)
		if err != nil {
			cr.fail(sm, err)
			continue
		}
		for _, u := range parsed.URLs {
			cr.enqueue(u.Loc, 0)
		}
		list = append(list, parsed.Sitemaps...)
	}
	return nil
}

func (cr *crawl) visit(ctx context.Context, q queued) error {
	rb, err := cr.robotsFor(ctx, q.url)
	if err != nil {
		return err
	}
	if !rb.Allowed(cr.c.Agent, q.url) {
		cr.rep.skip(SkipRobots)
		return nil
	}
	states, _ := cr.c.Sink.(StateStore)
	var prev *corpus.CrawlState
	hdr := map[string]string{}
	if states != nil {
		if st, ok, err := states.CrawlState(ctx, q.url); err == nil && ok {
			prev = &st
			if st.ETag != "" {
				hdr["If-None-Match"] = st.ETag
			}
			if st.LastModified != "" {
				hdr["If-Modified-Since"] = st.LastModified
			}
		}
	}
	body, resp, err := cr.fetchWith(ctx, q.url, hdr)
	if errors.Is(err, errNotModified) && prev != nil {
		return cr.notModified(ctx, q, prev, states)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cr.fail(q.url, err)
		return nil
	}
	cr.rep.Fetched++
	state := corpus.CrawlState{URL: q.url, ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), FetchedAt: time.Now().UTC()}
	if states != nil {
		defer func() {
			if err := states.PutCrawlState(ctx, state); err != nil {
				cr.logger().Warn("crawl state not saved", "url", q.url, "err", err)
			}
		}()
	}
	if cr.c.Progress != nil {
		cr.c.Progress(cr.src.Name, q.url, cr.rep.Fetched)
	}
	final := resp.Request.URL.String()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isPDF := mt == "application/pdf" || (mt == "application/octet-stream" && bytes.HasPrefix(body, []byte("%PDF-")))
	if mt != "" && mt != "text/html" && mt != "application/xhtml+xml" && !isPDF {
		cr.rep.skip(SkipNotHTML)
		return nil
	}
	var page *Page
	if isPDF {
		page, err = ExtractPDF(final, body)
	} else {
		page, err = ExtractWith(final, body, resp.Header.Get("Content-Type"), &cr.src.Selectors)
	}
	if err != nil {
		cr.fail(q.url, err)
		return nil
	}
	state.Links = page.Links
	if q.depth < cr.src.MaxDepth {
		for _, l := range page.Links {
			cr.enqueue(l, q.depth+1)
		}
	}
	if page.NoIndex {
		cr.rep.skip(SkipNoIndex)
		return nil
	}
	canonical, _ := Canonicalize(final)
	if page.Canonical != "" {
		if cu, err := Canonicalize(page.Canonical); err == nil {
			if u, _ := url.Parse(cu); u != nil && cr.hosts[u.Host] {
				canonical = cu
				cr.seen[cu] = true
			}
		}
	}
	d := &page.Doc
	if d.Type == "overzicht" {
		cr.rep.skip(SkipHub)
		return nil
	}
	if utf8.RuneCountInString(d.Body) < minBodyRunes {
		cr.rep.skip(SkipEmpty)
		return nil
	}
	if prev, dup := cr.hashes[d.ContentHash]; dup && prev != canonical {
		cr.rep.skip(SkipDuplicate)
		return nil
	}
	cr.hashes[d.ContentHash] = canonical
	d.CanonicalURL = canonical
	d.ID = corpus.DocumentID(canonical)
	d.Source = cr.src.Name
	d.FetchedAt = time.Now().UTC()
	if d.Type == "" {
		d.Type = cr.src.TypeOf(canonical)
	}
	if len(d.Themes) == 0 {
		d.Themes = cr.src.Defaults.Themes
	}
	if d.Region == "" {
		d.Region = cr.src.Defaults.Region
	}
	if d.Published.IsZero() {
		if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
			d.Published = lm.UTC().Truncate(24 * time.Hour)
		}
	}
	res, err := cr.c.Sink.Put(ctx, d)
	if err != nil {
		return fmt.Errorf("crawl %s: store %s: %w", cr.src.Name, q.url, err)
	}
	state.DocID = d.ID
	switch res {
	case corpus.Added:
		cr.rep.Added++
	case corpus.Updated:
		cr.rep.Updated++
	default:
		cr.rep.Unchanged++
	}
	cr.logger().Debug("stored", "url", q.url, "result", res.String(), "title", d.Title)
	return nil
}

func (cr *crawl) fail(u string, err error) {
	cr.rep.Errors = append(cr.rep.Errors, FetchError{URL: u, Err: err.Error()})
	cr.logger().Warn("fetch failed", "url", u, "err", err)
}

func (cr *crawl) logger() *slog.Logger {
	if cr.c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cr.c.Logger
}

// notModified handles a 304: the stored document is confirmed, and the
// links the page had last time are followed as if it had been fetched.
func (cr *crawl) notModified(ctx context.Context, q queued, prev *corpus.CrawlState, states StateStore) error {
	cr.rep.NotModified++
	if q.depth < cr.src.MaxDepth {
		for _, l := range prev.Links {
			cr.enqueue(l, q.depth+1)
		}
	}
	now := time.Now().UTC()
	if prev.DocID != "" {
		if err := states.Touch(ctx, prev.DocID, now); err != nil {
			return fmt.Errorf("crawl %s: %w", cr.src.Name, err)
		}
		cr.rep.Unchanged++
	}
	prev.FetchedAt = now
	if err := states.PutCrawlState(ctx, *prev); err != nil {
		cr.logger().Warn("crawl state not saved", "url", q.url, "err", err)
	}
	return nil
}

// errNotModified is a 304 answer to a conditional request.
var errNotModified = errors.New("not modified")

// errStatus is a non-200 answer.
type errStatus int

func (e errStatus) Error() string { return fmt.Sprintf("HTTP %d", int(e)) }

// fetch GETs a URL politely: it waits for the rate limiter, follows only
// redirects within scope, and caps the body.
func (cr *crawl) fetch(ctx context.Context, raw string) ([]byte, *http.Response, error) {
	return cr.fetchWith(ctx, raw, nil)
}

// fetchWith is fetch with extra request headers (conditional requests).
func (cr *crawl) fetchWith(ctx context.Context, raw string, hdr map[string]string) ([]byte, *http.Response, error) {
	if err := cr.limiter.Wait(ctx); err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", cr.c.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5")
	req.Header.Set("Accept-Language", "nl,en;q=0.5")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := *cr.c.Client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		cu, err := Canonicalize(r.URL.String())
		if err != nil {
			return err
		}
		if u, _ := url.Parse(cu); u == nil || !cr.hosts[u.Host] {
			return fmt.Errorf("redirect out of scope to %s", r.URL.Host)
		}
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && len(hdr) > 0 {
		return nil, resp, errNotModified
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, resp, errStatus(resp.StatusCode)
	}
	limit := cr.c.MaxBodySize
	if limit <= 0 {
		limit = defaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, resp, err
	}
	return body, resp, nil
}

// robotsFor returns the robots policy of the URL's host, fetching it once
// per crawl. A 4xx means no rules; a 5xx or a network error means keep out.
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
	body, resp, err := cr.fetch(ctx, key+"/robots.txt")
	var rb *Robots
	var st errStatus
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err == nil:
		rb = ParseRobots(body)
	case errors.As(err, &st) && int(st) >= 400 && int(st) < 500:
		rb = AllowAll()
	default:
		_ = resp
		cr.logger().Warn("robots.txt unavailable; keeping out of the host", "host", u.Host, "err", err)
		rb = DisallowAll()
	}
	if d, ok := rb.CrawlDelay(cr.c.Agent); ok && d > 0 {
		if lim := rate.Every(d); lim < cr.limiter.Limit() {
			cr.limiter.SetLimit(lim)
		}
	}
	cr.robots[key] = rb
	return rb, nil
}

// SortedSkips lists skip reasons and counts in a stable order for display.
func (r *Report) SortedSkips() []string {
	var out []string
	for k, v := range r.Skipped {
		out = append(out, fmt.Sprintf("%s: %d", k, v))
	}
	sort.Strings(out)
	return out
}
