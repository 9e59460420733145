// Command pgbench is the PostgreSQL baseline of the watwerkt benchmarks:
// full-text search with the built-in "dutch" configuration, a GIN index
// and ts_rank, out of the box. benchtable starts a throwaway cluster on
// loopback and runs this once per build and once for the questions; it
// prints the records of bench/measure (build, lat, rank, tput).
//
// It is a module of its own so that the product's module does not gain a
// database driver for the sake of a benchmark.
//
//	pgbench -dsn postgres://… -mode build -corpus passages.jsonl
//	pgbench -dsn postgres://… -mode query -short F -long F -tput F [-rank-short F -rank-long F] -passes 5 -clients 1,8,32 -duration 2s -runs 5
//
// The question files are TSV (id, text), with the meaning they have for
// the Go query steps of benchtable: rank files are searched once for
// MRR@10 (and warm up), short and long are timed pass after pass, tput
// feeds the concurrent clients.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pgbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("pgbench", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "connection string")
	mode := fs.String("mode", "", "build or query")
	corpusPath := fs.String("corpus", "", "passages as JSON lines {_id,title,text}")
	var files [5]string
	for i, name := range []string{"rank-short", "rank-long", "short", "long", "tput"} {
		fs.StringVar(&files[i], name, "", "questions as TSV: id, text")
	}
	passes := fs.Int("passes", 5, "timed passes after one warm-up")
	clients := fs.String("clients", "1,8,32", "concurrent clients for throughput")
	duration := fs.Duration("duration", 2*time.Second, "per throughput run")
	runs := fs.Int("runs", 5, "throughput runs per clients count")
	budget := fs.Duration("long-budget", 0, "most time for the first pass over the long questions (0: no limit)")
	rankBudget := fs.Duration("rank-budget", 0, "most time for ranking the long rank questions (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	switch *mode {
	case "build":
		return build(ctx, *dsn, *corpusPath, out)
	case "query":
		pc, err := pgxpool.ParseConfig(*dsn)
		if err != nil {
			return err
		}
		// One connection per client: the pool's default is 4.
		for _, c := range strings.Split(*clients, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(c)); err == nil && int32(n) > pc.MaxConns {
				pc.MaxConns = int32(n)
			}
		}
		pool, err := pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			return err
		}
		defer pool.Close()
		return query(ctx, pool, files, *passes, *clients, *duration, *runs, [2]time.Duration{*budget, *rankBudget}, out)
	}
	return fmt.Errorf("-mode: want build or query, got %q", *mode)
}

type doc struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// build loads the passages (before the clock starts, as every system
// does), then times table, COPY, GIN index and ANALYZE.
func build(ctx context.Context, dsn, path string, out *bufio.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var rows [][]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var d doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, []any{d.ID, d.Title, d.Text})
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS passages`); err != nil {
		return err
	}
	start := time.Now()
	if _, err := conn.Exec(ctx, `CREATE TABLE passages (
		id text PRIMARY KEY,
		title text NOT NULL,
		body text NOT NULL,
		tsv tsvector GENERATED ALWAYS AS (to_tsvector('dutch', title || ' ' || body)) STORED)`); err != nil {
		return err
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"passages"}, []string{"id", "title", "body"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	for _, q := range []string{`CREATE INDEX passages_tsv ON passages USING gin (tsv)`, `ANALYZE passages`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	took := time.Since(start)
	var size int64
	if err := conn.QueryRow(ctx, `SELECT pg_total_relation_size('passages')`).Scan(&size); err != nil {
		return err
	}
	fmt.Fprintf(out, "build\t%d\t%d\t%d\n", took.Nanoseconds(), size, len(rows))
	return nil
}

// searchSQL matches any of the question's words (plainto_tsquery joins
// them with AND, which finds almost nothing for a whole question; an OR
// ranks like the other systems do) and ranks with ts_rank.
const searchSQL = `SELECT id FROM passages,
	(SELECT replace(plainto_tsquery('dutch', $1)::text, '&', '|')::tsquery AS q) AS question
	WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10`

func search(ctx context.Context, pool *pgxpool.Pool, q string) ([]string, error) {
	rows, err := pool.Query(ctx, searchSQL, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

type question struct{ id, text string }

func readQuestions(path string) ([]question, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var qs []question
	for _, line := range strings.Split(string(b), "\n") {
		if id, text, ok := strings.Cut(line, "\t"); ok {
			qs = append(qs, question{id, text})
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return qs, nil
}

func query(ctx context.Context, pool *pgxpool.Pool, files [5]string, passes int, clients string, d time.Duration, runs int, budgets [2]time.Duration, out *bufio.Writer) error {
	var sets [5][]question
	for i, p := range files {
		var err error
		if sets[i], err = readQuestions(p); err != nil {
			return err
		}
	}
	forms := [2]string{"short", "long"}
	first := 1
	if len(sets[0])+len(sets[1]) == 0 {
		first = 0 // a warm-up pass instead of the ranking
	}
	// Long questions take seconds each here: the first pass over them may
	// take at most budget, and the passes after it time the same ones.
	limit := [2]int{len(sets[2]), len(sets[3])}
	overBudget := func(form string, start time.Time, budget time.Duration) bool {
		return form == "long" && budget > 0 && time.Since(start) > budget
	}
	for fi, form := range forms {
		start := time.Now()
		for i, q := range sets[fi] {
			if overBudget(form, start, budgets[1]) {
				fmt.Fprintf(out, "note\tranked only the first %d of %d long questions within %v\n", i, len(sets[fi]), budgets[1])
				break
			}
			ids, err := search(ctx, pool, q.text)
			if err != nil {
				return fmt.Errorf("question %s: %w", q.id, err)
			}
			fmt.Fprintf(out, "rank\t%s\t%s\t%s\n", form, q.id, strings.Join(ids, "\t"))
		}
	}
	for pass := first; pass <= passes; pass++ {
		for fi, form := range forms {
			start := time.Now()
			for i, q := range sets[2+fi][:limit[fi]] {
				if pass == first && overBudget(form, start, budgets[0]) {
					limit[fi] = i
					fmt.Fprintf(out, "note\ttimed only the first %d of %d long questions (the first pass took over %v)\n", i, len(sets[2+fi]), budgets[0])
					break
				}
				t0 := time.Now()
				_, err := search(ctx, pool, q.text)
				took := time.Since(t0)
				if err != nil {
					return fmt.Errorf("question %s: %w", q.id, err)
				}
				fmt.Fprintf(out, "lat\t%s\t0\t%d\t%s\t%d\n", form, pass, q.id, took.Nanoseconds())
			}
		}
	}
	tput := sets[4]
	if len(tput) == 0 {
		return nil
	}
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: bad count %q", c)
		}
		for range runs {
			total, took, err := throughput(ctx, pool, tput, n, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "tput\tshort\t%d\t%d\t%d\n", n, total, took.Nanoseconds())
		}
	}
	return nil
}

func throughput(ctx context.Context, pool *pgxpool.Pool, qs []question, n int, d time.Duration) (int64, time.Duration, error) {
	var wg sync.WaitGroup
	counts := make([]int64, n)
	errs := make([]error, n)
	start := time.Now()
	deadline := start.Add(d)
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c * len(qs) / n; time.Now().Before(deadline); i++ {
				if _, err := search(ctx, pool, qs[i%len(qs)].text); err != nil {
					errs[c] = err
					return
				}
				counts[c]++
			}
		}()
	}
	wg.Wait()
	var total int64
	for _, c := range counts {
		total += c
	}
	return total, time.Since(start), errors.Join(errs...)
}
