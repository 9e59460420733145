package demo

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// SiteInfo describes one demo site.
type SiteInfo struct {
	Key   string            // magazine, werkplaats, projecten
	Name  string            // the source name shown in answers
	Type  string            // the default document type
	Types map[string]string // URL pattern → type
}

// Sites lists the demo sites in a fixed order.
var Sites = []SiteInfo{
	{Key: "magazine", Name: "Jeugd in Beeld", Type: "artikel"},
	{Key: "werkplaats", Name: "Academische Werkplaats Jeugd Rivierenland", Type: "nieuws",
		Types: map[string]string{"/programma/": "programma", "/nieuws/": "nieuws"}},
	{Key: "projecten", Name: "Projectenbank Jeugd", Type: "project"},
}

// Server serves the demo sites, one loopback listener each.
type Server struct {
	corpus  *Corpus
	servers []*http.Server
	urls    map[string]string // site key → base URL
}

// Start parses the embedded corpus and serves every site on 127.0.0.1:0.
// Close stops the servers.
func Start(ctx context.Context) (*Server, error) {
	c, err := Load()
	if err != nil {
		return nil, err
	}
	s := &Server{corpus: c, urls: map[string]string{}}
	for _, site := range Sites {
		h, err := newSiteHandler(c, site.Key)
		if err != nil {
			s.Close(ctx)
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close(ctx)
			return nil, fmt.Errorf("start demo site %s: %w", site.Key, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		s.servers = append(s.servers, srv)
		s.urls[site.Key] = "http://" + ln.Addr().String()
		go srv.Serve(ln)
	}
	return s, nil
}

// URL returns the base URL of a site ("http://127.0.0.1:port").
func (s *Server) URL(site string) string { return s.urls[site] }

// Corpus returns the parsed corpus being served.
func (s *Server) Corpus() *Corpus { return s.corpus }

// Sources returns a crawl source for every demo site: the home page as the
// start URL and the site's sitemap, the same kind of entry a real site gets
// in watwerkt.toml.
func (s *Server) Sources() []corpus.Source {
	var out []corpus.Source
	for _, site := range Sites {
		base := s.urls[site.Key]
		src := corpus.Source{
			Name:     site.Name,
			Start:    []string{base + "/"},
			Sitemaps: []string{base + "/sitemap.xml"},
			Rate:     500, // loopback: politeness is not the point here
			Defaults: corpus.Defaults{Type: site.Type},
			Types:    site.Types,
		}
		if err := src.Validate(); err != nil {
			panic(err) // a programming error: the values above are fixed
		}
		out = append(out, src)
	}
	return out
}

// Close shuts the sites down.
func (s *Server) Close(ctx context.Context) error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// pageData is what a site template gets.
type pageData struct {
	Canonical  string
	Page       *Page
	Editions   []*Page // magazine
	Programmes []*Page // werkplaats
	Latest     []*Page
	List       []*Page
	ListTitle  string
	ListTotal  int
	PrevPage   int
	NextPage   int
	Calendar   string
	NextMonth  string
	Search     bool
}

const pageSize = 6

type siteHandler struct {
	c    *Corpus
	site string
	tmpl *template.Template
}

func newSiteHandler(c *Corpus, site string) (http.Handler, error) {
	funcs := template.FuncMap{
		"dutchdate": DutchDate,
		"capdate": func(t time.Time) string {
			d := DutchDate(t)
			parts := strings.SplitN(d, " ", 3)
			if len(parts) == 3 && parts[1] != "" {
				parts[1] = strings.ToUpper(parts[1][:1]) + parts[1][1:]
			}
			return strings.Join(parts, " ")
		},
		"weekday": func(t time.Time) string { return weekdaysNL[t.Weekday()] },
		"body":    renderBody,
		"items": func(p *Page) []*Page {
			var out []*Page
			for _, id := range p.Items {
				out = append(out, c.Page(id))
			}
			return out
		},
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
	}
	t, err := template.New(site).Funcs(funcs).ParseFS(files, "templates/common.html", "templates/"+site+".html")
	if err != nil {
		return nil, fmt.Errorf("demo site %s: %w", site, err)
	}
	return &siteHandler{c: c, site: site, tmpl: t}, nil
}

func (h *siteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	base := "http://" + r.Host
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, robots[h.site])
		fmt.Fprintf(w, "\nSitemap: %s/sitemap.xml\n", base)
		return
	case p == "/sitemap.xml":
		h.sitemap(w, base)
		return
	}
	data := pageData{Canonical: base + p}
	data.Editions = h.c.Site("magazine", "toc")
	data.Programmes = h.c.Site("werkplaats", "programma")
	switch h.site {
	case "magazine":
		switch {
		case p == "/":
		case strings.HasPrefix(p, "/artikel/"):
			data.Page = h.page(strings.TrimPrefix(p, "/artikel/"), "artikel")
		case strings.HasPrefix(p, "/editie/"):
			data.Page = h.page(strings.TrimPrefix(p, "/editie/"), "toc")
		case strings.HasPrefix(p, "/print/"):
			data.Page = h.page(strings.TrimPrefix(p, "/print/"), "artikel")
		case p == "/over", p == "/privacy", p == "/zoeken":
			h.plain(w, p)
			return
		}
	case "werkplaats":
		switch {
		case p == "/":
			data.Latest = first(h.c.Site("werkplaats", "nieuws"), 3)
		case p == "/programma":
			data.List, data.ListTitle = h.c.Site("werkplaats", "programma"), "Programma's"
		case strings.HasPrefix(p, "/programma/"):
			data.Page = h.page(strings.TrimPrefix(p, "/programma/"), "programma")
		case p == "/nieuws":
			h.paginate(&data, h.c.Site("werkplaats", "nieuws"), r.URL.Query().Get("page"))
			data.ListTitle = "Nieuws"
		case strings.HasPrefix(p, "/nieuws/"):
			data.Page = h.page(strings.TrimPrefix(p, "/nieuws/"), "nieuws")
		case strings.HasPrefix(p, "/print/"):
			data.Page = h.page(strings.TrimPrefix(p, "/print/"), "")
		case p == "/agenda":
			// An endless calendar: every month links to the next one, the
			// classic crawler trap that robots.txt fences off.
			month, err := time.Parse("2006-01", r.URL.Query().Get("maand"))
			if err != nil {
				month = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			data.Calendar = month.Format("2006-01")
			data.NextMonth = month.AddDate(0, 1, 0).Format("2006-01")
		case p == "/contact", p == "/privacy", p == "/disclaimer":
			h.plain(w, p)
			return
		}
	case "projecten":
		switch {
		case p == "/":
		case p == "/projecten":
			h.paginate(&data, h.c.Site("projecten", "project"), r.URL.Query().Get("pagina"))
			data.ListTitle = "Alle projecten"
		case strings.HasPrefix(p, "/project/"):
			data.Page = h.page(strings.TrimPrefix(p, "/project/"), "project")
		case strings.HasPrefix(p, "/print/"):
			data.Page = h.page(strings.TrimPrefix(p, "/print/"), "project")
		case p == "/zoeken":
			data.Search = true
		case p == "/over-de-projectenbank", p == "/privacy", p == "/cookies":
			h.plain(w, p)
			return
		}
	}
	known := p == "/" || data.Page != nil || data.List != nil || data.Calendar != "" || data.Search
	if !known {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if data.Page != nil {
		w.Header().Set("Last-Modified", data.Page.Date.UTC().Format(http.TimeFormat))
	}
	if err := h.tmpl.ExecuteTemplate(w, "page", data); err != nil {
		// Headers are gone by now; the truncated page is what a broken
		// real site would send too.
		fmt.Fprintf(w, "<!-- template error: %s -->", template.HTMLEscapeString(err.Error()))
	}
}

// page returns the page with this id if it is of kind (any kind when
// kind is ""), else nil.
func (h *siteHandler) page(id, kind string) *Page {
	p := h.c.Page(id)
	if p == nil || p.Site != h.site || (kind != "" && p.Kind != kind) {
		return nil
	}
	return p
}

func (h *siteHandler) paginate(data *pageData, all []*Page, pageParam string) {
	n, err := strconv.Atoi(pageParam)
	if err != nil || n < 1 {
		n = 1
	}
	start := (n - 1) * pageSize
	if start >= len(all) {
		return
	}
	end := min(start+pageSize, len(all))
	data.List, data.ListTotal = all[start:end], len(all)
	if n > 1 {
		data.PrevPage = n - 1
	}
	if end < len(all) {
		data.NextPage = n + 1
	}
}

// plain serves the small service pages every site has (privacy, contact).
// They carry robots noindex, as such pages often do.
func (h *siteHandler) plain(w http.ResponseWriter, p string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	title := strings.ToUpper(p[1:2]) + strings.ReplaceAll(p[2:], "-", " ")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>%s</title>
<meta name="robots" content="noindex, follow"></head><body><h1>%s</h1>
<p>Deze pagina bevat praktische informatie over de website en de organisatie.</p>
<p><a href="/">Terug naar de voorpagina</a></p></body></html>`, title, title)
}

func (h *siteHandler) sitemap(w http.ResponseWriter, base string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+"\n")
	for _, p := range h.c.Site(h.site) {
		fmt.Fprintf(w, "  <url><loc>%s%s</loc><lastmod>%s</lastmod></url>\n",
			base, pagePath(p), p.Date.Format("2006-01-02"))
	}
	fmt.Fprint(w, "</urlset>\n")
}

// pagePath is where a page lives on its site.
func pagePath(p *Page) string {
	switch p.Kind {
	case "artikel":
		return "/artikel/" + p.ID
	case "toc":
		return "/editie/" + p.ID
	case "programma":
		return "/programma/" + p.ID
	case "nieuws":
		return "/nieuws/" + p.ID
	default:
		return "/project/" + p.ID
	}
}

// PagePath is the URL path of the page with this id, or "" if unknown.
func (c *Corpus) PagePath(id string) string {
	if p := c.Page(id); p != nil {
		return pagePath(p)
	}
	return ""
}

var robots = map[string]string{
	"magazine": `# Jeugd in Beeld
User-agent: *
Disallow: /zoeken
Disallow: /print/
Disallow: /privacy

User-agent: BadBot
Disallow: /
`,
	"werkplaats": `User-agent: *
Disallow: /agenda
Disallow: /print/
Allow: /nieuws
Crawl-delay: 0
`,
	"projecten": `User-agent: *
Disallow: /zoeken
Disallow: /print/
Disallow: /*?sort=
`,
}

func first(ps []*Page, n int) []*Page {
	if len(ps) > n {
		return ps[:n]
	}
	return ps
}
