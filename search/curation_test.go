package search

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

func TestParseCuration(t *testing.T) {
	src := `# curatie
pin schulden gezin => https://a.example/schulden, 00000000000000aa
pin /^wat is jim/ => https://a.example/jim
hide https://a.example/archief/*
HIDE 00000000000000BB
boost bron "Projectenbank Jeugd" 0.8
boost type artikel 1,5
`
	c, err := ParseCuration(strings.NewReader(src), "curation.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Pins) != 2 || len(c.Hidden) != 2 || len(c.Boosts) != 2 {
		t.Fatalf("parsed %d pins, %d hides, %d boosts; want 2, 2, 2", len(c.Pins), len(c.Hidden), len(c.Boosts))
	}
	if p := c.Pins[0]; strings.Join(p.Words, " ") != "schulden gezin" || len(p.Docs) != 2 || p.Docs[1].Text != "00000000000000aa" || p.Line != 2 {
		t.Errorf("first pin = %+v", p)
	}
	if c.Pins[1].Regexp == nil || !c.Pins[1].Regexp.MatchString("wat is jim eigenlijk") {
		t.Errorf("regexp pin = %+v", c.Pins[1])
	}
	if c.Hidden[1].Text != "00000000000000bb" {
		t.Errorf("hidden id not lower-cased: %q", c.Hidden[1].Text)
	}
	if b := c.Boosts[0]; b.Field != "bron" || b.Value != "projectenbank jeugd" || b.Factor != 0.8 {
		t.Errorf("boost = %+v", b)
	}
	if b := c.Boosts[1]; b.Field != "type" || b.Factor != 1.5 {
		t.Errorf("boost with a decimal comma = %+v", b)
	}
}

func TestParseCurationErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{"pin schulden https://a.example/x", `"=>" ontbreekt`},
		{"pin => https://a.example/x", "zonder woorden"},
		{"pin /[/ => https://a.example/x", "reguliere expressie"},
		{"pin x => https://a.example/*", "geen patroon"},
		{"pin x => a, b, c, d, e, f", "geen document-id"},
		{"hide", "document ontbreekt"},
		{"hide ftp://a.example/x", "geen document-id"},
		{"hide https://a.example/met spatie", "spatie"},
		{"boost regio Utrecht 2", "bron of type"},
		{"boost bron Jeugd 100", "0,1 tot en met 10"},
		{"boost bron 2", "boost heeft de vorm"},
		{"verberg https://a.example/x", "onbekende regel"},
		{"hide \xff\xfe", "UTF-8"},
	}
	for _, c := range cases {
		_, err := ParseCuration(strings.NewReader("# kop\n\n"+c.line+"\n"), "curation.txt")
		var ce *CurationError
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %v, want a CurationError", c.line, err)
			continue
		}
		if ce.File != "curation.txt" || ce.Line != 3 || !strings.Contains(ce.Problem, c.want) {
			t.Errorf("%q: got %q, want curation.txt:3 … %q", c.line, err, c.want)
		}
	}
	// All problems are reported at once.
	_, err := ParseCuration(strings.NewReader("hide\nboost x\nhide https://ok.example/\nfoo\n"), "c.txt")
	if n := strings.Count(err.Error(), "c.txt:"); n != 3 {
		t.Errorf("%d problems reported, want 3:\n%v", n, err)
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"https://a.example/archief/*", "https://a.example/archief/2019/x", true},
		{"https://a.example/archief/*", "https://a.example/nieuws/x", false},
		{"https://*.example/*/print", "https://b.example/artikel/print", true},
		{"https://*.example/*/print", "https://b.example/artikel/print/2", false},
		{"a*b*b", "ab", false},
		{"a*b", "ab", true},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// curatedDocs have real-looking ids and URLs, as crawled documents do.
func curatedDocs() []*corpus.Document {
	mk := func(url, title, body, source, typ string) *corpus.Document {
		return &corpus.Document{ID: corpus.DocumentID(url), URL: url, CanonicalURL: url, Title: title, Body: body, Source: source, Type: typ}
	}
	return []*corpus.Document{
		mk("https://a.example/schulden", "Gezinnen met schulden", "Schulden en opvoeden: wat gezinnen met schulden helpt. Schuldhulp en jeugdhulp samen.", "Bron A", "artikel"),
		mk("https://a.example/archief/schulden-2012", "Schulden in gezinnen (2012)", "Oud onderzoek naar schulden bij gezinnen en gezinnen met schulden.", "Bron A", "artikel"),
		mk("https://b.example/project/budget", "Budgetcoaching voor ouders", "Een project over budgetcoaching; schulden komen kort aan bod.", "Projectenbank", "project"),
		mk("https://b.example/project/mentor", "Informele mentoren", "Jongeren kiezen een mentor uit hun eigen netwerk.", "Projectenbank", "project"),
	}
}

func curatedEngine(t *testing.T, rules string) *Engine {
	t.Helper()
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, curatedDocs())
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if rules != "" {
		c, err := ParseCuration(strings.NewReader(rules), "curation.txt")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.SetTuning(Tuning{Synonyms: DefaultSynonyms(), Curation: c}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func urls(t *testing.T, e *Engine, req Request) []string {
	t.Helper()
	res, err := e.Search(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		u := strings.TrimPrefix(strings.TrimPrefix(h.URL, "https://a.example"), "https://b.example")
		if h.Pinned {
			u += "*"
		}
		out = append(out, u)
	}
	return out
}

func TestCurationPinHideBoost(t *testing.T) {
	plain := curatedEngine(t, "")
	base := urls(t, plain, Request{Query: "wat werkt bij gezinnen met schulden?", Limit: 10})
	if len(base) < 3 || base[0] == "/project/budget" {
		t.Fatalf("without curation: %v; the test needs budgetcoaching below rank 1", base)
	}

	e := curatedEngine(t, "pin schulden gezin => https://b.example/project/budget\n")
	got := urls(t, e, Request{Query: "wat werkt bij gezinnen met schulden?", Limit: 10})
	if got[0] != "/project/budget*" || len(got) != len(base) {
		t.Errorf("pinned: %v, want /project/budget* first and %d hits", got, len(base))
	}
	if n := strings.Count(strings.Join(got, " "), "/project/budget"); n != 1 {
		t.Errorf("the pinned document appears %d times: %v", n, got)
	}
	// The pin applies to other wordings with the same words (after
	// analysis), not to other topics.
	if got := urls(t, e, Request{Query: "schulden in het gezin", Limit: 3}); len(got) == 0 || got[0] != "/project/budget*" {
		t.Errorf("other wording: %v", got)
	}
	if got := urls(t, e, Request{Query: "informele mentor", Limit: 3}); len(got) == 0 || strings.HasSuffix(got[0], "*") {
		t.Errorf("unrelated question got the pin: %v", got)
	}
	// Paging: the pin takes rank 1, the second page continues after it.
	p1 := urls(t, e, Request{Query: "schulden gezinnen", Limit: 1})
	p2 := urls(t, e, Request{Query: "schulden gezinnen", Limit: 2, Offset: 1})
	if len(p1) != 1 || p1[0] != "/project/budget*" || len(p2) != 2 || strings.Contains(strings.Join(p2, " "), "budget") {
		t.Errorf("pages: %v then %v", p1, p2)
	}
	// A filter the pinned document does not pass drops the pin.
	if got := urls(t, e, Request{Query: "schulden gezinnen", Limit: 5, Filters: map[string]string{"type": "artikel"}}); len(got) == 0 || strings.Contains(strings.Join(got, " "), "budget") {
		t.Errorf("with type:artikel: %v", got)
	}

	h := curatedEngine(t, "hide https://a.example/archief/*\n")
	got = urls(t, h, Request{Query: "schulden gezinnen", Limit: 10})
	if strings.Contains(strings.Join(got, " "), "archief") || len(got) != len(base)-1 {
		t.Errorf("hidden: %v (base %v)", got, base)
	}
	res, _ := h.Search(t.Context(), Request{Query: "schulden 2012", Limit: 10})
	for _, hit := range res.Hits {
		if strings.Contains(hit.URL, "archief") {
			t.Errorf("hidden document found by a fuzzy or exact search: %v", hit.URL)
		}
	}

	// Weighting one source down and a type up lets a document that
	// matches far less rank first; scores are the plain ones times the
	// factors.
	b := curatedEngine(t, "boost bron \"Bron A\" 0.1\nboost type project 10\n")
	got = urls(t, b, Request{Query: "schulden gezinnen", Limit: 10})
	if got[0] != "/project/budget" {
		t.Errorf("boosted: %v, want /project/budget first", got)
	}
	pr, _ := plain.Search(t.Context(), Request{Query: "schulden gezinnen", Limit: 10})
	br, _ := b.Search(t.Context(), Request{Query: "schulden gezinnen", Limit: 10})
	for _, ph := range pr.Hits {
		for _, bh := range br.Hits {
			want := ph.Score
			if ph.Source == "Bron A" {
				want *= 0.1
			} else {
				want *= 10
			}
			if bh.ID == ph.ID && math.Abs(bh.Score-want) > 1e-9 {
				t.Errorf("%s: boosted score %g, want %g", ph.URL, bh.Score, want)
			}
		}
	}
	res, _ = b.Search(t.Context(), Request{Query: "schulden gezinnen", Limit: 10})
	if res.Hits[0].Snippet == "" || !strings.Contains(res.Hits[0].Snippet, "**") {
		t.Errorf("reranked hit lost its snippet: %q", res.Hits[0].Snippet)
	}
	if res.Total != len(base) {
		t.Errorf("boosted total %d, want %d", res.Total, len(base))
	}
}

// A pin may name a document that does not contain the question's words
// at all: the curator knows it is the answer.
func TestPinUnmatchedDocument(t *testing.T) {
	e := curatedEngine(t, "pin schulden => https://b.example/project/mentor, https://a.example/schulden\n")
	got := urls(t, e, Request{Query: "schulden", Limit: 10})
	if len(got) < 3 || got[0] != "/project/mentor*" || got[1] != "/schulden*" || strings.Contains(strings.Join(got[2:], " "), "*") {
		t.Errorf("pins in curator order, then the rest: %v", got)
	}
	res, _ := e.Search(t.Context(), Request{Query: "schulden", Limit: 10})
	if res.Total != len(got) {
		t.Errorf("total %d, hits %d", res.Total, len(got))
	}
}

func TestSetTuningKeepsSynonymsAndSwaps(t *testing.T) {
	e := curatedEngine(t, "")
	syn, _ := ParseSynonyms(strings.NewReader("budgetcoaching = geldcoach\n"), "s.txt")
	e.SetSynonyms(syn)
	if got := urls(t, e, Request{Query: "geldcoach", Limit: 3}); len(got) == 0 || got[0] != "/project/budget" {
		t.Fatalf("synonym after SetSynonyms: %v", got)
	}
	c, _ := ParseCuration(strings.NewReader("hide https://b.example/project/budget\n"), "c.txt")
	if err := e.SetTuning(Tuning{Synonyms: syn, Curation: c}); err != nil {
		t.Fatal(err)
	}
	if got := urls(t, e, Request{Query: "geldcoach", Limit: 3}); len(got) != 0 {
		t.Errorf("hidden document still found: %v", got)
	}
}

func TestFacets(t *testing.T) {
	e := curatedEngine(t, "hide https://a.example/archief/*\n")
	res, err := e.Search(t.Context(), Request{Query: "schulden", Limit: 1, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Facets["bron"]
	want := []FacetCount{{"bron a", 1}, {"projectenbank", 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("bron facet = %+v, want %+v (the hidden document not counted)", got, want)
	}
	if res, _ := e.Search(t.Context(), Request{Query: "schulden"}); res.Facets != nil {
		t.Errorf("facets without asking: %+v", res.Facets)
	}
}

// FuzzParseCuration: any file either parses into rules that are in range
// or yields errors that each name the file and a line.
func FuzzParseCuration(f *testing.F) {
	for _, s := range []string{
		"pin schulden gezin => https://a.example/x, 00000000000000aa\n",
		"pin /^wat is (jim|lvb)/ => https://a.example/jim\nhide https://a.example/*/print\n",
		"boost bron \"Projectenbank Jeugd\" 0,8\nboost type artikel 10\n",
		"pin /(/ => x\nhide\nboost regio x 1\n\xff\n",
		"pin a => https://a.example/1, https://a.example/2, https://a.example/3, https://a.example/4, https://a.example/5, https://a.example/6\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCuration(strings.NewReader(s), "c.txt")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "c.txt:") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		for _, b := range c.Boosts {
			if b.Factor < 0.1 || b.Factor > 10 || (b.Field != "bron" && b.Field != "type") {
				t.Fatalf("boost out of range: %+v", b)
			}
		}
		for _, p := range c.Pins {
			if len(p.Docs) == 0 || len(p.Docs) > maxPinDocs || (p.Regexp == nil && len(p.Words) == 0) {
				t.Fatalf("bad pin: %+v", p)
			}
		}
	})
}

// TestTwoFragmentSnippet: when the question's words sit in different
// paragraphs, the snippet shows both, in document order, within the
// length limit and with the matches marked.
func TestTwoFragmentSnippet(t *testing.T) {
	long := strings.Repeat("Een zin zonder de gezochte woorden, om afstand te maken. ", 12)
	body := "Kinderen wachten maanden op de wachtlijst voor behandeling.\n\n" + long + "\n\nIn de jeugd-GGZ helpt overbruggingshulp gezinnen verder."
	doc := &corpus.Document{ID: corpus.DocumentID("https://a.example/w"), URL: "https://a.example/w", Title: "Wachten", Body: body, Source: "A"}
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, []*corpus.Document{doc})
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	res, err := e.Search(t.Context(), Request{Query: "wachtlijst overbruggingshulp", Limit: 1})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %v", err)
	}
	s := res.Hits[0].Snippet
	i, j := strings.Index(s, "**wachtlijst**"), strings.Index(s, "**overbruggingshulp**")
	if i < 0 || j < i || !strings.Contains(s, " … ") {
		t.Errorf("snippet %q: want both matches, in document order, joined by an ellipsis", s)
	}
	if n := unmarkedRunes(s); n > MaxSnippetRunes {
		t.Errorf("snippet has %d runes, more than %d", n, MaxSnippetRunes)
	}
}
