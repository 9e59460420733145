package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/indexer"
)

// crawlSite serves /p/0 … /p/n-1, each linking to the next two pages and
// to /weg (404). onRequest, when set, sees every page request.
func crawlSite(t *testing.T, n int, onRequest func(path string)) (*httptest.Server, func() map[string]int) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		if onRequest != nil {
			onRequest(r.URL.Path)
		}
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p/%d", &i); err != nil || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html lang="nl"><head><title>Pagina %d</title></head><body><article><h1>Pagina %d</h1><p>%s</p>
<p><a href="/p/%d">volgende</a> <a href="/p/%d">daarna</a> <a href="/weg">weg</a></p></article></body></html>`,
			i, i, strings.Repeat(fmt.Sprintf("Pagina %d gaat over gezinnen, wijkteams en wachtlijsten. ", i), 6), (i+1)%n, (i+2)%n)
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range hits {
			out[k] = v
		}
		return out
	}
}

func writeCrawlConfig(t *testing.T, base string) string {
	path := filepath.Join(t.TempDir(), "watwerkt.toml")
	cfg := fmt.Sprintf("[[source]]\nname = \"Testsite\"\nstart = [%q]\nrate = 1000\nmax_depth = 100\n", base+"/p/0")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCrawlCommand: the crawl prints a report line per source and a
// Dutch summary that names the failures, and --report writes every URL
// per outcome.
func TestCrawlCommand(t *testing.T) {
	srv, _ := crawlSite(t, 8, nil)
	cfg := writeCrawlConfig(t, srv.URL)
	reportPath := filepath.Join(t.TempDir(), "rapport.json")
	code, out, errOut := runCLI(t, t.TempDir(), "crawl", "--config", cfg, "--report", reportPath, "--allow-private")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	for _, want := range []string{"Testsite: ophalen", "Samenvatting: 1 bron in", "8 pagina's opgehaald", "8 nieuw",
		"1 mislukt", "Mislukt:", srv.URL + "/weg — HTTP 404", "Rapport met alle URL's per uitkomst: " + reportPath, "watwerkt index"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r") {
		t.Errorf("progress rewritten in place although stdout is no terminal:\n%q", out)
	}
	b, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var reports []indexer.Report
	if err := json.Unmarshal(b, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("report: %v, %d sources\n%s", err, len(reports), b)
	}
	r := reports[0]
	if len(r.URLs.Added) != 8 || r.Failed != 1 || len(r.Errors) != 1 || r.Errors[0].Err != "HTTP 404" {
		t.Errorf("report: %d added URLs, %d failed %+v; want 8 and the 404", len(r.URLs.Added), r.Failed, r.Errors)
	}
}

// TestCrawlInterruptResumes: Ctrl-C (the context ends) stops the crawl
// cleanly with a Dutch note; the same command again resumes without
// fetching any page a second time.
func TestCrawlInterruptResumes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 12
	srv, hits := crawlSite(t, n, func(path string) {
		if path == "/p/6" {
			cancel()
		}
	})
	cfg := writeCrawlConfig(t, srv.URL)
	data := t.TempDir()
	env := func(k string) string {
		if k == "WATWERKT_DATA" {
			return data
		}
		return ""
	}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"crawl", "--config", cfg, "--allow-private"}, strings.NewReader(""), &out, &errb, env)
	if code != exitFailure || !strings.Contains(out.String(), "Onderbroken") {
		t.Fatalf("interrupted crawl: exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	if strings.Contains(errb.String(), "watwerkt:") {
		t.Errorf("an interrupt is no error: stderr %s", errb.String())
	}
	code, stdout, errOut := runCLI(t, data, "crawl", "--config", cfg, "--allow-private")
	if code != exitOK {
		t.Fatalf("resumed crawl: exit %d\n%s\n%s", code, stdout, errOut)
	}
	if !strings.Contains(stdout, "al opgehaald in de onderbroken ronde") {
		t.Errorf("summary does not mention the resumed pages:\n%s", stdout)
	}
	h := hits()
	for i := range n {
		p := fmt.Sprintf("/p/%d", i)
		// /p/6 was being answered when the interrupt came: its answer may
		// have arrived before the crawl saw the interrupt (then it is
		// stored and not asked for again) or not (then it is asked for
		// once more).
		if i == 6 {
			if h[p] != 1 && h[p] != 2 {
				t.Errorf("%s requested %d times, want 1 or 2", p, h[p])
			}
			continue
		}
		if h[p] != 1 {
			t.Errorf("%s requested %d times, want 1", p, h[p])
		}
	}
}

// TestCrawlProgressLine: on a terminal the line is rewritten in place,
// at most four times a second, and cleared before the report.
func TestCrawlProgressLine(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	p := newCrawlProgress(&b, true, func() time.Time { return now })
	p.begin("Bron")
	for i := 1; i <= 20; i++ {
		now = now.Add(50 * time.Millisecond)
		p.update(indexer.Progress{Source: "Bron", Done: i, Queued: 40 - i, Stored: i - 1, Failed: 1})
	}
	p.end()
	s := b.String()
	if got := strings.Count(s, "\r\033[K"); got != 4+1 {
		t.Errorf("%d rewrites in one second (plus the clearing), want 4 + 1:\n%q", got, s)
	}
	if !strings.Contains(s, "Bron: 20 klaar, 20 in de wachtrij, 19 opgeslagen, 1 fout, 20,0 pagina's/s") {
		t.Errorf("progress line: %q", s)
	}
	if strings.Contains(s, "\n") {
		t.Errorf("a terminal progress line has no newlines: %q", s)
	}
}
