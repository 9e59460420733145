package corpus

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DocMeta is the part of a document a report needs.
type DocMeta struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetched_at"`
}

// EachMeta calls fn for every stored document's metadata, in id order,
// without reading the text.
func (s *Store) EachMeta(ctx context.Context, fn func(DocMeta) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, url, title, source, fetched_at FROM documents ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m DocMeta
		var fetched string
		if err := rows.Scan(&m.ID, &m.URL, &m.Title, &m.Source, &fetched); err != nil {
			return fmt.Errorf("read documents: %w", err)
		}
		m.FetchedAt, _ = time.Parse(timeFormat, fetched)
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Report is what curators read: which questions come in, which find
// nothing, which answers got 👎, and which parts of the corpus never
// help or have gone stale.
type Report struct {
	Since        time.Time       `json:"since"`
	Until        time.Time       `json:"until"`
	Questions    int             `json:"questions"`
	ZeroResults  int             `json:"zero_results"`
	Platforms    map[string]int  `json:"platforms"`
	Top          []QuestionCount `json:"top_questions"`
	Zero         []QuestionCount `json:"zero_result_questions"`
	ThumbsDown   []RatedAnswer   `json:"thumbs_down"`
	ThumbsUp     int             `json:"thumbs_up"`
	Unused       []SourceCount   `json:"sources_never_in_answers"`
	Stale        []DocMeta       `json:"stale_documents"`
	StaleAfter   Duration        `json:"stale_after"`
	Problems     []string        `json:"problems,omitempty"` // e.g. a curation file that does not parse
	SourceHits   []SourceCount   `json:"source_hits"`
	LatencyP50Ms float64         `json:"latency_p50_ms"`
	LatencyP95Ms float64         `json:"latency_p95_ms"`
}

// Duration prints as a Go duration in JSON.
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// QuestionCount is a question asked Count times (grouped by the words
// searched for); Example is its most recent wording.
type QuestionCount struct {
	Query   string    `json:"query"`
	Example string    `json:"example"`
	Count   int       `json:"count"`
	Last    time.Time `json:"last"`
}

// RatedAnswer is an answer that got 👎, with the results it showed.
type RatedAnswer struct {
	Question string    `json:"question"`
	Platform string    `json:"platform"`
	Time     time.Time `json:"time"`
	Results  []DocMeta `json:"results"`
}

// SourceCount is a source with the number of answers it appeared in
// and the number of documents it has.
type SourceCount struct {
	Source    string `json:"source"`
	Documents int    `json:"documents"`
	Answers   int    `json:"answers"`
}

// ReportOptions bound a report.
type ReportOptions struct {
	Since      time.Time
	Now        time.Time
	StaleAfter time.Duration // documents not fetched for this long are stale (default 60 days)
	Top        int           // rows per list (default 20)
}

// BuildReport reads the question log, the feedback and the documents.
func BuildReport(ctx context.Context, s *Store, o ReportOptions) (*Report, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 60 * 24 * time.Hour
	}
	if o.Top <= 0 {
		o.Top = 20
	}
	qs, err := s.Questions(ctx, o.Since)
	if err != nil {
		return nil, err
	}
	fb, err := s.FeedbackSince(ctx, o.Since)
	if err != nil {
		return nil, err
	}
	docs := map[string]DocMeta{}
	perSource := map[string]*SourceCount{}
	r := &Report{Since: o.Since, Until: o.Now, Platforms: map[string]int{}, StaleAfter: Duration(o.StaleAfter)}
	err = s.EachMeta(ctx, func(m DocMeta) error {
		docs[m.ID] = m
		sc := perSource[m.Source]
		if sc == nil {
			sc = &SourceCount{Source: m.Source}
			perSource[m.Source] = sc
		}
		sc.Documents++
		if !m.FetchedAt.IsZero() && o.Now.Sub(m.FetchedAt) > o.StaleAfter {
			r.Stale = append(r.Stale, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	top := map[string]*QuestionCount{}
	zero := map[string]*QuestionCount{}
	var lat []time.Duration
	for _, q := range qs {
		r.Questions++
		r.Platforms[q.Platform]++
		lat = append(lat, q.Latency)
		key := normalQuery(q)
		count(top, key, q)
		if q.Zero {
			r.ZeroResults++
			count(zero, key, q)
		}
		seen := map[string]bool{}
		for _, id := range q.ResultIDs {
			if d, ok := docs[id]; ok && !seen[d.Source] {
				seen[d.Source] = true
				perSource[d.Source].Answers++
			}
		}
	}
	r.Top, r.Zero = ranked(top, o.Top), ranked(zero, o.Top)
	for _, f := range fb {
		if f.Rating > 0 {
			r.ThumbsUp++
			continue
		}
		ra := RatedAnswer{Question: f.Question, Platform: f.Platform, Time: f.Time}
		for _, id := range f.ResultIDs {
			d, ok := docs[id]
			if !ok {
				d = DocMeta{ID: id, Title: "(niet meer in de opslag)"}
			}
			ra.Results = append(ra.Results, d)
		}
		r.ThumbsDown = append(r.ThumbsDown, ra)
	}
	sort.SliceStable(r.ThumbsDown, func(i, j int) bool { return r.ThumbsDown[i].Time.After(r.ThumbsDown[j].Time) })
	for _, sc := range perSource {
		r.SourceHits = append(r.SourceHits, *sc)
		if sc.Answers == 0 {
			r.Unused = append(r.Unused, *sc)
		}
	}
	bySource := func(l []SourceCount) {
		sort.Slice(l, func(i, j int) bool {
			if l[i].Answers != l[j].Answers {
				return l[i].Answers > l[j].Answers
			}
			return l[i].Source < l[j].Source
		})
	}
	bySource(r.SourceHits)
	bySource(r.Unused)
	sort.Slice(r.Stale, func(i, j int) bool {
		if !r.Stale[i].FetchedAt.Equal(r.Stale[j].FetchedAt) {
			return r.Stale[i].FetchedAt.Before(r.Stale[j].FetchedAt)
		}
		return r.Stale[i].ID < r.Stale[j].ID
	})
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.LatencyP50Ms, r.LatencyP95Ms = pct(lat, 0.50), pct(lat, 0.95)
	return r, nil
}

// normalQuery groups questions by the words searched for, so "wat werkt
// bij schulden?" and "Schulden" count as one.
func normalQuery(q QuestionEvent) string {
	k := strings.Join(strings.Fields(strings.ToLower(q.Query)), " ")
	if k == "" {
		k = strings.Join(strings.Fields(strings.ToLower(q.Question)), " ")
	}
	return k
}

func count(m map[string]*QuestionCount, key string, q QuestionEvent) {
	c := m[key]
	if c == nil {
		c = &QuestionCount{Query: key}
		m[key] = c
	}
	c.Count++
	if !q.Time.Before(c.Last) {
		c.Last, c.Example = q.Time, q.Question
	}
}

func ranked(m map[string]*QuestionCount, n int) []QuestionCount {
	out := make([]QuestionCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if !out[i].Last.Equal(out[j].Last) {
			return out[i].Last.After(out[j].Last)
		}
		return out[i].Query < out[j].Query
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	return float64(sorted[i].Microseconds()) / 1000
}
