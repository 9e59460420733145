package indexer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/watwerkt/watwerkt/corpus"
)

// CheckSelectors compiles a source's CSS selectors, so a typo is
// reported before a crawl starts rather than as empty documents.
func CheckSelectors(s *corpus.Selectors) error {
	if s.Empty() {
		return nil
	}
	check := func(name, sel string) error {
		if sel == "" {
			return nil
		}
		if _, err := cascadia.Compile(sel); err != nil {
			return fmt.Errorf("selectors.%s: %q: %v", name, sel, err)
		}
		return nil
	}
	for _, p := range [][2]string{{"title", s.Title}, {"body", s.Body}, {"date", s.Date}, {"author", s.Author}} {
		if err := check(p[0], p[1]); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(s.Fields))
	for n := range s.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := check("fields."+n, s.Fields[n]); err != nil {
			return err
		}
	}
	return nil
}

// applySelectors overrides what automatic extraction found with the
// source's selectors. It runs on the page as fetched (before boilerplate
// removal), since the curator chose the elements.
func applySelectors(dom *goquery.Document, s *corpus.Selectors, d *corpus.Document) {
	if s.Empty() {
		return
	}
	text := func(sel string) string {
		if sel == "" {
			return ""
		}
		return clean(dom.Find(sel).First().Text())
	}
	if t := text(s.Title); t != "" {
		d.Title = t
	}
	if a := text(s.Author); a != "" {
		d.Author = a
	}
	if s.Date != "" {
		sel := dom.Find(s.Date).First()
		for _, v := range []string{sel.AttrOr("datetime", ""), sel.AttrOr("content", ""), sel.Text()} {
			if t, ok := ParseDutchDate(v); ok {
				d.Published = t
				break
			}
		}
	}
	for name, sel := range s.Fields {
		if v := text(sel); v != "" {
			if d.Fields == nil {
				d.Fields = map[string]string{}
			}
			d.Fields[name] = v
			if strings.EqualFold(name, "Thema's") || strings.EqualFold(name, "thema") {
				d.Themes = splitThemes(v)
			}
			if strings.EqualFold(name, "regio") {
				d.Region = v
			}
		}
	}
	if s.Body != "" {
		body := dom.Find(s.Body)
		if body.Length() > 0 {
			body.Find("script, style, noscript, template, form, button, iframe").Remove()
			paras := paragraphs(body.Nodes)
			if len(paras) > 0 && strings.EqualFold(paras[0], d.Title) {
				paras = paras[1:]
			}
			d.Body = strings.Join(paras, "\n\n")
		}
	}
}
