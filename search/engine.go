package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Engine answers searches from one open index version.
type Engine struct {
	idx          bleve.Index
	analyzerName string // the index's own text analyzer
	analyzer     analysis.Analyzer
	version      string
	texts        *textsReader // intros and bodies; nil in versions that store them in the index
	opt          Options
	tuning       atomic.Pointer[applied] // synonyms and curation rules

	dfOnce      sync.Once
	df          map[string]uint64 // term → document frequency (title, intro, body), for long questions
	exactDFOnce sync.Once
	exactDF     map[string]uint64 // the same for the unstemmed body (Options.LongExact)

	maxSats   boundsCache  // topK's term bounds, computed on first use
	packs     packedCache  // topK's decoded postings (packed.go)
	noTopK    bool         // rank with bleve's searchers only (comparisons, tests)
	noPrune   bool         // topK scores every matching document (tests)
	blockBits int          // topK's block size (log2); 0: the default
	accMin    int          // topK accumulates windows from this many essential cursors; 0: the default
	packMin   int          // topK packs the postings of terms in this many documents; 0: packedMinDocs
	reread    atomic.Int64 // snippets cut by analysing a hit's text again (no term locations)
}

// Request is one search.
type Request struct {
	Query   string            // the user's question, as typed
	Filters map[string]string // bron, thema, regio, jaar, type (Dutch or English keys)
	Limit   int               // hits to return, default 5, at most 50
	Offset  int               // for "meer"
	Explain bool              // add score explanations
	// Long reads up to 8,000 characters of the question instead of 500
	// (evaluation of long questions; chat front ends leave it off).
	Long bool
	// NoSnippets leaves Hit.Snippet empty (evaluation of deep rankings).
	NoSnippets bool
	// Facets counts the matching documents per source, theme and year.
	Facets bool
}

// Result is the answer to a Request.
type Result struct {
	Query    string        `json:"query"` // the topic searched for
	Total    int           `json:"total"`
	Hits     []Hit         `json:"hits"`
	English  bool          `json:"-"`
	Fuzzy    bool          `json:"fuzzy,omitempty"` // no exact match; spelling was relaxed
	Took     time.Duration `json:"-"`
	NoTopic  bool          `json:"-"` // the question had no searchable words
	Filtered bool          `json:"-"`
	// Facets maps "bron", "thema" and "jaar" to values (lower-cased, as
	// filters take them) with their counts, most frequent first.
	Facets map[string][]FacetCount `json:"facets,omitempty"`
}

// FacetCount is one facet value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one ranked document.
type Hit struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Source    string   `json:"source"`
	Published string   `json:"published"` // YYYY-MM-DD or ""
	Score     float64  `json:"score"`
	Snippet   string   `json:"snippet"` // matches marked as **word**
	Type      string   `json:"type,omitempty"`
	Themes    []string `json:"themes,omitempty"`
	Region    string   `json:"region,omitempty"`
	Explain   string   `json:"explain,omitempty"`
	Pinned    bool     `json:"pinned,omitempty"` // placed first by a curator's pin
}

// maxPhraseTerms is the longest topic that also gets a phrase query.
const maxPhraseTerms = 8

// MaxLimit caps Request.Limit.
const MaxLimit = 50

// ErrNoIndex is returned by Open when the directory holds no index.
var ErrNoIndex = errors.New("no index")

// OpenIndex opens an index directory read-only.
func OpenIndex(dir string) (*Engine, error) {
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || errors.Is(err, bleve.ErrorIndexMetaMissing) {
			return nil, fmt.Errorf("open index %q: %w", dir, ErrNoIndex)
		}
		return nil, fmt.Errorf("open index %q: %w", dir, err)
	}
	return newEngine(idx, dir)
}

func newEngine(idx bleve.Index, version string) (*Engine, error) {
	name := dutchAnalyzerName
	if im, ok := idx.Mapping().(*mapping.IndexMappingImpl); ok && im.DefaultAnalyzer != "" {
		name = im.DefaultAnalyzer
	}
	an := idx.Mapping().AnalyzerNamed(name)
	if an == nil {
		idx.Close()
		return nil, fmt.Errorf("open index: analyzer %q missing", name)
	}
	opt := DefaultOptions()
	opt.Analyzer, opt.Scoring = name, "tfidf"
	if im, ok := idx.Mapping().(*mapping.IndexMappingImpl); ok && im.ScoringModel != "" {
		opt.Scoring = im.ScoringModel
	}
	texts, err := openTexts(version)
	if err == nil && texts == nil && textsApart(idx.Mapping()) {
		err = fmt.Errorf("%s is missing", textsFile)
	}
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("open index %s: %w", version, err)
	}
	e := &Engine{idx: idx, analyzerName: name, analyzer: an, version: version, texts: texts, opt: opt}
	e.tuning.Store(&applied{syn: DefaultSynonyms()})
	return e, nil
}

// maxExpansions caps the alternatives added to one question.
const maxExpansions = 8

// SetOptions changes the query-time options (boosts). Analyzer and
// scoring stay those the index was built with.
func (e *Engine) SetOptions(o Options) {
	o.Analyzer, o.Scoring = e.opt.Analyzer, e.opt.Scoring
	e.opt = o
}

// Close closes the index.
func (e *Engine) Close() error {
	err := e.idx.Close()
	if e.texts != nil {
		if terr := e.texts.close(); err == nil {
			err = terr
		}
	}
	return err
}

// Version is the directory of the open index version.
func (e *Engine) Version() string { return e.version }

// Count returns the number of documents in the index.
func (e *Engine) Count() (uint64, error) { return e.idx.DocCount() }

// Search runs a question. A question without searchable words is not an
// error: the Result says NoTopic and has no hits.
func (e *Engine) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	var q Question
	if req.Long {
		q = understand(req.Query, maxLongRunes, maxLongTerms)
	} else {
		q = Understand(req.Query)
	}
	for k, v := range req.Filters {
		if f, ok := filterFields[strings.ToLower(k)]; ok && strings.TrimSpace(v) != "" {
			q.Filters[f] = v
		}
	}
	res := &Result{Query: q.Topic, English: q.English, Filtered: len(q.Filters) > 0}
	var topic analysis.TokenStream
	if len(q.Terms) > 0 {
		topic = e.analyze(q.Topic)
	}
	if len(topic) == 0 {
		res.NoTopic = true
		res.Took = time.Since(start)
		return res, nil
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 5
	}
	limit = min(limit, MaxLimit)
	if req.NoSnippets {
		limit = min(req.Limit, 1000) // deep rankings for Recall@100
	}
	offset := max(req.Offset, 0)

	fields := []string{fTitle, fURL, fSource, fPublished, fType, fRegion, fThemes, fIntro, fBody, fRec}
	if req.NoSnippets {
		fields = []string{fTitle, fURL, fSource, fPublished}
	}
	tun := e.tuned()
	q0 := q
	// Pinned documents come first, in the curator's order; the ranked
	// list follows without them, and hidden documents are in neither.
	pinIDs := tun.pinsFor(e, q)
	rare := rareFrom(topic, e.docFreqs)
	main := excluding(e.buildQueryRare(q, 0, rare), append(append([]string(nil), tun.hidden...), pinIDs...))
	pins, err := e.pinned(ctx, pinIDs, q, main, req.Explain, fields)
	if err != nil {
		return nil, err
	}
	pagePins := pins[min(offset, len(pins)):min(offset+limit, len(pins))]
	mainOffset, mainLimit := max(0, offset-len(pins)), limit-len(pagePins)
	var marks query.Query // see Engine.ranked
	if len(q.Terms) > lateTextTerms {
		marks = e.markQuery(rare, main)
	}
	sr, err := e.ranked(ctx, tun, main, marks, req.Long, mainLimit, mainOffset, req.Explain, fields)
	if err != nil {
		return nil, err
	}
	if sr.Total == 0 && len(pins) == 0 {
		// Nothing matched: allow one spelling mistake per longer word.
		fuzzy := excluding(e.buildQuery(q, 1), tun.hidden)
		if marks != nil {
			marks = fuzzy
		}
		if sr, err = e.ranked(ctx, tun, fuzzy, marks, req.Long, limit, offset, req.Explain, fields); err != nil {
			return nil, err
		}
		res.Fuzzy = sr.Total > 0
	}
	res.Total = int(sr.Total) + len(pins)
	var terms map[string]bool // for snippets without term locations
	termsOnce := func() map[string]bool {
		if terms == nil {
			marked := q.Topic
			for _, alt := range tun.syn.expand(q.Terms, maxExpansions) {
				marked += " " + alt.phrase
			}
			terms = e.termSet(marked)
		}
		return terms
	}
	pinned := len(pagePins)
	for i, dm := range append(pagePins, sr.Hits...) {
		h := Hit{
			Pinned:    i < pinned,
			ID:        dm.ID,
			Score:     dm.Score,
			Title:     str(dm.Fields[fTitle]),
			URL:       str(dm.Fields[fURL]),
			Source:    str(dm.Fields[fSource]),
			Published: str(dm.Fields[fPublished]),
			Type:      str(dm.Fields[fType]),
			Region:    str(dm.Fields[fRegion]),
			Themes:    strs(dm.Fields[fThemes]),
		}
		if !req.NoSnippets {
			intro, body, err := e.text(dm)
			if err != nil {
				return nil, err
			}
			if s, ok := snippetFromLocations(dm.Locations, intro, body); ok {
				h.Snippet = s
			} else {
				e.reread.Add(1)
				h.Snippet = e.snippet(termsOnce(), intro, body)
			}
		}
		if req.Explain && dm.Expl != nil {
			h.Explain = dm.Expl.String()
		}
		res.Hits = append(res.Hits, h)
	}
	if req.Facets && res.Total > 0 {
		q := main
		if res.Fuzzy {
			q = excluding(e.buildQuery(q0, 1), tun.hidden)
		}
		if res.Facets, err = e.facets(ctx, q, pinIDs); err != nil {
			return nil, err
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// textsApart reports whether an index's mapping keeps intro and body in
// a texts file (a field for where a document's record is) rather than as
// stored fields.
func textsApart(m mapping.IndexMapping) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	return ok && im.DefaultMapping != nil && im.DefaultMapping.Properties[fRec] != nil
}

// text returns a hit's intro and body: from the texts file, or stored
// in the index by versions built before it.
func (e *Engine) text(dm *bsearch.DocumentMatch) (intro, body string, err error) {
	if rec := str(dm.Fields[fRec]); rec != "" && e.texts != nil {
		return e.texts.read(rec)
	} else if rec != "" {
		return "", "", fmt.Errorf("index version %s: its texts file is missing", e.version)
	}
	return str(dm.Fields[fIntro]), str(dm.Fields[fBody]), nil
}

func (e *Engine) run(ctx context.Context, q query.Query, limit, offset int, explain bool, fields []string) (*bleve.SearchResult, error) {
	sreq := bleve.NewSearchRequestOptions(q, limit, offset, explain)
	sreq.Fields = fields
	// Term locations let snippets be cut without analysing the text again.
	sreq.IncludeLocations = wantsLocations(fields)
	sr, err := e.idx.SearchInContext(ctx, sreq)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	// Ties are broken by id so the same question gives the same order.
	// Sorting by _id inside bleve would load the id of every matching
	// document; sorting the page costs nothing.
	sortHits(sr.Hits)
	return sr, nil
}

// lateTextTerms is the number of question terms above which the text
// and term locations for snippets are loaded after the ranking, for the
// page only (see Engine.ranked).
const lateTextTerms = 12

// markTerms is the number of a long question's rarest terms its
// snippets mark: they say best why a page matched, and locating all 200
// terms again on the page cost 2.5 ms of a 9 ms question.
const markTerms = 30

// markQuery is the query whose term locations cut the snippets of a
// question with more than lateTextTerms terms: main itself, or for a
// question searched as its rarest terms (rare, from rareTerms), the
// markTerms rarest of them.
func (e *Engine) markQuery(rare map[string]int, main query.Query) query.Query {
	if rare == nil {
		return main
	}
	terms := make([]string, 0, len(rare))
	for t := range rare {
		terms = append(terms, t)
	}
	df := e.docFreqs()
	sort.Slice(terms, func(i, j int) bool {
		if df[terms[i]] != df[terms[j]] {
			return df[terms[i]] < df[terms[j]]
		}
		return terms[i] < terms[j]
	})
	kept := map[string]int{}
	for _, t := range terms[:min(len(terms), markTerms)] {
		kept[t] = rare[t]
	}
	return e.termsQuery(kept)
}

// wantsLocations reports whether a search loads the text for snippets,
// and so wants the term locations to cut them.
func wantsLocations(fields []string) bool {
	return slices.Contains(fields, fBody)
}

// buildQuery turns an understood question into a bleve query. User text
// only ever reaches match and phrase queries, which analyse it as text:
// no query syntax, wildcards or regular expressions.
// maxQueryTerms is the most distinct terms a question is searched with.
// Questions longer than maxTopicTerms (a pasted e-mail, a parliamentary
// question with its explanation; only with Request.Long) are searched
// as weighted terms: each distinct term once, weighted by how often the
// question uses it, which measured better and faster than one match
// query over the whole text (dekamer long: MRR@10 0.684 vs 0.681, p50
// 13.5 vs 17 ms). Beyond this many terms the rarest are kept, so a
// pathological question stays cheap.
const maxQueryTerms = 200

// docFreqs loads the text fields' document frequencies once.
func (e *Engine) docFreqs() map[string]uint64 {
	e.dfOnce.Do(func() { e.df = e.fieldFreqs(fTitle, fIntro, fBody) })
	return e.df
}

// exactFreqs loads the unstemmed copies' document frequencies once.
func (e *Engine) exactFreqs() map[string]uint64 {
	e.exactDFOnce.Do(func() { e.exactDF = e.fieldFreqs(fBodyExact) })
	return e.exactDF
}

// fieldFreqs sums the document frequencies of terms over fields.
func (e *Engine) fieldFreqs(fields ...string) map[string]uint64 {
	df := map[string]uint64{}
	for _, f := range fields {
		d, err := e.idx.FieldDict(f)
		if err != nil {
			continue
		}
		for entry, err := d.Next(); err == nil && entry != nil; entry, err = d.Next() {
			df[entry.Term] += entry.Count
		}
		d.Close()
	}
	return df
}

// rareTerms returns the analysed terms of a long question with their
// counts (the rarest maxQueryTerms of them), or nil when the question is
// short enough to be searched as typed.
func (e *Engine) rareTerms(topic string) map[string]int {
	return rareFrom(e.analyze(topic), e.docFreqs)
}

// rareFrom is rareTerms of an analysed topic; df gives the document
// frequencies when the topic has too many terms for a match query.
func rareFrom(topic analysis.TokenStream, df func() map[string]uint64) map[string]int {
	var terms []string
	qtf := map[string]int{}
	for _, t := range topic {
		s := string(t.Term)
		if qtf[s] == 0 {
			terms = append(terms, s)
		}
		qtf[s]++
	}
	if len(terms) <= maxTopicTerms {
		return nil
	}
	// Rarest first; terms the index does not have match nothing and go last.
	freqs := df()
	type ranked struct {
		term string
		df   uint64
	}
	rs := make([]ranked, len(terms))
	for i, t := range terms {
		rs[i] = ranked{t, math.MaxUint64}
		if n := freqs[t]; n > 0 {
			rs[i].df = n
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(a.df, b.df) })
	out := make(map[string]int, min(len(rs), maxQueryTerms))
	for _, r := range rs[:min(len(rs), maxQueryTerms)] {
		out[r.term] = qtf[r.term]
	}
	return out
}

func (e *Engine) buildQuery(q Question, fuzziness int) query.Query {
	return e.buildQueryRare(q, fuzziness, e.rareTerms(q.Topic))
}

// buildQueryRare is buildQuery with the question's rareTerms already
// found.
func (e *Engine) buildQueryRare(q Question, fuzziness int, rare map[string]int) query.Query {
	if rare != nil {
		should := e.termsQuery(rare).Disjuncts
		if e.opt.ExactBoost > 0 && e.opt.LongExact > 0 && fuzziness == 0 {
			should = append(should, e.exactTerms(q.Topic)...)
		}
		return e.filtered(q, bleve.NewDisjunctionQuery(should...))
	}
	match := func(field string, boost float64) query.Query {
		m := bleve.NewMatchQuery(q.Topic)
		m.SetField(field)
		m.Analyzer = e.analyzerName
		m.SetBoost(boost)
		m.SetFuzziness(fuzziness)
		return m
	}
	var should []query.Query
	for _, f := range []struct {
		field string
		boost float64
	}{{fTitle, e.opt.TitleBoost}, {fIntro, e.opt.IntroBoost}, {fBody, e.opt.BodyBoost}} {
		if f.boost > 0 { // a zero weight turns the field off
			should = append(should, match(f.field, f.boost))
		}
	}
	if e.opt.ExactBoost > 0 && fuzziness == 0 {
		for _, f := range []struct {
			field string
			boost float64
		}{{fTitleExact, e.opt.TitleBoost}, {fBodyExact, e.opt.BodyBoost}} {
			m := bleve.NewMatchQuery(q.Topic)
			m.SetField(f.field)
			m.Analyzer = exactAnalyzerName
			m.SetBoost(e.opt.ExactBoost * f.boost)
			should = append(should, m)
		}
	}
	// A phrase boost helps short questions ("informele mentor"); for long
	// ones the whole text never occurs as a phrase and only costs time.
	if len(q.Terms) > 1 && len(q.Terms) <= maxPhraseTerms && fuzziness == 0 && e.opt.PhraseBoost > 0 {
		for _, f := range []string{fTitle, fBody} {
			p := bleve.NewMatchPhraseQuery(q.Topic)
			p.SetField(f)
			p.Analyzer = e.analyzerName
			p.SetBoost(e.opt.PhraseBoost)
			should = append(should, p)
		}
	}
	// Synonyms and acronyms: "LVB" also searches "licht verstandelijke
	// beperking" (as a phrase), with a little less weight than the words
	// the user typed.
	if fuzziness == 0 && e.opt.SynonymWeight > 0 {
		for _, alt := range e.tuned().syn.expand(q.Terms, maxExpansions) {
			w := alt.weight * e.opt.SynonymWeight
			for _, f := range []struct {
				field string
				boost float64
			}{{fTitle, e.opt.TitleBoost}, {fBody, e.opt.BodyBoost}} {
				if strings.Contains(alt.phrase, " ") {
					p := bleve.NewMatchPhraseQuery(alt.phrase)
					p.SetField(f.field)
					p.Analyzer = e.analyzerName
					p.SetBoost(w * f.boost)
					should = append(should, p)
				} else {
					m := bleve.NewMatchQuery(alt.phrase)
					m.SetField(f.field)
					m.Analyzer = e.analyzerName
					m.SetBoost(w * f.boost)
					should = append(should, m)
				}
			}
		}
	}
	return e.filtered(q, bleve.NewDisjunctionQuery(should...))
}

// termsQuery searches already analysed terms in the text fields; a term
// the question repeats weighs more, as it would in a match query.
func (e *Engine) termsQuery(terms map[string]int) *query.DisjunctionQuery {
	var should []query.Query
	keys := make([]string, 0, len(terms))
	for t := range terms {
		keys = append(keys, t)
	}
	sort.Strings(keys)
	for _, t := range keys {
		for _, f := range []struct {
			field string
			boost float64
		}{{fTitle, e.opt.TitleBoost}, {fIntro, e.opt.IntroBoost}, {fBody, e.opt.BodyBoost}} {
			tq := bleve.NewTermQuery(t)
			tq.SetField(f.field)
			tq.SetBoost(f.boost * float64(terms[t]))
			should = append(should, tq)
		}
	}
	return bleve.NewDisjunctionQuery(should...)
}

// exactTerms searches the Options.LongExact rarest unstemmed words of a
// long question in the exact copy of the body, with Options.ExactBoost,
// as the match queries of a short question do. Off by default: on long
// dekamer questions the rarest 50 add +0.006 MRR@10 (0.691 → 0.697,
// the title copy adds nothing) but cost 50% more time at 100k passages
// (p50 26 → 40 ms), more than the block-max evaluation can skip
// (docs/search-quality.md).
func (e *Engine) exactTerms(topic string) []query.Query {
	if e.opt.LongExact <= 0 {
		return nil
	}
	an := e.idx.Mapping().AnalyzerNamed(exactAnalyzerName)
	if an == nil { // an index built before the exact fields
		return nil
	}
	count := map[string]int{}
	var words []string
	for _, t := range an.Analyze([]byte(topic)) {
		if count[string(t.Term)] == 0 {
			words = append(words, string(t.Term))
		}
		count[string(t.Term)]++
	}
	df := e.exactFreqs()
	sort.Slice(words, func(i, j int) bool {
		if df[words[i]] != df[words[j]] {
			return df[words[i]] < df[words[j]]
		}
		return words[i] < words[j]
	})
	var out []query.Query
	kept := 0
	for _, w := range words {
		if kept == int(e.opt.LongExact) {
			break
		}
		if df[w] == 0 {
			continue // matches nothing
		}
		kept++
		tq := bleve.NewTermQuery(w)
		tq.SetField(fBodyExact)
		tq.SetBoost(e.opt.ExactBoost * e.opt.BodyBoost * float64(count[w]))
		out = append(out, tq)
	}
	return out
}

// filtered adds the question's filters to a query.
func (e *Engine) filtered(q Question, top query.Query) query.Query {
	if len(q.Filters) > 0 {
		must := []query.Query{top}
		keys := make([]string, 0, len(q.Filters))
		for k := range q.Filters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, field := range keys {
			t := bleve.NewTermQuery(strings.ToLower(strings.TrimSpace(q.Filters[field])))
			t.SetField(field)
			must = append(must, t)
		}
		top = bleve.NewConjunctionQuery(must...)
	}
	return top
}

// analyze returns the index terms of text.
func (e *Engine) analyze(text string) analysis.TokenStream {
	return e.analyzer.Analyze([]byte(text))
}

func (e *Engine) termSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, t := range e.analyze(text) {
		set[string(t.Term)] = true
	}
	return set
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
