package indexer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// readabilityDir holds Mozilla Readability's test pages: source.html,
// expected.html (the article text) and expected-metadata.json (title).
const readabilityDir = "../../shared/data/extraction/mozilla-readability/test/test-pages"

// Floors of TestExtractionQuality, just under what was measured (mean
// F1 0.975, 127 of 130 titles on 2026-11-23, readability and our own
// candidate; see docs/extraction.md).
const (
	minMeanF1     = 0.97
	minTitleMatch = 125
)

// tokens splits text into lower-cased words, for bag-of-words overlap.
func tokens(s string) map[string]int {
	bag := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		bag[w]++
	}
	return bag
}

// overlap returns token-level precision, recall and F1 of got against want.
func overlap(got, want map[string]int) (p, r, f float64) {
	common, ng, nw := 0, 0, 0
	for w, n := range got {
		ng += n
		common += min(n, want[w])
	}
	for _, n := range want {
		nw += n
	}
	if ng == 0 || nw == 0 {
		return 0, 0, 0
	}
	p, r = float64(common)/float64(ng), float64(common)/float64(nw)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// testPage is one of the test pages with what it should give.
type testPage struct {
	name   string
	source []byte
	want   map[string]int // words of expected.html
	title  string         // expected-metadata.json "title"
}

func readTestPages(t *testing.T) []testPage {
	t.Helper()
	dirs, err := os.ReadDir(readabilityDir)
	if err != nil {
		t.Skipf("extraction test pages not available: %v", err)
	}
	var pages []testPage
	for _, d := range dirs {
		dir := filepath.Join(readabilityDir, d.Name())
		src, err1 := os.ReadFile(filepath.Join(dir, "source.html"))
		exp, err2 := os.ReadFile(filepath.Join(dir, "expected.html"))
		if err1 != nil || err2 != nil {
			continue
		}
		ed, err := goquery.NewDocumentFromReader(bytes.NewReader(exp))
		if err != nil {
			continue
		}
		var meta struct{ Title string }
		if b, err := os.ReadFile(filepath.Join(dir, "expected-metadata.json")); err == nil {
			json.Unmarshal(b, &meta)
		}
		pages = append(pages, testPage{d.Name(), src, tokens(ed.Text()), meta.Title})
	}
	if len(pages) < 100 {
		t.Fatalf("only %d pages read", len(pages))
	}
	return pages
}

// score sums one extractor's results over the test pages.
type score struct {
	name            string
	p, r, f         []float64
	titles, entries int
}

func (s *score) add(pg testPage, title, body string) {
	p, r, f := overlap(tokens(title+" "+body), pg.want)
	s.p, s.r, s.f = append(s.p, p), append(s.r, r), append(s.f, f)
	s.entries++
	if title == pg.title {
		s.titles++
	}
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(max(len(xs), 1))
}

func (s *score) String() string {
	sorted := append([]float64(nil), s.f...)
	sort.Float64s(sorted)
	return fmt.Sprintf("%-44s P %.3f  R %.3f  F1 %.3f  (median %.3f)  titles %3d/%d",
		s.name, mean(s.p), mean(s.r), mean(s.f), sorted[len(sorted)/2], s.titles, s.entries)
}

// TestExtractionQuality measures the main-text extraction on Mozilla
// Readability's 130 test pages — token-level precision, recall and F1 of
// title and body against the expected article text, and exact title
// matches — and guards both against regressions.
//
// With WATWERKT_EXTRACT_COMPARE=1 it also measures readeck's
// go-readability on its own (raw bytes: its own charset guess and
// parser) and each of our candidates alone, as reported in
// docs/extraction.md. Mind that go-readability is a port of the very
// code these test pages were written for.
func TestExtractionQuality(t *testing.T) {
	pages := readTestPages(t)
	ours := &score{name: "watwerkt (Extract)"}
	methods := map[string]int{}
	for _, pg := range pages {
		page, err := Extract("http://fakehost/test/page.html", pg.source, "text/html")
		if err != nil {
			t.Errorf("%s: %v", pg.name, err)
			continue
		}
		ours.add(pg, page.Doc.Title, page.Doc.Body)
		methods[page.Method]++
		if os.Getenv("WATWERKT_SHOW_WORST") != "" && ours.f[len(ours.f)-1] < 0.9 {
			t.Logf("%s: F1 %.2f by %s (body %d chars, type %q)", pg.name, ours.f[len(ours.f)-1], page.Method, len(page.Doc.Body), page.Doc.Type)
		}
		if os.Getenv("WATWERKT_SHOW_WORST") != "" && page.Doc.Title != pg.title {
			t.Logf("%s: title %q, want %q", pg.name, page.Doc.Title, pg.title)
		}
	}
	t.Log(ours)
	t.Logf("main text chosen from: %v", methods)
	if m := mean(ours.f); m < minMeanF1 {
		t.Errorf("mean F1 %.3f fell below %.2f", m, minMeanF1)
	}
	if ours.titles < minTitleMatch {
		t.Errorf("%d titles match, fewer than %d", ours.titles, minTitleMatch)
	}
	if os.Getenv("WATWERKT_EXTRACT_COMPARE") != "" {
		for _, s := range compareExtractors(pages) {
			t.Log(s)
		}
	}
}

// compareExtractors scores the library on its own and each of our
// candidates alone (on our decoded, cleaned tree, with our title).
func compareExtractors(pages []testPage) []*score {
	read := &score{name: "go-readability (readeck) alone"}
	cands := map[string]*score{}
	base, _ := url.Parse("http://fakehost/test/page.html")
	for _, pg := range pages {
		parser := readability.NewParser()
		if a, err := parser.Parse(bytes.NewReader(pg.source), base); err == nil && a.Node != nil {
			var b strings.Builder
			a.RenderText(&b)
			read.add(pg, a.Title(), b.String())
		} else {
			read.add(pg, "", "")
		}
		text, _ := DecodeHTML(pg.source, "text/html")
		root, err := html.Parse(strings.NewReader(text))
		if err != nil {
			continue
		}
		dom := goquery.NewDocumentFromNode(root)
		title := titleOf(dom, base, linkedDataOf(dom), metaTagsOf(dom))
		all, _ := mainCandidates(root, base)
		for _, c := range all {
			s := cands[c.method]
			if s == nil {
				s = &score{name: "watwerkt, only the " + c.method + " candidate"}
				cands[c.method] = s
			}
			paras := c.paras
			if len(paras) > 0 && strings.EqualFold(paras[0], title) {
				paras = paras[1:]
			}
			s.add(pg, title, strings.Join(paras, "\n\n"))
		}
	}
	return []*score{read, cands[MethodOwn], cands[MethodReadability]}
}
