package indexer

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRobotsBasics(t *testing.T) {
	r := ParseRobots([]byte(`# comment
User-agent: watwerkt
Disallow: /privé/
Allow: /privé/open$
Crawl-delay: 2

User-agent: *
Disallow: /zoeken
Disallow: /*.pdf$
Allow: /zoeken/hulp
`))
	tests := []struct {
		agent, url string
		want       bool
	}{
		{"watwerkt", "http://x.nl/zoeken", true}, // own group replaces *
		{"WatWerkt", "http://x.nl/priv%C3%A9/a", false},
		{"watwerkt", "http://x.nl/priv%C3%A9/open", true},
		{"watwerkt", "http://x.nl/priv%c3%a9/open/more", false},
		{"Other", "http://x.nl/zoeken?q=1", false},
		{"Other", "http://x.nl/zoeken/hulp", true},
		{"Other", "http://x.nl/rapport.pdf", false},
		{"Other", "http://x.nl/rapport.pdf?x", true},
	}
	for _, tt := range tests {
		if got := r.Allowed(tt.agent, tt.url); got != tt.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tt.agent, tt.url, got, tt.want)
		}
	}
	if d, ok := r.CrawlDelay("watwerkt"); !ok || d != 2*time.Second {
		t.Errorf("CrawlDelay = %v, %v; want 2s", d, ok)
	}
	if !AllowAll().Allowed("x", "/a") || DisallowAll().Allowed("x", "/a") {
		t.Error("AllowAll/DisallowAll wrong")
	}
}

// TestRobotsConformance runs Google's robots.txt conformance cases from
// ../shared (400 expectations), when that folder is present.
func TestRobotsConformance(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "crawler", "robotstxt-spec-test", "ctc-cases.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("conformance cases not available: %v", err)
	}
	var cases []struct {
		File         string
		RobotsB64    string `json:"robotstxt_b64"`
		Expectations []struct {
			Useragent, Testurl string
			ExpectedOutcome    string `json:"expected_outcome"`
		}
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	total, failed := 0, 0
	for _, c := range cases {
		body, err := base64.StdEncoding.DecodeString(c.RobotsB64)
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		r := ParseRobots(body)
		for _, e := range c.Expectations {
			total++
			want := e.ExpectedOutcome == "ALLOWED"
			if got := r.Allowed(e.Useragent, e.Testurl); got != want {
				failed++
				t.Errorf("%s: Allowed(%q, %q) = %v, want %v", c.File, e.Useragent, e.Testurl, got, want)
			}
		}
	}
	t.Logf("%d of %d expectations hold", total-failed, total)
}
