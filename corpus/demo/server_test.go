package demo

import (
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func startDemo(t *testing.T) *Server {
	t.Helper()
	s, err := Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// get fetches a URL and returns the status, the header and the body with
// HTML entities decoded, so that tests can look for plain text.
func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestServerRobots(t *testing.T) {
	s := startDemo(t)
	for _, site := range Sites {
		base := s.URL(site.Key)
		code, h, body := get(t, base+"/robots.txt")
		if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			t.Errorf("%s robots.txt: %d %q, want 200 text/plain", site.Key, code, h.Get("Content-Type"))
		}
		for _, want := range []string{"User-agent: *", "Disallow: /print/", "Sitemap: " + base + "/sitemap.xml"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s robots.txt lacks %q:\n%s", site.Key, want, body)
			}
		}
	}
}

func TestServerSitemap(t *testing.T) {
	s := startDemo(t)
	for _, site := range Sites {
		base := s.URL(site.Key)
		code, _, body := get(t, base+"/sitemap.xml")
		if code != http.StatusOK {
			t.Fatalf("%s sitemap: status %d", site.Key, code)
		}
		var sm struct {
			URLs []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(body), &sm); err != nil {
			t.Fatalf("%s sitemap: %v", site.Key, err)
		}
		listed := map[string]string{}
		for _, u := range sm.URLs {
			pu, err := url.Parse(u.Loc)
			if err != nil || pu.Scheme != "http" || "http://"+pu.Host != base {
				t.Errorf("%s sitemap: loc %q is not an absolute URL on %s", site.Key, u.Loc, base)
			}
			listed[u.Loc] = u.LastMod
		}
		pages := s.Corpus().Site(site.Key)
		if len(sm.URLs) != len(pages) {
			t.Errorf("%s sitemap lists %d URLs, want %d", site.Key, len(sm.URLs), len(pages))
		}
		for _, p := range pages {
			loc := base + s.Corpus().PagePath(p.ID)
			lm, ok := listed[loc]
			if !ok {
				t.Errorf("%s sitemap lacks %s", site.Key, loc)
			} else if want := p.Date.Format(time.DateOnly); lm != want {
				t.Errorf("%s sitemap: lastmod of %s = %q, want %q", site.Key, loc, lm, want)
			}
		}
	}
}

func TestServerPages(t *testing.T) {
	s := startDemo(t)
	boilerplate := []string{"Deel dit artikel", "Reageer op dit artikel"}
	everywhere := []string{"Dit e-mailadres wordt beveiligd tegen spambots", `class="cookie-banner"`, "Alle cookies accepteren"}
	for _, p := range s.Corpus().Pages {
		u := s.URL(p.Site) + s.Corpus().PagePath(p.ID)
		code, h, raw := get(t, u)
		if code != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", u, code)
			continue
		}
		if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", u, ct)
		}
		if lm, err := http.ParseTime(h.Get("Last-Modified")); err != nil || !lm.Equal(p.Date) {
			t.Errorf("GET %s: Last-Modified %q, want %s", u, h.Get("Last-Modified"), p.Date.Format(http.TimeFormat))
		}
		body := html.UnescapeString(raw)
		want := append([]string{p.Title, p.Intro}, everywhere...)
		if p.Kind != "toc" {
			want = append(want, boilerplate...)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s (%s): page lacks %q", u, p.Kind, w)
			}
		}
		date := DutchDate(p.Date)
		if p.Site == "werkplaats" {
			date = werkplaatsDate(p.Date)
		}
		if !strings.Contains(body, date) {
			t.Errorf("GET %s: page lacks the date %q", u, date)
		}
	}
}

// werkplaatsDate is how the werkplaats template writes a date, in the
// style of its CMS: "Gepubliceerd: vrijdag 26 November 2021".
func werkplaatsDate(d time.Time) string {
	days := []string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	months := []string{"Januari", "Februari", "Maart", "April", "Mei", "Juni", "Juli",
		"Augustus", "September", "Oktober", "November", "December"}
	return fmt.Sprintf("Gepubliceerd: %s %d %s %d", days[d.Weekday()], d.Day(), months[d.Month()-1], d.Year())
}

func TestServerProjectPages(t *testing.T) {
	s := startDemo(t)
	projects := s.Corpus().Site("projecten", "project")
	if len(projects) == 0 {
		t.Fatal("no projects")
	}
	for _, p := range projects {
		_, _, raw := get(t, s.URL("projecten")+"/project/"+p.ID)
		body := html.UnescapeString(raw)
		want := []string{
			"<th>Status</th><td class=\"status\">" + p.Status + "</td>",
			"<th>Startdatum</th><td>" + DutchDate(p.Start) + "</td>",
			"<th>Einddatum</th><td>" + DutchDate(p.End) + "</td>",
			"<th>Thema's</th><td>" + strings.Join(p.Themes, ", ") + "</td>",
		}
		for _, c := range p.Contacts {
			want = append(want, c.Name)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("project %s lacks %q", p.ID, w)
			}
		}
		if p.Status != "Lopend" && p.Status != "Beëindigd" {
			t.Errorf("project %s: status %q, want Lopend or Beëindigd", p.ID, p.Status)
		}
	}
}

func TestServerOtherPages(t *testing.T) {
	s := startDemo(t)
	nProjects := len(s.Corpus().Site("projecten", "project"))
	lastPage := (nProjects + pageSize - 1) / pageSize
	tests := []struct {
		site, path string
		want       []string
	}{
		{"magazine", "/", []string{"Jeugd in Beeld", "/editie/"}},
		{"magazine", "/over", []string{`content="noindex`}},
		{"werkplaats", "/", []string{"Laatste nieuws", "/nieuws/"}},
		{"werkplaats", "/nieuws", []string{"Nieuws", "/nieuws?page=2"}},
		{"werkplaats", "/nieuws?page=2", []string{"/nieuws?page=1"}},
		{"werkplaats", "/programma", []string{"Programma's", "/programma/"}},
		{"werkplaats", "/agenda?maand=2024-05", []string{"Agenda 2024-05", "/agenda?maand=2024-06"}},
		{"werkplaats", "/contact", []string{"noindex"}},
		{"projecten", "/", []string{"Projectenbank Jeugd", "/projecten"}},
		{"projecten", "/projecten", []string{fmt.Sprintf("%d projecten gevonden", nProjects), "pagina=2"}},
		{"projecten", fmt.Sprintf("/projecten?pagina=%d", lastPage), []string{fmt.Sprintf("pagina=%d", lastPage-1)}},
		{"projecten", "/zoeken", []string{"Uitgebreid zoeken"}},
	}
	for _, tt := range tests {
		u := s.URL(tt.site) + tt.path
		code, _, raw := get(t, u)
		if code != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", u, code)
			continue
		}
		body := html.UnescapeString(raw)
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: page lacks %q", u, w)
			}
		}
	}
}

func TestServerNotFound(t *testing.T) {
	s := startDemo(t)
	c := s.Corpus()
	article := c.Site("magazine", "artikel")[0].ID
	project := c.Site("projecten", "project")[0].ID
	news := c.Site("werkplaats", "nieuws")[0].ID
	tests := []struct{ site, path string }{
		{"magazine", "/bestaat-niet"},
		{"magazine", "/artikel/bestaat-niet"},
		{"magazine", "/artikel/" + project},   // a page of another site
		{"magazine", "/editie/" + article},    // an article is no edition
		{"werkplaats", "/programma/" + news},  // news under the wrong kind
		{"werkplaats", "/artikel/" + article}, // path of another site
		{"projecten", "/project/" + article},
		{"projecten", "/projecten?pagina=999"}, // past the last page
		{"projecten", "/project/"},
	}
	for _, tt := range tests {
		u := s.URL(tt.site) + tt.path
		if code, _, _ := get(t, u); code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", u, code)
		}
	}
}

func TestServerMethods(t *testing.T) {
	s := startDemo(t)
	for _, site := range Sites {
		u := s.URL(site.Key) + "/"
		resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("reactie=hoi"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: status %d, want 405", u, resp.StatusCode)
		}
		resp, err = http.Head(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: status %d, want 200", u, resp.StatusCode)
		}
	}
}

func TestServerSources(t *testing.T) {
	s := startDemo(t)
	srcs := s.Sources()
	if len(srcs) != len(Sites) {
		t.Fatalf("got %d sources, want %d", len(srcs), len(Sites))
	}
	for i, src := range srcs {
		site := Sites[i]
		base := s.URL(site.Key)
		if src.Name != site.Name || src.Defaults.Type != site.Type {
			t.Errorf("source %d = %q (%q), want %q (%q)", i, src.Name, src.Defaults.Type, site.Name, site.Type)
		}
		if len(src.Start) != 1 || src.Start[0] != base+"/" || len(src.Sitemaps) != 1 || src.Sitemaps[0] != base+"/sitemap.xml" {
			t.Errorf("source %q: start %v, sitemaps %v; want %s/ and %s/sitemap.xml", src.Name, src.Start, src.Sitemaps, base, base)
		}
	}
}
