package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// runImport reads documents from JSON lines ({"_id","title","text"}, as in
// BEIR corpora) into the corpus store, for collections that are not
// crawled, such as evaluation sets.
func runImport(ctx context.Context, a *app, args []string) int {
	fs := a.flags("import")
	path := fs.String("jsonl", "", "bestand met één JSON-document per regel ({\"_id\",\"title\",\"text\"})")
	source := fs.String("source", "", "bronnaam voor deze documenten (verplicht)")
	typ := fs.String("type", "document", "documenttype")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	if *path == "" || strings.TrimSpace(*source) == "" {
		fmt.Fprintln(a.stderr, "watwerkt import: --jsonl en --source zijn verplicht.")
		return exitUsage
	}
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt import: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	counts := map[corpus.PutResult]int{}
	now := time.Now().UTC()
	err = search.ReadJSONL(f, *path, func(e search.EvalDoc) error {
		d := struct{ ID, Title, Text string }{string(e.ID), string(e.Title), string(e.Text)}
		if strings.TrimSpace(d.ID) == "" {
			return fmt.Errorf("_id ontbreekt")
		}
		res, err := store.Put(ctx, &corpus.Document{ID: d.ID, URL: "import:" + d.ID, CanonicalURL: "import:" + d.ID,
			Title: d.Title, Body: d.Text, Source: *source, Type: *typ, FetchedAt: now})
		counts[res]++
		return err
	})
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt import: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(a.stdout, "%s: %d nieuw, %d gewijzigd, %d ongewijzigd. Bouw daarna de index met: watwerkt index\n",
		*source, counts[corpus.Added], counts[corpus.Updated], counts[corpus.Unchanged])
	return exitOK
}
