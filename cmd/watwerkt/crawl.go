package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/indexer"
)

func runCrawl(ctx context.Context, a *app, args []string) int {
	fs := a.flags("crawl")
	configPath := fs.String("config", "watwerkt.toml", "configuratiebestand met de bronnen")
	reportPath := fs.String("report", "", "schrijf het crawlrapport (per bron de aantallen en per uitkomst de URL's) als JSON naar dit bestand")
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
	prog := newCrawlProgress(a.stdout, isTerminal(a.stdout), time.Now)
	crawler.OnProgress = prog.update
	start := time.Now()
	var reports []*indexer.Report
	code, interrupted := exitOK, false
	for _, src := range cfg.Sources {
		prog.begin(src.Name)
		rep, err := crawler.Crawl(ctx, src)
		prog.end()
		if rep != nil {
			printCrawlReport(a.stdout, rep)
			reports = append(reports, rep)
		}
		if err != nil && ctx.Err() != nil {
			interrupted = true
			break
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
	printCrawlSummary(a.stdout, reports, time.Since(start), *reportPath)
	switch {
	case interrupted:
		fmt.Fprintln(a.stdout, "Onderbroken. Wat al is opgehaald, is bewaard; start hetzelfde commando opnieuw om verder te gaan waar het stopte.")
		return exitFailure
	case code == exitOK:
		fmt.Fprintln(a.stdout, "Bouw daarna de index met: watwerkt index")
	}
	return code
}

// isTerminal reports whether w is a terminal (a character device), where
// a progress line can be rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// crawlProgress shows how a crawl is going: on a terminal one line
// rewritten at most four times a second, elsewhere (a log file, a pipe)
// a plain line every half minute.
type crawlProgress struct {
	w      io.Writer
	tty    bool
	now    func() time.Time
	every  time.Duration
	source string
	start  time.Time
	last   time.Time
	shown  bool // a progress line is on the terminal
}

func newCrawlProgress(w io.Writer, tty bool, now func() time.Time) *crawlProgress {
	p := &crawlProgress{w: w, tty: tty, now: now, every: 30 * time.Second}
	if tty {
		p.every = 250 * time.Millisecond
	}
	return p
}

func (p *crawlProgress) begin(source string) {
	p.source, p.start, p.last = source, p.now(), p.now()
	if !p.tty {
		fmt.Fprintf(p.w, "%s: ophalen …\n", source)
	}
}

func (p *crawlProgress) update(st indexer.Progress) {
	now := p.now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	rate := 0.0
	if secs := now.Sub(p.start).Seconds(); secs > 0 {
		rate = float64(st.Done) / secs
	}
	line := fmt.Sprintf("%s: %d klaar, %d in de wachtrij, %d opgeslagen, %d %s, %s pagina's/s",
		st.Source, st.Done, st.Queued, st.Stored, st.Failed, plural(st.Failed, "fout", "fouten"), decimal(rate))
	if p.tty {
		// \r and "erase line": the line is rewritten in place.
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.shown = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// end clears the progress line before the source's report is printed.
func (p *crawlProgress) end() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// printCrawlSummary ends a crawl with one paragraph in Dutch: totals over
// all sources and the first failures with their reasons.
func printCrawlSummary(w io.Writer, reports []*indexer.Report, took time.Duration, reportPath string) {
	var t indexer.Report
	skipped := 0
	var failures []string
	for _, r := range reports {
		t.Fetched += r.Fetched
		t.Added += r.Added
		t.Updated += r.Updated
		t.Unchanged += r.Unchanged
		t.Removed += r.Removed
		t.Resumed += r.Resumed
		t.Failed += r.Failed
		skipped += r.SkippedTotal()
		for _, e := range r.Errors {
			failures = append(failures, fmt.Sprintf("  %s — %s", e.URL, e.Err))
		}
	}
	fmt.Fprintf(w, "\nSamenvatting: %d %s in %s. %d %s opgehaald",
		len(reports), plural(len(reports), "bron", "bronnen"), durationNL(took), t.Fetched, plural(t.Fetched, "pagina", "pagina's"))
	if secs := took.Seconds(); secs > 0 && t.Fetched > 0 {
		fmt.Fprintf(w, " (%s per seconde)", decimal(float64(t.Fetched)/secs))
	}
	fmt.Fprintf(w, ": %d nieuw, %d gewijzigd, %d ongewijzigd, %d verwijderd", t.Added, t.Updated, t.Unchanged, t.Removed)
	if t.Resumed > 0 {
		fmt.Fprintf(w, ", %d al opgehaald in de onderbroken ronde", t.Resumed)
	}
	fmt.Fprintf(w, "; %d overgeslagen, %d mislukt.\n", skipped, t.Failed)
	if len(failures) > 0 {
		const show = 5
		fmt.Fprintln(w, "Mislukt:")
		for i, f := range failures {
			if i == show {
				fmt.Fprintf(w, "  … en nog %d\n", t.Failed-show)
				break
			}
			fmt.Fprintln(w, f)
		}
	}
	if reportPath != "" {
		fmt.Fprintf(w, "Rapport met alle URL's per uitkomst: %s\n", reportPath)
	} else if len(failures) > 0 || skipped > 0 {
		fmt.Fprintln(w, "Met --report rapport.json staan alle URL's per uitkomst (en de reden) in een bestand.")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// decimal writes a number with one decimal and a Dutch decimal comma.
func decimal(f float64) string {
	return strings.Replace(fmt.Sprintf("%.1f", f), ".", ",", 1)
}

// durationNL writes a duration as "4,2 s" or "3 min 12 s".
func durationNL(d time.Duration) string {
	if d < time.Minute {
		return decimal(d.Seconds()) + " s"
	}
	d = d.Round(time.Second)
	if d < time.Hour {
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d u %d min", int(d.Hours()), int(d.Minutes())%60)
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
