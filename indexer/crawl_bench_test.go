package indexer

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
)

// Benchmarks of crawling and extraction on the demo sites (loopback).
// bench/cmd/benchtable measures the same on a larger generated site.

func benchDemo(b *testing.B) *demo.Server {
	b.Helper()
	s, err := demo.Start(context.Background())
	if err != nil {
		b.Fatalf("demo.Start: %v", err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

// BenchmarkCrawlDemo crawls the three demo sites into a fresh store per
// iteration and reports fetched pages/s. The sources' politeness rate
// is lifted: it measures fetching, extraction and storing, not waiting.
func BenchmarkCrawlDemo(b *testing.B) {
	s := benchDemo(b)
	ctx := context.Background()
	fetched := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir, err := os.MkdirTemp("", "watwerkt-crawlbench-")
		if err != nil {
			b.Fatal(err)
		}
		store, err := corpus.OpenStore(ctx, filepath.Join(dir, "corpus.db"))
		if err != nil {
			b.Fatal(err)
		}
		c := NewCrawler(store, nil)
		c.AllowPrivate = true // loopback
		b.StartTimer()
		for _, src := range s.Sources() {
			src.Rate = 1e6
			rep, err := c.Crawl(ctx, src)
			if err != nil {
				b.Fatal(err)
			}
			fetched += rep.Fetched
		}
		b.StopTimer()
		store.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(fetched)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtractDemo extracts the demo's content pages, fetched once
// beforehand, and reports pages/s (and MB/s through SetBytes).
func BenchmarkExtractDemo(b *testing.B) {
	s := benchDemo(b)
	c := s.Corpus()
	type page struct {
		url  string
		body []byte
		typ  string
	}
	var pages []page
	var size int64
	for _, p := range c.Pages {
		if p.Kind == "toc" {
			continue
		}
		u := s.URL(p.Site) + c.PagePath(p.ID)
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, page{u, body, resp.Header.Get("Content-Type")})
		size += int64(len(body))
	}
	if len(pages) == 0 {
		b.Fatal("no demo pages")
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if _, err := Extract(p.url, p.body, p.typ); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}
