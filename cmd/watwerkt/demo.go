package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/console"
	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
	"github.com/watwerkt/watwerkt/indexer"
	"github.com/watwerkt/watwerkt/search"
)

func runDemo(ctx context.Context, a *app, args []string) int {
	fs := a.flags("demo")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	srv, err := demo.Start(ctx)
	if err != nil {
		return a.fail("demosites starten", err)
	}
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Close(shut)
	}()
	fmt.Fprintln(a.stdout, "Demosites gestart:")
	for _, s := range demo.Sites {
		fmt.Fprintf(a.stdout, "  %-45s %s/\n", s.Name, srv.URL(s.Key))
	}
	start := time.Now()
	if err := buildDemo(ctx, a, srv, a.stdout); err != nil {
		return a.fail("democorpus bouwen", err)
	}
	fmt.Fprintf(a.stdout, "Klaar in %.1f s. Data: %s\n\n", time.Since(start).Seconds(), a.dataDir)

	eng, err := a.openEngine()
	if err != nil {
		return a.fail("index openen", err)
	}
	defer eng.Close()
	rec, closeLog := a.questionLog(ctx)
	defer closeLog()
	conv := bots.NewConversation(a.responder(eng, rec))
	conv.Platform = "console"
	if err := console.Run(ctx, conv, a.stdin, a.stdout); err != nil {
		return a.fail("chat", err)
	}
	return exitOK
}

// buildDemo crawls the running demo sites through the ordinary crawler
// into the store and builds an index version. Documents from earlier
// demo runs are removed first: their URLs named other loopback ports.
func buildDemo(ctx context.Context, a *app, srv *demo.Server, progress io.Writer) error {
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	crawler := indexer.NewCrawler(store, a.log)
	crawler.AllowPrivate = true // the demo sites are on loopback
	for _, src := range srv.Sources() {
		if _, err := store.DeleteSource(ctx, src.Name); err != nil {
			return err
		}
		rep, err := crawler.Crawl(ctx, src)
		if err != nil {
			return err
		}
		printCrawlReport(progress, rep)
	}
	stats, err := indexer.BuildIndex(ctx, store, a.versions())
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "Index %s gebouwd: %d documenten in %.2f s.\n", stats.Version, stats.Documents, stats.Duration.Seconds())
	return nil
}

// ensureIndex builds the demo corpus when the data directory has no index
// yet, so that a first "ask" or "search" answers instead of failing.
func ensureIndex(ctx context.Context, a *app) (*search.Engine, error) {
	eng, err := a.openEngine()
	if err == nil {
		return eng, nil
	}
	if !isNoIndex(err) {
		return nil, err
	}
	// A store that already holds crawled documents is the user's own
	// corpus: it needs "watwerkt index", not demo pages mixed into it.
	if n, err := a.storedDocuments(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("de corpusopslag in %s heeft %d documenten maar nog geen index; bouw die met \"watwerkt index\"", a.dataDir, n)
	}
	fmt.Fprintf(a.stderr, "Nog geen index in %s: het democorpus wordt eerst opgehaald en geïndexeerd.\n", a.dataDir)
	srv, err := demo.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Close(shut)
	}()
	if err := buildDemo(ctx, a, srv, io.Discard); err != nil {
		return nil, err
	}
	return a.openEngine()
}

func printCrawlReport(w io.Writer, rep *indexer.Report) {
	fmt.Fprintf(w, "%s: %d pagina's opgehaald, %d opgeslagen (%d nieuw, %d gewijzigd, %d ongewijzigd)",
		rep.Source, rep.Fetched, rep.Stored(), rep.Added, rep.Updated, rep.Unchanged)
	if rep.NotModified > 0 {
		fmt.Fprintf(w, "; %d keer 304 (niet gewijzigd)", rep.NotModified)
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(w, "; overgeslagen: %v", joinComma(rep.SortedSkips()))
	}
	if rep.Failed > 0 {
		fmt.Fprintf(w, "; %d fouten", rep.Failed)
	}
	fmt.Fprintf(w, " [%.2f s]\n", rep.Duration.Seconds())
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

var _ indexer.Sink = (*corpus.Store)(nil)

// storedDocuments counts the documents in the store, 0 when there is no
// store yet.
func (a *app) storedDocuments(ctx context.Context) (int, error) {
	if _, err := os.Stat(a.storePath()); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	return store.Count(ctx)
}
