package measure

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	in := strings.Join([]string{
		"build\t2000000000\t5800000\t3483",
		"rank\tshort\tq1\td9\td1",
		"rank\tlong\tq1\td1",
		"lat\tshort\t1\t0\tq1\t999", // warm-up: ignored
		"lat\tshort\t1\t1\tq1\t1000000",
		"lat\tshort\t1\t2\tq1\t3000000",
		"tput\tshort\t8\t1000\t2000000000",
		"crawl\tdemo\t65\t43\t100000000",
		"bot\ttelegram\t2\t1000000\t2000000",
		"note\tsomething\thappened",
	}, "\n")
	res := NewResult()
	if err := res.Parse(strings.NewReader(in), 42<<20); err != nil {
		t.Fatal(err)
	}
	if got, want := res.Builds, []Build{{Took: 2 * time.Second, IndexBytes: 5800000, Docs: 3483, PeakRSS: 42 << 20}}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("Builds = %+v, want %+v", got, want)
	}
	p, ok := res.LatPercentiles(LatKey{Form: "short", Snippets: true})
	if !ok || p.Passes != 2 || p.P50 != 2*time.Millisecond {
		t.Errorf("LatPercentiles = %+v, %v; want 2 passes, median p50 2ms", p, ok)
	}
	if got := res.Tput[8]; len(got) != 1 || got[0] != 500 {
		t.Errorf("Tput[8] = %v, want [500]", got)
	}
	if got := res.Crawl["demo"]; len(got) != 1 || got[0].Fetched != 65 || got[0].PeakRSS != 42<<20 {
		t.Errorf("Crawl = %+v", got)
	}
	if got := res.Bot["telegram"]; len(got) != 2 || got[1] != 2*time.Millisecond {
		t.Errorf("Bot = %v", got)
	}
	if len(res.Notes) != 1 || res.Notes[0] != "something happened" {
		t.Errorf("Notes = %q", res.Notes)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"build\t1\t2", "lat\tshort\t1\t1\tq\tx", "what\t1"} {
		if err := NewResult().Parse(bytes.NewBufferString(in), 0); err == nil {
			t.Errorf("Parse(%q) = nil, want an error", in)
		}
	}
}

func TestMRR10(t *testing.T) {
	qrels := map[string]map[string]int{"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
	ranks := map[string][]string{
		"q1": {"a"},                                                    // 1
		"q2": {"x", "b"},                                               // 1/2
		"q3": {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "c"}, // beyond 10: 0
		"q9": {"a"},                                                    // not judged
	}
	got, n := MRR10(ranks, qrels)
	if n != 3 || math.Abs(got-0.5) > 1e-9 {
		t.Errorf("MRR10 = %v over %d, want 0.5 over 3", got, n)
	}
}

func TestPercentileAndMedian(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i))
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 50}, {95, 95}, {99, 99}, {100, 100}} {
		if got := Percentile(ds, tt.p); got != tt.want {
			t.Errorf("Percentile(1…100, %v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := Median([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("Median = %v, want 2.5", got)
	}
}
