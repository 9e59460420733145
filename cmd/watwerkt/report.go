package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

func runReport(ctx context.Context, a *app, args []string) int {
	fs := a.flags("report")
	asJSON := fs.Bool("json", false, "print het rapport als JSON")
	since := fs.String("since", "30d", "periode terug vanaf nu (bv. 7d, 30d, 2w, 12h; 0 = alles)")
	stale := fs.String("stale", "60d", "documenten die zo lang niet zijn opgehaald gelden als verouderd")
	top := fs.Int("top", 20, "aantal regels per lijst")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	back, err := parseAge(*since)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt report: --since: %v\n", err)
		return exitUsage
	}
	staleAfter, err := parseAge(*stale)
	if err != nil || staleAfter <= 0 {
		fmt.Fprintf(a.stderr, "watwerkt report: --stale moet een positieve duur zijn, bv. 60d.\n")
		return exitUsage
	}
	if *top < 1 || *top > 1000 {
		fmt.Fprintln(a.stderr, "watwerkt report: --top moet tussen 1 en 1000 liggen.")
		return exitUsage
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	now := time.Now()
	opt := corpus.ReportOptions{Now: now, StaleAfter: staleAfter, Top: *top}
	if back > 0 {
		opt.Since = now.Add(-back)
	}
	rep, err := corpus.BuildReport(ctx, store, opt)
	if err != nil {
		return a.fail("rapport maken", err)
	}
	rep.Problems = append(rep.Problems, a.curationProblems()...)
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return a.fail("uitvoer schrijven", err)
		}
		return exitOK
	}
	printReport(a.stdout, rep, back)
	return exitOK
}

// curationProblems lists curation files that do not parse; the service
// keeps its old settings for them, and the report says so.
func (a *app) curationProblems() []string {
	var out []string
	if _, err := a.synonyms(); err != nil {
		out = append(out, err.Error())
	}
	if _, err := a.curation(); err != nil {
		out = append(out, strings.Split(err.Error(), "\n")...)
	}
	return out
}

func printReport(w io.Writer, r *corpus.Report, back time.Duration) {
	period := "sinds het begin van de vragenlog"
	if back > 0 {
		period = "sinds " + r.Since.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "Rapport %s (tot %s)\n", period, r.Until.Local().Format("2006-01-02 15:04"))
	for _, p := range r.Problems {
		fmt.Fprintf(w, "\nLET OP: %s\n", p)
	}
	fmt.Fprintf(w, "\n%d vragen, waarvan %d zonder resultaat", r.Questions, r.ZeroResults)
	if r.Questions > 0 {
		fmt.Fprintf(w, " (%.0f%%); antwoordtijd p50 %.1f ms, p95 %.1f ms", 100*float64(r.ZeroResults)/float64(r.Questions), r.LatencyP50Ms, r.LatencyP95Ms)
	}
	fmt.Fprintln(w, ".")
	if len(r.Platforms) > 0 {
		var parts []string
		for _, p := range slices.Sorted(maps.Keys(r.Platforms)) {
			parts = append(parts, fmt.Sprintf("%s %d", p, r.Platforms[p]))
		}
		fmt.Fprintf(w, "Per kanaal: %s.\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "Beoordelingen: %d 👍, %d 👎.\n", r.ThumbsUp, len(r.ThumbsDown))

	section(w, "Meest gestelde vragen", len(r.Top))
	for _, q := range r.Top {
		fmt.Fprintf(w, "  %4d×  %s\n", q.Count, oneLine(q.Example, 100))
	}
	section(w, "Vragen zonder resultaat", len(r.Zero))
	for _, q := range r.Zero {
		fmt.Fprintf(w, "  %4d×  %s  (laatst %s)\n", q.Count, oneLine(q.Example, 100), q.Last.Local().Format("2006-01-02"))
	}
	section(w, "Antwoorden met 👎", len(r.ThumbsDown))
	for _, t := range r.ThumbsDown {
		fmt.Fprintf(w, "  %s  %s (%s)\n", t.Time.Local().Format("2006-01-02"), oneLine(t.Question, 100), t.Platform)
		for i, d := range t.Results {
			fmt.Fprintf(w, "        %d. %s  %s\n", i+1, oneLine(d.Title, 70), d.URL)
		}
	}
	section(w, "Bronnen die nooit in een antwoord voorkwamen", len(r.Unused))
	for _, s := range r.Unused {
		fmt.Fprintf(w, "  %s (%d documenten)\n", s.Source, s.Documents)
	}
	section(w, "Documenten die al meer dan "+ageText(time.Duration(r.StaleAfter))+" niet zijn opgehaald", len(r.Stale))
	for i, d := range r.Stale {
		if i == 50 {
			fmt.Fprintf(w, "  … en nog %d (zie --json)\n", len(r.Stale)-50)
			break
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", d.FetchedAt.Local().Format("2006-01-02"), oneLine(d.Title, 70), d.URL)
	}
}

func section(w io.Writer, title string, n int) {
	fmt.Fprintf(w, "\n%s (%d)\n", title, n)
	if n == 0 {
		fmt.Fprintln(w, "  —")
	}
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// ageText says a duration in days, or hours when it is shorter than two days.
func ageText(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d dagen", int(d.Hours()/24))
	}
	return fmt.Sprintf("%d uur", int(d.Hours())) // "uur" is also the Dutch plural
}
