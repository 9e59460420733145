package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/bench/measure"
)

var systemNames = map[string]string{
	sysOurs:   "ours",
	sysBleve:  "bleve default",
	sysLucene: "Lucene",
	sysPG:     "PostgreSQL",
}

// A row of the table: a label and one cell per system; ratio columns are
// derived from the numbers behind the cells.
type row struct {
	corpus, measure string
	cells           map[string]string
	nums            map[string][]float64 // for ratios
	ratio           bool                 // show ours/Lucene and ours/PostgreSQL
	oursNums        []float64            // when ours is compared with other numbers than its cell's
}

func (b *bench) render(w io.Writer) {
	e := b.env
	fmt.Fprintf(w, "## watwerkt benchmarks, %s\n\n", e.date.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- machine: %s, %d cores, %.0f GB RAM, Linux %s; load average %s at the start, %s at the end\n",
		e.cpu, e.cores, e.memGB, e.kernel, e.loadStart, e.loadAfter)
	sw := []string{e.goVersion, "bleve " + e.bleve}
	if b.lucene != nil {
		sw = append(sw, "Lucene "+b.lucene.version+" ("+e.java+")")
	}
	if b.pg != nil {
		sw = append(sw, b.pg.version)
	}
	fmt.Fprintf(w, "- software: %s\n", strings.Join(sw, ", "))
	fmt.Fprintf(w, "- command: `go run ./bench/cmd/benchtable %s`\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "- method: medians of %d index builds (each in a fresh process) and, per percentile, of %d timed passes after a warm-up "+
		"(on the dekamer corpus the warm-up is the MRR@10 ranking of all %d judged questions); timed: %d short questions (title) and %d long ones (title + text), "+
		"evenly spread over the judged dekamer questions; a system whose first pass over the long ones takes more than %v times only those it got through (marked n=); top 10; ours with snippets unless marked, "+
		"the others never make snippets; queries/s = short questions from N concurrent clients in one process, median of %d runs of %v\n\n",
		b.cfg.runs, b.cfg.runs, b.qs.n, b.qs.nShort, b.qs.nLong, b.cfg.longBudget, b.cfg.runs, b.cfg.duration)

	var rows []row
	for _, cr := range b.corpora {
		rows = append(rows, b.corpusRows(cr)...)
	}
	rows = append(rows, b.otherRows()...)
	cols := []string{}
	for _, s := range allSystems {
		for _, cr := range b.corpora {
			if _, ok := cr.sys[s]; ok {
				cols = append(cols, s)
				break
			}
		}
	}
	fmt.Fprint(w, "| corpus | measure |")
	for _, s := range cols {
		fmt.Fprintf(w, " %s |", systemNames[s])
	}
	fmt.Fprint(w, " ours/Lucene | ours/PostgreSQL |\n|---|---|")
	for range cols {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprint(w, "---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s |", r.corpus, r.measure)
		for _, s := range cols {
			c := r.cells[s]
			if c == "" {
				c = "·"
			}
			fmt.Fprintf(w, " %s |", c)
		}
		fmt.Fprintf(w, " %s | %s |\n", r.ratioCell(sysLucene), r.ratioCell(sysPG))
	}
	fmt.Fprintln(w)
	b.renderTargets(w)
	b.renderNotes(w)
}

func (r row) ratioCell(base string) string {
	if !r.ratio {
		return ""
	}
	ours := r.nums[sysOurs]
	if r.oursNums != nil {
		ours = r.oursNums
	}
	other := r.nums[base]
	if len(ours) == 0 || len(other) != len(ours) {
		return ""
	}
	parts := make([]string, len(ours))
	for i := range ours {
		if other[i] == 0 {
			return ""
		}
		parts[i] = fmt.Sprintf("%.2f", ours[i]/other[i])
	}
	return strings.Join(parts, " / ")
}

func corpusLabel(cr *corpusRun) string {
	if cr.judged {
		return fmt.Sprintf("dekamer (%s answers)", thousands(float64(cr.docs)))
	}
	return fmt.Sprintf("%s (%s passages)", cr.name, thousands(float64(cr.docs)))
}

func (b *bench) corpusRows(cr *corpusRun) []row {
	label := corpusLabel(cr)
	newRow := func(m string, ratio bool) row {
		return row{corpus: label, measure: m, cells: map[string]string{}, nums: map[string][]float64{}, ratio: ratio}
	}
	pps, mbps, secs, size, brss := newRow("build passages/s", true), newRow("build MB/s", true), newRow("build s", false),
		newRow("index MB", true), newRow("build peak RSS MB", false)
	lat := map[measure.LatKey]*row{}
	latRows := []measure.LatKey{{Form: "short", Snippets: true}, {Form: "short"}, {Form: "long", Snippets: true}, {Form: "long"}}
	for _, k := range latRows {
		m := k.Form + " p50 / p95 / p99 ms"
		if k.Snippets {
			m += " (ours with snippets)"
		} else {
			m += ", no snippets"
		}
		r := newRow(m, true)
		lat[k] = &r
	}
	mrr := newRow("MRR@10 short / long", false)
	tput := newRow("queries/s, "+joinInts(b.cfg.clients)+" clients", true)
	qrss := newRow("query process peak RSS MB", false)
	serveT := newRow("serve over HTTP: requests/s, "+joinInts(b.cfg.clients)+" clients", false)
	serveR := newRow("serve peak RSS MB (of which anonymous: heap, stacks)", false)

	for sys, sr := range cr.sys {
		if sr.err != "" {
			pps.cells[sys] = "skipped¹"
			continue
		}
		res := sr.res
		if len(res.Builds) > 0 {
			var took, bytes, rss []float64
			for _, bd := range res.Builds {
				took = append(took, bd.Took.Seconds())
				bytes = append(bytes, float64(bd.IndexBytes))
				rss = append(rss, float64(bd.PeakRSS))
			}
			t := measure.Median(took)
			set(&pps, sys, float64(cr.docs)/t, thousands)
			set(&mbps, sys, float64(cr.textBytes)/1e6/t, oneDecimal)
			set(&secs, sys, t, twoDecimals)
			set(&size, sys, measure.Median(bytes)/1e6, oneDecimal)
			if m := measure.Median(rss); m > 0 {
				set(&brss, sys, m/(1<<20), noDecimals)
			}
		}
		for _, k := range latRows {
			key := k
			if sys != sysOurs {
				key.Snippets = false // the others are compared without snippets
			}
			p, ok := res.LatPercentiles(key)
			if !ok {
				continue
			}
			nums := []float64{ms(p.P50), ms(p.P95), ms(p.P99)}
			cell := fmt.Sprintf("%s / %s / %s", msCell(p.P50), msCell(p.P95), msCell(p.P99))
			if want := map[string]int{"short": b.qs.nShort, "long": b.qs.nLong}[k.Form]; p.N < want {
				cell += fmt.Sprintf(" (n=%d)", p.N)
			}
			lat[k].nums[sys] = nums
			lat[k].cells[sys] = cell
		}
		if cr.judged {
			var parts []string
			for _, form := range []string{"short", "long"} {
				v, n := measure.MRR10(res.Ranks[form], b.qrels)
				c := fmt.Sprintf("%.3f", v)
				if n < len(b.qrels) {
					c += fmt.Sprintf(" (n=%d)", n)
				}
				parts = append(parts, c)
			}
			mrr.cells[sys] = strings.Join(parts, " / ")
		}
		var tp []float64
		var tc []string
		for _, n := range b.cfg.clients {
			v := measure.Median(res.Tput[n])
			tp = append(tp, v)
			tc = append(tc, thousands(v))
		}
		tput.nums[sys], tput.cells[sys] = tp, strings.Join(tc, " / ")
		if sr.queryRSS > 0 {
			qrss.cells[sys] = noDecimals(float64(sr.queryRSS) / (1 << 20))
			if sys == sysPG {
				qrss.cells[sys] += "²"
			}
		}
		if sv := sr.serve; sv != nil {
			if sv.err != "" {
				serveT.cells[sys] = "not measured¹"
			} else {
				var tc []string
				for _, n := range b.cfg.clients {
					tc = append(tc, thousands(measure.Median(sv.tput[n])))
				}
				serveT.cells[sys] = strings.Join(tc, " / ")
				if sv.failures > 0 {
					serveT.cells[sys] += fmt.Sprintf(" (%d non-200)", sv.failures)
				}
				serveR.cells[sys] = noDecimals(float64(sv.peakRSS) / (1 << 20))
				if sv.peakAnon > 0 {
					serveR.cells[sys] += " (" + noDecimals(float64(sv.peakAnon)/(1<<20)) + ")"
				}
			}
		}
	}
	// Ours with snippets against the others without: the fair comparison.
	for _, k := range latRows {
		r := lat[k]
		if k.Snippets {
			for sys := range r.nums {
				if sys != sysOurs {
					delete(r.cells, sys)
				}
			}
			if nos := lat[measure.LatKey{Form: k.Form}]; nos != nil {
				for sys, v := range nos.nums {
					if sys != sysOurs {
						r.nums[sys] = v
					}
				}
			}
		}
	}
	out := []row{pps, mbps, secs, size, brss}
	for _, k := range latRows {
		out = append(out, *lat[k])
	}
	if cr.judged {
		out = append(out, mrr)
	}
	out = append(out, tput, qrss)
	if len(serveT.cells) > 0 {
		out = append(out, serveT, serveR)
	}
	return out
}

// set puts a number and its rendering into a row.
func set(r *row, sys string, v float64, f func(float64) string) {
	r.nums[sys] = []float64{v}
	r.cells[sys] = f(v)
}

func (b *bench) otherRows() []row {
	var out []row
	newRow := func(group, m string) row {
		return row{corpus: group, measure: m, cells: map[string]string{}, nums: map[string][]float64{}}
	}
	if b.crawls != nil {
		for _, site := range []string{"demo", "generated"} {
			cs := b.crawls.Crawl[site]
			if len(cs) == 0 {
				continue
			}
			var rate, rss []float64
			pages := 0
			for _, c := range cs {
				rate = append(rate, float64(c.Fetched)/c.Took.Seconds())
				rss = append(rss, float64(c.PeakRSS))
				pages = c.Fetched
			}
			name := "3 demo sites"
			if site == "generated" {
				name = "generated site (dekamer answers)"
			}
			r := newRow("crawl + extract + store, loopback", fmt.Sprintf("%s: pages/s (%d pages fetched)", name, pages))
			r.cells[sysOurs] = thousands(measure.Median(rate))
			out = append(out, r)
			r = newRow("crawl + extract + store, loopback", name+": peak RSS MB")
			r.cells[sysOurs] = noDecimals(measure.Median(rss) / (1 << 20))
			out = append(out, r)
		}
	}
	if b.bots != nil {
		for _, p := range []string{"telegram", "discord"} {
			r := newRow("bot answer latency (fakes)", strings.ToUpper(p[:1])+p[1:]+" p50 / p95 / p99 ms")
			ds := b.bots.res.Bot[p]
			switch {
			case len(ds) > 0:
				r.cells[sysOurs] = fmt.Sprintf("%s / %s / %s (n=%d)", msCell(measure.Percentile(ds, 50)),
					msCell(measure.Percentile(ds, 95)), msCell(measure.Percentile(ds, 99)), len(ds))
			default:
				r.cells[sysOurs] = "not measured yet¹"
			}
			out = append(out, r)
		}
	}
	return out
}

func (b *bench) renderTargets(w io.Writer) {
	fmt.Fprintln(w, "Targets of issue #10 on this run:")
	fmt.Fprintln(w)
	check := func(ok bool, format string, args ...any) {
		mark := "missed"
		if ok {
			mark = "met"
		}
		fmt.Fprintf(w, "- %s: %s\n", mark, fmt.Sprintf(format, args...))
	}
	for _, cr := range b.corpora {
		ours, luc, pg := cr.sys[sysOurs], cr.sys[sysLucene], cr.sys[sysPG]
		if !usable(ours) {
			continue
		}
		label := corpusLabel(cr)
		if usable(luc) {
			for _, form := range []string{"short", "long"} {
				o, ok1 := ours.res.LatPercentiles(measure.LatKey{Form: form, Snippets: true})
				l, ok2 := luc.res.LatPercentiles(measure.LatKey{Form: form})
				if ok1 && ok2 && l.P50 > 0 {
					r := float64(o.P50) / float64(l.P50)
					check(r <= 1.5, "%s, %s questions: p50 %s ms (with snippets) vs Lucene %s ms = %.2f× (≤ 1.5×)", label, form, msCell(o.P50), msCell(l.P50), r)
				}
			}
			ob, lb := medianBuild(ours.res), medianBuild(luc.res)
			if ob > 0 && lb > 0 {
				r := lb.Seconds() / ob.Seconds()
				check(r >= 0.8, "%s: build %s passages/s vs Lucene %s = %.2f× (≥ 0.8×)", label,
					thousands(float64(cr.docs)/ob.Seconds()), thousands(float64(cr.docs)/lb.Seconds()), r)
			}
		}
		if usable(pg) {
			for _, n := range b.cfg.clients {
				o, p := measure.Median(ours.res.Tput[n]), measure.Median(pg.res.Tput[n])
				if p > 0 {
					check(o >= 10*p, "%s: %d clients, %s queries/s vs PostgreSQL %s = %.1f× (≥ 10×)", label, n, thousands(o), thousands(p), o/p)
				}
			}
		}
		if cr.docs >= 100000 {
			for _, form := range []string{"short", "long"} {
				if o, ok := ours.res.LatPercentiles(measure.LatKey{Form: form, Snippets: true}); ok {
					check(o.P99 <= 25*time.Millisecond, "%s, %s questions: p99 %s ms (≤ 25 ms)", label, form, msCell(o.P99))
				}
			}
			if ob := medianBuild(ours.res); ob > 0 {
				v := float64(cr.docs) / ob.Seconds()
				check(v >= 2000, "%s: build %s passages/s (≥ 2,000)", label, thousands(v))
			}
			if sv := ours.serve; sv != nil && sv.err == "" {
				mb := float64(sv.peakRSS) / (1 << 20)
				check(mb <= 300, "%s: serve peak RSS %.0f MB, of which %.0f MB anonymous (≤ 300 MB)", label, mb, float64(sv.peakAnon)/(1<<20))
			}
		}
	}
	fmt.Fprintln(w)
}

func usable(sr *sysRun) bool { return sr != nil && sr.err == "" }

func medianBuild(res *measure.Result) time.Duration {
	var s []float64
	for _, b := range res.Builds {
		s = append(s, float64(b.Took))
	}
	return time.Duration(measure.Median(s))
}

func (b *bench) renderNotes(w io.Writer) {
	var notes []string
	var skips []string
	for sys, why := range b.skipped {
		skips = append(skips, fmt.Sprintf("%s: %s", sys, why))
	}
	sort.Strings(skips)
	notes = append(notes, skips...)
	for _, cr := range b.corpora {
		for _, sys := range allSystems {
			sr := cr.sys[sys]
			if sr == nil {
				continue
			}
			if sr.err != "" && b.skipped[sys] == "" {
				notes = append(notes, fmt.Sprintf("%s, %s: %s", cr.name, systemNames[sys], sr.err))
			}
			for _, n := range sr.res.Notes {
				notes = append(notes, fmt.Sprintf("%s, %s: %s", cr.name, systemNames[sys], n))
			}
			if sr.serve != nil && sr.serve.err != "" {
				notes = append(notes, fmt.Sprintf("%s, serve: %s", cr.name, sr.serve.err))
			}
		}
	}
	if b.crawls != nil {
		notes = append(notes, b.crawls.Notes...)
	}
	if b.bots != nil {
		if b.bots.err != "" {
			notes = append(notes, "bots: "+b.bots.err)
		}
		notes = append(notes, b.bots.res.Notes...)
	}
	fmt.Fprintln(w, "Notes:")
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintf(w, "- ¹ %s\n", n)
	}
	if b.pg != nil {
		fmt.Fprintf(w, "- ² PostgreSQL serves from several processes: the figure is the peak, sampled every 200 ms while the questions ran, of their summed proportional set size (shared buffers counted once).\n")
	}
	fmt.Fprintln(w, "- Index MB of PostgreSQL is pg_total_relation_size (table with its text, tsvector column, GIN and primary key); Lucene stores only ids; bleve default stores nothing but ids; ours stores title, intro and body for snippets (intro and body uncompressed in a texts file next to the bleve index, counted in its MB).")
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func msCell(d time.Duration) string {
	v := ms(d)
	switch {
	case v < 1:
		return fmt.Sprintf("%.3f", v)
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func thousands(v float64) string {
	if math.Abs(v) < 100 {
		if v == math.Trunc(v) {
			return fmt.Sprint(int64(v))
		}
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprint(int64(math.Round(v)))
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func oneDecimal(v float64) string  { return fmt.Sprintf("%.1f", v) }
func twoDecimals(v float64) string { return fmt.Sprintf("%.2f", v) }
func noDecimals(v float64) string  { return fmt.Sprintf("%.0f", v) }
