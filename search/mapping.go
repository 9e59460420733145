// Package search is the only part of watwerkt that knows bleve: the index
// mapping and its Dutch analysis, building and opening index versions,
// turning a question into a query, ranking, and snippets.
package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Field names in the index.
const (
	fTitle      = "title"
	fIntro      = "intro"
	fBody       = "body"
	fTitleExact = "title_exact"
	fBodyExact  = "body_exact"
	fSource     = "source"
	fType       = "type"
	fThemes     = "themes"
	fRegion     = "region"
	fYear       = "year"
	fPublished  = "published"
	fURL        = "url"
	fAuthor     = "author"
)

// facetAnalyzer keeps a whole value as one lower-cased term, so filters
// match "LVB" and "lvb" alike.
const facetAnalyzer = "watwerkt_facet"

// indexDoc is what is stored in bleve for one document.
type indexDoc struct {
	Title     string   `json:"title"`
	Intro     string   `json:"intro"`
	Body      string   `json:"body"`
	Source    string   `json:"source"`
	Type      string   `json:"type"`
	Themes    []string `json:"themes"`
	Region    string   `json:"region"`
	Year      string   `json:"year"`
	Published string   `json:"published"`
	URL       string   `json:"url"`
	Author    string   `json:"author"`
	Rec       string   `json:"rec"` // where intro and body are in the texts file
}

// exactAnalyzerName keeps words as written (lower case, no stemming).
const exactAnalyzerName = "watwerkt_exact"

// compoundAnalyzerName is the Dutch analyzer with the corpus's compound
// dictionary; it exists only in mappings built with a vocabulary.
const compoundAnalyzerName = "watwerkt_nl_dc"

func newMapping(o Options, vocab *Vocabulary) mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	if o.Decompound && vocab != nil && o.Analyzer == dutchAnalyzerName {
		if err := m.AddCustomTokenFilter("watwerkt_compounds", map[string]any{
			"type": compoundFilterType, "words": vocab.encode(),
		}); err != nil {
			panic(err)
		}
		if err := m.AddCustomAnalyzer(compoundAnalyzerName, map[string]any{
			"type":      custom.Name,
			"tokenizer": wordsTokenizerName,
			"token_filters": []string{lowercase.Name, apostropheFilterName, nl.StopName,
				"watwerkt_compounds", dutchStemFilterName},
		}); err != nil {
			panic(err)
		}
		o.Analyzer = compoundAnalyzerName
	}
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = o.Analyzer
		f.Store = store
		f.IncludeTermVectors = true // positions, for the phrase boost
		f.IncludeInAll = false
		f.DocValues = false // nothing sorts or facets on text
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = facetAnalyzer
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	// Next to the stemmed fields, unstemmed copies of title and body let a
	// question's exact words count for more (Options.ExactBoost).
	exact := func(name string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name = name
		f.Analyzer = exactAnalyzerName
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc.AddFieldMappingsAt(fTitle, text(true), exact(fTitleExact))
	// Intro and body are read from the texts file (texts.go).
	doc.AddFieldMappingsAt(fIntro, text(false))
	doc.AddFieldMappingsAt(fBody, text(false), exact(fBodyExact))
	doc.AddFieldMappingsAt(fSource, kw())
	doc.AddFieldMappingsAt(fType, kw())
	doc.AddFieldMappingsAt(fThemes, kw())
	doc.AddFieldMappingsAt(fRegion, kw())
	doc.AddFieldMappingsAt(fYear, kw())
	doc.AddFieldMappingsAt(fPublished, stored())
	doc.AddFieldMappingsAt(fURL, stored())
	doc.AddFieldMappingsAt(fAuthor, stored())
	doc.AddFieldMappingsAt(fRec, stored())

	if err := m.AddCustomAnalyzer(exactAnalyzerName, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsTokenizerName,
		"token_filters": []string{lowercase.Name, apostropheFilterName, nl.StopName},
	}); err != nil {
		panic(err)
	}
	if err := m.AddCustomAnalyzer(facetAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		panic(err) // fixed configuration: fails only on a programming error
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = o.Analyzer
	if o.Scoring == "bm25" {
		m.ScoringModel = "bm25"
	}
	return m
}
