package search

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Options are the tunable parts of analysis and ranking. Analyzer and
// Scoring are fixed when an index version is built (they are stored in
// its mapping); the boosts apply per query and can differ between
// engines opened on the same index, which is what offline comparisons
// (`watwerkt eval --set`) rely on.
type Options struct {
	Analyzer    string  // "watwerkt_nl" (default) or bleve's "nl"
	Scoring     string  // "bm25" (default) or "tfidf"
	TitleBoost  float64 // weight of a match in the title
	IntroBoost  float64 // … in the lead or description
	BodyBoost   float64 // … in the body
	PhraseBoost float64 // extra weight when the topic occurs as a phrase; 0 turns it off
	Decompound  bool    // split compounds (needs a vocabulary at build time)
	ExactBoost  float64 // weight of matches on the unstemmed copies of title and body; 0 turns it off
	// SynonymWeight scales the weight of synonym and acronym expansions;
	// 0 turns expansion off.
	SynonymWeight float64
	// LongExact is how many of a long question's rarest words are also
	// searched unstemmed (with ExactBoost); 0, the default, turns it off.
	LongExact float64
	// How short questions (those searched as match queries, up to
	// maxTopicTerms distinct terms) are scored; long questions keep
	// bleve's BM25 (docs/search-quality.md has the measurements):
	// RawTF saturates the term frequency itself, as BM25 is usually
	// defined, instead of its square root as bleve does; CoordPower is
	// the exponent of the share of the question's clauses a document
	// matches (bleve: 1); Coverage the exponent of the idf-weighted share
	// of the question's own words it contains in any field (0: off).
	RawTF      bool
	CoordPower float64
	Coverage   float64
	// PackedMB is the memory, in MiB, for postings decoded into arrays
	// (packed.go); 0 reads every posting from the index.
	PackedMB float64
}

// DefaultOptions are the settings measured best on the development data.
func DefaultOptions() Options {
	return Options{
		Analyzer:      dutchAnalyzerName,
		Scoring:       "bm25",
		TitleBoost:    2.0,
		IntroBoost:    1.0,
		BodyBoost:     1.0,
		PhraseBoost:   2.0,
		ExactBoost:    0.25,
		Decompound:    true,
		SynonymWeight: 1.0,
		RawTF:         true,
		CoordPower:    0.5,
		Coverage:      0.5,
		PackedMB:      16,
	}
}

// Set changes one option from "name=value" (the names are listed in
// the error for an unknown one).
func (o *Options) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("option %q: want name=value", kv)
	}
	k, v = strings.TrimSpace(strings.ToLower(k)), strings.TrimSpace(v)
	num := func(dst *float64) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return fmt.Errorf("option %s: %q is not a non-negative number", k, v)
		}
		*dst = f
		return nil
	}
	switch k {
	case "analyzer":
		if v != dutchAnalyzerName && v != "nl" {
			return fmt.Errorf("option analyzer: %q is not %s or nl", v, dutchAnalyzerName)
		}
		o.Analyzer = v
	case "scoring":
		if v != "bm25" && v != "tfidf" {
			return fmt.Errorf("option scoring: %q is not bm25 or tfidf", v)
		}
		o.Scoring = v
	case "decompound":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("option decompound: %q is not true or false", v)
		}
		o.Decompound = b
	case "title":
		return num(&o.TitleBoost)
	case "intro":
		return num(&o.IntroBoost)
	case "body":
		return num(&o.BodyBoost)
	case "phrase":
		return num(&o.PhraseBoost)
	case "exact":
		return num(&o.ExactBoost)
	case "synonyms":
		return num(&o.SynonymWeight)
	case "tf":
		if v != "raw" && v != "sqrt" {
			return fmt.Errorf("option tf: %q is not raw or sqrt", v)
		}
		o.RawTF = v == "raw"
	case "coord":
		return num(&o.CoordPower)
	case "coverage":
		return num(&o.Coverage)
	case "packed":
		return num(&o.PackedMB)
	case "longexact":
		if err := num(&o.LongExact); err != nil {
			return err
		}
		o.LongExact = math.Floor(min(o.LongExact, maxQueryTerms))
	default:
		return fmt.Errorf("unknown option %q (analyzer, scoring, decompound, title, intro, body, phrase, exact, synonyms, longexact, tf, coord, coverage, packed)", k)
	}
	return nil
}

// String lists the options as name=value pairs.
func (o Options) String() string {
	tf := "sqrt"
	if o.RawTF {
		tf = "raw"
	}
	return fmt.Sprintf("analyzer=%s scoring=%s decompound=%v title=%g intro=%g body=%g phrase=%g exact=%g synonyms=%g longexact=%g tf=%s coord=%g coverage=%g packed=%g",
		o.Analyzer, o.Scoring, o.Decompound, o.TitleBoost, o.IntroBoost, o.BodyBoost, o.PhraseBoost, o.ExactBoost, o.SynonymWeight, o.LongExact, tf, o.CoordPower, o.Coverage, o.PackedMB)
}
