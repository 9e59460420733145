package indexer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/watwerkt/watwerkt/corpus"
)

// badCase is one kind of bad input. Every case is crawled twice against
// its own server: the first round serves good pages (so that there is
// something stored to lose), the second the bad input.
type badCase struct {
	name     string
	start    []string // paths; default /pagina
	sitemaps []string // paths
	good     http.HandlerFunc
	bad      http.HandlerFunc // round two, every path except /robots.txt; nil: good
	robots   http.HandlerFunc // round two's /robots.txt; nil: 404
	src      func(*corpus.Source)
	crawler  func(*Crawler)
	// want maps a path (or an absolute URL) to its outcome in round two:
	// "stored", "skip:<reason>" or "fail:<part of the reason>".
	want map[string]string
	// body checks the text stored from "/pagina" in round two.
	body func(t *testing.T, d *corpus.Document)
	// check looks at the report of round two.
	check func(t *testing.T, rep *Report)
}

// cafeArticle is an article whose text has the non-ASCII letters that
// charset mistakes destroy.
func cafeArticle(headExtra, pad string) string {
	return `<!DOCTYPE html><html lang="nl"><head>` + pad + headExtra + `<title>Het café</title></head><body><article><h1>Het café</h1><p>` +
		strings.Repeat("In het buurthuiscafé praten ouders één keer per week over opvoeden, privé en zonder oordeel. ", 5) +
		`</p></article></body></html>`
}

func cp1252(s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func wantCafe(t *testing.T, d *corpus.Document) {
	t.Helper()
	if !strings.Contains(d.Body, "buurthuiscafé") || !strings.Contains(d.Body, "één") || strings.ContainsRune(d.Body, '\uFFFD') {
		t.Errorf("body decoded wrongly: %.120q", d.Body)
	}
}

func serveBytes(ct string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing by net/http either
		}
		w.Write(b)
	}
}

// stream writes n bytes of an endless HTML page, or until the client goes.
func stream(n int64, withLength bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if withLength {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		chunk := bytes.Repeat([]byte("<p>Een heel lange pagina over jeugdhulp.</p>\n"), 1500)
		for sent := int64(0); sent < n; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk[:min(int64(len(chunk)), n-sent)]); err != nil {
				return
			}
		}
	}
}

// gzipBomb is a gzip stream of n MiB of zeros, made of identical members
// (gzip readers continue across members), so it costs ~1 KiB per MiB.
func gzipBomb(mib int) []byte {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return bytes.Repeat(member.Bytes(), mib)
}

// drip sends a byte every 20 ms for as long as the client listens.
func drip(headersFirst bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if headersFirst {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if headersFirst {
				if _, err := w.Write([]byte("a")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}
}

// busy answers 429 (or 503) with Retry-After first, then the page.
func busy(status int, retryAfter string, page http.HandlerFunc) http.HandlerFunc {
	var calls atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(status)
			return
		}
		page(w, r)
	}
}

func badPDF(encrypted bool) []byte {
	if !encrypted {
		good := makePDF("Rapport", "D:20211126120000Z", reportLines)
		return append([]byte("%PDF-1.4\n"), good[len(good)/2:]...) // the head is gone
	}
	// An encryption dictionary whose password check fails for the empty
	// user password, as for a report that needs a password to open.
	pdf := makePDF("Rapport", "D:20211126120000Z", reportLines)
	enc := "7 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <" + strings.Repeat("41", 32) + "> /U <" +
		strings.Repeat("42", 32) + "> /P -4 >>\nendobj\n"
	i := bytes.Index(pdf, []byte("\nxref\n")) + 1
	out := append([]byte{}, pdf[:i]...)
	objOff := len(out)
	out = append(out, enc...)
	xref := len(out)
	tail := string(pdf[i:])
	tail = strings.Replace(tail, "0 7\n", "0 8\n", 1)
	tail = strings.Replace(tail, "trailer", fmt.Sprintf("%010d 00000 n \ntrailer", objOff), 1)
	tail = strings.Replace(tail, "/Size 7", "/Size 8 /Encrypt 7 0 R /ID [<0102030405060708090a0b0c0d0e0f10><0102030405060708090a0b0c0d0e0f10>]", 1)
	tail = tail[:strings.Index(tail, "startxref")] + fmt.Sprintf("startxref\n%d\n%%%%EOF\n", xref)
	return append(out, tail...)
}

func pdfHandler(b []byte) http.HandlerFunc { return serveBytes("application/pdf", b) }

func badInputCases() []badCase {
	calendar := func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Query().Get("maand"), "%d", &n)
		fmt.Fprintf(w, `<html><body><main><h1>Agenda maand %d</h1><p>Geen activiteiten.</p>
<a href="/pagina?maand=%d">vorige</a> <a href="/pagina?maand=%d">volgende</a></main></body></html>`, n, n-1, n+1)
	}
	bigRobots := func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString("User-agent: *\nDisallow: /vroeg\n")
		for b.Len() < 600<<10 {
			b.WriteString("# opvulling opvulling opvulling opvulling opvulling opvulling\n")
		}
		b.WriteString("Disallow: /laat\n") // beyond 500 KiB: not read
		for b.Len() < 1<<20 {
			b.WriteString("# opvulling opvulling opvulling opvulling opvulling opvulling\n")
		}
		fmt.Fprint(w, b.String())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([]byte, 64<<10)
	for i := range binary {
		binary[i] = byte(rng.UintN(256))
	}
	fast := func(c *Crawler) { c.ReadTimeout, c.RequestTimeout = 200*time.Millisecond, 400*time.Millisecond }
	return []badCase{
		{name: "redirect loop", bad: func(w http.ResponseWriter, r *http.Request) {
			to := map[string]string{"/pagina": "/pagina2", "/pagina2": "/pagina"}[r.URL.Path]
			http.Redirect(w, r, to, http.StatusFound)
		}, want: map[string]string{"/pagina": "fail:redirect loop"}},
		{name: "infinite calendar", bad: calendar,
			src:  func(s *corpus.Source) { s.MaxPages, s.MaxDepth = 25, 100000 },
			want: map[string]string{"/pagina": "skip:"},
			check: func(t *testing.T, rep *Report) {
				if rep.Fetched != 25 || rep.Skipped[SkipLimit] == 0 || len(rep.URLs.Skipped[SkipLimit]) == 0 {
					t.Errorf("fetched %d, skipped %v; want 25 fetched and the rest of the calendar skipped for max_pages", rep.Fetched, rep.Skipped)
				}
			}},
		{name: "50 MB page", bad: stream(50<<20, false), want: map[string]string{"/pagina": "skip:" + SkipTooLarge}},
		{name: "50 MB page with Content-Length", bad: stream(50<<20, true), want: map[string]string{"/pagina": "skip:" + SkipTooLarge}},
		{name: "gzip bomb", bad: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb(1024)) // 1 GiB when unpacked
		}, want: map[string]string{"/pagina": "skip:" + SkipTooLarge}},
		{name: "unknown Content-Encoding", bad: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "br")
			w.Write(binary[:4096])
		}, want: map[string]string{"/pagina": `fail:unsupported Content-Encoding "br"`}},
		{name: "binary served as text/html", bad: serveBytes("text/html; charset=utf-8", binary),
			want: map[string]string{"/pagina": "skip:" + SkipBinary}},
		{name: "wrong charset: utf-8 header over windows-1252", bad: serveBytes("text/html; charset=utf-8", cp1252(cafeArticle("", ""))),
			want: map[string]string{"/pagina": "stored"}, body: wantCafe},
		{name: "wrong charset: latin-1 header over utf-8", bad: serveBytes("text/html; charset=iso-8859-1", []byte(cafeArticle("", ""))),
			want: map[string]string{"/pagina": "stored"}, body: wantCafe},
		{name: "wrong charset: meta gb2312 over utf-8", bad: serveBytes("text/html", []byte(cafeArticle(`<meta charset="gb2312">`, ""))),
			want: map[string]string{"/pagina": "stored"}, body: wantCafe},
		{name: "missing charset, windows-1252 bytes", bad: serveBytes("", cp1252(cafeArticle("", ""))),
			want: map[string]string{"/pagina": "stored"}, body: wantCafe},
		{name: "late charset declaration", bad: serveBytes("text/html",
			cp1252(cafeArticle(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`, "<!--"+strings.Repeat(" opvulling", 400)+" -->"))),
			want: map[string]string{"/pagina": "stored"}, body: wantCafe},
		{name: "malformed HTML", bad: htmlPage(`<html><head><title>Kapot</title><body><div><article><h1>Kapot maar leesbaar</h2><p>` +
			strings.Repeat("Een alinea zonder eind over pleegzorg en netwerkberaad <b>vet <i>schuin</b> tekst. ", 5) +
			`</div></div></section><p <p>=">tweede alinea over gezinshuizen</article></p></html></body><p>na het einde`),
			want: map[string]string{"/pagina": "stored"}, body: func(t *testing.T, d *corpus.Document) {
				if !strings.Contains(d.Body, "pleegzorg en netwerkberaad") {
					t.Errorf("body of malformed page: %.200q", d.Body)
				}
			}},
		{name: "slow drip", bad: drip(true), crawler: fast, want: map[string]string{"/pagina": "fail:timeout: request not done within"}},
		{name: "no answer", bad: drip(false), crawler: fast, want: map[string]string{"/pagina": "fail:timeout: no data"}},
		{name: "connection cut mid-body", bad: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("<html><body><p>begin"))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, want: map[string]string{"/pagina": "fail:EOF"}},
		{name: "429 with Retry-After", bad: busy(http.StatusTooManyRequests, "1", htmlPage(article("Pagina", "", ""))),
			want: map[string]string{"/pagina": "stored"}},
		{name: "503 with Retry-After", bad: busy(http.StatusServiceUnavailable, "1", htmlPage(article("Pagina", "", ""))),
			want: map[string]string{"/pagina": "stored"}},
		{name: "429 with a Retry-After beyond the bound", bad: busy(http.StatusTooManyRequests, "3600", htmlPage(article("Pagina", "", ""))),
			crawler: func(c *Crawler) { c.MaxRetryWait = 2 * time.Second },
			want:    map[string]string{"/pagina": "fail:Retry-After 1h0m0s, longer than"}},
		{name: "robots.txt 500", robots: text(http.StatusInternalServerError, "stuk"),
			want: map[string]string{"/pagina": "skip:" + SkipRobots}},
		{name: "robots.txt 404", robots: text(http.StatusNotFound, "weg"),
			want: map[string]string{"/pagina": "stored"}},
		{name: "robots.txt of 1 MB", start: []string{"/vroeg", "/laat"}, robots: bigRobots,
			want: map[string]string{"/vroeg": "skip:" + SkipRobots, "/laat": "stored"}},
		{name: "sitemap with out-of-scope URLs", start: []string{"/pagina"}, sitemaps: []string{"/sitemap.xml"},
			bad: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/sitemap.xml" {
					fmt.Fprint(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://elders.example/artikel</loc></url><url><loc>https://ander.example/a</loc></url>
<url><loc>{base}/binnen</loc></url></urlset>`)
					return
				}
				htmlPage(article("Pagina "+r.URL.Path, "", ""))(w, r)
			},
			want: map[string]string{"http://elders.example/artikel": "skip:" + SkipOutOfScope,
				"https://ander.example/a": "skip:" + SkipOutOfScope, "/binnen": "stored", "/pagina": "stored"}},
		{name: "encrypted PDF", good: pdfHandler(makePDF("Rapport", "D:20211126120000Z", reportLines)),
			bad: pdfHandler(badPDF(true)), want: map[string]string{"/pagina": "skip:" + SkipPDFEncrypted}},
		{name: "corrupt PDF", good: pdfHandler(makePDF("Rapport", "D:20211126120000Z", reportLines)),
			bad: pdfHandler(badPDF(false)), want: map[string]string{"/pagina": "skip:" + SkipPDFDamaged}},
		{name: "PDF served as text/html", bad: serveBytes("text/html", badPDF(true)),
			want: map[string]string{"/pagina": "skip:" + SkipPDFEncrypted}},
	}
}

// outcome finds a URL in a report.
func outcome(rep *Report, u string) string {
	for reason, urls := range rep.URLs.Skipped {
		for _, x := range urls {
			if x == u {
				return "skip:" + reason
			}
		}
	}
	for _, e := range rep.Errors {
		if e.URL == u {
			return "fail:" + e.Err
		}
	}
	for _, list := range [][]string{rep.URLs.Added, rep.URLs.Updated, rep.URLs.Unchanged} {
		for _, x := range list {
			if x == u {
				return "stored"
			}
		}
	}
	return "not in the report"
}

// TestCrawlBadInput crawls one site per kind of bad input. For each: the
// crawl ends, allocates a bounded amount of memory, names every URL in
// its report with a clear outcome, and loses nothing stored before.
func TestCrawlBadInput(t *testing.T) {
	for _, tc := range badInputCases() {
		t.Run(tc.name, func(t *testing.T) {
			var round atomic.Int32
			round.Store(1)
			var site *httptest.Server
			good := tc.good
			if good == nil {
				good = func(w http.ResponseWriter, r *http.Request) {
					htmlPage(article("Pagina "+r.URL.Path, "", ""))(w, r)
				}
			}
			if tc.bad == nil {
				tc.bad = good // the bad part is robots.txt
			}
			site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/robots.txt" && (round.Load() == 1 || tc.robots == nil):
					http.NotFound(w, r)
				case r.URL.Path == "/robots.txt":
					tc.robots(w, r)
				case round.Load() == 1:
					good(w, r)
				default:
					// Handlers that need the site's own URL get it through
					// a placeholder.
					tc.bad(&baseWriter{ResponseWriter: w, base: site.URL}, r)
				}
			}))
			t.Cleanup(site.Close)
			start := tc.start
			if start == nil {
				start = []string{"/pagina"}
			}
			src := corpus.Source{Name: "Slecht", Rate: 1000}
			for _, p := range start {
				src.Start = append(src.Start, site.URL+p)
			}
			for _, p := range tc.sitemaps {
				src.Sitemaps = append(src.Sitemaps, site.URL+p)
			}
			if tc.src != nil {
				tc.src(&src)
			}
			store := openStore(t)
			c := testCrawler(store, nil)
			c.RobotsTTL = -1 // each round reads robots.txt afresh
			if tc.crawler != nil {
				tc.crawler(c)
			}
			first, err := c.Crawl(t.Context(), src)
			if err != nil || first.Stored() == 0 {
				t.Fatalf("round one: err %v, stored %d (%+v)", err, first.Stored(), first)
			}
			before := map[string]string{}
			store.Each(t.Context(), func(d *corpus.Document) error { before[d.ID] = d.Body; return nil })

			round.Store(2)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			rep, err := c.Crawl(t.Context(), src)
			runtime.ReadMemStats(&ms1)
			if err != nil {
				t.Fatalf("round two: %v", err)
			}
			alloc := ms1.TotalAlloc - ms0.TotalAlloc
			t.Logf("round two: %.1f MiB allocated, %v", float64(alloc)/(1<<20), rep.Duration)
			if alloc > 96<<20 {
				t.Errorf("round two allocated %d MiB, want a bound well under the input's size", alloc>>20)
			}
			for p, want := range tc.want {
				u := p
				if strings.HasPrefix(p, "/") {
					u = site.URL + p
				}
				got := outcome(rep, u)
				kind, detail, _ := strings.Cut(want, ":")
				if !strings.HasPrefix(got, kind) || !strings.Contains(got, detail) {
					t.Errorf("%s: outcome %q, want %q", p, got, want)
				}
			}
			for id, body := range before {
				d, err := store.Get(t.Context(), id)
				if err != nil {
					t.Errorf("document %s stored in round one is gone: %v", id, err)
					continue
				}
				if tc.want["/pagina"] != "stored" && d.Body != body {
					t.Errorf("document %s changed though round two stored nothing", id)
				}
			}
			if tc.check != nil {
				tc.check(t, rep)
			}
			if tc.body != nil {
				d, err := store.Get(t.Context(), corpus.DocumentID(site.URL+"/pagina"))
				if err != nil {
					t.Fatal(err)
				}
				tc.body(t, d)
			}
		})
	}
}

// baseWriter replaces "{base}" in what a handler writes with the site's
// URL.
type baseWriter struct {
	http.ResponseWriter
	base string
}

func (w *baseWriter) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("{base}")) {
		_, err := w.ResponseWriter.Write(bytes.ReplaceAll(b, []byte("{base}"), []byte(w.base)))
		return len(b), err
	}
	return w.ResponseWriter.Write(b)
}

func (w *baseWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func (w *baseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack()
}
