package indexer

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// makePDF writes a small valid PDF with one page of text lines and an
// Info dictionary, computing the cross-reference offsets.
func makePDF(title, date string, lines []string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 72 760 Td 14 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Title (%s) /Author (Werkplaats Test) /CreationDate (%s) >>", title, date),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

var reportLines = []string{
	"Samenvatting",
	"Dit rapport beschrijft hoe wijkteams gezinnen met schulden onder-",
	"steunen en wat professionals daarvan leren.",
	"",
	"Jongeren op de wachtlijst voor jeugd-GGZ krijgen overbruggingshulp.",
	"",
	"De onderzoekers spraken met ouders, jongeren en hulpverleners in vier",
	"gemeenten en volgden twintig gezinnen gedurende een jaar.",
}

func TestExtractPDF(t *testing.T) {
	p, err := ExtractPDF("https://x.nl/rapport.pdf", makePDF("Schulden en opvoeden", "D:20211126120000Z", reportLines))
	if err != nil {
		t.Fatal(err)
	}
	d := p.Doc
	if d.Title != "Schulden en opvoeden" || d.Author != "Werkplaats Test" || d.Published.Format("2006-01-02") != "2021-11-26" || d.Type != "rapport" {
		t.Errorf("metadata: title %q author %q date %v type %q", d.Title, d.Author, d.Published, d.Type)
	}
	for _, want := range []string{"ondersteunen", "wachtlijst", "overbruggingshulp"} {
		if !strings.Contains(d.Body, want) {
			t.Errorf("body lacks %q: %q", want, d.Body)
		}
	}
}

func TestExtractPDFDamaged(t *testing.T) {
	good := makePDF("T", "D:2021", reportLines)
	for name, b := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("%PDF-1.4 dit is geen pdf"),
		"truncated": good[:len(good)/2],
		"html":      []byte("<html><body>geen pdf</body></html>"),
	} {
		if _, err := ExtractPDF("https://x.nl/"+name+".pdf", b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestCrawlPDF: a linked PDF report is fetched and stored as a document.
func TestCrawlPDF(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html><body><a href="/rapport.pdf">Rapport</a></body></html>`))
		case "/rapport.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(makePDF("Schulden en opvoeden", "D:20211126", reportLines))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	store := openStore(t)
	rep, err := testCrawler(store, nil).Crawl(t.Context(), corpus.Source{Name: "Rapporten", Start: []string{srv.URL + "/"}, Rate: 1000})
	if err != nil || rep.Added != 1 {
		t.Fatalf("crawl: %+v, %v", rep, err)
	}
	var got *corpus.Document
	store.Each(t.Context(), func(d *corpus.Document) error { got = d; return nil })
	if got == nil || got.Title != "Schulden en opvoeden" || got.Type != "rapport" {
		t.Errorf("stored %+v", got)
	}
}
