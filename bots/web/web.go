// Package web is watwerkt's HTTP front end: the JSON search API, the
// health check, the Prometheus metrics and the curators' web page that
// `watwerkt serve` offers.
// It depends on a small Index interface, not on the search engine.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/corpus"
)

// Query is one API search.
type Query struct {
	Text    string
	Filters map[string]string
	Limit   int
	Offset  int
	Explain bool // add each hit's score explanation
	Facets  bool // count matches per source, theme and year
}

// Curator changes the curation file on behalf of a signed-in curator;
// the running service applies the change without a restart.
type Curator interface {
	// Pin puts the document (its URL) first for questions about the same
	// topic as question.
	Pin(ctx context.Context, question, docURL string) error
	// Unpin takes back a pin of the document for the question's topic.
	Unpin(ctx context.Context, question, docURL string) error
	// Hide keeps the document (its URL) out of every answer.
	Hide(ctx context.Context, docURL string) error
}

// Status describes the index being served.
type Status struct {
	Version   string
	Documents uint64
	BuiltAt   time.Time
}

// Index is what the API needs from the search engine.
type Index interface {
	Search(ctx context.Context, q Query) (*bots.SearchJSON, error)
	Status() (Status, bool)
}

// ErrNotReady is returned by Index.Search while no index is served.
var ErrNotReady = errors.New("no index served")

// Limits of the API.
const (
	MaxQueryBytes = 2000
	MaxLimit      = 50
	MaxOffset     = 1000
	DefaultLimit  = 10
)

// Server serves the HTTP API.
type Server struct {
	idx     Index
	log     *slog.Logger
	m       *Metrics
	timeout time.Duration

	// Recorder, when set, logs first-page API questions (platform "web").
	Recorder bots.Recorder
	// Problems, when set, lists configuration problems for /healthz (a
	// curation file that does not parse and so is not in force).
	Problems func() []string

	// The curators' web page. Curator and Report may be nil (their parts
	// of the page are then absent). CuratorToken is the secret a curator
	// signs in with (WATWERKT_CURATOR_TOKEN); empty disables signing in,
	// so pin, hide and the report are unavailable.
	Curator      Curator
	Report       func(ctx context.Context) (*corpus.Report, error)
	CuratorToken string
}

// New returns a server for idx that records its metrics in m.
func New(idx Index, m *Metrics, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{idx: idx, log: log, m: m, timeout: 5 * time.Second}
}

// Handler routes the API and the web page. Each call makes a new
// signing key for curator sessions, so call it once per process.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/search", s.search)
	mux.HandleFunc("/healthz", s.health)
	mux.Handle("/metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}))
	s.routeUI(mux)
	return secure(mux)
}

// secure adds the headers every response carries and allows only reads,
// except for the curators' form posts under /curator/. HTML pages widen
// the Content-Security-Policy set here for themselves (see htmlHeaders).
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'")
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/curator/") {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{"Alleen GET is toegestaan."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

var filterKeys = map[string]bool{
	"bron": true, "source": true, "thema": true, "theme": true, "regio": true, "region": true,
	"jaar": true, "year": true, "type": true,
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q, msg := parseQuery(r)
	if msg != "" {
		s.m.queries.WithLabelValues("bad_request").Inc()
		writeJSON(w, http.StatusBadRequest, errorBody{msg})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	res, err := s.idx.Search(ctx, q)
	s.m.latency.Observe(time.Since(start).Seconds())
	switch {
	case errors.Is(err, ErrNotReady):
		s.m.queries.WithLabelValues("unavailable").Inc()
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"Er is nog geen index; probeer het zo opnieuw."})
		return
	case err != nil:
		s.m.queries.WithLabelValues("error").Inc()
		s.log.Error("api search failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{"Er ging iets mis bij het zoeken."})
		return
	}
	outcome := "hits"
	if res.Total == 0 {
		outcome = "empty"
	}
	s.m.queries.WithLabelValues(outcome).Inc()
	if s.Recorder != nil && q.Offset == 0 {
		e := corpus.QuestionEvent{Platform: "web", Question: q.Text, Query: res.Query, Total: res.Total,
			Latency: time.Since(start), Zero: res.Total == 0}
		for _, h := range res.Hits {
			e.ResultIDs = append(e.ResultIDs, h.ID)
		}
		if err := s.Recorder.LogQuestion(ctx, e); err != nil {
			s.log.Warn("question log", "err", err)
		}
	}
	writeJSON(w, http.StatusOK, res)
}

// parseQuery reads q, limit, offset and filter (repeatable, "k:v" or
// "k=v"). A non-empty message is the Dutch reason for a 400.
func parseQuery(r *http.Request) (Query, string) {
	v := r.URL.Query()
	q := Query{Text: v.Get("q"), Limit: DefaultLimit, Filters: map[string]string{}}
	if len(q.Text) > MaxQueryBytes {
		return q, "De vraag is te lang (maximaal 2000 tekens)."
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return q, "limit moet een getal van 1 tot en met 50 zijn."
		}
		q.Limit = n
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > MaxOffset {
			return q, "offset moet een getal van 0 tot en met 1000 zijn."
		}
		q.Offset = n
	}
	for _, f := range v["filter"] {
		k, val, ok := strings.Cut(f, ":")
		if !ok {
			k, val, ok = strings.Cut(f, "=")
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || !filterKeys[k] || strings.TrimSpace(val) == "" {
			return q, "filter moet de vorm sleutel:waarde hebben, met sleutel bron, thema, regio, jaar of type."
		}
		q.Filters[k] = strings.TrimSpace(val)
	}
	if strings.TrimSpace(q.Text) == "" && len(q.Filters) == 0 {
		return q, "Geef een vraag mee, bijvoorbeeld ?q=wachtlijst+jeugd-ggz."
	}
	return q, ""
}

type health struct {
	Status     string   `json:"status"`
	Version    string   `json:"version,omitempty"`
	Documents  uint64   `json:"documents"`
	AgeSeconds float64  `json:"age_seconds"`
	Problems   []string `json:"problems,omitempty"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	var problems []string
	if s.Problems != nil {
		problems = s.Problems()
	}
	st, ok := s.idx.Status()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, health{Status: "geen index", Problems: problems})
		return
	}
	// Problems do not make the service unhealthy: it answers, with the
	// settings that were last valid.
	writeJSON(w, http.StatusOK, health{Status: "ok", Version: st.Version, Documents: st.Documents,
		AgeSeconds: time.Since(st.BuiltAt).Round(time.Second).Seconds(), Problems: problems})
}

// Metrics are the counters and gauges of a serving process.
type Metrics struct {
	reg     *prometheus.Registry
	queries *prometheus.CounterVec
	latency prometheus.Histogram
	// CrawlPages counts crawled pages by source and result (added,
	// updated, unchanged, skipped, error).
	CrawlPages *prometheus.CounterVec
	// BotMessages counts chat messages by platform and outcome.
	BotMessages *prometheus.CounterVec
}

// NewMetrics registers watwerkt's metrics, and gauges that read the
// served index's status, in a new registry.
func NewMetrics(idx Index) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watwerkt_queries_total", Help: "API searches by outcome (hits, empty, bad_request, unavailable, error).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "watwerkt_query_duration_seconds", Help: "Time to answer an API search.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}),
		CrawlPages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watwerkt_crawl_pages_total", Help: "Crawled pages by source and result.",
		}, []string{"source", "result"}),
		BotMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watwerkt_bot_messages_total", Help: "Chat messages answered by platform and outcome.",
		}, []string{"platform", "outcome"}),
	}
	reg.MustRegister(m.queries, m.latency, m.CrawlPages, m.BotMessages,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "watwerkt_index_documents", Help: "Documents in the served index version.",
		}, func() float64 {
			st, _ := idx.Status()
			return float64(st.Documents)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "watwerkt_index_age_seconds", Help: "Age of the served index version.",
		}, func() float64 {
			st, ok := idx.Status()
			if !ok {
				return 0
			}
			return time.Since(st.BuiltAt).Seconds()
		}),
		&versionCollector{idx: idx, desc: prometheus.NewDesc("watwerkt_index_info",
			"The served index version (value 1).", []string{"version"}, nil)},
	)
	return m
}

// versionCollector exports the served version as a label.
type versionCollector struct {
	idx  Index
	desc *prometheus.Desc
}

func (c *versionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *versionCollector) Collect(ch chan<- prometheus.Metric) {
	if st, ok := c.idx.Status(); ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 1, st.Version)
	}
}
