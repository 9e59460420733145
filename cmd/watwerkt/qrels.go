package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// runQrels turns the bots' 👍/👎 feedback into judged queries that
// eval (and eval --compare) read: queries.jsonl and qrels.tsv.
func runQrels(ctx context.Context, a *app, args []string) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(a.stderr, "watwerkt qrels: gebruik \"watwerkt qrels export --out MAP [--since 90d]\".")
		return exitUsage
	}
	fs := a.flags("qrels export")
	out := fs.String("out", "", "map waarin queries.jsonl en qrels.tsv komen")
	since := fs.String("since", "0", "alleen beoordelingen uit deze periode (bv. 90d; 0 = alle)")
	if _, ok := a.parse(fs, args[1:]); !ok {
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintln(a.stderr, "watwerkt qrels export: --out is verplicht.")
		return exitUsage
	}
	back, err := parseAge(*since)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt qrels export: --since: %v\n", err)
		return exitUsage
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	var from time.Time
	if back > 0 {
		from = time.Now().Add(-back)
	}
	fb, err := store.FeedbackSince(ctx, from)
	if err != nil {
		return a.fail("beoordelingen lezen", err)
	}

	// One query per distinct question (case and spacing folded); per
	// shown document the votes add up: more 👍 than 👎 makes it
	// relevant (1), otherwise it is judged not relevant (0).
	type query struct {
		id, text string
		votes    map[string]int
	}
	var order []*query
	byText := map[string]*query{}
	for _, f := range fb {
		key := strings.Join(strings.Fields(strings.ToLower(f.Question)), " ")
		if key == "" {
			continue
		}
		q := byText[key]
		if q == nil {
			q = &query{id: fmt.Sprintf("fb%04d", len(order)+1), text: strings.Join(strings.Fields(f.Question), " "), votes: map[string]int{}}
			byText[key] = q
			order = append(order, q)
		}
		for _, id := range f.ResultIDs {
			q.votes[id] += f.Rating
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return a.fail("map maken", err)
	}
	var qs, rels strings.Builder
	rels.WriteString("query-id\tcorpus-id\tscore\n")
	relevant := 0
	for _, q := range order {
		b, _ := json.Marshal(map[string]string{"_id": q.id, "title": q.text, "text": q.text})
		qs.Write(b)
		qs.WriteByte('\n')
		ids := make([]string, 0, len(q.votes))
		for id := range q.votes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			grade := 0
			if q.votes[id] > 0 {
				grade = 1
				relevant++
			}
			fmt.Fprintf(&rels, "%s\t%s\t%d\n", q.id, id, grade)
		}
	}
	qp, rp := filepath.Join(*out, "queries.jsonl"), filepath.Join(*out, "qrels.tsv")
	if err := os.WriteFile(qp, []byte(qs.String()), 0o644); err != nil {
		return a.fail("schrijven", err)
	}
	if err := os.WriteFile(rp, []byte(rels.String()), 0o644); err != nil {
		return a.fail("schrijven", err)
	}
	fmt.Fprintf(a.stdout, "%d beoordelingen → %d vragen met %d relevante documenten: %s en %s.\n", len(fb), len(order), relevant, qp, rp)
	if len(order) > 0 {
		fmt.Fprintf(a.stdout, "Vergelijk instellingen met: watwerkt eval --queries %s --qrels %s --compare A B\n", qp, rp)
	}
	return exitOK
}
