// Command benchtable runs watwerkt's benchmarks and prints one table:
// index build speed and size, question latency with and without
// snippets, queries/s under concurrent clients, crawl speed, bot answer
// latency and the peak RSS of each step — for our engine and, on the
// same passages and questions, for bleve out of the box, Lucene
// (DutchAnalyzer, BM25) and PostgreSQL full-text search ("dutch"), with
// ratio columns and MRR@10 so speed is never bought with relevance.
//
//	go run ./bench/cmd/benchtable [-sizes dekamer,1k,10k,100k] [-runs 5] [-out table.md]
//
// (bench/run is the same.) Every measured step runs in a child process:
// benchtable itself with -step, java, or the PostgreSQL client; their
// peak RSS comes from getrusage of the child. Corpora are generated into
// a cache directory (bench/corpora); indexes and the PostgreSQL cluster
// live in a temporary directory that is removed at the end. Systems
// whose tools are missing are skipped with a message.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/watwerkt/watwerkt/bench/corpora"
	"github.com/watwerkt/watwerkt/bench/measure"
	"github.com/watwerkt/watwerkt/search"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 2 && os.Args[1] == "-step" {
		if err := runStep(ctx, os.Args[2], os.Args[3:], os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "benchtable step %s: %v\n", os.Args[2], err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// Systems, in table order.
const (
	sysOurs   = "ours"
	sysBleve  = "bleve"
	sysLucene = "lucene"
	sysPG     = "pg"
)

var allSystems = []string{sysOurs, sysBleve, sysLucene, sysPG}

type config struct {
	shared     string // ../shared/data
	sizes      []string
	systems    []string
	runs       int // builds and timed query passes
	clients    []int
	duration   time.Duration
	crawl      int // pages of the generated site; 0 skips crawling
	cache      string
	seed       uint64
	out        string
	sample     int           // short questions timed per pass
	longSample int           // long questions timed per pass
	longBudget time.Duration // the most the first pass over them may take
	rankBudget time.Duration // the most ranking all long questions for MRR@10 may take
	keep       bool          // keep the work directory
	serve      bool
	postingsMB float64 // serve's --postings-mb; < 0: its default
	bots       bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var sizes, systems, clients string
	cacheDir, _ := os.UserCacheDir()
	fs.StringVar(&c.shared, "shared", "../shared/data", "the shared data directory (dekamer answers and questions, laws)")
	fs.StringVar(&sizes, "sizes", "dekamer,1k,10k,100k", "corpora: dekamer (the 3,483 answers, with MRR@10) and generated passage counts")
	fs.StringVar(&systems, "systems", strings.Join(allSystems, ","), "systems to measure")
	fs.IntVar(&c.runs, "runs", 5, "index builds and timed query passes per system (medians are reported)")
	fs.StringVar(&clients, "clients", "1,8,32", "concurrent clients for queries/s")
	fs.DurationVar(&c.duration, "duration", 2*time.Second, "length of one throughput run")
	fs.IntVar(&c.crawl, "crawl", 1000, "pages of the generated loopback site (0: no crawl benchmark)")
	fs.StringVar(&c.cache, "cache", filepath.Join(cacheDir, "watwerkt-bench"), "where generated corpora are kept")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated corpora")
	fs.StringVar(&c.out, "out", "", "also write the table (Markdown, with the run conditions) to this file")
	fs.DurationVar(&c.rankBudget, "rank-budget", 3*time.Minute, "the most a system's MRR@10 ranking of all long questions may take (MRR then counts those it got through, marked n=)")
	fs.IntVar(&c.sample, "sample", 500, "short questions timed per pass (evenly spread over the judged ones)")
	fs.IntVar(&c.longSample, "long-sample", 200, "long questions timed per pass (evenly spread)")
	fs.DurationVar(&c.longBudget, "long-budget", 30*time.Second, "the most a system's first pass over the long questions (and its MRR ranking of them) may take; later passes time the questions it got through. Some systems take seconds per long question at 100k passages")
	fs.BoolVar(&c.keep, "keep", false, "keep the work directory (indexes) and print where it is")
	fs.BoolVar(&c.serve, "serve", true, "measure `watwerkt serve` over HTTP (builds ./cmd/watwerkt)")
	fs.Float64Var(&c.postingsMB, "serve-postings-mb", -1, "pass --postings-mb to `watwerkt serve` (memory for packed postings; -1: serve's default)")
	fs.BoolVar(&c.bots, "bots", true, "measure bot answer latency against the fakes (bench/cmd/botbench)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.sizes = splitList(sizes)
	c.systems = splitList(systems)
	for _, s := range c.systems {
		if !slices.Contains(allSystems, s) {
			return nil, fmt.Errorf("-systems: unknown system %q (want %s)", s, strings.Join(allSystems, ", "))
		}
	}
	var err error
	if c.clients, err = parseInts(clients); err != nil {
		return nil, fmt.Errorf("-clients: %w", err)
	}
	if c.runs < 1 {
		return nil, errors.New("-runs: at least 1")
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// bench is one run of the whole table.
type bench struct {
	cfg      *config
	log      io.Writer
	self     string // this executable, for -step children
	root     string // the repository (go.mod of watwerkt)
	work     string
	qs       questionFiles
	qrels    search.Qrels
	started  time.Time
	env      environment
	corpora  []*corpusRun
	crawls   *measure.Result
	bots     *botRun
	skipped  map[string]string // system → why it was not measured
	lucene   *luceneTool
	pg       *pgCluster
	pgBench  string // the PostgreSQL client binary
	watwerkt string // the watwerkt binary, for serve
}

// corpusRun is everything measured on one corpus.
type corpusRun struct {
	name      string
	path      string // JSON lines
	tsv       string // the same as TSV, for Lucene
	docs      int
	textBytes int64
	judged    bool // the dekamer answers: MRR@10 means something
	sys       map[string]*sysRun
}

type sysRun struct {
	res      *measure.Result
	queryRSS int64 // peak RSS of the query process, bytes
	serve    *serveRun
	err      string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, log: stderr, started: time.Now(), skipped: map[string]string{}}
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	if b.root, err = repoRoot(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(cfg.shared, corpora.DekamerDir, "queries-dev.jsonl")); err != nil {
		return fmt.Errorf("the shared data (dekamer questions) is needed: %w; set -shared", err)
	}
	if b.work, err = os.MkdirTemp("", "watwerkt-bench-"); err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(stderr, "work directory: %s\n", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}
	b.env = describeEnvironment()
	if err := b.prepareQuestions(); err != nil {
		return err
	}
	b.prepareTools(ctx)
	if b.pg != nil {
		defer b.pg.stop()
	}
	for _, size := range cfg.sizes {
		cr, err := b.prepareCorpus(size)
		if err != nil {
			return err
		}
		b.corpora = append(b.corpora, cr)
		for _, sys := range cfg.systems {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			cr.sys[sys] = b.measureSystem(ctx, cr, sys)
		}
	}
	if cfg.crawl > 0 {
		b.crawls = b.measureCrawls(ctx)
	}
	if cfg.bots {
		b.bots = b.measureBots(ctx)
	}
	b.env.loadAfter = loadAverage()
	var table bytes.Buffer
	b.render(&table)
	stdout.Write(table.Bytes())
	if cfg.out != "" {
		return os.WriteFile(cfg.out, table.Bytes(), 0o644)
	}
	return ctx.Err()
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "[%5.0fs] ", time.Since(b.started).Seconds())
	fmt.Fprintf(b.log, format+"\n", args...)
}

// repoRoot finds watwerkt's go.mod from the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/watwerkt/watwerkt\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the watwerkt repository")
		}
		dir = parent
	}
}

// questionFiles are the question sets every system gets, as TSV (id,
// text): all judged questions in both forms for MRR@10, the evenly spread
// samples that are timed, and the questions the clients send.
type questionFiles struct {
	allShort, allLong, short, long string
	n, nShort, nLong               int
}

// prepareQuestions writes the question files from the judged dekamer
// questions (those with a relevant answer, as `watwerkt eval` counts
// them) and keeps their judgements for MRR@10.
func (b *bench) prepareQuestions() error {
	dir := filepath.Join(b.cfg.shared, corpora.DekamerDir)
	qf, err := os.Open(filepath.Join(dir, "qrels-dev.tsv"))
	if err != nil {
		return err
	}
	all, err := search.ReadQrels(qf, "qrels-dev.tsv")
	qf.Close()
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(dir, "queries-dev.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	var judged []search.EvalQuery
	b.qrels = search.Qrels{}
	err = search.ReadJSONL(f, "queries-dev.jsonl", func(q search.EvalQuery) error {
		for _, g := range all[string(q.ID)] {
			if g > 0 {
				b.qrels[string(q.ID)] = all[string(q.ID)]
				judged = append(judged, q)
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	write := func(name, form string, qs []search.EvalQuery) (string, error) {
		var buf bytes.Buffer
		for _, q := range qs {
			fmt.Fprintf(&buf, "%s\t%s\n", oneLine(string(q.ID)), oneLine(q.Form(form)))
		}
		p := filepath.Join(b.work, name+".tsv")
		return p, os.WriteFile(p, buf.Bytes(), 0o644)
	}
	short, long := spread(judged, b.cfg.sample), spread(judged, b.cfg.longSample)
	q := &b.qs
	q.n, q.nShort, q.nLong = len(judged), len(short), len(long)
	for _, f := range []struct {
		path       *string
		name, form string
		qs         []search.EvalQuery
	}{
		{&q.allShort, "all-short", "short", judged}, {&q.allLong, "all-long", "long", judged},
		{&q.short, "sample-short", "short", short}, {&q.long, "sample-long", "long", long},
	} {
		if *f.path, err = write(f.name, f.form, f.qs); err != nil {
			return err
		}
	}
	return nil
}

// spread picks n items evenly spread over qs, in order (all when n is 0
// or more than there are).
func spread[T any](qs []T, n int) []T {
	if n <= 0 || n >= len(qs) {
		return qs
	}
	out := make([]T, n)
	for i := range n {
		out[i] = qs[i*len(qs)/n]
	}
	return out
}

// oneLine replaces tabs and line breaks, for the TSV files.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (b *bench) prepareCorpus(size string) (*corpusRun, error) {
	cr := &corpusRun{name: size, sys: map[string]*sysRun{}}
	if size == "dekamer" {
		cr.path = filepath.Join(b.cfg.shared, corpora.DekamerDir, "corpus.jsonl")
		cr.judged = true
	} else {
		n, err := corpora.Size(size)
		if err != nil {
			return nil, err
		}
		b.logf("corpus %s: generating or reusing %d passages in %s", size, n, b.cfg.cache)
		if cr.path, err = corpora.Ensure(b.cfg.cache, b.cfg.shared, n, b.cfg.seed); err != nil {
			return nil, err
		}
	}
	docs, err := loadCorpus(cr.path)
	if err != nil {
		return nil, err
	}
	cr.docs = len(docs)
	var tsv bytes.Buffer
	for _, d := range docs {
		cr.textBytes += int64(len(d.Title) + len(d.Text))
		fmt.Fprintf(&tsv, "%s\t%s\t%s\n", oneLine(string(d.ID)), oneLine(string(d.Title)), oneLine(string(d.Text)))
	}
	cr.tsv = filepath.Join(b.work, "corpus-"+size+".tsv")
	if err := os.WriteFile(cr.tsv, tsv.Bytes(), 0o644); err != nil {
		return nil, err
	}
	b.logf("corpus %s: %d passages, %.1f MB of text", size, cr.docs, float64(cr.textBytes)/1e6)
	return cr, nil
}

// prepareTools compiles the Lucene harness, starts PostgreSQL and builds
// the programs that run outside this one; what cannot be had is skipped
// with the reason in the table.
func (b *bench) prepareTools(ctx context.Context) {
	want := func(s string) bool { return slices.Contains(b.cfg.systems, s) }
	if want(sysLucene) {
		lt, err := prepareLucene(ctx, b.root, b.work)
		if err != nil {
			b.skipped[sysLucene] = err.Error()
			b.logf("Lucene skipped: %v", err)
		} else {
			b.lucene = lt
		}
	}
	if want(sysPG) {
		if err := b.preparePG(ctx); err != nil {
			b.skipped[sysPG] = err.Error()
			b.logf("PostgreSQL skipped: %v", err)
		}
	}
}

// serveBinary builds ./cmd/watwerkt for the serve measurement, trying
// again on every corpus until it builds: other packages may be in the
// middle of an edit when the run starts.
func (b *bench) serveBinary(ctx context.Context) (string, error) {
	if b.watwerkt != "" {
		return b.watwerkt, nil
	}
	bin := filepath.Join(b.work, "watwerkt")
	if out, err := b.goBuild(ctx, b.root, bin, "./cmd/watwerkt"); err != nil {
		return "", fmt.Errorf("not measured, ./cmd/watwerkt does not build: %s", out)
	}
	b.watwerkt = bin
	return bin, nil
}

func (b *bench) preparePG(ctx context.Context) error {
	bin := filepath.Join(b.work, "pgbench")
	if out, err := b.goBuild(ctx, filepath.Join(b.root, "bench", "pg"), bin, "."); err != nil {
		return fmt.Errorf("bench/pg does not build: %s", out)
	}
	b.pgBench = bin
	pg, err := startPG(ctx)
	if err != nil {
		return err
	}
	b.pg = pg
	b.logf("PostgreSQL: %s on 127.0.0.1:%d", pg.version, pg.port)
	return nil
}

func (b *bench) goBuild(ctx context.Context, dir, out, pkg string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return tail(msg), err
	}
	return "", nil
}

// measured runs a child process, parses its records into res and
// returns its peak RSS in bytes.
func (b *bench) measured(cmd *exec.Cmd, res *measure.Result) (int64, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var rss int64
	err := cmd.Start()
	if err == nil {
		hwm := watchHWM(cmd.Process.Pid)
		err = cmd.Wait()
		rss = hwm()
	}
	if err != nil {
		return rss, fmt.Errorf("%s: %v: %s", filepath.Base(cmd.Path), err, tail(stderr.Bytes()))
	}
	if perr := res.Parse(&stdout, rss); perr != nil {
		return rss, fmt.Errorf("%s: %w", filepath.Base(cmd.Path), perr)
	}
	return rss, nil
}

func (b *bench) step(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, b.self, append([]string{"-step", name}, args...)...)
}

// queryArgs are the question files for a system's query step, as flags;
// MRR@10 is only computed on the judged corpus.
func (b *bench) queryArgs(cr *corpusRun) []string {
	args := []string{"-short", b.qs.short, "-long", b.qs.long, "-long-budget", b.cfg.longBudget.String(), "-rank-budget", b.cfg.rankBudget.String(), "-tput", b.qs.allShort, "-passes", strconv.Itoa(b.cfg.runs),
		"-clients", joinInts(b.cfg.clients), "-duration", b.cfg.duration.String(), "-runs", strconv.Itoa(b.cfg.runs)}
	if cr.judged {
		args = append(args, "-rank-short", b.qs.allShort, "-rank-long", b.qs.allLong)
	}
	return args
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// measureSystem builds the index cfg.runs times, each in a fresh process
// and directory, then times the questions on the last one.
func (b *bench) measureSystem(ctx context.Context, cr *corpusRun, sys string) *sysRun {
	sr := &sysRun{res: measure.NewResult()}
	if why, ok := b.skipped[sys]; ok {
		sr.err = why
		return sr
	}
	var index string
	for r := range b.cfg.runs {
		index = filepath.Join(b.work, cr.name, fmt.Sprintf("%s-%d", sys, r))
		if r > 0 { // keep only the last build
			os.RemoveAll(filepath.Join(b.work, cr.name, fmt.Sprintf("%s-%d", sys, r-1)))
		}
		var cmd *exec.Cmd
		switch sys {
		case sysOurs:
			cmd = b.step(ctx, "ours-build", "-corpus", cr.path, "-index", filepath.Join(index, "index"))
		case sysBleve:
			cmd = b.step(ctx, "bleve-build", "-corpus", cr.path, "-index", index)
		case sysLucene:
			cmd = b.lucene.cmd(ctx, "build", cr.tsv, index)
		case sysPG:
			cmd = exec.CommandContext(ctx, b.pgBench, "-dsn", b.pg.dsn(), "-mode", "build", "-corpus", cr.path)
		}
		b.logf("%s %s: build %d/%d", cr.name, sys, r+1, b.cfg.runs)
		if _, err := b.measured(cmd, sr.res); err != nil {
			sr.err = "build: " + err.Error()
			b.logf("%s %s: %s", cr.name, sys, sr.err)
			return sr
		}
	}
	if sys == sysPG { // the client's RSS says nothing about the server's
		for i := range sr.res.Builds {
			sr.res.Builds[i].PeakRSS = 0
		}
	}
	var cmd *exec.Cmd
	switch sys {
	case sysOurs:
		cmd = b.step(ctx, "ours-query", append([]string{"-index", filepath.Join(index, "index")}, b.queryArgs(cr)...)...)
	case sysBleve:
		cmd = b.step(ctx, "bleve-query", append([]string{"-index", index}, b.queryArgs(cr)...)...)
	case sysLucene:
		cmd = b.lucene.cmd(ctx, append([]string{"query", index}, b.queryArgs(cr)...)...)
	case sysPG:
		cmd = exec.CommandContext(ctx, b.pgBench, append([]string{"-dsn", b.pg.dsn(), "-mode", "query"}, b.queryArgs(cr)...)...)
	}
	b.logf("%s %s: questions", cr.name, sys)
	var pgPeak func() int64
	if sys == sysPG {
		pgPeak = b.pg.sampleMemory(ctx)
	}
	rss, err := b.measured(cmd, sr.res)
	if pgPeak != nil {
		rss = pgPeak() // the client's RSS says nothing about the server's
	}
	if err != nil {
		sr.err = "questions: " + err.Error()
		b.logf("%s %s: %s", cr.name, sys, sr.err)
		return sr
	}
	sr.queryRSS = rss
	if sys == sysOurs && b.cfg.serve {
		if _, err := b.serveBinary(ctx); err != nil {
			sr.serve = &serveRun{err: err.Error()}
			b.logf("%s serve: %v", cr.name, err)
		} else {
			b.logf("%s %s: serve over HTTP", cr.name, sys)
			sr.serve = b.measureServe(ctx, index)
		}
	}
	return sr
}

// measureCrawls builds bench/cmd/crawlbench on its own (the crawler may
// be in the middle of a rework) and crawls each loopback site cfg.runs
// times, each in a fresh process and store.
func (b *bench) measureCrawls(ctx context.Context) *measure.Result {
	res := measure.NewResult()
	bin := filepath.Join(b.work, "crawlbench")
	if out, err := b.goBuild(ctx, b.root, bin, "./bench/cmd/crawlbench"); err != nil {
		res.Notes = append(res.Notes, "crawl: not measured, bench/cmd/crawlbench does not build: "+out)
		b.logf("crawl skipped: %s", out)
		return res
	}
	for _, site := range []string{"demo", "generated"} {
		for r := range b.cfg.runs {
			b.logf("crawl %s: run %d/%d", site, r+1, b.cfg.runs)
			cmd := exec.CommandContext(ctx, bin, "-site", site, "-pages", strconv.Itoa(b.cfg.crawl), "-shared", b.cfg.shared)
			if _, err := b.measured(cmd, res); err != nil {
				res.Notes = append(res.Notes, fmt.Sprintf("crawl %s: %v", site, err))
				b.logf("crawl %s: %v", site, err)
				break
			}
		}
	}
	return res
}
