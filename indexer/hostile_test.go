package indexer

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// fakeDNS makes the crawler's transport resolve names the way a hostile
// DNS server would: public.example is a "public" web server (the test
// server, dialled without the guard, as a real public site would be),
// and the other names answer with loopback, private and cloud-metadata
// addresses. Those go through the crawler's own guarded dialer, which
// checks the address after resolution — nothing here reaches a network.
func fakeDNS(t *testing.T, c *Crawler, public, loopback string) {
	t.Helper()
	tr := c.Client.Transport.(*http.Transport)
	guarded := tr.DialContext
	answers := map[string]string{
		"rebind.example:80":   loopback,
		"intern.example:80":   "10.0.0.1:80",
		"metadata.example:80": "169.254.169.254:80",
		"v6.example:80":       "[::ffff:127.0.0.1]:" + loopback[strings.LastIndex(loopback, ":")+1:],
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "public.example:80" {
			var d net.Dialer
			return d.DialContext(ctx, network, public)
		}
		if a, ok := answers[addr]; ok {
			addr = a
		}
		return guarded(ctx, network, addr)
	}
}

// TestHostileWeb collects the ways a page or a DNS answer can steer the
// crawler into the network it runs in: start URLs and redirects to
// loopback, 10.0.0.0/8 and 169.254.169.254, directly and by name. All
// are refused unless AllowPrivate is set, and nothing is stored.
func TestHostileWeb(t *testing.T) {
	var internalHits atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<html><head><title>Intern</title></head><body><article><p>%s</p></article></body></html>",
			strings.Repeat("Vertrouwelijke interne gegevens die nooit in de index mogen komen. ", 10))
	}))
	defer internal.Close()
	loop := internal.Listener.Addr().String()

	// The "public" site: robots.txt allows all; each path redirects
	// somewhere hostile.
	targets := map[string]string{
		"/naar-loopback":        internal.URL + "/geheim",
		"/naar-rebind":          "http://rebind.example/geheim",
		"/naar-intern":          "http://intern.example/geheim",
		"/naar-metadata":        "http://169.254.169.254/latest/meta-data/",
		"/naar-metadata-naam":   "http://metadata.example/latest/meta-data/",
		"/naar-v6-mapped":       "http://v6.example/geheim",
		"/naar-ipv6-loopback":   "http://[::1]:" + loop[strings.LastIndex(loop, ":")+1:] + "/geheim",
		"/naar-0.0.0.0":         "http://0.0.0.0:" + loop[strings.LastIndex(loop, ":")+1:] + "/geheim",
		"/naar-verkeerd-schema": "file:///etc/passwd",
	}
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
			return
		}
		if to, ok := targets[r.URL.Path]; ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		http.NotFound(w, r)
	}))
	defer public.Close()

	cases := []struct {
		name, start string
	}{
		{"start on loopback", internal.URL + "/geheim"},
		{"start on a name that resolves to loopback", "http://rebind.example/geheim"},
		{"start on a name that resolves to 10.0.0.1", "http://intern.example/geheim"},
		{"start on the metadata address", "http://169.254.169.254/latest/meta-data/"},
		{"start on a name that resolves to the metadata address", "http://metadata.example/latest/meta-data/"},
	}
	for path := range targets {
		cases = append(cases, struct{ name, start string }{"redirect " + path, "http://public.example" + path})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			internalHits.Store(0)
			c := NewCrawler(openStore(t), nil)
			fakeDNS(t, c, public.Listener.Addr().String(), loop)
			// The redirect's target host is made part of the source, so
			// that only the address guard — not the scope rule, which
			// refuses redirects to other hosts anyway — can stop it.
			start := []string{tc.start}
			if u, err := url.Parse(targets[strings.TrimPrefix(tc.start, "http://public.example")]); err == nil && u.Host != "" {
				start = append(start, u.Scheme+"://"+u.Host+"/")
			}
			rep, err := c.Crawl(t.Context(), corpus.Source{Name: "Vijandig", Start: start, Rate: 1000, MaxDepth: 1})
			if err != nil {
				t.Fatal(err)
			}
			if n := internalHits.Load(); n != 0 || rep.Stored() != 0 {
				t.Errorf("internal server reached %d times, %d documents stored; report %+v", n, rep.Stored(), rep)
			}
		})
	}

	// With AllowPrivate the loopback redirect is followed: the refusal
	// above is the guard's doing, not a broken fetch.
	c := NewCrawler(openStore(t), nil)
	c.AllowPrivate = true
	fakeDNS(t, c, public.Listener.Addr().String(), loop)
	rep, err := c.Crawl(t.Context(), corpus.Source{Name: "Toegestaan", Start: []string{"http://public.example/naar-rebind", "http://rebind.example/"}, Rate: 1000, MaxDepth: 1})
	if err != nil || internalHits.Load() == 0 || rep.Stored() != 1 {
		t.Errorf("with AllowPrivate: err %v, %d internal hits, %d stored", err, internalHits.Load(), rep.Stored())
	}
}
