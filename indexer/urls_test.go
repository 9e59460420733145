package indexer

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"host case", "HTTP://WWW.Example.NL/Artikel", "http://www.example.nl/Artikel"},
		{"default http port", "http://example.nl:80/a", "http://example.nl/a"},
		{"default https port", "https://example.nl:443/a", "https://example.nl/a"},
		{"other port kept", "http://example.nl:8080/a", "http://example.nl:8080/a"},
		{"https on port 80 kept", "https://example.nl:80/a", "https://example.nl:80/a"},
		{"fragment", "http://example.nl/a#reageren", "http://example.nl/a"},
		{"utm removed", "http://example.nl/a?utm_source=nb&utm_medium=email&UTM_Campaign=x", "http://example.nl/a"},
		{"session ids removed", "http://example.nl/a?sessionid=1&PHPSESSID=2&jsessionid=3&sid=4&id=7", "http://example.nl/a?id=7"},
		{"click ids removed", "http://example.nl/a?fbclid=1&gclid=2&p=3", "http://example.nl/a?p=3"},
		{"query sorted", "http://example.nl/zoek?q=jeugd&a=1&b=2", "http://example.nl/zoek?a=1&b=2&q=jeugd"},
		{"repeated key keeps value order", "http://example.nl/?t=b&t=a", "http://example.nl/?t=b&t=a"},
		{"query escaping kept", "http://example.nl/?q=een%20gezin&r=a+b", "http://example.nl/?q=een%20gezin&r=a+b"},
		{"query space encoded", "http://example.nl/?q=een gezin", "http://example.nl/?q=een%20gezin"},
		{"encoded slash stays", "http://example.nl/a%2fb", "http://example.nl/a%2Fb"},
		{"unreserved escape decoded", "http://example.nl/%7Ejan/%61", "http://example.nl/~jan/a"},
		{"semicolon in query kept", "http://example.nl/z?q=tl;dr", "http://example.nl/z?q=tl;dr"},
		{"empty value", "http://example.nl/z?b=&a=1", "http://example.nl/z?a=1&b"},
		{"idn host", "http://bücher.example/", "http://xn--bcher-kva.example/"},
		{"trailing dot host", "http://example.nl./a", "http://example.nl/a"},
		{"empty port", "http://example.nl:/a", "http://example.nl/a"},
		{"empty query", "http://example.nl/a?", "http://example.nl/a"},
		{"dot segments", "http://example.nl/a/./b/../c", "http://example.nl/a/c"},
		{"dot segments, trailing slash", "http://example.nl/a/b/../", "http://example.nl/a/"},
		{"double slash", "http://example.nl//a//b", "http://example.nl/a/b"},
		{"trailing slash kept", "http://example.nl/nieuws/", "http://example.nl/nieuws/"},
		{"empty path", "http://example.nl", "http://example.nl/"},
		{"empty path with query", "http://example.nl?x=1", "http://example.nl/?x=1"},
		{"dot segments above root", "http://example.nl/../a", "http://example.nl/a"},
		{"escaped path", "http://example.nl/caf%c3%a9", "http://example.nl/caf%C3%A9"},
		{"white space around", "  http://example.nl/a \n", "http://example.nl/a"},
		{"everything", "HTTPS://Example.NL:443/x/./y/?utm_term=1&b=2&a=1#top", "https://example.nl/x/y/?a=1&b=2"},
	}
	for _, tt := range tests {
		got, err := Canonicalize(tt.in)
		if err != nil {
			t.Errorf("%s: Canonicalize(%q): %v", tt.name, tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: Canonicalize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if again, _ := Canonicalize(got); again != got {
			t.Errorf("%s: not idempotent: %q → %q", tt.name, got, again)
		}
	}
}

func TestCanonicalizeIPv6(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://[::1]:8080/a", "http://[::1]:8080/a"},
		{"http://[::1]:80/a", "http://[::1]/a"},
	}
	for _, tt := range tests {
		got, err := Canonicalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Canonicalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	for _, in := range []string{"http://[::1", "http://a b.nl/", "%zz"} {
		if got, err := Canonicalize(in); err == nil {
			t.Errorf("Canonicalize(%q) = %q, want an error", in, got)
		}
	}
}

// crawlerCommonsDir holds crawler-commons' test resources, read in place
// when they are there (they are not part of this repository).
const crawlerCommonsDir = "../../shared/data/crawler/crawler-commons/src/test/resources"

// canonicalDifferences are the crawler-commons normalisation cases where
// Canonicalize deliberately differs, with the reason.
var canonicalDifferences = map[string]string{
	// We never guess a scheme: links are resolved against their page
	// before they reach Canonicalize, so a schemeless string is a
	// relative reference, not a host.
	"foo.com/index.html": "no scheme guessing",
	// http URLs without a host cannot be fetched; Canonicalize refuses
	// them instead of writing "http:/".
	"http:////":    "hostless http URL is an error",
	"http:///////": "hostless http URL is an error",
	// Only http(s) URLs are crawled; file: URLs are left as parsed.
	"file:/var/www/html/////./bar/index.html":  "file: URLs are not normalised",
	"file:/var/www/html/foo/../bar/index.html": "file: URLs are not normalised",
}

// TestCanonicalizeCrawlerCommons runs crawler-commons' URL normaliser
// table (weirdToNormalizedUrls.csv) and its invalid URLs through
// Canonicalize.
func TestCanonicalizeCrawlerCommons(t *testing.T) {
	dir := filepath.Join(crawlerCommonsDir, "normalizer")
	f, err := os.Open(filepath.Join(dir, "weirdToNormalizedUrls.csv"))
	if err != nil {
		t.Skipf("crawler-commons tables not present: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	checked := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != 2 {
			continue
		}
		in, want := rec[0], strings.TrimSpace(rec[1])
		if why, ok := canonicalDifferences[strings.TrimSpace(in)]; ok {
			t.Logf("deliberate difference for %q: %s", in, why)
			continue
		}
		checked++
		got, err := Canonicalize(in)
		if err != nil {
			t.Errorf("Canonicalize(%q): %v, want %q", in, err, want)
			continue
		}
		if got != want {
			t.Errorf("Canonicalize(%q) = %q, want %q", in, got, want)
		}
		if again, err := Canonicalize(got); err != nil || again != got {
			t.Errorf("not idempotent: %q → %q (%v)", got, again, err)
		}
	}
	if checked < 100 {
		t.Errorf("only %d cases read from the table", checked)
	}

	b, err := os.ReadFile(filepath.Join(dir, "invalidUrls.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if got, err := Canonicalize(line); err == nil {
			t.Errorf("Canonicalize(%q) = %q, want an error", line, got)
		}
	}
}
