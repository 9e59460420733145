package indexer

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// Throughput of the whole crawl (fetch, extract, store) on a generated
// loopback site, politeness off. Quoted numbers come from
//
//	WATWERKT_CRAWL_MEASURE=1 go test -run TestCrawlThroughput -v ./indexer
//
// which crawls sites of growing size, each in a child process so that its
// peak RSS is the crawl's own; or from go test -bench CrawlGenerated.

// words for generated article text: enough variety that pages differ.
var genWords = strings.Fields(`jeugdhulp gezin wijkteam wachtlijst jongere ouder school pleegzorg
netwerk mentor hulpverlener gemeente zorg kind opvoeding onderzoek werkplaats praktijk aanpak
veiligheid gesprek begeleiding samenwerking professional ervaring herstel ggz jeugdzorg beleid
casus regio dialoog vertrouwen eigen kracht toekomst schuld armoede huisvesting leerplicht`)

// generatedSite serves n article pages that look like real ones (menu,
// breadcrumb, article, related links, footer; about 6 KB each), a home
// page, a sitemap of all articles and robots.txt.
func generatedSite(n int) *httptest.Server {
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nDisallow: /zoeken\nSitemap: %s/sitemap.xml\n", s.URL)
			return
		case "/sitemap.xml":
			bw := bufio.NewWriter(w)
			bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range n {
				fmt.Fprintf(bw, "<url><loc>%s/artikel/%d</loc></url>", s.URL, i)
			}
			bw.WriteString("</urlset>")
			bw.Flush()
			return
		}
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/artikel/%d", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Last-Modified", "Fri, 26 Nov 2021 10:00:00 GMT")
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Artikel %d over %s | Kennissite</title>
<meta name="description" content="Wat werkt bij %s?"><link rel="stylesheet" href="/s.css"></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/thema">Thema's</a></li><li><a href="/zoeken">Zoeken</a></li></ul></nav></header>
<div class="breadcrumb"><a href="/">Home</a> › Artikelen</div><main><article><h1>Artikel %d over %s</h1>
<p class="meta"><time datetime="2021-11-26">26 november 2021</time></p>`, i, genWords[i%len(genWords)], genWords[(i*7)%len(genWords)], i, genWords[i%len(genWords)])
		x := uint32(i*2654435761 + 1)
		for p := range 8 {
			bw.WriteString("<p>")
			for range 60 {
				x ^= x << 13
				x ^= x >> 17
				x ^= x << 5
				bw.WriteString(genWords[int(x)%len(genWords)])
				bw.WriteByte(' ')
			}
			fmt.Fprintf(bw, "(alinea %d van artikel %d).</p>\n", p, i)
		}
		bw.WriteString(`</article><aside class="related"><h2>Gerelateerd</h2><ul>`)
		for k := 1; k <= 5; k++ {
			fmt.Fprintf(bw, `<li><a href="/artikel/%d">Artikel %d</a></li>`, (i+k*37)%n, (i+k*37)%n)
		}
		bw.WriteString(`</ul></aside></main><footer><p>© Kennissite · <a href="/privacy">Privacy</a> · <a href="/contact">Contact</a></p></footer></body></html>`)
		bw.Flush()
	}))
	return s
}

// crawlGenerated crawls a generated site of n pages into a new store in
// dir and returns the pages fetched and the time it took.
// workers is Crawler.Workers (0: the default).
func crawlGenerated(ctx context.Context, dir string, n, workers int) (int, time.Duration, error) {
	site := generatedSite(n)
	defer site.Close()
	store, err := corpus.OpenStore(ctx, filepath.Join(dir, "corpus.db"))
	if err != nil {
		return 0, 0, err
	}
	defer store.Close()
	c := NewCrawler(store, nil)
	c.AllowPrivate = true
	c.Workers = workers
	src := corpus.Source{Name: "Gegenereerd", Start: []string{site.URL + "/"}, Rate: 1e9, MaxPages: n + 10}
	start := time.Now()
	rep, err := c.Crawl(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	if rep.Added != n {
		return 0, 0, fmt.Errorf("added %d of %d pages (%v, %d failed)", rep.Added, n, rep.SortedSkips(), rep.Failed)
	}
	return rep.Fetched, time.Since(start), nil
}

// BenchmarkCrawlGenerated crawls 2,000 generated pages, extracting one
// page at a time and as many as there are CPUs.
func BenchmarkCrawlGenerated(b *testing.B) {
	const n = 2000
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			fetched := 0
			for b.Loop() {
				f, _, err := crawlGenerated(b.Context(), b.TempDir(), n, workers)
				if err != nil {
					b.Fatal(err)
				}
				fetched += f
			}
			b.ReportMetric(float64(fetched)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// TestCrawlThroughput prints pages/s and peak RSS for growing sites.
// It only runs when WATWERKT_CRAWL_MEASURE is set: it takes a while and
// measures the machine as much as the code.
func TestCrawlThroughput(t *testing.T) {
	if os.Getenv("WATWERKT_CRAWL_MEASURE") == "" {
		t.Skip("set WATWERKT_CRAWL_MEASURE=1 to measure crawl throughput")
	}
	t.Logf("GOMAXPROCS %d, %s", runtime.GOMAXPROCS(0), runtime.Version())
	t.Logf("%8s %10s %10s %12s %14s", "pages", "seconds", "pages/s", "CPU ms/page", "peak RSS MiB")
	for _, n := range []int{500, 2000, 4000, 8000} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrawlThroughputChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "WATWERKT_CRAWL_CHILD_PAGES="+strconv.Itoa(n))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child for %d pages: %v\n%s", n, err, out)
		}
		var pages int
		var secs, cpu, rss float64
		for _, line := range strings.Split(string(out), "\n") {
			if _, err := fmt.Sscanf(strings.TrimSpace(line), "measured %d %f %f %f", &pages, &secs, &cpu, &rss); err == nil {
				break
			}
		}
		if pages == 0 {
			t.Fatalf("no measurement from the child:\n%s", out)
		}
		t.Logf("%8d %10.2f %10.0f %12.2f %14.1f", pages, secs, float64(pages)/secs, 1000*cpu/float64(pages), rss/1024)
	}
}

// TestCrawlThroughputChild is one measurement of TestCrawlThroughput.
func TestCrawlThroughputChild(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("WATWERKT_CRAWL_CHILD_PAGES"))
	if n == 0 {
		t.Skip("only run as the child of TestCrawlThroughput")
	}
	cpu0 := cpuSeconds()
	fetched, took, err := crawlGenerated(context.Background(), t.TempDir(), n, 0)
	if err != nil {
		t.Fatal(err)
	}
	// CPU time (user + system, the test server's included) says more than
	// wall time on a machine shared with other work.
	fmt.Printf("measured %d %.3f %.3f %d\n", fetched, took.Seconds(), cpuSeconds()-cpu0, peakRSSKiB())
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSSKiB is the process's high-water resident set size (Linux).
func peakRSSKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}
