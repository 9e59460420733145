package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/indexer"
)

// extractMaxBody is what the crawler reads of one page; extract reads
// no more, so it shows what a crawl would see.
const extractMaxBody = 10 << 20

// rejectText explains the crawler's skip reasons to a curator.
var rejectText = map[string]string{
	indexer.SkipNoIndex: "de pagina vraagt zelf om niet geïndexeerd te worden (<meta name=\"robots\" content=\"noindex\">)",
	indexer.SkipJSShell: "de pagina is alleen een JavaScript-schil (\"Loading...\", een lege <div id=\"root\">): de tekst verschijnt pas in de browser; zoek een versie zonder JavaScript of een sitemap met de artikelen",
	indexer.SkipHub:     "een overzichtspagina (inhoudsopgave, nieuwslijst, startpagina): de crawler volgt de links, maar indexeert de pagina zelf niet",
	indexer.SkipEmpty:   "te weinig tekst om een vraag mee te beantwoorden",
}

// extractJSON is the stable JSON form of `watwerkt extract --json`.
type extractJSON struct {
	URL       string            `json:"url"`
	Kind      string            `json:"kind"` // html or pdf
	Charset   string            `json:"charset"`
	Method    string            `json:"method"` // which extractor's text the body is
	Title     string            `json:"title"`
	Published string            `json:"published"` // YYYY-MM-DD or ""
	Author    string            `json:"author"`
	Language  string            `json:"language"`
	Type      string            `json:"type"`
	Intro     string            `json:"intro"`
	Themes    []string          `json:"themes"`
	Region    string            `json:"region"`
	Fields    map[string]string `json:"fields"`
	Canonical string            `json:"canonical"`
	NoIndex   bool              `json:"noindex"`
	NoFollow  bool              `json:"nofollow"`
	JSShell   bool              `json:"js_shell"`
	Indexed   bool              `json:"indexed"`  // whether a crawl would store it
	Rejected  string            `json:"rejected"` // the skip reason, "" when indexed
	Links     []string          `json:"links"`
	Passages  []string          `json:"passages"` // the body's paragraphs
}

// runExtract shows what the extractor makes of one page: a file (HTML or
// PDF, by content) or a URL fetched with one plain GET.
func runExtract(ctx context.Context, a *app, args []string) int {
	fs := a.flags("extract")
	source := fs.String("source", "", "pas de selectors van deze bron uit de configuratie toe")
	configPath := fs.String("config", "watwerkt.toml", "configuratiebestand met de bronnen (bij --source)")
	asJSON := fs.Bool("json", false, "print het resultaat als JSON")
	allowPrivate := fs.Bool("allow-private", false, "sta adressen op het eigen netwerk toe (127.0.0.1, 10.x, 192.168.x …)")
	pos, ok := a.parse(fs, args)
	if !ok {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(a.stderr, "Gebruik: watwerkt extract [--source NAAM --config F] [--json] BESTAND|URL")
		return exitUsage
	}
	target := pos[0]
	var sel *corpus.Selectors
	userAgent := indexer.DefaultUserAgent
	if *source != "" {
		src, ua, err := sourceFromConfig(*configPath, *source)
		if err != nil {
			fmt.Fprintf(a.stderr, "watwerkt extract: %v\n", err)
			return exitUsage
		}
		sel = &src.Selectors
		if ua != "" {
			userAgent = ua
		}
	}

	var body []byte
	var contentType, pageURL string
	var err error
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		body, contentType, pageURL, err = fetchOne(ctx, target, userAgent, *allowPrivate)
		if err != nil {
			return a.fail("ophalen "+target, err)
		}
	} else {
		if body, err = readCapped(target); err != nil {
			return a.fail("lezen", err)
		}
		pageURL = fileURL(target)
	}
	if len(body) >= extractMaxBody {
		fmt.Fprintf(a.stderr, "Let op: afgekapt na %d MB, zoals de crawler doet.\n", extractMaxBody>>20)
	}

	kind, err := sniffKind(body, contentType)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt extract: %s: %v\n", target, err)
		return exitFailure
	}
	var page *indexer.Page
	if kind == "pdf" {
		page, err = indexer.ExtractPDF(pageURL, body)
	} else {
		page, err = indexer.ExtractWith(pageURL, body, contentType, sel)
	}
	if err != nil {
		return a.fail("extraheren", err)
	}

	return a.showExtract(page, kind, *asJSON)
}

// showExtract prints the result; the exit code says whether a crawl
// would index the page.
func (a *app) showExtract(page *indexer.Page, kind string, asJSON bool) int {
	out := toExtractJSON(page, kind)
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return a.fail("uitvoer schrijven", err)
		}
	} else {
		printExtract(a.stdout, out)
	}
	if !out.Indexed {
		return exitNothing
	}
	return exitOK
}

// sourceFromConfig finds a source by name (case-insensitive) in a
// configuration file and checks its selectors.
func sourceFromConfig(path, name string) (*corpus.Source, string, error) {
	cfg, err := readConfig(path)
	if err != nil {
		return nil, "", err
	}
	var names []string
	for i := range cfg.Sources {
		src := &cfg.Sources[i]
		if strings.EqualFold(src.Name, name) {
			if err := indexer.CheckSelectors(&src.Selectors); err != nil {
				return nil, "", fmt.Errorf("bron %q: %w", src.Name, err)
			}
			return src, cfg.UserAgent, nil
		}
		names = append(names, fmt.Sprintf("%q", src.Name))
	}
	if len(names) == 0 {
		return nil, "", fmt.Errorf("%s heeft geen [[source]]-blokken", path)
	}
	return nil, "", fmt.Errorf("bron %q staat niet in %s; wel: %s", name, path, strings.Join(names, ", "))
}

// fetchOne GETs a page as the crawler would, once: an honest User-Agent,
// at most five redirects, a timeout, the crawler's size cap, and no
// connection to a non-public address unless allowed.
func fetchOne(ctx context.Context, raw, userAgent string, allowPrivate bool) (body []byte, contentType, final string, err error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip, err := netip.ParseAddr(host); err != nil || !indexer.PublicAddr(ip) {
			return fmt.Errorf("%w: %s", indexer.ErrPrivateAddress, host)
		}
		return nil
	}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a proxy would dial on our behalf and bypass the check
	tr.DialContext = dialer.DialContext
	defer tr.CloseIdleConnections()
	client := &http.Client{Timeout: 30 * time.Second, Transport: tr,
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("te veel doorverwijzingen")
			}
			if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
				return fmt.Errorf("doorverwijzing naar %s:-adres geweigerd", r.URL.Scheme)
			}
			return nil
		}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, "", "", err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5")
	req.Header.Set("Accept-Language", "nl,en;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, extractMaxBody))
	if err != nil {
		return nil, "", "", err
	}
	return body, resp.Header.Get("Content-Type"), resp.Request.URL.String(), nil
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, extractMaxBody))
}

// fileURL is the URL a local file stands in for, so relative links
// resolve to something.
func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// sniffKind decides between HTML and PDF by content, as the crawler does
// for the servers that send PDFs as application/octet-stream.
func sniffKind(body []byte, contentType string) (string, error) {
	if bytes.HasPrefix(bytes.TrimLeft(body, "\r\n\t "), []byte("%PDF-")) {
		return "pdf", nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/pdf":
		return "pdf", nil
	case "text/html", "application/xhtml+xml":
		return "html", nil
	}
	switch sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(body)); {
	case sniffed == "text/html", sniffed == "text/xml", sniffed == "text/plain" && utf8.Valid(body):
		return "html", nil
	default:
		return "", fmt.Errorf("geen HTML of PDF (%s)", sniffed)
	}
}

func toExtractJSON(p *indexer.Page, kind string) extractJSON {
	d := p.Doc
	out := extractJSON{URL: d.URL, Kind: kind, Charset: p.Charset, Method: p.Method, Title: d.Title,
		Author: d.Author, Language: d.Language, Type: d.Type, Intro: d.Intro, Themes: d.Themes,
		Region: d.Region, Fields: d.Fields, Canonical: p.Canonical, NoIndex: p.NoIndex,
		NoFollow: p.NoFollow, JSShell: p.JSShell, Rejected: p.Rejected(), Links: p.Links,
		Passages: d.Paragraphs()}
	if kind == "pdf" {
		out.Method = "pdf"
	}
	out.Indexed = out.Rejected == ""
	if !d.Published.IsZero() {
		out.Published = d.Published.Format("2006-01-02")
	}
	if out.Themes == nil {
		out.Themes = []string{}
	}
	if out.Fields == nil {
		out.Fields = map[string]string{}
	}
	if out.Links == nil {
		out.Links = []string{}
	}
	if out.Passages == nil {
		out.Passages = []string{}
	}
	return out
}

func printExtract(w io.Writer, e extractJSON) {
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "%-13s %s\n", label+":", value)
		}
	}
	line("Adres", e.URL)
	line("Soort", e.Kind+", tekenset "+e.Charset)
	line("Methode", e.Method)
	line("Titel", e.Title)
	if e.Published != "" {
		t, _ := time.Parse("2006-01-02", e.Published)
		line("Datum", corpus.DutchDate(t)+" ("+e.Published+")")
	}
	line("Auteur", e.Author)
	line("Taal", e.Language)
	line("Type", e.Type)
	line("Inleiding", oneLine(e.Intro, 200))
	line("Thema's", strings.Join(e.Themes, ", "))
	line("Regio", e.Region)
	if len(e.Fields) > 0 {
		fmt.Fprintln(w, "Velden:")
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			fmt.Fprintf(w, "  %s: %s\n", k, oneLine(e.Fields[k], 120))
		}
	}
	line("Canoniek", e.Canonical)
	fmt.Fprintf(w, "%-13s %d\n", "Links:", len(e.Links))
	if e.Indexed {
		fmt.Fprintf(w, "%-13s wordt geïndexeerd\n", "Oordeel:")
	} else {
		fmt.Fprintf(w, "%-13s overgeslagen (%s): %s\n", "Oordeel:", e.Rejected, rejectText[e.Rejected])
	}
	chars := 0
	for _, p := range e.Passages {
		chars += utf8.RuneCountInString(p)
	}
	fmt.Fprintf(w, "\nTekst (%d alinea's, %d tekens):\n", len(e.Passages), chars)
	for i, p := range e.Passages {
		fmt.Fprintf(w, "\n[%d] %s\n", i+1, p)
	}
}
