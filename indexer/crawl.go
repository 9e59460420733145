// Package indexer turns the outside world into corpus documents: a polite
// crawler (robots.txt, sitemaps, feeds, rate limits, scope rules), the
// extraction of main text and metadata from HTML, and the build of index
// versions from the corpus store.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

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

// Remover is a Sink that can take out documents whose page is gone;
// *corpus.Store is one.
type Remover interface {
	RemoveDocument(ctx context.Context, id, reason string, at time.Time) (bool, error)
}

// RobotsCache is a Sink that remembers robots.txt files across crawls;
// *corpus.Store is one.
type RobotsCache interface {
	RobotsFile(ctx context.Context, origin string) (corpus.RobotsFile, bool, error)
	PutRobotsFile(ctx context.Context, rf corpus.RobotsFile) error
}

// RunStore is a Sink that records crawl runs, so that a crawl stopped
// half-way (Ctrl-C, a crash) is resumed instead of started over;
// *corpus.Store is one.
type RunStore interface {
	CrawlRun(ctx context.Context, source string) (corpus.CrawlRun, bool, error)
	PutCrawlRun(ctx context.Context, run corpus.CrawlRun) error
}

// Crawler fetches the pages of configured sources and puts the extracted
// documents into a Sink. The zero values of the durations and limits
// mean the defaults below.
type Crawler struct {
	Client *http.Client
	// UserAgent is the User-Agent header; Agent the product token matched
	// against robots.txt groups.
	UserAgent string
	Agent     string
	Logger    *slog.Logger
	Sink      Sink
	// MaxBodySize caps a page; a larger page is skipped as SkipTooLarge
	// without reading more than this (after decompression).
	MaxBodySize int64
	// ConnectTimeout bounds a TCP connect; ReadTimeout the wait for the
	// next bytes of an answer (headers or body), so a server that stops
	// sending is left; RequestTimeout a whole request, so a server that
	// drips a byte a second is left too.
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	RequestTimeout time.Duration
	// MaxRetryWait is the longest Retry-After a 429 or 503 answer can
	// make the crawler wait before asking again; a longer one fails the
	// URL. MaxRetries bounds the attempts after the first.
	MaxRetryWait time.Duration
	MaxRetries   int
	// RobotsTTL is how long a robots.txt fetched in an earlier crawl is
	// used before it is fetched again (default 24 h; negative: never
	// reused). Only a RobotsCache sink remembers them.
	RobotsTTL time.Duration
	// ResumeWithin: an interrupted run that started less than this long
	// ago is resumed (default 24 h; negative: never).
	ResumeWithin time.Duration
	// Now is the clock (time.Now when nil); tests inject their own.
	Now func() time.Time
	// Progress, when set, is called after every fetched page.
	Progress func(source, url string, fetched int)
	// OnProgress, when set, is called after every URL the crawl handled.
	OnProgress func(Progress)
	// Workers is how many fetched pages are extracted at the same time
	// (default GOMAXPROCS). Fetching stays one request at a time per
	// crawl, and results are committed in queue order, so the outcome
	// does not depend on it.
	Workers int
	// AllowPrivate lets the crawler connect to loopback, private,
	// link-local and other non-public addresses. Off by default: a page
	// or a DNS answer pointing at 127.0.0.1, 10.0.0.0/8 or the cloud
	// metadata address 169.254.169.254 must not make the crawler fetch
	// from inside the network it runs in. The check is made on the
	// address actually dialled, after DNS, so rebinding does not help.
	AllowPrivate bool
}

// Progress is the state of a running crawl of one source.
type Progress struct {
	Source string
	URL    string // the URL just handled
	Done   int    // URLs handled so far
	Queued int    // URLs waiting
	Stored int    // documents added, updated or confirmed
	Failed int
}

// ErrPrivateAddress is the error for a refused non-public address.
var ErrPrivateAddress = errors.New("non-public address refused (use --allow-private to crawl it)")

// Default identity and limits of the crawler.
const (
	DefaultAgent     = "watwerkt"
	DefaultUserAgent = "watwerkt/0.1 (+https://github.com/watwerkt/watwerkt; zoekmachine voor jeugdhulpkennis)"
	// DefaultMaxConnsPerHost keeps the crawler to one connection per
	// host; set MaxConnsPerHost on the client's transport to change it.
	DefaultMaxConnsPerHost = 1
	defaultMaxBody         = 10 << 20
	defaultConnectTimeout  = 10 * time.Second
	defaultReadTimeout     = 30 * time.Second
	defaultRequestTimeout  = 2 * time.Minute
	defaultMaxRetryWait    = 30 * time.Second
	defaultMaxRetries      = 2
	defaultRobotsTTL       = 24 * time.Hour
	defaultResumeWithin    = 24 * time.Hour
	maxSitemaps            = 50
	maxFeeds               = 20
	maxRedirects           = 5
	// minBodyRunes is the least text a page needs to be worth answering
	// with; shorter pages are home pages, landing pages and forms.
	minBodyRunes = 200
)

// NewCrawler returns a crawler with sensible defaults. Its HTTP client
// refuses non-public addresses unless AllowPrivate is set, and opens one
// connection per host.
func NewCrawler(sink Sink, logger *slog.Logger) *Crawler {
	c := &Crawler{
		UserAgent:   DefaultUserAgent,
		Agent:       DefaultAgent,
		Logger:      logger,
		Sink:        sink,
		MaxBodySize: defaultMaxBody,
	}
	dialer := &net.Dialer{Control: func(_, address string, _ syscall.RawConn) error {
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
	tr.MaxConnsPerHost = DefaultMaxConnsPerHost
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, orDefault(c.ConnectTimeout, defaultConnectTimeout))
		defer cancel()
		return dialer.DialContext(ctx, network, addr)
	}
	c.Client = &http.Client{Transport: tr}
	return c
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (c *Crawler) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
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

type queued struct {
	url   string
	depth int
	start bool // a start URL of the source: its feeds are discovered
}

type crawl struct {
	c       *Crawler
	src     corpus.Source
	rep     *Report
	hosts   map[string]bool
	origins []string // scheme://host of the start URLs, sitemaps and feeds
	robots  map[string]*Robots
	limiter *rate.Limiter
	seen    map[string]bool
	hashes  map[string]string
	queue   []queued
	lists   map[string]bool // sitemaps and feeds read
	feeds   int             // feeds read
	// resumeFrom is the start of the interrupted run being resumed; pages
	// fetched since then are not fetched again. Zero for a new run.
	resumeFrom time.Time
	budget     int // pages fetched or resumed, against MaxPages
	handled    int // URLs committed
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
		rep:     newReport(src.Name),
		hosts:   map[string]bool{},
		robots:  map[string]*Robots{},
		limiter: rate.NewLimiter(rate.Limit(src.Rate), 1),
		seen:    map[string]bool{},
		hashes:  map[string]string{},
		lists:   map[string]bool{},
	}
	for _, raw := range append(append(append([]string{}, src.Start...), src.Sitemaps...), src.Feeds...) {
		if cu, err := Canonicalize(raw); err == nil {
			if u, err := url.Parse(cu); err == nil && !cr.hosts[u.Host] {
				cr.hosts[u.Host] = true
				cr.origins = append(cr.origins, u.Scheme+"://"+u.Host)
			}
		}
	}
	run, err := cr.beginRun(ctx)
	if err == nil {
		err = cr.run(ctx)
	}
	if err == nil {
		cr.finishRun(ctx, run)
	}
	cr.rep.Interrupted = ctx.Err() != nil
	cr.rep.Duration = time.Since(start)
	return cr.rep, err
}

// beginRun records the start of a run, or finds the interrupted run to
// resume.
func (cr *crawl) beginRun(ctx context.Context) (corpus.CrawlRun, error) {
	now := cr.c.now()
	run := corpus.CrawlRun{Source: cr.src.Name, Started: now}
	runs, ok := cr.c.Sink.(RunStore)
	if !ok {
		return run, ctx.Err()
	}
	within := orDefault(cr.c.ResumeWithin, defaultResumeWithin)
	if last, found, err := runs.CrawlRun(ctx, cr.src.Name); err != nil {
		cr.logger().Warn("crawl run not read", "source", cr.src.Name, "err", err)
	} else if found && last.Finished.IsZero() && within > 0 && now.Sub(last.Started) < within {
		cr.resumeFrom = last.Started
		cr.logger().Info("resuming an interrupted crawl", "source", cr.src.Name, "started", last.Started)
		return last, ctx.Err()
	}
	if err := runs.PutCrawlRun(ctx, run); err != nil {
		cr.logger().Warn("crawl run not saved", "source", cr.src.Name, "err", err)
	}
	return run, ctx.Err()
}

func (cr *crawl) finishRun(ctx context.Context, run corpus.CrawlRun) {
	if runs, ok := cr.c.Sink.(RunStore); ok {
		run.Finished = cr.c.now()
		if err := runs.PutCrawlRun(context.WithoutCancel(ctx), run); err != nil {
			cr.logger().Warn("crawl run not saved", "source", cr.src.Name, "err", err)
		}
	}
}

func (cr *crawl) logger() *slog.Logger {
	if cr.c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cr.c.Logger
}
