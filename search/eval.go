package search

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EvalQuery is one judged question in the BEIR layout
// ({"_id","title","text",…}).
type EvalQuery struct {
	ID     FlexString `json:"_id"`
	Title  FlexString `json:"title"`
	Text   FlexString `json:"text"`
	Themes FlexString `json:"themes"` // a string or a list, joined by commas
	Care   FlexBool   `json:"care_social_related"`
}

// Form returns the question as asked in a form: "short" is the title,
// "long" the title and the text.
func (q EvalQuery) Form(form string) string {
	if form == "long" || q.Title == "" {
		return strings.TrimSpace(string(q.Title) + " " + string(q.Text))
	}
	return string(q.Title)
}

// FlexString accepts a JSON string, number, list of strings or null, so
// judged sets from other tools load as they are.
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = FlexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*f = FlexString(n.String())
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*f = FlexString(strings.Join(list, ","))
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	return fmt.Errorf("want a string, got %.40s", b)
}

// FlexBool accepts true/false, "true"/"false", 1/0 and null.
type FlexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(strings.ToLower(string(b)), `"`) {
	case "true", "1", "yes":
		*f = true
	case "false", "0", "no", "", "null":
		*f = false
	default:
		return fmt.Errorf("want true or false, got %.40s", b)
	}
	return nil
}

// EvalDoc is one corpus line ({"_id","title","text"}).
type EvalDoc struct {
	ID    FlexString `json:"_id"`
	Title FlexString `json:"title"`
	Text  FlexString `json:"text"`
}

// Qrels maps query id → document id → relevance grade.
type Qrels map[string]map[string]int

// ReadJSONL calls fn for every JSON line of r. Errors name the line.
func ReadJSONL[T any](r io.Reader, name string, fn func(T) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if err := fn(v); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, line, err)
	}
	return nil
}

// ReadQrels reads a BEIR qrels TSV (query-id, corpus-id, score) with a
// header line.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(strings.TrimSpace(sc.Text()), "\t")
		if len(f) == 1 {
			f = strings.Fields(f[0]) // space-separated files
		}
		if line == 1 && len(f) > 0 && (f[0] == "query-id" || f[0] == "query_id" || f[0] == "qid") {
			continue
		}
		if len(f) == 4 { // TREC layout: qid, iteration, docid, grade
			f = []string{f[0], f[2], f[3]}
		}
		if len(f) == 1 && f[0] == "" {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 tab-separated fields, got %d", name, line, len(f))
		}
		g, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: score %q: %v", name, line, f[2], err)
		}
		grade := int(math.Round(g))
		if q[f[0]] == nil {
			q[f[0]] = map[string]int{}
		}
		q[f[0]][f[1]] = grade
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return q, nil
}

// QueryScore is the evaluation of one question.
type QueryScore struct {
	ID        string
	Rank      int // rank of the first relevant document, 0 when not in the top 100
	RR10      float64
	NDCG10    float64
	Recall10  float64
	Recall100 float64
	Latency   time.Duration
}

// Score computes the metrics of one ranked list against its judgements.
func Score(id string, ranked []string, rel map[string]int) QueryScore {
	s := QueryScore{ID: id}
	relevant := 0
	for _, g := range rel {
		if g > 0 {
			relevant++
		}
	}
	found10, found100 := 0, 0
	dcg := 0.0
	for i, doc := range ranked {
		g := rel[doc]
		if g <= 0 {
			continue
		}
		if s.Rank == 0 {
			s.Rank = i + 1
		}
		if i < 10 {
			found10++
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
		if i < 100 {
			found100++
		}
	}
	if s.Rank > 0 && s.Rank <= 10 {
		s.RR10 = 1 / float64(s.Rank)
	}
	var grades []int
	for _, g := range rel {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	idcg := 0.0
	for i, g := range grades {
		if i >= 10 {
			break
		}
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg > 0 {
		s.NDCG10 = dcg / idcg
	}
	if relevant > 0 {
		s.Recall10 = float64(found10) / float64(relevant)
		s.Recall100 = float64(found100) / float64(relevant)
	}
	return s
}

// Summary aggregates query scores.
type Summary struct {
	Queries   int
	MRR10     float64
	NDCG10    float64
	Recall10  float64
	Recall100 float64
	P50, P95  time.Duration
}

// Summarize averages the metrics and takes latency percentiles.
func Summarize(scores []QueryScore) Summary {
	s := Summary{Queries: len(scores)}
	if len(scores) == 0 {
		return s
	}
	var lat []time.Duration
	for _, q := range scores {
		s.MRR10 += q.RR10
		s.NDCG10 += q.NDCG10
		s.Recall10 += q.Recall10
		s.Recall100 += q.Recall100
		lat = append(lat, q.Latency)
	}
	n := float64(len(scores))
	s.MRR10 /= n
	s.NDCG10 /= n
	s.Recall10 /= n
	s.Recall100 /= n
	s.P50, s.P95 = Percentile(lat, 50), Percentile(lat, 95)
	return s
}

// Percentile returns the p-th percentile (nearest rank) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(k, len(s)-1))]
}
