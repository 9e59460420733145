package indexer

import (
	"reflect"
	"strings"
	"testing"
)

func TestExtractHeadMetadata(t *testing.T) {
	const para = "<p>Een alinea die lang genoeg is om als hoofdtekst te tellen, over wachtlijsten in de jeugd-ggz en wat gemeenten daaraan doen.</p>"
	tests := []struct {
		name              string
		html              string
		noindex, nofollow bool
		links             []string
		canonical, title  string
	}{
		{"robots noindex, nofollow",
			`<meta name="ROBOTS" content="NOINDEX, NOFOLLOW"><a href="/a">a</a>` + para,
			true, true, nil, "", ""},
		{"robots none",
			`<meta name="robots" content="none"><a href="/a">a</a>`,
			true, true, nil, "", ""},
		{"watwerkt-specific robots meta",
			`<meta name="watwerkt" content="noindex"><a href="/a">a</a>`,
			true, false, []string{"http://x.example/a"}, "", ""},
		{"links resolved, deduplicated, fragments and non-http dropped",
			`<a href="b#top">b</a><a href="b">b</a><a href="mailto:r@x.example">m</a><a href="javascript:void(0)">j</a>` +
				`<a href="//y.example/c">c</a><a href="/d" rel="NoFollow noopener">d</a><a href=" ../e ">e</a>`,
			false, false, []string{"http://x.example/dir/b", "http://y.example/c", "http://x.example/e"}, "", ""},
		{"base href",
			`<base href="https://z.example/basis/"><a href="f">f</a><link rel="canonical" href="pagina">`,
			false, false, []string{"https://z.example/basis/f"}, "https://z.example/basis/pagina", ""},
		{"canonical relative",
			`<link rel="canonical" href="/dir/page?x=1">`,
			false, false, nil, "http://x.example/dir/page?x=1", ""},
		{"canonical not http ignored",
			`<link rel="canonical" href="ftp://x.example/a">`,
			false, false, nil, "", ""},
		// A site's name is cut off the <title> on evidence: og:site_name,
		// the page's main heading, or the text of the link home.
		{"title suffix removed: og:site_name",
			`<title>Wachtlijst overbruggen | Jeugd in Beeld</title><meta property="og:site_name" content="Jeugd in Beeld">`,
			false, false, nil, "", "Wachtlijst overbruggen"},
		{"title dash suffix removed: the rest is the h1",
			`<title>Thuis, tenzij - Projectenbank Jeugd</title><h1>Thuis, tenzij</h1>`,
			false, false, nil, "", "Thuis, tenzij"},
		{"title em dash suffix removed: the logo links home",
			`<title>Thuis, tenzij — Projectenbank Jeugd</title><a href="/" class="logo">Projectenbank Jeugd</a>`,
			false, false, []string{"http://x.example/"}, "", "Thuis, tenzij"},
		{"site name first",
			`<title>Jeugd in Beeld | Wachtlijst overbruggen</title><a href="http://x.example/"><img alt="Jeugd in Beeld" src="/logo.png"></a>`,
			false, false, []string{"http://x.example/"}, "", "Wachtlijst overbruggen"},
		{"without evidence a long title loses its last part",
			`<title>Wat werkt bij jongeren die het contact met hun netwerk kwijt zijn | Kenniscentrum</title>`,
			false, false, nil, "", "Wat werkt bij jongeren die het contact met hun netwerk kwijt zijn"},
		{"without evidence a short title is kept whole",
			`<title>Jeugdhulp - wat werkt?</title>`,
			false, false, nil, "", "Jeugdhulp - wat werkt?"},
		{"og:title wins",
			`<title>Iets | Site</title><meta property="og:title" content="Echte titel"><h1>Kop</h1>`,
			false, false, nil, "", "Echte titel"},
		{"JSON-LD headline first",
			`<title>Iets | Site</title><meta property="og:title" content="Deeltitel"><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Koptekst uit JSON-LD"}</script>`,
			false, false, nil, "", "Koptekst uit JSON-LD"},
		{"h1 before a generic title",
			`<title>Home | Site</title><h1> Een  kop  over wachtlijsten </h1>`,
			false, false, nil, "", "Een kop over wachtlijsten"},
		{"short title kept over a shorter h1",
			`<title>RTL Test</title><h1>Lorem</h1>`,
			false, false, nil, "", "RTL Test"},
	}
	for _, tt := range tests {
		p, err := Extract("http://x.example/dir/page", []byte("<!DOCTYPE html><html><head></head><body>"+tt.html+"</body></html>"), "text/html")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if p.NoIndex != tt.noindex || p.NoFollow != tt.nofollow {
			t.Errorf("%s: NoIndex, NoFollow = %v, %v; want %v, %v", tt.name, p.NoIndex, p.NoFollow, tt.noindex, tt.nofollow)
		}
		if !reflect.DeepEqual(p.Links, tt.links) {
			t.Errorf("%s: Links = %q, want %q", tt.name, p.Links, tt.links)
		}
		if p.Canonical != tt.canonical {
			t.Errorf("%s: Canonical = %q, want %q", tt.name, p.Canonical, tt.canonical)
		}
		if tt.title != "" && p.Doc.Title != tt.title {
			t.Errorf("%s: Title = %q, want %q", tt.name, p.Doc.Title, tt.title)
		}
	}
}

func TestExtractWindows1252Page(t *testing.T) {
	body := []byte("<html><head><title>Caf\xe9 | Site</title></head><body><article><h1>Caf\xe9</h1>" +
		"<p>Co\xf6rdinatie van zorg \x96 \xe9\xe9n gezin, \xe9\xe9n plan \x80 en meer tekst om de alinea te vullen.</p></article></body></html>")
	p, err := Extract("http://x.example/", body, "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if p.Charset != "windows-1252" || p.Doc.Title != "Café" {
		t.Errorf("Charset, Title = %q, %q; want windows-1252, Café", p.Charset, p.Doc.Title)
	}
	if want := "Coördinatie van zorg – één gezin, één plan € en meer"; !strings.Contains(p.Doc.Body, want) {
		t.Errorf("Body = %q, want it to contain %q", p.Doc.Body, want)
	}
}

func TestTitleSiteNameFromHost(t *testing.T) {
	p, err := Extract("https://www.nji.nl/wachtlijsten", []byte("<title>Wachtlijsten in de jeugdhulp - NJi</title><p>Tekst.</p>"), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if p.Doc.Title != "Wachtlijsten in de jeugdhulp" {
		t.Errorf("Title = %q, want %q", p.Doc.Title, "Wachtlijsten in de jeugdhulp")
	}
}
