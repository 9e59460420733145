package search

import (
	"context"
	"errors"
	"fmt"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

var testDocs = []*corpus.Document{
	{ID: "a", Title: "Gezinnen met schulden", Body: "Veel gezinnen met schulden hebben ook opvoedvragen.\n\nSchuldhulp en jeugdhulp werken samen.",
		Source: "Bron A", Type: "artikel", Themes: []string{"Kwetsbare gezinnen"}, Published: time.Date(2021, 11, 26, 0, 0, 0, 0, time.UTC)},
	{ID: "b", Title: "Een gezin, één plan", Body: "Het gezin heeft één regiehouder en één plan.",
		Source: "Bron B", Type: "project", Themes: []string{"Integraal werken"}, Published: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)},
	{ID: "c", Title: "Kinderen op de wachtlijst", Body: "Wat helpt een kind dat wacht op jeugd-GGZ? Overbruggingshulp.",
		Source: "Bron A", Type: "nieuws", Themes: []string{"Wachtlijsten"}, Published: time.Date(2023, 6, 15, 0, 0, 0, 0, time.UTC)},
	{ID: "d", Title: "Dialoogtafel", Body: "Terugkijken met het gezin op een afgeronde casus.",
		Source: "Bron B", Type: "artikel", Themes: []string{"Leren"}},
}

func buildTest(t testing.TB, v Versions, docs []*corpus.Document) *BuildStats {
	t.Helper()
	vocab := NewVocabulary()
	for _, d := range docs {
		vocab.Add(d.Title + " " + d.Body)
	}
	b, err := v.NewBuilder(vocab)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := b.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	st, err := b.Commit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func testEngine(t testing.TB) *Engine {
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, testDocs)
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func ids(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	tests := []struct {
		q       string
		filters map[string]string
		first   string
		all     []string // when set, exactly these ids in any order
	}{
		{q: "wat werkt bij een gezin met schulden?", first: "a"},
		{q: "gezin", all: []string{"a", "b", "d"}}, // gezin and gezinnen share a stem
		{q: "kinderen", first: "c"},
		{q: "kind", first: "c"},
		{q: "wachtlijsten", first: "c"},
		{q: "what works for families in debt", first: "a"},
		{q: "gezin", filters: map[string]string{"bron": "bron a"}, all: []string{"a"}},
		{q: "gezin thema:\"integraal werken\"", all: []string{"b"}},
		{q: "gezin", filters: map[string]string{"jaar": "2021"}, all: []string{"a"}},
	}
	for _, tt := range tests {
		r, err := e.Search(ctx, Request{Query: tt.q, Filters: tt.filters, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		got := ids(r)
		if tt.first != "" && (len(got) == 0 || got[0] != tt.first) {
			t.Errorf("%q: got %v, want %s first", tt.q, got, tt.first)
		}
		sort.Strings(got)
		if tt.all != nil && strings.Join(got, ",") != strings.Join(tt.all, ",") {
			t.Errorf("%q %v: got %v, want %v", tt.q, tt.filters, got, tt.all)
		}
	}
}

func TestSearchHitFields(t *testing.T) {
	e := testEngine(t)
	r, err := e.Search(context.Background(), Request{Query: "schulden", Limit: 1, Explain: true})
	if err != nil || len(r.Hits) != 1 {
		t.Fatalf("got %v, %v", r, err)
	}
	h := r.Hits[0]
	if h.ID != "a" || h.Title != "Gezinnen met schulden" || h.Source != "Bron A" || h.Published != "2021-11-26" {
		t.Errorf("hit = %+v", h)
	}
	if !strings.Contains(h.Snippet, "**schulden**") {
		t.Errorf("snippet %q does not mark the match", h.Snippet)
	}
	if h.Explain == "" {
		t.Errorf("explain requested, none given")
	}
}

func TestSearchEdgeCases(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	r, err := e.Search(ctx, Request{Query: "dialoogtafl"})
	if err != nil || !r.Fuzzy || len(r.Hits) == 0 || r.Hits[0].ID != "d" {
		t.Errorf("misspelling: got %v fuzzy=%v err=%v, want d via fuzzy fallback", ids(r), r.Fuzzy, err)
	} else if !strings.Contains(r.Hits[0].Snippet, "Terugkijken met het gezin") {
		// bleve's searchers load this page: its text comes from the
		// texts file all the same.
		t.Errorf("fuzzy hit's snippet %q lacks its body text", r.Hits[0].Snippet)
	}
	r, err = e.Search(ctx, Request{Query: "dialoogtafel"})
	if err != nil || r.Fuzzy {
		t.Errorf("exact word used fuzzy matching")
	}
	for _, q := range []string{"", "?!", "😀", "de het een", "/.*/", "*"} {
		r, err := e.Search(ctx, Request{Query: q})
		if err != nil || !r.NoTopic || len(r.Hits) != 0 {
			t.Errorf("%q: got %v NoTopic=%v err=%v, want no topic", q, ids(r), r.NoTopic, err)
		}
	}
	// Paging: offset past the end is empty, not an error.
	r, err = e.Search(ctx, Request{Query: "gezin", Offset: 100})
	if err != nil || len(r.Hits) != 0 || r.Total == 0 {
		t.Errorf("offset past end: %v total %d err %v", ids(r), r.Total, err)
	}
	// Ties are broken by id, so repeated searches agree.
	a, _ := e.Search(ctx, Request{Query: "gezin", Limit: 10})
	b, _ := e.Search(ctx, Request{Query: "gezin", Limit: 10})
	if strings.Join(ids(a), ",") != strings.Join(ids(b), ",") {
		t.Errorf("order differs between runs: %v vs %v", ids(a), ids(b))
	}
}

func TestVersions(t *testing.T) {
	root := t.TempDir()
	v := Versions{Root: root, Keep: 2}
	if _, err := v.Current(); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("empty root: err %v, want ErrNoIndex", err)
	}
	if _, err := v.OpenCurrent(); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("empty root: OpenCurrent err %v, want ErrNoIndex", err)
	}
	var names []string
	for i := 1; i <= 3; i++ {
		st := buildTest(t, v, testDocs[:i])
		if st.Documents != i {
			t.Errorf("build %d: %d documents", i, st.Documents)
		}
		names = append(names, st.Version)
		cur, err := v.Current()
		if err != nil || filepath.Base(cur) != st.Version {
			t.Errorf("after build %d: current %q, %v; want %s", i, cur, err, st.Version)
		}
	}
	list, _ := v.List()
	if strings.Join(list, ",") != strings.Join(names[1:], ",") {
		t.Errorf("kept versions %v, want the last two %v", list, names[1:])
	}
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n, _ := e.Count(); n != 3 {
		t.Errorf("current version has %d documents, want 3", n)
	}
	// An aborted build leaves the current version alone.
	b, err := v.NewBuilder(nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Add(testDocs[0])
	b.Abort()
	if cur, _ := v.Current(); filepath.Base(cur) != names[2] {
		t.Errorf("abort changed current to %s", cur)
	}
	// A damaged CURRENT is an error, not a path outside the root.
	os.WriteFile(filepath.Join(root, currentFile), []byte("../../etc\n"), 0o644)
	if _, err := v.Current(); err == nil {
		t.Errorf("CURRENT pointing outside the root was accepted")
	}
}

func TestAnalyzerMergesForms(t *testing.T) {
	e := testEngine(t)
	same := [][2]string{
		{"gezin", "gezinnen"}, {"kind", "kinderen"}, {"baby", "baby's"}, {"auto", "auto's"},
		{"wachtlijst", "wachtlijsten"}, {"hulpverlener", "hulpverleners"}, {"ouder", "ouders"},
	}
	for _, p := range same {
		a, b := termsOf(e.analyze(p[0])), termsOf(e.analyze(p[1]))
		if a != b {
			t.Errorf("%q and %q analyse differently: %v vs %v", p[0], p[1], a, b)
		}
	}
}

// FuzzSearch runs arbitrary questions through understanding, query
// building and search: no panic, no error, no hit without a topic, and
// the same answer with every term's postings packed as without.
func FuzzSearch(f *testing.F) {
	e := testEngine(f)
	e.packMin = 1
	unpacked := testEngine(f)
	o := unpacked.opt
	o.PackedMB = 0
	unpacked.SetOptions(o)
	for _, s := range []string{"wat werkt bij gezinnen met schulden?", "ADHD?", "/.*/", "tijd: 12:00", "*", `"`,
		"bron:\"x", "thema:", "😀", "\x00", strings.Repeat("gezin ", 300), "ما الذي ينجح", "a~2 b^3 c*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := e.Search(context.Background(), Request{Query: s, Limit: 5})
		if err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		if r.NoTopic && len(r.Hits) > 0 {
			t.Fatalf("Search(%q): hits without a topic", s)
		}
		u, err := unpacked.Search(context.Background(), Request{Query: s, Limit: 5})
		if err != nil {
			t.Fatalf("Search(%q) unpacked: %v", s, err)
		}
		if a, b := answer(r), answer(u); a != b {
			t.Fatalf("Search(%q):\npacked   %s\nunpacked %s", s, a, b)
		}
	})
}

func termsOf(ts analysis.TokenStream) string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestCompoundSplitter(t *testing.T) {
	v := NewVocabulary()
	v.Add(strings.Repeat("jeugd hulpverleners hulpverlener zekerheid bestaan wachtlijst lijst beperking ", 3))
	s, err := newSplitter(v.encode())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, l, r string }{
		{"jeugdhulpverleners", "jeugd", "hulpverleners"},
		{"bestaanszekerheid", "bestaan", "zekerheid"},
		{"wachtlijsten", "wacht", "lijsten"},
		{"beperking", "", ""}, // a known word with no known parts stays whole
		{"gezin", "", ""},     // too short
		{"één-gezin", "", ""}, // not plain letters
	}
	for _, tt := range tests {
		l, r, ok := s.split(tt.in)
		if l != tt.l || r != tt.r || ok != (tt.l != "") {
			t.Errorf("split(%q) = %q, %q, %v; want %q, %q", tt.in, l, r, ok, tt.l, tt.r)
		}
	}
}

func TestSynonymExpansion(t *testing.T) {
	v := Versions{Root: t.TempDir()}
	docs := []*corpus.Document{
		{ID: "lvb", Title: "Ouders met een beperking", Body: "Ouders met een licht verstandelijke beperking krijgen aangepaste opvoedsteun."},
		{ID: "licht", Title: "Licht en lucht", Body: "Een verstandelijke keuze: licht in de klas en een beperking van lawaai."},
		{ID: "jim", Title: "Een mentor uit eigen kring", Body: "De informele mentor is een vertrouwde volwassene."},
	}
	buildTest(t, v, docs)
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for q, want := range map[string]string{"LVB": "lvb", "wat werkt bij JIM?": "jim", "lvb ouders": "lvb"} {
		r, err := e.Search(context.Background(), Request{Query: q})
		if err != nil || len(r.Hits) == 0 || r.Hits[0].ID != want {
			t.Errorf("%q: got %v, %v; want %s first", q, ids(r), err, want)
			continue
		}
		if !strings.Contains(r.Hits[0].Snippet, "**") {
			t.Errorf("%q: the expansion is not marked in %q", q, r.Hits[0].Snippet)
		}
	}
	e.SetSynonyms(nil)
	if r, _ := e.Search(context.Background(), Request{Query: "LVB"}); len(r.Hits) != 0 {
		t.Errorf("without synonyms LVB found %v", ids(r))
	}
}

func TestParseSynonyms(t *testing.T) {
	s, err := ParseSynonyms(strings.NewReader("# c\nA = b c\nx ~ y = z\n"), "f")
	if err != nil {
		t.Fatal(err)
	}
	got := s.expand([]string{"a"}, 10)
	if len(got) != 1 || got[0].phrase != "b c" || got[0].weight != weightEquivalent {
		t.Errorf("a expands to %+v", got)
	}
	if got := s.expand([]string{"x"}, 10); len(got) != 2 || got[0].weight != weightRelated {
		t.Errorf("x expands to %+v", got)
	}
	for _, bad := range []string{"alleen", "a = ", "= b", strings.Repeat("w ", 7) + "= b"} {
		if _, err := ParseSynonyms(strings.NewReader("# kop\n"+bad+"\n"), "syn.txt"); err == nil || !strings.Contains(err.Error(), "syn.txt:2") {
			t.Errorf("%q: err %v, want one naming syn.txt:2", bad, err)
		}
	}
	DefaultSynonyms() // the embedded list parses
}

// TestLongQuestion: a long question (Request.Long) is searched as
// weighted rare terms and still finds what its words point at.
func TestLongQuestion(t *testing.T) {
	e := testEngine(t)
	var words []string
	for i := 0; i < 1000; i++ {
		words = append(words, fmt.Sprintf("woord%d", i))
	}
	q := "schulden schulden gezinnen " + strings.Join(words, " ")
	r, err := e.Search(context.Background(), Request{Query: q, Long: true, Limit: 3})
	if err != nil || len(r.Hits) == 0 || r.Hits[0].ID != "a" {
		t.Errorf("long question: %v, %v; want a first", ids(r), err)
	}
	if terms := e.rareTerms(q); len(terms) != maxQueryTerms {
		t.Errorf("kept %d terms, want %d", len(terms), maxQueryTerms)
	}
	// Snippets of long questions are cut after the ranking, from the
	// rarest question terms the page's documents hold.
	if len(r.Hits) > 0 && !strings.Contains(r.Hits[0].Snippet, "**schulden**") {
		t.Errorf("long question snippet %q does not mark schulden", r.Hits[0].Snippet)
	}
}

// TestLateSnippetsKeepRanking: a question with more than lateTextTerms
// terms gets its snippets from a second, restricted query; the hits,
// their order and scores must be those of the ranking itself.
func TestLateSnippetsKeepRanking(t *testing.T) {
	e := testEngine(t)
	q := "gezinnen schulden kind wachtlijst gezin plan regiehouder dialoogtafel casus jeugdhulp schuldhulp opvoedvragen overbruggingshulp samen"
	if n := len(Understand(q).Terms); n <= lateTextTerms {
		t.Fatalf("question has %d terms, want more than %d", n, lateTextTerms)
	}
	with, err := e.Search(context.Background(), Request{Query: q, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	without, err := e.Search(context.Background(), Request{Query: q, Limit: 10, NoSnippets: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(with)) != fmt.Sprint(ids(without)) || len(with.Hits) != len(testDocs) {
		t.Fatalf("with snippets %v, without %v", ids(with), ids(without))
	}
	for i, h := range with.Hits {
		if h.Score != without.Hits[i].Score {
			t.Errorf("%s: score %v with snippets, %v without", h.ID, h.Score, without.Hits[i].Score)
		}
		if !strings.Contains(h.Snippet, "**") || h.Title == "" || h.Source == "" {
			t.Errorf("%s: snippet %q, title %q, source %q", h.ID, h.Snippet, h.Title, h.Source)
		}
	}
}

// TestFusedSentences: a full stop or colon without the space after it
// ("bedroeg.In uw antwoord") no longer glues two words into one term;
// domain names, times and lower-case abbreviations stay whole, and byte
// offsets still point into the text as written.
func TestFusedSentences(t *testing.T) {
	e := testEngine(t)
	for _, c := range []struct{ in, want string }{
		{"bedroeg.Daarnaast", termsOf(e.analyze("bedroeg Daarnaast"))},
		{"gezinnen:Schulden", termsOf(e.analyze("gezinnen Schulden"))},
		{"om 12:00 uur", termsOf(e.analyze("om 12:00 uur"))},
	} {
		if got := termsOf(e.analyze(c.in)); got != c.want {
			t.Errorf("%q → %q, want %q", c.in, got, c.want)
		}
	}
	text := "Het plan werkte.Daarna kwam één gezin."
	found := false
	for _, tok := range e.analyze(text) {
		if string(tok.Term) == "daarna" {
			found = true
			if w := text[tok.Start:tok.End]; w != "Daarna" {
				t.Errorf("term %q at %d:%d points at %q", tok.Term, tok.Start, tok.End, w)
			}
		}
	}
	if !found {
		t.Errorf("no term daarna in %q: %s", text, termsOf(e.analyze(text)))
	}
	for _, one := range []string{"mypension.be", "z.b.v."} {
		if n := len(e.analyze(one)); n != 1 {
			t.Errorf("%q gave %d terms, want it kept as one", one, n)
		}
	}
	if got := string(unfuseSentences([]byte("a.B"))); got != "a B" {
		t.Errorf("unfuse a.B = %q", got)
	}
	if got := string(unfuseSentences([]byte("é.É"))); got != "é É" {
		t.Errorf("unfuse é.É = %q", got)
	}
	for _, s := range []string{"", ".", "a.", ".B", "1.B", "a.b", "a..B", "\xff.B"} {
		if got := string(unfuseSentences([]byte(s))); got != s {
			t.Errorf("unfuse %q = %q, want it unchanged", s, got)
		}
	}
}

// TestLongQuestionExactWords: with Options.LongExact a long question
// also searches its rarest words unstemmed, so the document using the
// question's own word form gains on one that only shares the stem.
func TestLongQuestionExactWords(t *testing.T) {
	e := testEngine(t)
	if got := e.exactTerms("gezinnen"); got != nil {
		t.Errorf("exact terms with LongExact off: %v", got)
	}
	e.opt.LongExact = 50
	var words []string
	for i := 0; i < 40; i++ {
		words = append(words, fmt.Sprintf("woord%d", i))
	}
	topic := strings.Join(words, " ") + " wachtlijstjes gezinnen"
	if e.rareTerms(topic) == nil {
		t.Fatal("topic is not a long question")
	}
	var fields []string
	for _, q := range e.exactTerms(topic) {
		tq := q.(*query.TermQuery)
		fields = append(fields, tq.FieldVal+":"+tq.Term)
	}
	sort.Strings(fields)
	want := []string{"body_exact:gezinnen"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("exact terms %v, want %v (words the index lacks are left out)", fields, want)
	}
	e.opt.LongExact = 0
	r0, err := e.Search(context.Background(), Request{Query: topic, Long: true, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	e.opt.LongExact = 50
	r1, err := e.Search(context.Background(), Request{Query: topic, Long: true, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	// a says "gezinnen" as the question does, b only "gezin".
	ratio := func(r *Result) float64 {
		s := map[string]float64{}
		for _, h := range r.Hits {
			s[h.ID] = h.Score
		}
		if s["a"] == 0 || s["b"] == 0 {
			t.Fatalf("a or b missing: %v", ids(r))
		}
		return s["a"] / s["b"]
	}
	if r0, r1 := ratio(r0), ratio(r1); r1 < 1.5*r0 {
		t.Errorf("score of a over b: %.2f with exact words, %.2f without; want at least 1.5 times", r1, r0)
	}
}

// TestOptionsSet: every option parses, bad values are refused with the
// option's name, and longexact is a whole number no larger than the
// terms a long question is searched with.
func TestOptionsSet(t *testing.T) {
	o := DefaultOptions()
	for _, kv := range []string{"title=1.5", "exact=0", "longexact=50.7", "decompound=false", "analyzer=nl", "scoring=tfidf", "tf=sqrt", "coord=1", "coverage=0"} {
		if err := o.Set(kv); err != nil {
			t.Errorf("Set(%q): %v", kv, err)
		}
	}
	if o.TitleBoost != 1.5 || o.ExactBoost != 0 || o.LongExact != 50 || o.Decompound || o.Analyzer != "nl" || o.Scoring != "tfidf" ||
		o.RawTF || o.CoordPower != 1 || o.Coverage != 0 {
		t.Errorf("options after Set: %s", o)
	}
	if err := o.Set("longexact=1e300"); err != nil || o.LongExact != maxQueryTerms {
		t.Errorf("longexact=1e300: %v, %g; want %d", err, o.LongExact, maxQueryTerms)
	}
	for _, kv := range []string{"longexact=-1", "longexact=veel", "title", "kleur=rood", "scoring=bm26", "tf=log", "coord=-0.5", "coverage=half"} {
		if err := o.Set(kv); err == nil {
			t.Errorf("Set(%q) accepted", kv)
		}
	}
	if s := o.String(); !strings.Contains(s, "longexact=200") || !strings.Contains(s, "tf=sqrt coord=1 coverage=0") {
		t.Errorf("String() = %q", o.String())
	}
}

// TestLongSnippetsFromLocations: a long question marks its snippets with
// the locations of its 30 rarest terms; a hit that matched only through
// other words gets the locations of those instead, so no snippet has to
// analyse its text again (which cost a long question 0.3 ms at p50 and
// most of its p99 on the dekamer answers).
func TestLongSnippetsFromLocations(t *testing.T) {
	var rare []string
	for i := range 36 {
		rare = append(rare, fmt.Sprintf("zeldzaamwoord%c%c", 'a'+i/6, 'a'+i%6))
	}
	docs := []*corpus.Document{
		{ID: "zeldzaam", Title: "Een lijst", Body: strings.Join(rare, " ") + ".", Source: "Bron A"},
		{ID: "gewoon", Title: "Wachtlijsten", Body: "De wachtlijst voor jeugdhulp groeit.\n\nGemeenten zoeken samen met aanbieders naar overbruggingshulp voor gezinnen op de wachtlijst.", Source: "Bron B"},
		// The question's other words are in two documents, so its 30
		// rarest terms are all rare words.
		{ID: "ander", Title: "Iets anders", Body: "Gezinnen op de wachtlijst krijgen jeugdhulp als overbruggingshulp.", Source: "Bron B"},
	}
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, docs)
	e, err := v.OpenCurrent()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	q := strings.Join(rare, " ") + " wachtlijst jeugdhulp overbruggingshulp"
	res, err := e.Search(context.Background(), Request{Query: q, Limit: 10, Long: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range res.Hits {
		got[h.ID] = h.Snippet
	}
	if !strings.Contains(got["zeldzaam"], "**zeldzaamwoord") {
		t.Errorf("snippet of the rare-word hit %q marks none of them", got["zeldzaam"])
	}
	for _, w := range []string{"**wachtlijst**", "**overbruggingshulp**"} {
		if !strings.Contains(got["gewoon"], w) {
			t.Errorf("snippet %q of the hit without rare words lacks %s", got["gewoon"], w)
		}
	}
	if n := e.reread.Load(); n != 0 {
		t.Errorf("%d snippets analysed their text again, want 0 (hits %v)", n, ids(res))
	}
	// bleve's searchers rank the same page and mark the same words.
	sameRanking(t, e, Request{Query: q, Limit: 10, Long: true})
}
