package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestLoadgen(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/search" || r.URL.Query().Get("q") == "" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		if n.Add(1)%10 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"query":"x","total":0,"hits":[]}`))
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{"--url", srv.URL, "--clients", "3", "--duration", "200ms"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "3 clients") || !strings.Contains(s, "req/s") || strings.Contains(s, " 0 failed") {
		t.Errorf("report %q: want clients, rate and the injected failures", s)
	}
}
