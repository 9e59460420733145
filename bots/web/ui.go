package web

// The curators' web page: a plain-HTML search page that anyone can use,
// and, for a signed-in curator, buttons that pin or hide a result and a
// report of what people ask. It is server-rendered with html/template and
// needs no JavaScript, so it works in any browser and its
// Content-Security-Policy can forbid scripts altogether.
//
// Everything shown comes from crawled pages and so is untrusted: titles
// and snippets are escaped, result links must be http or https, and the
// only HTML built by hand (the <mark> of a snippet) is made from escaped
// pieces. Sign-in, sessions and the curators' form posts live in
// ui_auth.go.

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/corpus"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/watwerkt.css
var stylesheet []byte

// htmlCSP is the policy of the HTML pages: no scripts at all, only our own
// stylesheet, and forms that post only back to this site.
const htmlCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageSize is the number of results per page of the search page.
const pageSize = 10

// ui holds what the web page needs besides the Server: the parsed
// templates and the sign-in state of this process.
type ui struct {
	s     *Server
	pages map[string]*template.Template
	auth
}

// routeUI adds the web page's routes to mux.
func (s *Server) routeUI(mux *http.ServeMux) {
	u := &ui{s: s, pages: parsePages(), auth: newAuth(time.Now)}
	mux.HandleFunc("GET /{$}", u.searchPage)
	mux.HandleFunc("GET /rapport", u.reportPage)
	mux.HandleFunc("GET /static/watwerkt.css", serveCSS)
	mux.HandleFunc("GET /curator/login", u.loginPage)
	mux.HandleFunc("POST /curator/login", u.login)
	mux.HandleFunc("POST /curator/logout", u.logout)
	mux.HandleFunc("POST /curator/pin", u.pin)
	mux.HandleFunc("POST /curator/hide", u.hide)
	mux.HandleFunc("POST /curator/unpin", u.unpin)
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(stylesheet)
}

// parsePages parses each page together with the shared layout. The
// templates are embedded, so a parse error is a programming error that
// every test run catches.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"datum": dutchDate,
		"datumtijd": func(t time.Time) string {
			if t.IsZero() {
				return "onbekend"
			}
			return dutchDate(t) + ", " + t.Local().Format("15:04")
		},
		"href":     safeHref,
		"zoeklink": func(q string) string { return searchURL(q, nil, 0, false) },
		"dagen":    func(d corpus.Duration) int { return int(time.Duration(d) / (24 * time.Hour)) },
		"ms":       func(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) },
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"search", "report", "login", "message"} {
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// pageData is what the layout needs; Body is the page's own part.
type pageData struct {
	Title   string
	Curator bool   // a curator is signed in (by cookie)
	CSRF    string // the form token of that session
	Login   string // the sign-in link, returning here afterwards
	Flash   *flash
	Body    any
}

// newPage reads the session and the flash message of r. It must run
// before anything is written, because taking the flash clears its cookie.
func (u *ui) newPage(w http.ResponseWriter, r *http.Request, title string) *pageData {
	p := &pageData{Title: title, Flash: u.takeFlash(w, r), Login: "/curator/login"}
	if sess, ok := u.session(r); ok {
		p.Curator, p.CSRF = true, u.csrfToken(sess)
	}
	// Come back here after signing in, unless here is the sign-in page.
	if here := r.URL.RequestURI(); here != "/" && len(here) <= maxNextBytes && !strings.HasPrefix(r.URL.Path, "/curator/") {
		p.Login += "?" + url.Values{"next": {here}}.Encode()
	}
	return p
}

// htmlHeaders replaces the API's Content-Security-Policy, which forbids
// even stylesheets, with the page's. Pages can show a form token or a
// curator's buttons, so no page is stored by a browser or proxy.
func htmlHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", htmlCSP)
	h.Set("Cache-Control", "no-store")
}

func (u *ui) render(w http.ResponseWriter, code int, name string, p *pageData) {
	var buf bytes.Buffer
	if err := u.pages[name].Execute(&buf, p); err != nil {
		u.s.log.Error("render page", "page", name, "err", err)
		htmlHeaders(w)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(w, "Er ging iets mis bij het maken van deze pagina.")
		return
	}
	htmlHeaders(w)
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// message renders a page that only says something.
func (u *ui) message(w http.ResponseWriter, r *http.Request, code int, title, text string) {
	p := u.newPage(w, r, title)
	p.Body = text
	u.render(w, code, "message", p)
}

// searchView is the search page's part of pageData.
type searchView struct {
	Query     string
	Offset    int
	Explain   bool
	Filters   []filterView // the filters in force, with links that remove them
	Searched  bool         // a search ran (so "nothing found" makes sense)
	Message   string       // instead of results: why there are none
	Total     int
	From, To  int
	Fuzzy     bool
	Hits      []hitView
	Facets    []facetGroup
	Prev      string
	Next      string
	CanCurate bool // show pin and hide buttons
	CanPin    bool // there is a question to pin for
}

type hitView struct {
	Title   string
	URL     string // as the index has it, for the curator's forms
	Href    string // "" when the URL is not http(s): the title is then not a link
	Source  string
	Date    string
	Type    string
	Themes  []string
	Snippet template.HTML
	Pinned  bool
	Score   string
	Explain string
}

type filterView struct {
	Key, Label, Value string
	Param             string // "key:value", as the filter parameter takes it
	Remove            string
}

type facetGroup struct {
	Label  string
	Values []facetValue
}

type facetValue struct {
	Value  string
	Count  int
	Href   string // adds the filter, or removes it when Active
	Active bool
}

// filterNames are the Dutch labels of the filter keys, by the key the page
// uses; filterAlias maps the API's English keys to those.
var (
	filterNames = map[string]string{"bron": "Bron", "thema": "Thema", "jaar": "Jaar", "regio": "Regio", "type": "Soort"}
	filterAlias = map[string]string{"source": "bron", "theme": "thema", "year": "jaar", "region": "regio"}
	facetOrder  = []string{"bron", "thema", "jaar"}
	filterOrder = []string{"bron", "thema", "jaar", "regio", "type"}
)

// pageFilters reads repeated filter=key:value parameters. Unknown keys and
// empty values are dropped: a page link that no longer fits should still
// show results. A later filter on the same key wins, as in the API.
func pageFilters(raw []string) map[string]string {
	out := map[string]string{}
	for _, f := range raw {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			k, v, ok = strings.Cut(f, "=")
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if a, isAlias := filterAlias[k]; isAlias {
			k = a
		}
		if ok && filterNames[k] != "" && v != "" && len(v) <= MaxQueryBytes {
			out[k] = v
		}
	}
	return out
}

// pageOffset reads the offset, falling back to the first page when it is
// not a sensible number.
func pageOffset(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return min(n, MaxOffset)
}

// searchURL is the page's own link for a search; filters go in key order so
// that equal searches have equal links.
func searchURL(q string, filters map[string]string, offset int, explain bool) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Add("filter", k+":"+filters[k])
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if explain {
		v.Set("explain", "1")
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// with returns a copy of filters with key set to value, or removed when
// value is "".
func with(filters map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(filters)+1)
	for k, v := range filters {
		out[k] = v
	}
	if value == "" {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

func (u *ui) searchPage(w http.ResponseWriter, r *http.Request) {
	p := u.newPage(w, r, "Zoeken")
	params := r.URL.Query()
	v := &searchView{Query: params.Get("q"), Explain: params.Get("explain") == "1",
		Offset: pageOffset(params.Get("offset"))}
	p.Body = v
	filters := pageFilters(params["filter"])
	v.Filters = filterViews(v.Query, filters, v.Explain)
	v.CanCurate = p.Curator && u.s.Curator != nil
	v.CanPin = strings.TrimSpace(v.Query) != ""
	if len(v.Query) > MaxQueryBytes {
		v.Message = "De vraag is te lang (maximaal 2000 tekens). Maak hem korter en probeer het opnieuw."
		u.render(w, http.StatusBadRequest, "search", p)
		return
	}
	if strings.TrimSpace(v.Query) == "" && len(filters) == 0 {
		u.render(w, http.StatusOK, "search", p)
		return
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), u.s.timeout)
	defer cancel()
	q := Query{Text: v.Query, Filters: filters, Limit: pageSize, Offset: v.Offset, Explain: v.Explain, Facets: true}
	res, err := u.s.idx.Search(ctx, q)
	switch {
	case errors.Is(err, ErrNotReady):
		v.Message = "Er is nog geen index, dus zoeken kan nog niet. Probeer het over een paar minuten opnieuw."
		u.render(w, http.StatusServiceUnavailable, "search", p)
		return
	case err != nil:
		u.s.log.Error("page search failed", "err", err)
		v.Message = "Er ging iets mis bij het zoeken. Probeer het later opnieuw."
		u.render(w, http.StatusInternalServerError, "search", p)
		return
	}
	v.Searched = true
	fillResults(v, res, filters)
	// Curators' own searches are work on the ranking, not questions people
	// have; they would only muddle the report.
	if u.s.Recorder != nil && v.Offset == 0 && !p.Curator {
		e := corpus.QuestionEvent{Platform: "web", Question: v.Query, Query: res.Query, Total: res.Total,
			Latency: time.Since(start), Zero: res.Total == 0}
		for _, h := range res.Hits {
			e.ResultIDs = append(e.ResultIDs, h.ID)
		}
		if err := u.s.Recorder.LogQuestion(ctx, e); err != nil {
			u.s.log.Warn("question log", "err", err)
		}
	}
	u.render(w, http.StatusOK, "search", p)
}

func filterViews(q string, filters map[string]string, explain bool) []filterView {
	var out []filterView
	for _, k := range filterOrder {
		if val, ok := filters[k]; ok {
			out = append(out, filterView{Key: k, Label: filterNames[k], Value: val, Param: k + ":" + val,
				Remove: searchURL(q, with(filters, k, ""), 0, explain)})
		}
	}
	return out
}

// fillResults turns an index answer into the page's hits, facets and
// paging links.
func fillResults(v *searchView, res *bots.SearchJSON, filters map[string]string) {
	v.Total, v.Fuzzy = res.Total, res.Fuzzy
	for _, h := range res.Hits {
		hv := hitView{Title: h.Title, URL: h.URL, Href: safeHref(h.URL), Source: h.Source,
			Date: publishedDate(h.Published), Type: h.Type, Themes: h.Themes, Snippet: snippetHTML(h.Snippet),
			Pinned: h.Pinned, Score: strconv.FormatFloat(h.Score, 'f', 2, 64)}
		if strings.TrimSpace(hv.Title) == "" {
			hv.Title = "(zonder titel)"
		}
		if v.Explain {
			hv.Explain = h.Explain
		}
		v.Hits = append(v.Hits, hv)
	}
	if len(v.Hits) > 0 {
		v.From, v.To = v.Offset+1, v.Offset+len(v.Hits)
	}
	if v.Offset > 0 {
		v.Prev = searchURL(v.Query, filters, max(0, v.Offset-pageSize), v.Explain)
	}
	if next := v.Offset + pageSize; next < v.Total && next <= MaxOffset && len(v.Hits) > 0 {
		v.Next = searchURL(v.Query, filters, next, v.Explain)
	}
	for _, key := range facetOrder {
		counts := res.Facets[key]
		if len(counts) == 0 {
			continue
		}
		g := facetGroup{Label: filterNames[key]}
		for _, c := range counts {
			if c.Value == "" {
				continue
			}
			fv := facetValue{Value: c.Value, Count: c.Count}
			if fv.Active = strings.EqualFold(filters[key], c.Value); fv.Active {
				fv.Href = searchURL(v.Query, with(filters, key, ""), 0, v.Explain)
			} else {
				fv.Href = searchURL(v.Query, with(filters, key, c.Value), 0, v.Explain)
			}
			g.Values = append(g.Values, fv)
		}
		v.Facets = append(v.Facets, g)
	}
}

// snippetHTML renders a snippet's **word** marks as <mark>. Everything else
// is escaped; a "**" without its closing partner stays as text.
func snippetHTML(s string) template.HTML {
	parts := strings.Split(s, "**")
	var b strings.Builder
	for i, part := range parts {
		marked := i%2 == 1
		if marked && i == len(parts)-1 {
			b.WriteString("**")
			marked = false
		}
		if part == "" {
			continue
		}
		if marked {
			b.WriteString("<mark>")
		}
		b.WriteString(template.HTMLEscapeString(part))
		if marked {
			b.WriteString("</mark>")
		}
	}
	return template.HTML(b.String())
}

// safeHref returns u when it is an absolute http or https URL, else "".
// html/template would defuse a javascript: URL too, but a link that leads
// nowhere is worse than plain text.
func safeHref(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// dutchDate writes t as "26 november 2021", in local time.
func dutchDate(t time.Time) string {
	if t.IsZero() {
		return "onbekend"
	}
	t = t.Local()
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// publishedDate renders an index date ("2021-11-26"); anything else, such
// as a bare year, is shown as it is.
func publishedDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// reportPage shows the curators' report. Without a report function the
// page does not exist; it is for signed-in curators only.
func (u *ui) reportPage(w http.ResponseWriter, r *http.Request) {
	if u.s.Report == nil {
		u.message(w, r, http.StatusNotFound, "Geen rapport", "Deze server maakt geen rapport.")
		return
	}
	if _, code, msg := u.authorize(r, false); code != 0 {
		if isBearer(r) {
			writeJSON(w, code, errorBody{msg})
			return
		}
		p := u.newPage(w, r, "Inloggen")
		p.Body = loginView{Off: u.s.CuratorToken == "", Next: "/rapport",
			Message: "Het rapport is alleen voor curatoren. Log in om het te zien."}
		u.render(w, code, "login", p)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*u.s.timeout)
	defer cancel()
	rep, err := u.s.Report(ctx)
	if err != nil || rep == nil {
		u.s.log.Error("build report", "err", err)
		u.message(w, r, http.StatusInternalServerError, "Rapport", "Het rapport kon niet worden gemaakt. Probeer het later opnieuw.")
		return
	}
	p := u.newPage(w, r, "Rapport")
	p.Body = rep
	u.render(w, http.StatusOK, "report", p)
}
