package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/watwerkt/watwerkt/indexer"
)

func runCrawl(ctx context.Context, a *app, args []string) int {
	fs := a.flags("crawl")
	configPath := fs.String("config", "watwerkt.toml", "configuratiebestand met de bronnen")
	reportPath := fs.String("report", "", "schrijf het crawlrapport als JSON naar dit bestand")
	allowPrivate := fs.Bool("allow-private", false, "sta adressen op het eigen netwerk toe (127.0.0.1, 10.x, 192.168.x …)")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	cfg, err := readConfig(*configPath)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt crawl: %v\n", err)
		return exitUsage
	}
	if !cfg.HasSources() {
		fmt.Fprintf(a.stderr, "watwerkt crawl: %s heeft geen [[source]]-blokken om op te halen.\n", *configPath)
		return exitUsage
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	crawler := indexer.NewCrawler(store, a.log)
	crawler.AllowPrivate = *allowPrivate
	if cfg.UserAgent != "" {
		crawler.UserAgent = cfg.UserAgent
	}
	var reports []*indexer.Report
	code := exitOK
	for _, src := range cfg.Sources {
		rep, err := crawler.Crawl(ctx, src)
		if rep != nil {
			printCrawlReport(a.stdout, rep)
			reports = append(reports, rep)
		}
		if err != nil {
			code = a.fail("crawl "+src.Name, err)
			break
		}
	}
	if *reportPath != "" {
		b, _ := json.MarshalIndent(reports, "", "  ")
		if err := os.WriteFile(*reportPath, append(b, '\n'), 0o644); err != nil {
			return a.fail("rapport schrijven", err)
		}
	}
	if code == exitOK {
		fmt.Fprintln(a.stdout, "Bouw daarna de index met: watwerkt index")
	}
	return code
}

func runIndex(ctx context.Context, a *app, args []string) int {
	fs := a.flags("index")
	rollback := fs.Bool("rollback", false, "schakel terug naar de vorige indexversie")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	if *rollback {
		name, err := a.versions().Rollback()
		if err != nil {
			return a.fail("terugschakelen", err)
		}
		fmt.Fprintf(a.stdout, "Indexversie %s is weer actief.\n", name)
		return exitOK
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	n, err := store.Count(ctx)
	if err != nil {
		return a.fail("corpusopslag lezen", err)
	}
	if n == 0 {
		fmt.Fprintf(a.stderr, "De corpusopslag in %s is leeg. Haal eerst bronnen op met \"watwerkt crawl\" of probeer \"watwerkt demo\".\n", a.dataDir)
		return exitUsage
	}
	stats, err := indexer.BuildIndex(ctx, store, a.versions())
	if err != nil {
		return a.fail("index bouwen", err)
	}
	fmt.Fprintf(a.stdout, "Index %s gebouwd: %d documenten in %.2f s; dit is nu de actieve versie.\n",
		stats.Version, stats.Documents, stats.Duration.Seconds())
	return exitOK
}
