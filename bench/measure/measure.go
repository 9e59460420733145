// Package measure is the line protocol every benchmark step speaks —
// the Go steps, the Lucene harness (Java) and the PostgreSQL client —
// and the statistics the table is made of. A step prints tab-separated
// records on stdout:
//
//	build NANOS INDEXBYTES DOCS
//	lat FORM SNIPPETS PASS QUERYID NANOS   (pass 0 is a warm-up)
//	rank FORM QUERYID DOC1 DOC2 …          (the top 10 of one pass)
//	tput FORM CLIENTS QUERIES NANOS
//	crawl SITE FETCHED STORED NANOS
//	bot PLATFORM QUESTIONS NANOS…           (one latency per question)
//	note TEXT
//
// Keeping every system behind one protocol means every number in the
// table is computed by the same Go code from the same kind of record.
package measure

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watwerkt/watwerkt/search"
)

// Writer prints records; it is safe for concurrent use.
type Writer struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewWriter returns a Writer on w. Call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Record prints one record.
func (w *Writer) Record(kind string, fields ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.w.WriteString(kind)
	for _, f := range fields {
		w.w.WriteByte('\t')
		fmt.Fprint(w.w, f)
	}
	w.w.WriteByte('\n')
}

// Flush writes buffered records.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Flush()
}

// LatKey names one latency series.
type LatKey struct {
	Form     string // "short" or "long"
	Snippets bool
}

// Result is what one or more steps of one system reported.
type Result struct {
	Builds []Build
	// Lat holds per pass (1…) the latencies of all questions.
	Lat map[LatKey]map[int][]time.Duration
	// Ranks holds per form the top 10 per question id.
	Ranks map[string]map[string][]string
	// Tput holds per clients count the queries/s of each run.
	Tput  map[int][]float64
	Crawl map[string][]Crawl
	Bot   map[string][]time.Duration
	Notes []string
}

// Build is one index build.
type Build struct {
	Took       time.Duration
	IndexBytes int64
	Docs       int
	PeakRSS    int64 // bytes, of the process that built; 0 when unknown
}

// Crawl is one crawl of a site.
type Crawl struct {
	Fetched, Stored int
	Took            time.Duration
	PeakRSS         int64
}

// NewResult returns an empty Result.
func NewResult() *Result {
	return &Result{
		Lat:   map[LatKey]map[int][]time.Duration{},
		Ranks: map[string]map[string][]string{},
		Tput:  map[int][]float64{},
		Crawl: map[string][]Crawl{},
		Bot:   map[string][]time.Duration{},
	}
}

// Parse adds the records read from r to res. peakRSS (bytes) is the peak
// resident set of the process that printed them; it goes to the builds
// and crawls it reported.
func (res *Result) Parse(r io.Reader, peakRSS int64) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if err := res.add(f, peakRSS); err != nil {
			return fmt.Errorf("line %d %q: %w", line, truncate(sc.Text(), 80), err)
		}
	}
	return sc.Err()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (res *Result) add(f []string, peakRSS int64) (err error) {
	want := map[string]int{"build": 4, "lat": 6, "tput": 5, "crawl": 5}
	if n, ok := want[f[0]]; ok && len(f) != n {
		return fmt.Errorf("want %d fields", n)
	}
	var bad error
	num := func(i int) int64 {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil && bad == nil {
			bad = fmt.Errorf("field %d: %v", i, err)
		}
		return n
	}
	defer func() {
		if err == nil {
			err = bad
		}
	}()
	switch f[0] {
	case "build":
		res.Builds = append(res.Builds, Build{Took: time.Duration(num(1)), IndexBytes: num(2), Docs: int(num(3)), PeakRSS: peakRSS})
	case "lat":
		k := LatKey{Form: f[1], Snippets: f[2] == "1"}
		pass := int(num(3))
		if pass == 0 {
			return nil // warm-up
		}
		if res.Lat[k] == nil {
			res.Lat[k] = map[int][]time.Duration{}
		}
		res.Lat[k][pass] = append(res.Lat[k][pass], time.Duration(num(5)))
	case "rank":
		if len(f) < 3 {
			return fmt.Errorf("want at least 3 fields")
		}
		if res.Ranks[f[1]] == nil {
			res.Ranks[f[1]] = map[string][]string{}
		}
		res.Ranks[f[1]][f[2]] = append([]string(nil), f[3:]...)
	case "tput":
		clients, n, took := int(num(2)), num(3), time.Duration(num(4))
		if took > 0 {
			res.Tput[clients] = append(res.Tput[clients], float64(n)/took.Seconds())
		}
	case "crawl":
		res.Crawl[f[1]] = append(res.Crawl[f[1]], Crawl{Fetched: int(num(2)), Stored: int(num(3)), Took: time.Duration(num(4)), PeakRSS: peakRSS})
	case "bot":
		for i := 3; i < len(f); i++ {
			res.Bot[f[1]] = append(res.Bot[f[1]], time.Duration(num(i)))
		}
	case "note":
		res.Notes = append(res.Notes, strings.Join(f[1:], " "))
	default:
		return fmt.Errorf("unknown record %q", f[0])
	}
	return nil
}

// Percentiles are the p50, p95 and p99 of a latency series: each the
// median over the passes of that percentile within a pass.
type Percentiles struct {
	P50, P95, P99 time.Duration
	Passes, N     int // passes measured and questions per pass
}

// LatPercentiles summarises one latency series; ok is false when it was
// not measured.
func (res *Result) LatPercentiles(k LatKey) (Percentiles, bool) {
	passes := res.Lat[k]
	if len(passes) == 0 {
		return Percentiles{}, false
	}
	var p50, p95, p99 []float64
	n := 0
	for _, ds := range passes {
		p50 = append(p50, float64(Percentile(ds, 50)))
		p95 = append(p95, float64(Percentile(ds, 95)))
		p99 = append(p99, float64(Percentile(ds, 99)))
		n = max(n, len(ds))
	}
	return Percentiles{
		P50: time.Duration(Median(p50)), P95: time.Duration(Median(p95)), P99: time.Duration(Median(p99)),
		Passes: len(passes), N: n,
	}, true
}

// Percentile returns the p-th percentile (nearest rank) of ds, as
// watwerkt eval computes it.
func Percentile(ds []time.Duration, p float64) time.Duration {
	return search.Percentile(ds, p)
}

// Question is one question of a TSV file: id, tab, text (tabs and line
// breaks inside the text already replaced by spaces).
type Question struct{ ID, Text string }

// ReadQuestions reads the first n questions of a question file (all of
// them when n is 0); a file without any is an error.
func ReadQuestions(path string, n int) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() && (n == 0 || len(qs) < n) {
		if id, text, ok := strings.Cut(sc.Text(), "\t"); ok {
			qs = append(qs, Question{id, text})
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return qs, sc.Err()
}

// Median returns the median of xs (the mean of the middle two for an
// even count), 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MRR10 is the mean reciprocal rank of the first relevant document in the
// top 10 over the judged questions (query id → document id → grade) that
// were ranked, and how many those were.
func MRR10(ranks map[string][]string, qrels map[string]map[string]int) (float64, int) {
	sum, n := 0.0, 0
	for qid, ranked := range ranks {
		rel, ok := qrels[qid]
		if !ok {
			continue
		}
		n++
		for i, doc := range ranked[:min(10, len(ranked))] {
			if rel[doc] > 0 {
				sum += 1 / float64(i+1)
				break
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}
