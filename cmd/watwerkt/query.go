package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/search"
)

// responder answers from eng and records questions in rec (may be nil).
func (a *app) responder(eng *search.Engine, rec bots.Recorder) *bots.Responder {
	r := &bots.Responder{Searcher: search.ForBots(eng), PageSize: bots.DefaultPageSize, Logger: a.log}
	if rec != nil {
		r.Recorder = rec
	}
	return r
}

// questionLog opens the store for the question log. Answering never
// depends on it: when the store cannot be opened the question is simply
// not logged (and -v says why).
func (a *app) questionLog(ctx context.Context) (bots.Recorder, func()) {
	st, err := a.openStore(ctx)
	if err != nil {
		a.log.Warn("question log unavailable", "err", err)
		return nil, func() {}
	}
	return st, func() { st.Close() }
}

// searchTimeout bounds one question, whatever it contains.
const searchTimeout = 10 * time.Second

// questionEngine opens the index for one question (building the demo
// corpus first when there is none) and a context with the time limit of
// one question; done releases both.
func questionEngine(ctx context.Context, a *app) (*search.Engine, context.Context, func(), error) {
	eng, err := ensureIndex(ctx, a)
	if err != nil {
		return nil, nil, nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, searchTimeout)
	return eng, qctx, func() { cancel(); eng.Close() }, nil
}

func runAsk(ctx context.Context, a *app, args []string) int {
	fs := a.flags("ask")
	pos, ok := a.parse(fs, args)
	if !ok {
		return exitUsage
	}
	eng, ctx, done, err := questionEngine(ctx, a)
	if err != nil {
		return a.fail("index openen", err)
	}
	defer done()
	rec, closeLog := a.questionLog(ctx)
	defer closeLog()
	ans := a.responder(eng, rec).Answer(ctx, bots.Question{Text: strings.Join(pos, " "), Platform: "cli"})
	fmt.Fprint(a.stdout, bots.RenderText(ans))
	if len(ans.Items) == 0 {
		return exitNothing
	}
	return exitOK
}

// filterFlag collects repeated --filter k=v.
type filterFlag map[string]string

func (f filterFlag) String() string { return fmt.Sprint(map[string]string(f)) }

func (f filterFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		k, val, ok = strings.Cut(v, ":")
	}
	k = strings.ToLower(strings.TrimSpace(k))
	if !ok || strings.TrimSpace(val) == "" || !search.IsFilterKey(k) {
		return errors.New("verwacht sleutel=waarde met sleutel bron, thema, regio, jaar of type")
	}
	f[k] = strings.TrimSpace(val)
	return nil
}

func runSearch(ctx context.Context, a *app, args []string) int {
	fs := a.flags("search")
	asJSON := fs.Bool("json", false, "print één JSON-object")
	limit := fs.Int("limit", 10, "aantal resultaten (1–50)")
	explain := fs.Bool("explain", false, "toon de opbouw van elke score")
	filters := filterFlag{}
	fs.Var(filters, "filter", "filter k=v (bron, thema, regio, jaar, type); mag vaker")
	pos, ok := a.parse(fs, args)
	if !ok {
		return exitUsage
	}
	if *limit < 1 || *limit > search.MaxLimit {
		fmt.Fprintf(a.stderr, "watwerkt search: --limit moet tussen 1 en %d liggen.\n", search.MaxLimit)
		return exitUsage
	}
	eng, ctx, done, err := questionEngine(ctx, a)
	if err != nil {
		return a.fail("index openen", err)
	}
	defer done()
	res, err := eng.Search(ctx, search.Request{Query: strings.Join(pos, " "), Filters: filters, Limit: *limit, Explain: *explain})
	if err != nil {
		a.log.Error("search failed", "err", err)
		fmt.Fprintln(a.stderr, "Er ging iets mis bij het zoeken. Probeer het nog eens; met -v zie je details.")
		return exitFailure
	}
	if *asJSON {
		out := toJSON(res)
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return a.fail("uitvoer schrijven", err)
		}
	} else {
		printHits(a, res)
	}
	if len(res.Hits) == 0 {
		return exitNothing
	}
	return exitOK
}

func printHits(a *app, res *search.Result) {
	w := a.stdout
	switch {
	case res.NoTopic:
		fmt.Fprintln(w, "Geen zoekwoorden gevonden in de vraag.")
		return
	case len(res.Hits) == 0:
		fmt.Fprintf(w, "Niets gevonden voor „%s”.\n", res.Query)
		return
	}
	fmt.Fprintf(w, "%d resultaten voor „%s” (%.1f ms)%s\n", res.Total, res.Query,
		float64(res.Took.Microseconds())/1000, map[bool]string{true: ", met spellingscorrectie", false: ""}[res.Fuzzy])
	for i, h := range res.Hits {
		fmt.Fprintf(w, "\n%2d. %s  [%s]\n", i+1, h.Title, strconv.FormatFloat(h.Score, 'f', 3, 64))
		fmt.Fprintf(w, "    %s · %s · %s\n", h.Source, orDash(h.Published), h.URL)
		fmt.Fprintf(w, "    %s\n", h.Snippet)
		if h.Explain != "" {
			for _, l := range strings.Split(strings.TrimSpace(h.Explain), "\n") {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func isNoIndex(err error) bool { return errors.Is(err, search.ErrNoIndex) }

// toJSON converts a search result to the shape scripts rely on.
func toJSON(res *search.Result) bots.SearchJSON {
	out := bots.SearchJSON{Query: res.Query, Total: res.Total, Hits: []bots.JSONHit{}, Fuzzy: res.Fuzzy}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, bots.JSONHit{ID: h.ID, URL: h.URL, Title: h.Title, Source: h.Source,
			Published: h.Published, Score: h.Score, Snippet: h.Snippet, Type: h.Type, Themes: h.Themes,
			Explain: h.Explain, Pinned: h.Pinned})
	}
	for k, vs := range res.Facets {
		if out.Facets == nil {
			out.Facets = map[string][]bots.FacetJSON{}
		}
		for _, v := range vs {
			out.Facets[k] = append(out.Facets[k], bots.FacetJSON{Value: v.Value, Count: v.Count})
		}
	}
	return out
}
