package indexer

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/corpus"
)

// extraction is what the work beside the crawl loop made of a page.
type extraction struct {
	page  *Page
	skip  string // a skip reason, or ""
	err   error  // the page could not be read
	feeds []string
	final string // the URL after redirects
}

// extract classifies and extracts a fetched page. It runs beside the
// crawl loop and touches no crawl state.
func (cr *crawl) extract(q queued, resp *http.Response, body []byte) extraction {
	ex := extraction{final: resp.Request.URL.String()}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	isHTML := mt == "" || mt == "text/html" || mt == "application/xhtml+xml"
	// A PDF is known by its header or by its bytes when the header says
	// nothing useful (octet-stream, or HTML from a misconfigured server).
	isPDF := mt == "application/pdf" ||
		((isHTML || mt == "application/octet-stream") && bytes.HasPrefix(body, []byte("%PDF-")))
	switch {
	case isPDF:
		page, err := ExtractPDF(ex.final, body)
		if err != nil || page.Doc.Body == "" {
			ex.skip, ex.err = SkipPDFDamaged, err
			if pdfEncrypted(body) {
				ex.skip = SkipPDFEncrypted
			}
			return ex
		}
		ex.page = page
	case !isHTML:
		ex.skip = SkipNotHTML
	case looksBinary(body):
		ex.skip = SkipBinary
	default:
		ex.page, ex.err = ExtractWith(ex.final, body, effectiveContentType(ct, body), &cr.src.Selectors)
		if q.start && ex.err == nil {
			ex.feeds = DiscoverFeeds(ex.final, body)
		}
	}
	return ex
}

// commitPage turns an extracted page into a stored document, or into the
// reason why not, and follows its links and feeds.
func (cr *crawl) commitPage(ctx context.Context, q queued, resp *http.Response, ex *extraction, states StateStore) error {
	cr.rep.Fetched++
	if cr.c.Progress != nil {
		cr.c.Progress(cr.src.Name, q.url, cr.rep.Fetched)
	}
	state := corpus.CrawlState{URL: q.url, ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), FetchedAt: cr.c.now()}
	if states != nil {
		// Saved also when the crawl is being stopped: the page was
		// fetched, and a resumed run need not fetch it again.
		defer func() {
			if err := states.PutCrawlState(context.WithoutCancel(ctx), state); err != nil {
				cr.logger().Warn("crawl state not saved", "url", q.url, "err", err)
			}
		}()
	}
	switch {
	case ex.skip != "":
		cr.rep.skip(ex.skip, q.url)
		if ex.err != nil {
			cr.logger().Info("page not read", "url", q.url, "reason", ex.skip, "err", ex.err)
		}
		return nil
	case ex.err != nil:
		cr.fail(q.url, ex.err)
		return nil
	}
	page := ex.page
	state.Links = page.Links
	cr.follow(q, page.Links)
	for _, f := range ex.feeds {
		if err := cr.readFeed(ctx, f); err != nil {
			return err
		}
	}
	canonical, _ := Canonicalize(ex.final)
	if page.Canonical != "" {
		if cu, err := Canonicalize(page.Canonical); err == nil {
			if u, _ := url.Parse(cu); u != nil && cr.hosts[u.Host] {
				canonical = cu
				cr.seen[cu] = true
			}
		}
	}
	if page.NoIndex {
		// A page that asks not to be indexed any more leaves the store.
		if removed, err := cr.remove(ctx, canonical, SkipNoIndex); err != nil || removed {
			return err
		}
		cr.rep.skip(SkipNoIndex, q.url)
		return nil
	}
	if page.JSShell {
		// Only a script loader: there is no text to index without a
		// browser, and "Loading…" must not become a document.
		cr.rep.skip(SkipJSShell, q.url)
		return nil
	}
	d := &page.Doc
	if d.Type == "overzicht" {
		cr.rep.skip(SkipHub, q.url)
		return nil
	}
	if utf8.RuneCountInString(d.Body) < minBodyRunes {
		cr.rep.skip(SkipEmpty, q.url)
		return nil
	}
	if prev, dup := cr.hashes[d.ContentHash]; dup && prev != canonical {
		cr.rep.skip(SkipDuplicate, q.url)
		return nil
	}
	cr.hashes[d.ContentHash] = canonical
	return cr.store(ctx, q, resp, d, canonical, &state)
}

// store fills in what the source knows about a document and puts it.
func (cr *crawl) store(ctx context.Context, q queued, resp *http.Response, d *corpus.Document, canonical string, state *corpus.CrawlState) error {
	d.CanonicalURL = canonical
	d.ID = corpus.DocumentID(canonical)
	d.Source = cr.src.Name
	d.FetchedAt = cr.c.now()
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
	// Stored also when the crawl is being stopped: the page is in hand.
	wctx := context.WithoutCancel(ctx)
	res, err := cr.c.Sink.Put(wctx, d)
	if err != nil {
		return fmt.Errorf("crawl %s: store %s: %w", cr.src.Name, q.url, err)
	}
	state.DocID = d.ID
	switch res {
	case corpus.Added:
		cr.rep.Added++
		cr.rep.URLs.Added = appendBounded(cr.rep.URLs.Added, canonical)
	case corpus.Updated:
		cr.rep.Updated++
		cr.rep.URLs.Updated = appendBounded(cr.rep.URLs.Updated, canonical)
	default:
		cr.rep.Unchanged++
		cr.rep.URLs.Unchanged = appendBounded(cr.rep.URLs.Unchanged, canonical)
	}
	// The URL asked for now leads to another document (a redirect, a
	// canonical link): what was stored under the URL itself is superseded.
	if canonical != q.url {
		if _, err := cr.remove(ctx, q.url, "verplaatst naar "+canonical); err != nil {
			return err
		}
	}
	cr.logger().Debug("stored", "url", q.url, "result", res.String(), "title", d.Title)
	return nil
}

// looksBinary reports whether a body served as HTML is not text: more
// than a few of the bytes that never occur in text (WHATWG MIME sniffing's
// "binary data bytes") in its first 8 KiB. UTF-16 text, which is full of
// NUL bytes, is recognised by its byte order mark.
func looksBinary(body []byte) bool {
	if bytes.HasPrefix(body, []byte{0xFE, 0xFF}) || bytes.HasPrefix(body, []byte{0xFF, 0xFE}) {
		return false
	}
	head := body[:min(len(body), 8<<10)]
	n := 0
	for _, c := range head {
		if c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F) {
			n++
		}
	}
	return n > 4
}

// effectiveContentType corrects a charset in the Content-Type header that
// the bytes contradict, before extraction trusts it: "utf-8" over bytes
// that are not UTF-8 is dropped (the page's own meta tag or windows-1252
// decides), and a single-byte charset over bytes that are valid,
// non-ASCII UTF-8 becomes utf-8 (latin-1 text is practically never valid
// UTF-8 by accident).
func effectiveContentType(ct string, body []byte) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || params["charset"] == "" {
		return ct
	}
	cs := strings.ToLower(strings.TrimSpace(params["charset"]))
	switch {
	case (cs == "utf-8" || cs == "utf8") && !utf8.Valid(body):
		delete(params, "charset")
	case singleByteCharset(cs) && !asciiOnly(body) && utf8.Valid(body):
		params["charset"] = "utf-8"
	default:
		return ct
	}
	return mime.FormatMediaType(mt, params)
}

func singleByteCharset(cs string) bool {
	return strings.HasPrefix(cs, "iso-8859") || strings.HasPrefix(cs, "windows-125") ||
		cs == "latin1" || cs == "latin-1" || cs == "us-ascii" || cs == "ascii" || cs == "cp1252"
}

// pdfEncrypted reports whether a PDF has an encryption dictionary.
func pdfEncrypted(body []byte) bool {
	return bytes.Contains(body, []byte("/Encrypt"))
}

func asciiOnly(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
