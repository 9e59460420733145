// Command crawlbench crawls a loopback site into a fresh store with the
// crawler real sites get and prints a bench/measure "crawl" record:
// "demo" is the project's three demo sites, "generated" an article site
// made from the dekamer answers. benchtable builds and runs it on its
// own, once per run, so its peak RSS is the crawl's and a crawler in the
// middle of a rework cannot break the other benchmarks.
//
//	crawlbench -site demo|generated [-pages 1000] [-shared ../shared/data]
//
// The sources' politeness rate is lifted: the point is what fetching,
// extraction and storing cost, not how long a rate limiter waits.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/watwerkt/watwerkt/bench/measure"
	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
	"github.com/watwerkt/watwerkt/indexer"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crawlbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("crawlbench", flag.ContinueOnError)
	site := fs.String("site", "demo", "demo or generated")
	pages := fs.Int("pages", 1000, "article pages of the generated site")
	shared := fs.String("shared", "../shared/data", "the shared data directory (dekamer answers)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "watwerkt-crawl-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := corpus.OpenStore(ctx, filepath.Join(dir, "corpus.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	crawler := indexer.NewCrawler(store, nil)
	crawler.AllowPrivate = true // loopback sites

	var sources []corpus.Source
	switch *site {
	case "demo":
		srv, err := demo.Start(ctx)
		if err != nil {
			return err
		}
		defer srv.Close(context.Background())
		sources = srv.Sources()
	case "generated":
		s, err := newArticleSite(filepath.Join(*shared, "retrieval/dekamer/corpus.jsonl"), *pages)
		if err != nil {
			return err
		}
		srv := httptest.NewServer(s)
		defer srv.Close()
		sources = []corpus.Source{{Name: "Kamervragen (benchmark)", Start: []string{srv.URL + "/"}, MaxPages: *pages + 100}}
	default:
		return fmt.Errorf("-site: want demo or generated, got %q", *site)
	}
	w := measure.NewWriter(stdout)
	defer w.Flush()
	fetched, stored := 0, 0
	start := time.Now()
	for _, src := range sources {
		src.Rate = 1e6
		rep, err := crawler.Crawl(ctx, src)
		if err != nil {
			return err
		}
		if len(rep.Errors) > 0 {
			w.Record("note", fmt.Sprintf("crawl %s: %d errors, first %s: %s", src.Name, len(rep.Errors), rep.Errors[0].URL, rep.Errors[0].Err))
		}
		fetched += rep.Fetched
		stored += rep.Stored()
	}
	w.Record("crawl", *site, fetched, stored, time.Since(start).Nanoseconds())
	return nil
}
