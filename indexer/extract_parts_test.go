package indexer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/watwerkt/watwerkt/corpus"
)

func extractFile(t *testing.T, name string) *Page {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Extract("https://kennis.example/pagina", body, "text/html; charset=utf-8")
	if err != nil {
		t.Fatalf("Extract(%s): %v", name, err)
	}
	return p
}

// TestExtractJSShell: a page that is only a JavaScript application shell
// is reported as such, with no text to index; a short page and a
// server-rendered page of a JavaScript framework are not.
func TestExtractJSShell(t *testing.T) {
	tests := []struct {
		file     string
		shell    bool
		rejected string
	}{
		{"extract-jsshell-react.html", true, SkipJSShell},
		{"extract-jsshell-loading.html", true, SkipJSShell},
		{"extract-jsshell-nuxt.html", true, SkipJSShell},
		{"extract-short-page.html", false, SkipEmpty},
		{"extract-nextjs-article.html", false, ""},
	}
	for _, tt := range tests {
		p := extractFile(t, tt.file)
		if p.JSShell != tt.shell || p.Rejected() != tt.rejected {
			t.Errorf("%s: JSShell, Rejected() = %v, %q; want %v, %q (body %q)", tt.file, p.JSShell, p.Rejected(), tt.shell, tt.rejected, p.Doc.Body)
		}
		if p.JSShell && p.Doc.Body != "" {
			t.Errorf("%s: a shell keeps body %q", tt.file, p.Doc.Body)
		}
	}
}

// TestExtractPassages: headings and list items are paragraphs of their
// own, and the metadata of a framework page is read.
func TestExtractPassages(t *testing.T) {
	p := extractFile(t, "extract-nextjs-article.html")
	d := p.Doc
	if d.Title != "Samen beslissen met jongeren" {
		t.Errorf("Title = %q", d.Title)
	}
	if want := time.Date(2021, 11, 26, 0, 0, 0, 0, time.UTC); !d.Published.Equal(want) {
		t.Errorf("Published = %v, want %v (parseDateLine reads \"vr 26 nov '21\")", d.Published, want)
	}
	paras := corpus.SplitParagraphs(d.Body)
	for _, want := range []string{"Wat werkt", "Bespreek ten minste twee mogelijkheden.", "Vraag wat de jongere zelf belangrijk vindt."} {
		found := false
		for _, para := range paras {
			found = found || para == want
		}
		if !found {
			t.Errorf("no paragraph %q in %q", want, paras)
		}
	}
	if strings.Contains(d.Body, "Thema's") || strings.Contains(d.Body, "Over ons") {
		t.Errorf("Body has the menu: %q", d.Body)
	}
}

func TestExtractMetadata(t *testing.T) {
	const text = `<p>Gedeelde besluitvorming betekent dat de jongere, de ouders en de hulpverlener samen kiezen welke hulp er komt.
Dat klinkt vanzelfsprekend, maar in de praktijk beslist de professional nog vaak alleen, zo blijkt uit onderzoek van de werkplaats.</p>`
	tests := []struct {
		name, head, body                    string
		author, lang, intro, published, typ string
	}{
		{"JSON-LD graph of Yoast",
			`<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage","datePublished":"2023-06-08T09:00:00+00:00","inLanguage":"nl-NL","description":"Samen kiezen."},{"@type":"Article","headline":"Samen beslissen","author":{"@type":"Person","name":"Koen Vermeulen"}}]}</script>`,
			`<article>` + text + `</article>`,
			"Koen Vermeulen", "nl", "Samen kiezen.", "2023-06-08", ""},
		{"byline and Dutch date in the text",
			`<meta http-equiv="content-language" content="nl">`,
			`<article><p class="byline">Door: Sanne de Wit</p><span class="datum">Gepubliceerd op 3 mrt. 2020</span>` + text + `</article>`,
			"Sanne de Wit", "nl", "", "2020-03-03", ""},
		{"meta author, og:locale, numeric date",
			`<meta name="author" content="Redactie NJi"><meta property="og:locale" content="nl_NL"><meta name="description" content="Een korte samenvatting.">`,
			`<article><time>26-11-2021</time>` + text + `</article>`,
			"Redactie NJi", "nl", "Een korte samenvatting.", "2021-11-26", ""},
		{"relative date is not read",
			``,
			`<article><span class="date">3 dagen geleden</span>` + text + `</article>`,
			"", "nl", "", "", ""},
		{"heading permalinks do not make a hub",
			``,
			`<article><h2>Aanpak <a href="#aanpak">¶</a></h2>` + text + `<h2>Resultaten <a href="#resultaten">¶</a></h2>` + text +
				`<h2>Vervolg <a href="#vervolg">¶</a></h2>` + text + `</article>`,
			"", "nl", "", "", ""}, // the language guessed from the text
		{"headlines with teasers are a hub",
			``,
			`<main><h2><a href="/a">Artikel een</a></h2><p>Kort.</p><h2><a href="/b">Artikel twee</a></h2><p>Kort.</p><h2><a href="/c">Artikel drie</a></h2><p>Kort.</p></main>`,
			"", "", "", "", "overzicht"},
	}
	for _, tt := range tests {
		p, err := Extract("https://x.example/a", []byte("<html><head>"+tt.head+"</head><body>"+tt.body+"</body></html>"), "text/html")
		if err != nil {
			t.Fatal(err)
		}
		d := p.Doc
		pub := ""
		if !d.Published.IsZero() {
			pub = d.Published.Format("2006-01-02")
		}
		wantIntro := tt.intro
		if wantIntro == "" {
			wantIntro = d.Intro // the first paragraph, tested elsewhere
		}
		if d.Author != tt.author || d.Language != tt.lang || d.Intro != wantIntro || pub != tt.published || d.Type != tt.typ {
			t.Errorf("%s: Author %q, Language %q, Intro %q, Published %q, Type %q; want %q, %q, %q, %q, %q",
				tt.name, d.Author, d.Language, d.Intro, pub, d.Type, tt.author, tt.lang, wantIntro, tt.published, tt.typ)
		}
	}
}

// TestExtractCommentThread: a comment thread longer than the article
// stays out of the text; the thread never holds the article's heading.
func TestExtractCommentThread(t *testing.T) {
	article := "<p>" + strings.Repeat("Ouders met ervaring helpen andere ouders de weg te vinden in de jeugdhulp. ", 6) + "</p>"
	comment := `<div class="comment"><p class="author">Lezer</p><p>` + strings.Repeat("Herkenbaar verhaal, bij ons in de wijk gaat het net zo en dat zeg ik al jaren. ", 4) + `</p></div>`
	page := `<html lang="nl"><body><div class="wrapper"><h1>Ervaringsdeskundige ouders</h1>` + article + article +
		`<div id="comments" class="comments-area"><h3>Reacties</h3>` + strings.Repeat(comment, 8) + `</div></div></body></html>`
	p, err := Extract("https://x.example/artikel", []byte(page), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Doc.Body, "Herkenbaar verhaal") {
		t.Errorf("Body (by %s) has the comments: %q", p.Method, p.Doc.Body)
	}
	if !strings.Contains(p.Doc.Body, "Ouders met ervaring") {
		t.Errorf("Body (by %s) lacks the article: %q", p.Method, p.Doc.Body)
	}
}

// TestExtractSelectorsWin: a source's selectors take precedence over the
// automatic choice, and Page.Method says so.
func TestExtractSelectorsWin(t *testing.T) {
	page := `<html><head><title>Automatisch | Site</title></head><body><article><h1>Kop</h1>` +
		`<p>` + strings.Repeat("Tekst die de automatische extractie kiest. ", 8) + `</p></article>` +
		`<div class="eigen-veld"><p>Alleen deze alinea hoort erbij.</p></div><span class="wie">Door A. Auteur</span></body></html>`
	sel := &corpus.Selectors{Title: "h1", Body: ".eigen-veld", Author: ".wie"}
	p, err := ExtractWith("https://x.example/a", []byte(page), "text/html", sel)
	if err != nil {
		t.Fatal(err)
	}
	if p.Doc.Title != "Kop" || p.Doc.Body != "Alleen deze alinea hoort erbij." || p.Method != MethodSelectors {
		t.Errorf("Title %q, Body %q, Method %q; want Kop, the selected paragraph, %s", p.Doc.Title, p.Doc.Body, p.Method, MethodSelectors)
	}
	auto, _ := Extract("https://x.example/a", []byte(page), "text/html")
	if auto.Method == MethodSelectors || !strings.Contains(auto.Doc.Body, "automatische extractie") {
		t.Errorf("without selectors: Method %q, Body %q", auto.Method, auto.Doc.Body)
	}
}

func TestParseDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"26 november 2021", day(2021, 11, 26)},
		{"vr 26 nov '21", day(2021, 11, 26)},
		{"26-11-21", day(2021, 11, 26)},
		{"do 4 mrt 2021", day(2021, 3, 4)},
		{"3 dagen geleden", time.Time{}},
		{"gisteren", time.Time{}},
		{"versie 2.1.3", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

// TestChooseMain: readability's text is taken when our own choice
// confirms it, and ours when readability took a block ours had removed
// or a fragment.
func TestChooseMain(t *testing.T) {
	article := strings.Repeat("ouders en jongeren beslissen samen over de hulp die past bij het gezin ", 20)
	comments := strings.Repeat("herkenbaar verhaal bij ons in de wijk gaat het net zo ", 60)
	sidebar := strings.Repeat("meest gelezen nieuwsbrief agenda vacatures contact ", 10)
	cand := func(method string, texts ...string) candidate { return newCandidate(method, texts) }
	tests := []struct {
		name  string
		cands []candidate
		want  string
	}{
		{"both agree", []candidate{cand(MethodOwn, article), cand(MethodReadability, article)}, MethodReadability},
		{"readability without the comment thread ours kept",
			[]candidate{cand(MethodOwn, article, comments), cand(MethodReadability, article)}, MethodReadability},
		{"readability took the side bar ours removed",
			[]candidate{cand(MethodOwn, article), cand(MethodReadability, sidebar)}, MethodOwn},
		{"readability found nothing", []candidate{cand(MethodOwn, article), cand(MethodReadability)}, MethodOwn},
		{"ours found nothing", []candidate{cand(MethodOwn), cand(MethodReadability, article)}, MethodReadability},
		{"readability took one caption",
			[]candidate{cand(MethodOwn, article), cand(MethodReadability, "ouders en jongeren")}, MethodOwn},
		{"ours took one caption",
			[]candidate{cand(MethodOwn, "meest gelezen"), cand(MethodReadability, article)}, MethodReadability},
	}
	for _, tt := range tests {
		if got := chooseMain(tt.cands).method; got != tt.want {
			t.Errorf("%s: chose %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestPickMainRestores: a small section readability dropped from the
// middle of the article and our own choice kept goes back in its place;
// a large one, a single line (a caption, "Advertentie"), a list of links
// and what comes before or after readability's text stay out.
func TestPickMainRestores(t *testing.T) {
	lead := strings.Repeat("ouders en jongeren beslissen samen over de hulp die past bij het gezin ", 5)
	rest := strings.Repeat("de casemanager houdt het overzicht en bewaakt het belang van het kind ", 5)
	more := strings.Repeat("na een half jaar kijken gezin en hulpverleners samen terug op het plan ", 5)
	end := strings.Repeat("het project loopt tot eind volgend jaar in drie gemeenten in de regio ", 5)
	gallery := strings.Repeat("foto van de week met een lang onderschrift over iets anders ", 10)
	page := `<div><p>Advertentie</p><p>` + lead + `</p>` +
		`<div class="contacts"><h2>Contactpersonen</h2><p><strong>Hanneke ter Horst</strong><br>projectleider, Stichting Gezinsbrug Twente</p></div>` +
		`<p>` + rest + `</p><p>Advertentie</p><p>` + more + `</p>` +
		`<h3>Foto's</h3><p>` + gallery + `</p>` +
		`<h3>Meest gelezen</h3><ul><li><a href="/a">Wachtlijsten in de jeugd-GGZ</a></li><li><a href="/b">Thuiszitters</a></li></ul>` +
		`<p>` + end + `</p><h3>Lees ook</h3><p><a href="/c">Schulden en opvoeden</a></p></div>`
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	paras, kinds := paragraphsAndKinds([]*html.Node{root})
	own := newCandidate(MethodOwn, paras)
	own.kinds = kinds
	clean := func(s string) string { return strings.TrimSpace(s) }
	cands := []candidate{own, newCandidate(MethodReadability, []string{clean(lead), clean(rest), clean(more), clean(end)})}
	got := pickMain(cands)
	want := []string{clean(lead), "Contactpersonen", "Hanneke ter Horst", "projectleider, Stichting Gezinsbrug Twente", clean(rest), clean(more), clean(end)}
	if got.method != MethodReadability || strings.Join(got.paras, "|") != strings.Join(want, "|") {
		t.Errorf("pickMain = %s %q, want readability %q", got.method, got.paras, want)
	}
}
