package indexer

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

func TestPublicAddr(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "0.0.0.0": false, "100.64.0.1": false, "::1": false,
		"fe80::1": false, "fc00::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"224.0.0.1": false, "198.18.0.1": false,
		"93.184.216.34": true, "145.97.39.155": true, "2a00:1450:4001:81b::2004": true,
	}
	for s, want := range tests {
		if got := PublicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestCrawlerRefusesPrivateAddresses: without AllowPrivate the crawler
// does not connect to loopback, whether it is the start URL or where a
// redirect points; nothing is stored.
func TestCrawlerRefusesPrivateAddresses(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write([]byte("<html><body><p>geheim</p></body></html>"))
	}))
	defer srv.Close()
	store := openStore(t)
	c := NewCrawler(store, nil) // AllowPrivate off
	rep, err := c.Crawl(t.Context(), corpus.Source{Name: "Intern", Start: []string{srv.URL + "/"}, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if hits != 0 || rep.Stored() != 0 {
		t.Errorf("loopback reached: %d requests, %d stored", hits, rep.Stored())
	}
	if rep.Skipped[SkipRobots] == 0 {
		t.Errorf("skips %v: want the start URL kept out (robots.txt unreachable → disallow)", rep.SortedSkips())
	}
	// The same site is crawled when private addresses are allowed.
	c.AllowPrivate = true
	if rep, err := c.Crawl(t.Context(), corpus.Source{Name: "Intern", Start: []string{srv.URL + "/"}, Rate: 1000}); err != nil || hits == 0 {
		t.Errorf("with AllowPrivate: %v, %d requests, report %+v", err, hits, rep)
	}
}

func TestSelectors(t *testing.T) {
	page := `<html><head><title>Verkeerde titel</title></head><body>
<div class="kop">Juiste titel</div>
<div class="tekst"><p>Eerste alinea van het artikel.</p><p>Tweede alinea.</p></div>
<span class="wanneer" data-x="1">3 maart 2022</span>
<div class="meta"><span class="status">Lopend</span></div>
<footer>Deel dit artikel</footer></body></html>`
	sel := &corpus.Selectors{Title: ".kop", Body: ".tekst", Date: ".wanneer", Fields: map[string]string{"Status": ".status"}}
	p, err := ExtractWith("https://x.nl/a", []byte(page), "text/html; charset=utf-8", sel)
	if err != nil {
		t.Fatal(err)
	}
	d := p.Doc
	if d.Title != "Juiste titel" || d.Body != "Eerste alinea van het artikel.\n\nTweede alinea." ||
		d.Published.Format("2006-01-02") != "2022-03-03" || d.Fields["Status"] != "Lopend" {
		t.Errorf("got title %q body %q date %v fields %v", d.Title, d.Body, d.Published, d.Fields)
	}
	if d.ContentHash != corpus.HashContent(d.Title, d.Body) {
		t.Errorf("content hash not computed from the selected text")
	}
	if err := CheckSelectors(&corpus.Selectors{Body: "div[", Fields: map[string]string{"x": "p"}}); err == nil || !strings.Contains(err.Error(), "selectors.body") {
		t.Errorf("bad selector: %v", err)
	}
}
