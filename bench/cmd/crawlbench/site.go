package main

import (
	"fmt"
	"html/template"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/search"
)

// articleSite serves dekamer answers as a small publication site: a home
// page and an archive that link to the articles, robots.txt with a
// sitemap, and article pages with the navigation, related links and
// footer real pages carry around their text.
type articleSite struct {
	docs []search.EvalDoc
	mux  *http.ServeMux
}

func newArticleSite(corpusPath string, pages int) (*articleSite, error) {
	f, err := os.Open(corpusPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []search.EvalDoc
	err = search.ReadJSONL(f, corpusPath, func(d search.EvalDoc) error {
		all = append(all, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := &articleSite{mux: http.NewServeMux()}
	for _, d := range all {
		if len(strings.Fields(string(d.Text))) >= 80 && len(s.docs) < pages {
			s.docs = append(s.docs, d)
		}
	}
	if len(s.docs) < pages {
		return nil, fmt.Errorf("generated site: %d answers long enough, want %d pages", len(s.docs), pages)
	}
	s.mux.HandleFunc("GET /robots.txt", s.robots)
	s.mux.HandleFunc("GET /sitemap.xml", s.sitemap)
	s.mux.HandleFunc("GET /{$}", s.archive)
	s.mux.HandleFunc("GET /archief/{page}", s.archive)
	s.mux.HandleFunc("GET /artikel/{n}", s.article)
	// Service pages: linked from every page, too short to be stored.
	for _, p := range []string{"/contact", "/privacy", "/cookies", "/toegankelijkheid"} {
		s.mux.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) {
			render(w, serviceTmpl, map[string]any{"Title": strings.TrimPrefix(p, "/")})
		})
	}
	return s, nil
}

func (s *articleSite) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *articleSite) robots(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "User-agent: *\nDisallow: /zoeken\n\nSitemap: http://%s/sitemap.xml\n", r.Host)
}

func (s *articleSite) sitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+"\n")
	for i := range s.docs {
		fmt.Fprintf(w, "<url><loc>http://%s/artikel/%d</loc><lastmod>%s</lastmod></url>\n", r.Host, i, published(i).Format("2006-01-02"))
	}
	fmt.Fprint(w, "</urlset>\n")
}

const perArchivePage = 50

func (s *articleSite) archive(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.PathValue("page"))
	first := page * perArchivePage
	if first >= len(s.docs) || page < 0 {
		http.NotFound(w, r)
		return
	}
	var items []link
	for i := first; i < min(first+perArchivePage, len(s.docs)); i++ {
		items = append(items, link{fmt.Sprintf("/artikel/%d", i), string(s.docs[i].Title)})
	}
	data := map[string]any{"Page": page, "Items": items}
	if first+perArchivePage < len(s.docs) {
		data["Next"] = fmt.Sprintf("/archief/%d", page+1)
	}
	render(w, archiveTmpl, data)
}

type link struct{ URL, Title string }

func (s *articleSite) article(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(s.docs) {
		http.NotFound(w, r)
		return
	}
	d := s.docs[n]
	var related []link
	for _, k := range []int{n + 1, n + 7, n + 31} {
		k %= len(s.docs)
		related = append(related, link{fmt.Sprintf("/artikel/%d", k), string(s.docs[k].Title)})
	}
	render(w, articleTmpl, map[string]any{
		"Title":      string(d.Title),
		"Date":       dutchDate(published(n)),
		"Paragraphs": paragraphs(string(d.Text)),
		"Related":    related,
	})
}

// published gives article n a fixed date, so re-runs crawl the same site.
func published(n int) time.Time {
	return time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%900)
}

var months = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

func dutchDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// paragraphs cuts an answer into paragraphs of about three sentences.
func paragraphs(text string) []string {
	var out []string
	var cur []string
	for _, s := range strings.SplitAfter(text, ". ") {
		cur = append(cur, s)
		if len(cur) == 3 {
			out = append(out, strings.Join(cur, ""))
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, ""))
	}
	return out
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

const pageHead = `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{{.Title}} | Kamervragen</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header class="site-header"><a href="/">Kamervragen</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/archief/0">Archief</a></li><li><a href="/zoeken">Zoeken</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>`

const pageFoot = `<footer><p>Deze site is een benchmark-testsite met antwoorden op parlementaire vragen.</p>
<ul><li><a href="/privacy">Privacy</a></li><li><a href="/cookies">Cookies</a></li><li><a href="/toegankelijkheid">Toegankelijkheid</a></li></ul></footer></body></html>`

var archiveTmpl = template.Must(template.New("archive").Parse(
	strings.Replace(pageHead, "{{.Title}}", "Archief", 1) + `
<main><h1>Archief, pagina {{.Page}}</h1><ul class="list">{{range .Items}}
<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}</ul>
{{with .Next}}<a rel="next" href="{{.}}">Volgende pagina</a>{{end}}</main>` + pageFoot))

var articleTmpl = template.Must(template.New("article").Parse(pageHead + `
<div class="breadcrumbs"><a href="/">Home</a> › <a href="/archief/0">Archief</a> › {{.Title}}</div>
<main><article><h1>{{.Title}}</h1><p class="meta">Gepubliceerd op <time>{{.Date}}</time></p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}</article>
<aside><h2>Lees ook</h2><ul>{{range .Related}}<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}</ul></aside></main>` + pageFoot))

var serviceTmpl = template.Must(template.New("service").Parse(pageHead + `
<main><h1>{{.Title}}</h1><p>Neem voor vragen contact op met de redactie.</p></main>` + pageFoot))
