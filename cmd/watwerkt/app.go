package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/search"
)

// Exit codes, for scripts.
const (
	exitOK      = 0 // done; for search and ask: results found
	exitNothing = 1 // search and ask: nothing found, or nothing to search for
	exitUsage   = 2 // wrong command line or configuration
	exitFailure = 3 // the work failed (store, index, network)
)

// env looks up environment variables; tests pass their own.
type env func(string) string

// app is what every command gets.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         env
	dataDir        string
	verbose        bool
	log            *slog.Logger
}

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, a *app, args []string) int
}

func commandList() []command {
	return []command{
		{"demo", "", "start de demosites, crawl ze, bouw de index en open een chat in de terminal", runDemo},
		{"ask", `"vraag"`, "beantwoord één vraag zoals een chatbot dat doet", runAsk},
		{"search", `[--json] [--limit N] [--explain] [--filter k=v] "vraag"`, "zoek en toon de ranglijst (of JSON)", runSearch},
		{"crawl", "--config watwerkt.toml [--report F.json]", "haal de bronnen uit de configuratie op in de corpusopslag", runCrawl},
		{"extract", "[--source NAAM --config F] [--json] [--allow-private] BESTAND|URL", "toon wat de extractie van één pagina maakt: titel, datum, auteur, taal, velden, tekst, en waarom een pagina zou worden overgeslagen", runExtract},
		{"index", "[--rollback]", "bouw een nieuwe indexversie uit de corpusopslag en schakel erop over", runIndex},
		{"import", "--jsonl F --source NAAM [--type T]", "lees documenten uit JSON-regels in de corpusopslag (bv. een evaluatiecorpus)", runImport},
		{"serve", "[--addr 127.0.0.1:8080] [--demo] [--dev] [--config F] [--recrawl 24h] [--telegram-webhook URL]", "HTTP-API, curatorpagina en de chatbots waarvan een token is gezet", runServe},
		{"eval", "--queries F --qrels F [--corpus F] [--form short|long] [--out F] [--compare A B]", "meet MRR@10, nDCG@10, Recall@10/100 en latentie op beoordeelde vragen", runEval},
		{"report", "[--json] [--since 30d] [--stale 60d] [--top N]", "vragen zonder antwoord, 👎-antwoorden, ongebruikte bronnen en verouderde documenten", runReport},
		{"qrels", "export --out MAP [--since 90d]", "zet 👍/👎-beoordelingen om in beoordeelde vragen voor eval", runQrels},
		{"help", "", "deze hulp", nil},
	}
}

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		usage(stdout)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help", "hulp":
		usage(stdout)
		return exitOK
	}
	for _, c := range commandList() {
		if c.name == name && c.run != nil {
			return c.run(ctx, a, rest)
		}
	}
	fmt.Fprintf(stderr, "watwerkt: onbekend commando %q. Zie \"watwerkt help\".\n", name)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "watwerkt — zoekmachine voor kennis over jeugdhulp: \"wat werkt bij …?\"")
	fmt.Fprintln(w, "\nGebruik: watwerkt <commando> [opties]")
	fmt.Fprintln(w, "\nCommando's:")
	for _, c := range commandList() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
		if c.args != "" {
			fmt.Fprintf(w, "           watwerkt %s %s\n", c.name, c.args)
		}
	}
	fmt.Fprintln(w, "\nAlgemene opties (bij elk commando):")
	fmt.Fprintln(w, "  --data DIR   map voor de corpusopslag en de indexversies (of WATWERKT_DATA)")
	fmt.Fprintln(w, "  -v           meer meldingen op stderr")
}

// flags makes a FlagSet with the global options.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.dataDir, "data", "", "map voor de corpusopslag en de indexversies (standaard WATWERKT_DATA of ~/.local/share/watwerkt)")
	fs.BoolVar(&a.verbose, "v", false, "meer meldingen op stderr")
	return fs
}

// parse parses flags anywhere on the command line ("search vraag --json"
// and "search --json vraag" alike); everything after "--" is positional.
// It returns the positional arguments.
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, bool) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(arg) > 1 && arg[0] == '-' {
			flags = append(flags, arg)
			name := strings.TrimLeft(arg, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil {
				if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					i++
					flags = append(flags, args[i])
				}
			}
			continue
		}
		pos = append(pos, arg)
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, false
		}
		fmt.Fprintf(a.stderr, "Zie \"watwerkt help\".\n")
		return nil, false
	}
	a.setup()
	return pos, true
}

func (a *app) setup() {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if a.dataDir == "" {
		a.dataDir = a.getenv("WATWERKT_DATA")
	}
	if a.dataDir == "" {
		a.dataDir = defaultDataDir(a.getenv)
	}
}

func defaultDataDir(getenv env) string {
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "watwerkt")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", "watwerkt")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "watwerkt")
	}
	return "watwerkt-data"
}

func (a *app) storePath() string { return filepath.Join(a.dataDir, "corpus.db") }

func (a *app) versions() search.Versions {
	return search.Versions{Root: filepath.Join(a.dataDir, "index"), Keep: 3}
}

// Curation files in the data directory. synonymsFile adds to the
// built-in synonym list; curationFile holds pins, hidden documents and
// boosts (see search.Curation).
const (
	synonymsFile = "synonyms.txt"
	curationFile = "curation.txt"
)

// synonyms returns the built-in synonyms plus the data directory's
// synonyms.txt when there is one.
func (a *app) synonyms() (*search.Synonyms, error) {
	s := search.DefaultSynonyms()
	path := filepath.Join(a.dataDir, synonymsFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	extra, err := search.ParseSynonyms(f, path)
	if err != nil {
		return nil, err
	}
	s.Merge(extra)
	return s, nil
}

// curation reads the data directory's curation.txt; nil when there is none.
func (a *app) curation() (*search.Curation, error) {
	path := filepath.Join(a.dataDir, curationFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return search.ParseCuration(f, path)
}

// tuning reads both curation files.
func (a *app) tuning() (search.Tuning, error) {
	syn, err := a.synonyms()
	if err != nil {
		return search.Tuning{}, err
	}
	cur, err := a.curation()
	if err != nil {
		return search.Tuning{}, err
	}
	return search.Tuning{Synonyms: syn, Curation: cur}, nil
}

// openEngine opens the current index version with the curation in force.
func (a *app) openEngine() (*search.Engine, error) {
	t, err := a.tuning()
	if err != nil {
		return nil, err
	}
	eng, err := a.versions().OpenCurrent()
	if err != nil {
		return nil, err
	}
	if err := eng.SetTuning(t); err != nil {
		eng.Close()
		return nil, err
	}
	return eng, nil
}

func (a *app) openStore(ctx context.Context) (*corpus.Store, error) {
	return corpus.OpenStore(ctx, a.storePath())
}

// fail reports an error to the user in one line and returns exitFailure.
func (a *app) fail(what string, err error) int {
	fmt.Fprintf(a.stderr, "watwerkt: %s: %v\n", what, err)
	return exitFailure
}

// parseAge reads a duration that may also be given in days ("30d") or
// weeks ("2w"), as curators think of retention and report windows.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "0" {
		return 0, nil
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q is geen geldige duur; gebruik bv. 30d, 2w of 12h", s)
			}
			return time.Duration(v * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is geen geldige duur; gebruik bv. 30d, 2w of 12h", s)
	}
	return d, nil
}
