package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
)

type fakeIndex struct {
	mu    sync.Mutex
	ready bool
	fail  bool
	last  Query
}

func (f *fakeIndex) Search(ctx context.Context, q Query) (*bots.SearchJSON, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = q
	switch {
	case !f.ready:
		return nil, ErrNotReady
	case f.fail:
		return nil, errors.New("disk on fire: /var/lib/secret")
	case q.Text == "niets":
		return &bots.SearchJSON{Query: q.Text, Hits: []bots.JSONHit{}}, nil
	}
	return &bots.SearchJSON{Query: q.Text, Total: 1, Hits: []bots.JSONHit{{ID: "a", Title: "Titel", URL: "https://x.nl/a",
		Source: "Bron", Published: "2021-11-26", Score: 1.5, Snippet: "de **wachtlijst**"}}}, nil
}

func (f *fakeIndex) Status() (Status, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.ready {
		return Status{}, false
	}
	return Status{Version: "v20261123T000000.000000", Documents: 43, BuiltAt: time.Now().Add(-time.Hour)}, true
}

func newTest(t *testing.T, idx *fakeIndex) *httptest.Server {
	srv := httptest.NewServer(New(idx, NewMetrics(idx), nil).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestSearchAPI(t *testing.T) {
	idx := &fakeIndex{ready: true}
	srv := newTest(t, idx)
	code, body, h := get(t, srv.URL+"/api/search?q=wachtlijst&limit=3&filter=bron:Jeugd+in+Beeld&filter=jaar=2021")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var res bots.SearchJSON
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.Total != 1 || res.Hits[0].Snippet != "de **wachtlijst**" {
		t.Errorf("body %s (%v)", body, err)
	}
	if idx.last.Limit != 3 || idx.last.Filters["bron"] != "Jeugd in Beeld" || idx.last.Filters["jaar"] != "2021" {
		t.Errorf("query passed on as %+v", idx.last)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", h)
	}
}

func TestSearchAPIBadRequests(t *testing.T) {
	srv := newTest(t, &fakeIndex{ready: true})
	tests := []struct {
		query string
		code  int
		want  string
	}{
		{"", 400, "Geef een vraag"},
		{"q=+++", 400, "Geef een vraag"},
		{"q=x&limit=0", 400, "limit"},
		{"q=x&limit=51", 400, "limit"},
		{"q=x&limit=abc", 400, "limit"},
		{"q=x&offset=-1", 400, "offset"},
		{"q=x&filter=kleur:rood", 400, "filter"},
		{"q=x&filter=bron", 400, "filter"},
		{"q=" + url.QueryEscape(strings.Repeat("a", MaxQueryBytes+1)), 400, "te lang"},
		{"q=niets", 200, `"total":0`},
		{"filter=thema:lvb", 200, `"total":1`},
	}
	for _, tt := range tests {
		code, body, _ := get(t, srv.URL+"/api/search?"+tt.query)
		if code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("?%.40s: %d %s; want %d and %q", tt.query, code, body, tt.code, tt.want)
		}
	}
	resp, err := http.Post(srv.URL+"/api/search?q=x", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestSearchAPIUnavailableAndErrors(t *testing.T) {
	idx := &fakeIndex{}
	srv := newTest(t, idx)
	if code, body, _ := get(t, srv.URL+"/api/search?q=x"); code != 503 || !strings.Contains(body, "nog geen index") {
		t.Errorf("no index: %d %s", code, body)
	}
	if code, body, _ := get(t, srv.URL+"/healthz"); code != 503 || !strings.Contains(body, "geen index") {
		t.Errorf("healthz without index: %d %s", code, body)
	}
	idx.mu.Lock()
	idx.ready, idx.fail = true, true
	idx.mu.Unlock()
	code, body, _ := get(t, srv.URL+"/api/search?q=x")
	if code != 500 || strings.Contains(body, "secret") || strings.Contains(body, "fire") {
		t.Errorf("internal error leaks or wrong status: %d %s", code, body)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	idx := &fakeIndex{ready: true}
	srv := newTest(t, idx)
	code, body, _ := get(t, srv.URL+"/healthz")
	var h health
	if err := json.Unmarshal([]byte(body), &h); code != 200 || err != nil || h.Version == "" || h.Documents != 43 || h.AgeSeconds < 3500 {
		t.Errorf("healthz: %d %s", code, body)
	}
	get(t, srv.URL+"/api/search?q=wachtlijst")
	get(t, srv.URL+"/api/search?q=niets")
	get(t, srv.URL+"/api/search?limit=0")
	code, body, _ = get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`watwerkt_queries_total{outcome="hits"} 1`,
		`watwerkt_queries_total{outcome="empty"} 1`,
		`watwerkt_queries_total{outcome="bad_request"} 1`,
		"watwerkt_query_duration_seconds_bucket",
		"watwerkt_index_documents 43",
		`watwerkt_index_info{version="v20261123T000000.000000"} 1`,
		"watwerkt_index_age_seconds",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code != 200 {
		t.Errorf("metrics status %d", code)
	}
}
