package demo

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	nonTOC := 0
	kinds := map[string]map[string]int{}
	for _, p := range c.Pages {
		if p.Kind != "toc" {
			nonTOC++
		}
		if kinds[p.Site] == nil {
			kinds[p.Site] = map[string]int{}
		}
		kinds[p.Site][p.Kind]++
		if c.Page(p.ID) != p {
			t.Errorf("Page(%q) does not return the loaded page", p.ID)
		}
		if got := c.PagePath(p.ID); !strings.HasSuffix(got, "/"+p.ID) {
			t.Errorf("PagePath(%q) = %q, want it to end in the id", p.ID, got)
		}
	}
	if nonTOC < 40 {
		t.Errorf("got %d pages other than toc, want at least 40", nonTOC)
	}
	for site, want := range siteKinds {
		for _, k := range want {
			if kinds[site][k] == 0 {
				t.Errorf("site %s has no page of kind %q (kinds: %v)", site, k, kinds[site])
			}
		}
	}
	if len(kinds) != len(Sites) {
		t.Errorf("pages come from %d sites, want %d: %v", len(kinds), len(Sites), kinds)
	}
	if c.Page("bestaat-niet") != nil || c.PagePath("bestaat-niet") != "" {
		t.Error("unknown id: want nil page and empty path")
	}
}

// TestThemeCoverage checks that every theme family of the demo issue is
// covered by at least one page, so that searches for them have answers.
func TestThemeCoverage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	families := [][]string{
		{"één gezin"}, {"normaliseren"}, {"kwetsbare gezinnen"}, {"implement"},
		{"informele mentor", "jim"}, {"dialoogtafel"}, {"handelingsverleg"}, {"wijkteam"},
		{"uithuisplaatsing"}, {"licht verstandelijke beperking", "lvb"}, {"ggz"},
		{"onderwijszorgarrangement"}, {"participatie"}, {"online hulp"}, {"wachtlijst"},
	}
	var texts []string
	for _, p := range c.Pages {
		texts = append(texts, strings.ToLower(strings.Join(
			[]string{p.Title, p.Intro, p.Body, strings.Join(p.Themes, "; ")}, "\n")))
	}
	for _, stems := range families {
		found := 0
		for _, text := range texts {
			for _, s := range stems {
				if strings.Contains(text, s) {
					found++
					break
				}
			}
		}
		if found == 0 {
			t.Errorf("no page mentions any of %q", stems)
		}
	}
}

func TestSiteOrder(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Sites {
		pages := c.Site(s.Key)
		for i := 1; i < len(pages); i++ {
			a, b := pages[i-1], pages[i]
			if a.Date.Before(b.Date) || (a.Date.Equal(b.Date) && a.ID > b.ID) {
				t.Errorf("Site(%s): %s (%s) before %s (%s), want newest first, ties by id",
					s.Key, a.ID, a.Date.Format(time.DateOnly), b.ID, b.Date.Format(time.DateOnly))
			}
		}
	}
	for _, p := range c.Site("magazine", "toc") {
		if p.Kind != "toc" {
			t.Errorf("Site(magazine, toc) returned a %s", p.Kind)
		}
	}
}

const validPage = `id: een-gezin-een-plan
kind: artikel
title: Eén gezin, één plan
date: 2021-11-26
author: Sanne de Wit
themes: één gezin één plan; regie ;; wijkteam
readtime: 4
intro: Een inleiding.
---
Eerste alinea.

## Kopje
`

func TestParsePage(t *testing.T) {
	p, err := ParsePage("magazine", validPage)
	if err != nil {
		t.Fatalf("ParsePage: %v", err)
	}
	if p.ID != "een-gezin-een-plan" || p.Kind != "artikel" || p.Title != "Eén gezin, één plan" || p.Site != "magazine" {
		t.Errorf("header = %q %q %q %q", p.ID, p.Kind, p.Title, p.Site)
	}
	if want := time.Date(2021, 11, 26, 0, 0, 0, 0, time.UTC); !p.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", p.Date, want)
	}
	if got, want := strings.Join(p.Themes, "|"), "één gezin één plan|regie|wijkteam"; got != want {
		t.Errorf("Themes = %q, want %q", got, want)
	}
	if p.ReadTime != 4 {
		t.Errorf("ReadTime = %d, want 4", p.ReadTime)
	}
	if want := "Eerste alinea.\n\n## Kopje"; p.Body != want {
		t.Errorf("Body = %q, want %q", p.Body, want)
	}

	proj, err := ParsePage("projecten", `id: p
kind: project
title: T
date: 2023-01-02
intro: I
status: Lopend
start: 2022-02-01
end: 2025-12-31
contact: dr. A; projectleider; Universiteit
contact: B
consortium: X; Y
---
B`)
	if err != nil {
		t.Fatal(err)
	}
	if len(proj.Contacts) != 2 || proj.Contacts[0] != (Contact{"dr. A", "projectleider", "Universiteit"}) || proj.Contacts[1] != (Contact{Name: "B"}) {
		t.Errorf("Contacts = %+v", proj.Contacts)
	}
	if proj.Status != "Lopend" || proj.Start.Year() != 2022 || proj.End.Year() != 2025 || len(proj.Members) != 2 {
		t.Errorf("project fields = %q %v %v %q", proj.Status, proj.Start, proj.End, proj.Members)
	}
}

func TestParsePageErrors(t *testing.T) {
	tests := []struct {
		name, site, text string
		want             string // the error starts with this
		contains         string
	}{
		{"missing ---", "magazine", "id: a\nkind: artikel\ntitle: T\ndate: 2021-01-01\nintro: I\n", "5:", `"---"`},
		{"body without ---", "magazine", "id: a\nkind: artikel\ntitle: T\ndate: 2021-01-01\nintro: I\n\nEen alinea.", "7:", "key: value"},
		{"unknown key", "magazine", "id: a\nkind: artikel\nkleur: rood\n---\nB", "3:", "kleur"},
		{"bad date", "magazine", "id: a\nkind: artikel\ntitle: T\ndate: 26 november 2021\n---\nB", "4:", "date"},
		{"bad start date", "projecten", "id: a\nkind: project\n\nstart: 2022-13-01\n---\nB", "4:", "start"},
		{"bad readtime", "magazine", "id: a\nreadtime: vier\n---\nB", "2:", "readtime"},
		{"no colon", "magazine", "id: a\ntitle T\n---\nB", "2:", "key: value"},
		{"bad id", "magazine", "id: Een_Gezin\nkind: artikel\ntitle: T\ndate: 2021-01-01\nintro: I\n---\nB", "1:", "Een_Gezin"},
		{"id missing", "magazine", "kind: artikel\ntitle: T\ndate: 2021-01-01\nintro: I\n---\nB", "1:", "id"},
		{"title missing", "magazine", "id: a\nkind: artikel\ndate: 2021-01-01\nintro: I\n---\nB", "1:", "title"},
		{"intro missing", "magazine", "id: a\nkind: artikel\ntitle: T\ndate: 2021-01-01\n---\nB", "1:", "intro"},
		{"body empty", "magazine", "id: a\nkind: artikel\ntitle: T\ndate: 2021-01-01\nintro: I\n---\n\n  \n", "8:", "body"},
		{"kind of another site", "magazine", "id: a\nkind: project\ntitle: T\ndate: 2021-01-01\nintro: I\n---\nB", "1:", "project"},
		{"toc without items", "magazine", "id: a\nkind: toc\ntitle: T\ndate: 2021-01-01\nintro: I\n---\nB", "1:", "items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePage(tt.site, tt.text)
			if err == nil {
				t.Fatalf("got page %+v, want an error", p)
			}
			if !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q: want it to start with %q and mention %q", err, tt.want, tt.contains)
			}
		})
	}
}

func TestLoadFSErrors(t *testing.T) {
	page := func(id, kind, extra string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("id: " + id + "\nkind: " + kind + "\ntitle: T\ndate: 2021-01-01\nintro: I\n" + extra + "---\nBody\n")}
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"id differs from file name", fstest.MapFS{"content/magazine/b.txt": page("a", "artikel", "")},
			[]string{"content/magazine/b.txt", "file name"}},
		{"id used twice", fstest.MapFS{
			"content/magazine/a.txt":  page("a", "artikel", ""),
			"content/projecten/a.txt": page("a", "project", ""),
		}, []string{"used twice"}},
		{"toc lists unknown item", fstest.MapFS{
			"content/magazine/a.txt":   page("a", "artikel", ""),
			"content/magazine/toc.txt": page("toc", "toc", "items: a; b\n"),
		}, []string{"toc", `"b"`}},
		{"parse error carries path and line", fstest.MapFS{"content/magazine/a.txt": {Data: []byte("id: a\nfoo: x\n---\nB")}},
			[]string{"content/magazine/a.txt:2:"}},
	}
	for _, tt := range tests {
		c, err := LoadFS(tt.fsys)
		if err == nil {
			t.Errorf("%s: got %d pages, want an error", tt.name, len(c.Pages))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, w)
			}
		}
	}
	c, err := LoadFS(fstest.MapFS{
		"content/magazine/a.txt":     page("a", "artikel", ""),
		"content/magazine/notes.md":  {Data: []byte("not a page")},
		"content/magazine/toc-1.txt": page("toc-1", "toc", "items: a\n"),
	})
	if err != nil || len(c.Pages) != 2 {
		t.Errorf("LoadFS of a valid tree: %v, %d pages; want 2 pages", err, len(c.Pages))
	}
}
