// Command loadgen measures a running `watwerkt serve`: it sends the
// questions of a file to /api/search from N concurrent clients for a
// while and prints requests/s, the latency percentiles and the failures.
//
//	go run ./bench/loadgen --url http://127.0.0.1:8080 --clients 32 --duration 30s --questions q.txt
//
// Questions are one per line, or JSON lines with a "title" field (the
// BEIR queries format). It only ever talks to the URL it is given.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of watwerkt serve")
	clients := fs.Int("clients", 32, "concurrent clients")
	duration := fs.Duration("duration", 30*time.Second, "how long to send")
	qfile := fs.String("questions", "", "questions, one per line or JSON lines with \"title\"")
	limit := fs.Int("limit", 10, "hits per search")
	if err := fs.Parse(args); err != nil {
		return err
	}
	qs, err := readQuestions(*qfile)
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	failures := 0
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			fails := 0
			for i := c; ctx.Err() == nil; i += *clients {
				q := qs[i%len(qs)]
				u := *base + "/api/search?limit=" + fmt.Sprint(*limit) + "&q=" + url.QueryEscape(q)
				t0 := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					if ctx.Err() == nil {
						fails++
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					fails++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			failures += fails
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		k := int(p/100*float64(len(lat))+0.5) - 1
		return float64(lat[max(0, min(k, len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Fprintf(out, "%d clients, %.0f s: %d requests, %.0f req/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, %d failed\n",
		*clients, elapsed.Seconds(), len(lat), float64(len(lat))/elapsed.Seconds(), pct(50), pct(95), pct(99), failures)
	return nil
}

func readQuestions(path string) ([]string, error) {
	if path == "" {
		return []string{"wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?", "wachtlijst jeugd-GGZ",
			"dialoogtafel", "gezinnen met schulden", "licht verstandelijke beperking ouders"}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "{") {
			var q struct{ Title string }
			if json.Unmarshal([]byte(line), &q) == nil && q.Title != "" {
				qs = append(qs, q.Title)
			}
			continue
		}
		qs = append(qs, line)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return qs, sc.Err()
}
