package indexer

import (
	"fmt"
	"sort"
	"time"
)

// Report says what one crawl of a source did: counts, and per outcome the
// URLs that had it (the first MaxReportURLs of each, so that a crawl of a
// large site still gives a report one can read).
type Report struct {
	Source    string `json:"source"`
	Fetched   int    `json:"fetched"`
	Added     int    `json:"added"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	// NotModified counts pages the server answered 304 Not Modified to.
	NotModified int `json:"not_modified"`
	// Removed counts stored documents taken out because their page is
	// gone (404, 410) or now says noindex.
	Removed int `json:"removed"`
	// Resumed counts pages an interrupted earlier run of this crawl had
	// already fetched; they were not fetched again.
	Resumed int            `json:"resumed"`
	Skipped map[string]int `json:"skipped"` // reason → count
	// Failed counts URLs that could not be fetched or read; Errors lists
	// the first MaxReportURLs of them with the reason.
	Failed      int           `json:"failed"`
	Errors      []FetchError  `json:"errors"`
	URLs        ReportURLs    `json:"urls"`
	Interrupted bool          `json:"interrupted,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
}

// ReportURLs lists URLs per outcome.
type ReportURLs struct {
	Added     []string            `json:"added,omitempty"`
	Updated   []string            `json:"updated,omitempty"`
	Unchanged []string            `json:"unchanged,omitempty"`
	Removed   []URLNote           `json:"removed,omitempty"`
	Skipped   map[string][]string `json:"skipped,omitempty"` // reason → URLs
}

// URLNote is a URL with the reason something happened to it.
type URLNote struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// MaxReportURLs bounds each list of URLs in a Report.
const MaxReportURLs = 1000

// Stored is the number of documents added, updated or confirmed.
func (r *Report) Stored() int { return r.Added + r.Updated + r.Unchanged }

// FetchError records one URL that could not be fetched or read.
type FetchError struct {
	URL string `json:"url"`
	Err string `json:"error"`
}

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
	// SkipTooLarge: the body is larger than Crawler.MaxBodySize.
	SkipTooLarge = "te groot"
	// SkipBinary: served as HTML or text, but the bytes are not text.
	SkipBinary = "binair"
	// SkipOutOfScope: a sitemap or feed listed a URL on another site.
	SkipOutOfScope = "buiten bereik"
	// SkipPDFEncrypted and SkipPDFDamaged: PDFs whose text cannot be read.
	SkipPDFEncrypted = "pdf versleuteld"
	SkipPDFDamaged   = "pdf beschadigd"
)

func newReport(source string) *Report {
	return &Report{Source: source, Skipped: map[string]int{}}
}

func (r *Report) skip(reason, u string) {
	r.Skipped[reason]++
	if r.URLs.Skipped == nil {
		r.URLs.Skipped = map[string][]string{}
	}
	r.URLs.Skipped[reason] = appendBounded(r.URLs.Skipped[reason], u)
}

func (r *Report) fail(u, reason string) {
	r.Failed++
	if len(r.Errors) < MaxReportURLs {
		r.Errors = append(r.Errors, FetchError{URL: u, Err: reason})
	}
}

func (r *Report) removed(u, reason string) {
	r.Removed++
	if len(r.URLs.Removed) < MaxReportURLs {
		r.URLs.Removed = append(r.URLs.Removed, URLNote{URL: u, Reason: reason})
	}
}

func appendBounded(list []string, u string) []string {
	if len(list) >= MaxReportURLs {
		return list
	}
	return append(list, u)
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

// SkippedTotal is the number of skipped URLs over all reasons.
func (r *Report) SkippedTotal() int {
	n := 0
	for _, v := range r.Skipped {
		n += v
	}
	return n
}
