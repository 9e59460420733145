package indexer

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"

	"github.com/watwerkt/watwerkt/corpus"
)

// MaxPDFPages caps the pages read from one PDF report.
const MaxPDFPages = 400

// ExtractPDF reads the text and metadata of a PDF report. The PDF parser
// panics on some damaged files; that becomes an error here, so one bad
// report cannot stop a crawl.
func ExtractPDF(pageURL string, body []byte) (p *Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("pdf %s: damaged file (%v)", pageURL, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return nil, fmt.Errorf("pdf %s: %w", pageURL, err)
	}
	if r.NumPage() > MaxPDFPages {
		return nil, fmt.Errorf("pdf %s: %d pages, more than %d", pageURL, r.NumPage(), MaxPDFPages)
	}
	tr, err := r.GetPlainText()
	if err != nil {
		return nil, fmt.Errorf("pdf %s: %w", pageURL, err)
	}
	raw, err := io.ReadAll(io.LimitReader(tr, 20<<20))
	if err != nil {
		return nil, fmt.Errorf("pdf %s: %w", pageURL, err)
	}
	// NFKC turns ligatures (ﬁ, ﬂ) and other presentation forms into
	// the letters search expects.
	text := norm.NFKC.String(strings.ToValidUTF8(string(raw), " "))
	p = &Page{Charset: "pdf"}
	d := &p.Doc
	d.URL = pageURL
	d.Type = "rapport"
	info := r.Trailer().Key("Info")
	d.Title = clean(norm.NFKC.String(info.Key("Title").Text()))
	d.Author = clean(norm.NFKC.String(info.Key("Author").Text()))
	if t, ok := pdfDate(info.Key("CreationDate").Text()); ok {
		d.Published = t
	}
	d.Body = strings.Join(pdfParagraphs(text), "\n\n")
	if d.Title == "" {
		// The first line of real text usually is the report's title.
		for _, l := range strings.Split(text, "\n") {
			if l = clean(l); len(l) >= 8 {
				d.Title = truncateWords(l, 200)
				break
			}
		}
	}
	if d.Published.IsZero() {
		if t, ok := ParseDutchDate(firstRunes(text, 3000)); ok {
			d.Published = t
		}
	}
	d.Language = "nl"
	d.ContentHash = corpus.HashContent(d.Title, d.Body)
	return p, nil
}

var pdfDateRe = regexp.MustCompile(`^D:(\d{4})(\d{2})?(\d{2})?`)

// pdfDate parses a PDF date ("D:20211126120000+01'00'").
func pdfDate(s string) (time.Time, bool) {
	m := pdfDateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	mo, d := m[2], m[3]
	if mo == "" {
		mo = "01"
	}
	if d == "" {
		d = "01"
	}
	t, err := time.Parse("20060102", m[1]+mo+d)
	return t, err == nil
}

// pdfParagraphs rebuilds paragraphs from extracted lines: lines are
// joined, a hyphen at a line end joins the word halves, and a blank line
// or a short line ending a sentence ends a paragraph.
func pdfParagraphs(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := clean(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if l == "" {
			flush()
			continue
		}
		if strings.HasSuffix(l, "-") && len(l) > 1 {
			cur.WriteString(strings.TrimSuffix(l, "-"))
			continue
		}
		cur.WriteString(l + " ")
		if len(l) < 60 && strings.ContainsAny(l[len(l)-1:], ".!?:") {
			flush()
		}
	}
	flush()
	return out
}

func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
