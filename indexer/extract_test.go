package indexer

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
)

func startDemo(t *testing.T) *demo.Server {
	t.Helper()
	s, err := demo.Start(t.Context())
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

// fetchPage GETs a URL and extracts it.
func fetchPage(t *testing.T, u string) *Page {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Extract(resp.Request.URL.String(), body, resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Extract(%s): %v", u, err)
	}
	return p
}

var numberedRe = regexp.MustCompile(`^\d{1,3}\. `)

func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstParagraph returns the first plain paragraph of a demo body: the
// first run of lines that are not a heading, list item or quote.
func firstParagraph(body string) string {
	var para []string
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		plain := l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "- ") &&
			!strings.HasPrefix(l, ">") && !numberedRe.MatchString(l)
		if plain {
			para = append(para, l)
		} else if len(para) > 0 {
			break
		}
	}
	return strings.Join(para, " ")
}

// TestExtractDemoPages extracts every content page of the demo sites and
// compares it with the content file it was rendered from.
func TestExtractDemoPages(t *testing.T) {
	s := startDemo(t)
	c := s.Corpus()
	boilerplate := []string{"deel dit artikel", "reageer op dit artikel", "spambots", "cookies accepteren",
		"nieuwsbrief", "verplicht veld", "mooi initiatief, wij herkennen dit", "foto: werkplaats"}
	for _, p := range c.Pages {
		if p.Kind == "toc" {
			continue
		}
		u := s.URL(p.Site) + c.PagePath(p.ID)
		page := fetchPage(t, u)
		d := page.Doc
		if d.Title != p.Title {
			t.Errorf("%s: Title = %q, want %q", p.ID, d.Title, p.Title)
		}
		if !d.Published.Equal(p.Date) {
			t.Errorf("%s: Published = %v, want %v", p.ID, d.Published, p.Date)
		}
		if d.Type == "overzicht" {
			t.Errorf("%s (%s): Type = overzicht, want an article", p.ID, p.Kind)
		}
		if d.Language != "nl" {
			t.Errorf("%s: Language = %q, want nl", p.ID, d.Language)
		}
		if page.NoIndex || page.Canonical != u {
			t.Errorf("%s: NoIndex %v, Canonical %q; want false, %q", p.ID, page.NoIndex, page.Canonical, u)
		}
		if first := fold(firstParagraph(p.Body)); first == "" || !strings.Contains(d.Body, first) {
			t.Errorf("%s: Body lacks the first paragraph %q", p.ID, first)
		}
		lower := strings.ToLower(d.Body)
		for _, b := range boilerplate {
			if strings.Contains(lower, b) {
				t.Errorf("%s: Body contains boilerplate %q", p.ID, b)
			}
		}
		if strings.Contains(d.Body, "\n\n\n") || d.Body != strings.TrimSpace(d.Body) {
			t.Errorf("%s: Body paragraphs not separated by exactly one blank line", p.ID)
		}
		if d.ContentHash != corpus.HashContent(d.Title, d.Body) {
			t.Errorf("%s: ContentHash does not match title and body", p.ID)
		}
		if p.Site != "projecten" && d.Intro != p.Intro {
			t.Errorf("%s: Intro = %q, want %q", p.ID, d.Intro, p.Intro)
		}
		if p.Site != "projecten" && p.Author != "" && d.Author != p.Author {
			t.Errorf("%s: Author = %q, want %q", p.ID, d.Author, p.Author)
		}
		if p.Site != "magazine" && !reflect.DeepEqual(d.Themes, p.Themes) {
			t.Errorf("%s: Themes = %q, want %q", p.ID, d.Themes, p.Themes)
		}
		if p.Site != "werkplaats" && d.Region != p.Region {
			t.Errorf("%s: Region = %q, want %q", p.ID, d.Region, p.Region)
		}
		for _, l := range page.Links {
			if strings.Contains(l, "/print/") || strings.Contains(l, "linkedin.com") || strings.Contains(l, "twitter.com") {
				t.Errorf("%s: Links holds rel=nofollow link %s", p.ID, l)
			}
		}
	}
}

func TestExtractProjectFields(t *testing.T) {
	s := startDemo(t)
	for _, p := range s.Corpus().Site("projecten", "project") {
		d := fetchPage(t, s.URL("projecten")+"/project/"+p.ID).Doc
		want := map[string]string{
			"Status":     p.Status,
			"Startdatum": demo.DutchDate(p.Start),
			"Einddatum":  demo.DutchDate(p.End),
		}
		for k, v := range want {
			if d.Fields[k] != v {
				t.Errorf("%s: Fields[%q] = %q, want %q", p.ID, k, d.Fields[k], v)
			}
		}
		if len(d.Themes) == 0 {
			t.Errorf("%s: no Themes", p.ID)
		}
		if d.Intro == "" {
			t.Errorf("%s: no Intro", p.ID)
		}
	}
}

func TestExtractHubPages(t *testing.T) {
	s := startDemo(t)
	c := s.Corpus()
	hubs := []string{
		s.URL("magazine") + "/",
		s.URL("werkplaats") + "/nieuws",
		s.URL("werkplaats") + "/nieuws?page=2",
		s.URL("werkplaats") + "/programma",
		s.URL("projecten") + "/projecten",
		s.URL("projecten") + "/projecten?pagina=2",
	}
	for _, toc := range c.Site("magazine", "toc") {
		hubs = append(hubs, s.URL("magazine")+"/editie/"+toc.ID)
	}
	for _, u := range hubs {
		if got := fetchPage(t, u).Doc.Type; got != "overzicht" {
			t.Errorf("%s: Type = %q, want overzicht", u, got)
		}
	}
}

func TestExtractNoIndex(t *testing.T) {
	s := startDemo(t)
	for _, u := range []string{s.URL("magazine") + "/over", s.URL("werkplaats") + "/contact", s.URL("projecten") + "/cookies"} {
		p := fetchPage(t, u)
		if !p.NoIndex || p.NoFollow {
			t.Errorf("%s: NoIndex, NoFollow = %v, %v; want true, false", u, p.NoIndex, p.NoFollow)
		}
	}
}

// TestExtractLinks: a table of contents links to its articles, which the
// sitemap lists; share links carry rel=nofollow and are left out.
func TestExtractLinks(t *testing.T) {
	s := startDemo(t)
	base := s.URL("magazine")
	smBody, err := http.Get(base + "/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(smBody.Body)
	smBody.Body.Close()
	sm, err := ParseSitemap(raw)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, u := range sm.URLs {
		listed[u.Loc] = true
	}
	for _, toc := range s.Corpus().Site("magazine", "toc") {
		p := fetchPage(t, base+"/editie/"+toc.ID)
		for _, id := range toc.Items {
			u := base + "/artikel/" + id
			if !listed[u] {
				t.Errorf("sitemap lacks %s", u)
			}
			if !slices.Contains(p.Links, u) {
				t.Errorf("%s: Links lack %s", toc.ID, u)
			}
		}
	}
	art := s.Corpus().Site("magazine", "artikel")[0]
	p := fetchPage(t, base+"/artikel/"+art.ID)
	seen := map[string]bool{}
	for _, l := range p.Links {
		if seen[l] {
			t.Errorf("%s: link %s listed twice", art.ID, l)
		}
		seen[l] = true
		if !strings.HasPrefix(l, "http://") {
			t.Errorf("%s: link %q is not absolute http", art.ID, l)
		}
	}
	if !seen[base+"/"] || !seen[base+"/over"] {
		t.Errorf("%s: Links %v lack the home page or /over", art.ID, p.Links)
	}
}
