package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Tuning is what curators change while the service runs: synonyms and
// the curation rules. An engine takes a new Tuning between two searches
// without a restart.
type Tuning struct {
	Synonyms *Synonyms // nil: none
	Curation *Curation // nil: none
}

// applied is a Tuning resolved against one index: URL rules turned into
// document ids, pin patterns analysed like questions.
type applied struct {
	syn    *Synonyms
	hidden []string
	hide   map[string]bool
	pins   []appliedPin
	boosts map[string]map[string]float64 // field (fSource, fType) → lower-cased value → factor
}

type appliedPin struct {
	terms map[string]bool // analysed pattern words; all must occur in the topic
	pin   Pin
	ids   []string
}

// rerankWindow is how many top hits source and type boosts may reorder:
// a boost lifts a document within the first hundred, it does not pull
// one up from far below.
const rerankWindow = 100

// SetTuning applies synonyms and curation rules. It is safe while
// searches run; it resolves URL rules with one pass over the index's
// URLs and returns an error only if that pass fails (the old tuning
// then stays in force).
func (e *Engine) SetTuning(t Tuning) error {
	a := &applied{syn: t.Synonyms, hide: map[string]bool{}}
	if c := t.Curation; c != nil {
		urls, err := e.urlsFor(c)
		if err != nil {
			return err
		}
		for _, r := range c.Hidden {
			for _, id := range resolve(r, urls) {
				if !a.hide[id] {
					a.hide[id] = true
					a.hidden = append(a.hidden, id)
				}
			}
		}
		sort.Strings(a.hidden)
		for _, p := range c.Pins {
			ap := appliedPin{pin: p}
			if p.Regexp == nil {
				ap.terms = e.termSet(strings.Join(p.Words, " "))
				if len(ap.terms) == 0 {
					continue // only stop words: it could never match
				}
			}
			for _, r := range p.Docs {
				for _, id := range resolve(r, urls) {
					if !a.hide[id] {
						ap.ids = append(ap.ids, id)
					}
				}
			}
			if len(ap.ids) > 0 {
				a.pins = append(a.pins, ap)
			}
		}
		for _, b := range c.Boosts {
			field := fSource
			if b.Field == "type" {
				field = fType
			}
			if a.boosts == nil {
				a.boosts = map[string]map[string]float64{}
			}
			if a.boosts[field] == nil {
				a.boosts[field] = map[string]float64{}
			}
			a.boosts[field][b.Value] = b.Factor
		}
	}
	e.tuning.Store(a)
	return nil
}

// SetSynonyms replaces the synonyms used to expand questions (nil: none)
// and keeps the curation rules.
func (e *Engine) SetSynonyms(s *Synonyms) {
	old := e.tuned()
	a := *old
	a.syn = s
	e.tuning.Store(&a)
}

func (e *Engine) tuned() *applied {
	if a := e.tuning.Load(); a != nil {
		return a
	}
	return &applied{}
}

// urlsFor returns id → URL of every document when a rule needs URLs, or
// nil when all rules name ids.
func (e *Engine) urlsFor(c *Curation) (map[string]string, error) {
	need := false
	for _, r := range c.Hidden {
		need = need || !idPattern.MatchString(r.Text)
	}
	for _, p := range c.Pins {
		for _, r := range p.Docs {
			need = need || !idPattern.MatchString(r.Text)
		}
	}
	if !need {
		return nil, nil
	}
	n, err := e.idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("curation: %w", err)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(n), 0, false)
	req.Fields = []string{fURL}
	sr, err := e.idx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("curation: read document URLs: %w", err)
	}
	urls := make(map[string]string, len(sr.Hits))
	for _, h := range sr.Hits {
		urls[h.ID] = str(h.Fields[fURL])
	}
	return urls, nil
}

// resolve returns the ids a rule names, sorted; an id rule names itself.
func resolve(r Rule, urls map[string]string) []string {
	if idPattern.MatchString(r.Text) {
		return []string{r.Text}
	}
	var ids []string
	for id, u := range urls {
		if r.match(id, u) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// pinsFor returns the pinned ids for a question, in pin order.
func (a *applied) pinsFor(e *Engine, q Question) []string {
	if len(a.pins) == 0 {
		return nil
	}
	var topic map[string]bool
	var ids []string
	seen := map[string]bool{}
	for _, p := range a.pins {
		ok := false
		if p.pin.Regexp != nil {
			ok = p.pin.Regexp.MatchString(strings.ToLower(q.Raw))
		} else {
			if topic == nil {
				topic = e.termSet(q.Topic)
			}
			ok = true
			for t := range p.terms {
				ok = ok && topic[t]
			}
		}
		if !ok {
			continue
		}
		for _, id := range p.ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// excluding keeps documents out of a query's results.
func excluding(q query.Query, ids []string) query.Query {
	if len(ids) == 0 {
		return q
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(q)
	b.AddMustNot(bleve.NewDocIDQuery(ids))
	return b
}

// restricted runs main only over the given documents, so their term
// locations (for snippets) and explanations come from the question.
func restricted(ids []string, main query.Query) query.Query {
	b := bleve.NewBooleanQuery()
	b.AddMust(bleve.NewDocIDQuery(ids))
	b.AddShould(main)
	return b
}

// pinned fetches the pinned documents that pass the question's filters,
// in pin order.
func (e *Engine) pinned(ctx context.Context, ids []string, q Question, main query.Query, explain bool, fields []string) ([]*search.DocumentMatch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sr, err := e.run(ctx, restricted(ids, main), len(ids), 0, explain, fields)
	if err != nil {
		return nil, err
	}
	// restricted's must is the id list and main, with the filters, only a
	// should: a pinned document must pass the filters on its own.
	if len(q.Filters) > 0 {
		fq := e.filtered(q, bleve.NewDocIDQuery(ids))
		fr, err := e.run(ctx, fq, len(ids), 0, false, nil)
		if err != nil {
			return nil, err
		}
		pass := map[string]bool{}
		for _, h := range fr.Hits {
			pass[h.ID] = true
		}
		kept := sr.Hits[:0]
		for _, h := range sr.Hits {
			if pass[h.ID] {
				kept = append(kept, h)
			}
		}
		sr.Hits = kept
	}
	by := map[string]*search.DocumentMatch{}
	for _, h := range sr.Hits {
		by[h.ID] = h
	}
	var out []*search.DocumentMatch
	for _, id := range ids {
		if h, ok := by[id]; ok {
			out = append(out, h)
		}
	}
	return out, nil
}

// ranked runs a query for one page. With source or type boosts, the top
// rerankWindow hits are rescored first and only the page's documents
// are then loaded with their fields and term locations. With a marks
// query, the same is done without boosts, and the page's term locations
// come from marks: asking bleve for term locations in the ranking makes
// it collect them for every matching document, which costs little for
// a short question but doubles the time of a long one (dekamer long
// questions p50 14.3 ms in one query; short ones 0.71 ms in one, 0.81
// ms in two).
func (e *Engine) ranked(ctx context.Context, a *applied, q, marks query.Query, long bool, limit, offset int, explain bool, fields []string) (*bleve.SearchResult, error) {
	boosted := len(a.boosts) > 0 && offset < rerankWindow
	if !boosted && !explain {
		if marks == nil {
			marks = q
		}
		var page []scoredDoc
		var hits []*search.DocumentMatch
		loaded := false
		top, total, ok, err := e.topK(ctx, q, offset+limit, long, func(snap *scorch.IndexSnapshot, p *plan, top []scoredDoc) error {
			page = byScore(top[min(offset, len(top)):])
			locs := wantsLocations(fields)
			var terms, more []*pageTerm
			if locs && marks == q {
				terms = planTerms(p) // the plan just ranked
			} else if locs {
				var ok bool
				if terms, ok = e.pageTerms(marks); !ok {
					return nil
				}
				more = e.moreTerms(planTerms(p), terms)
			}
			var err error
			hits, loaded, err = loadPage(snap, &e.packs, page, fields, locs, terms, more)
			return err
		})
		if err != nil {
			return nil, err
		}
		if ok && loaded {
			return &bleve.SearchResult{Total: total, Hits: hits}, nil
		}
		if ok {
			page := byScore(top[min(offset, len(top)):])
			ids, scores := make([]string, len(page)), make([]float64, len(page))
			for i, d := range page {
				ids[i], scores[i] = d.id, d.score
			}
			hits, err := e.load(ctx, ids, scores, marks, false, fields)
			if err != nil {
				return nil, err
			}
			if marks != q && wantsLocations(fields) {
				if err := e.locateMore(q, marks, hits); err != nil {
					return nil, err
				}
			}
			return &bleve.SearchResult{Total: total, Hits: hits}, nil
		}
	}
	if boosted || explain {
		// Ranked as above (the same scores as without an explanation or
		// a boost), then boosted and loaded with bleve's explanation.
		sr, ok, err := e.rankedSlow(ctx, a, q, marks, long, boosted, limit, offset, explain, fields)
		if err != nil || ok {
			return sr, err
		}
	}
	if !boosted && (explain || marks == nil || !wantsLocations(fields)) {
		return e.run(ctx, q, limit, offset, explain, fields)
	}
	if marks == nil || explain {
		marks = q
	}
	var sr *bleve.SearchResult
	var page []*search.DocumentMatch
	var err error
	if boosted {
		if sr, err = e.run(ctx, q, max(offset+limit, rerankWindow), 0, false, []string{fSource, fType}); err != nil {
			return nil, err
		}
		for _, h := range sr.Hits {
			h.Score *= a.factor(h)
		}
		sortHits(sr.Hits)
		page = sr.Hits[min(offset, len(sr.Hits)):min(offset+limit, len(sr.Hits))]
	} else {
		if sr, err = e.run(ctx, q, limit, offset, false, nil); err != nil {
			return nil, err
		}
		page = sr.Hits
	}
	ids, scores := make([]string, len(page)), make([]float64, len(page))
	for i, h := range page {
		ids[i], scores[i] = h.ID, h.Score
	}
	if sr.Hits, err = e.load(ctx, ids, scores, marks, explain, fields); err != nil {
		return nil, err
	}
	if marks != q {
		if err := e.locateMore(q, marks, sr.Hits); err != nil {
			return nil, err
		}
	}
	return sr, nil
}

// rankedSlow is ranked for a search with source or type boosts or an
// explanation: topK ranks the boosts' window (or the page), boosts
// reorder it, and the page is loaded by searching its documents again.
// ok is false when topK cannot rank q.
func (e *Engine) rankedSlow(ctx context.Context, a *applied, q, marks query.Query, long, boosted bool, limit, offset int, explain bool, fields []string) (*bleve.SearchResult, bool, error) {
	k := offset + limit
	if boosted {
		k = max(k, rerankWindow)
	}
	var window []*search.DocumentMatch
	top, total, ok, err := e.topK(ctx, q, k, long, func(snap *scorch.IndexSnapshot, _ *plan, top []scoredDoc) error {
		if !boosted {
			return nil
		}
		hits, loaded, err := loadPage(snap, &e.packs, top, []string{fSource, fType}, false, nil, nil)
		if err == nil && !loaded {
			err = errors.New("search: source or type is not stored as text")
		}
		window = hits
		return err
	})
	if err != nil || !ok {
		return nil, ok, err
	}
	parts := map[string]scoredDoc{}
	for _, d := range top {
		parts[d.id] = d
	}
	if boosted {
		for _, h := range window {
			h.Score *= a.factor(h)
		}
	} else {
		window = make([]*search.DocumentMatch, len(top))
		for i, d := range top {
			window[i] = &search.DocumentMatch{ID: d.id, Score: d.score}
		}
	}
	sortHits(window)
	page := window[min(offset, len(window)):min(offset+limit, len(window))]
	ids, scores := make([]string, len(page)), make([]float64, len(page))
	for i, h := range page {
		ids[i], scores[i] = h.ID, h.Score
	}
	if marks == nil || explain {
		marks = q
	}
	hits, err := e.load(ctx, ids, scores, marks, explain, fields)
	if err != nil {
		return nil, true, err
	}
	if marks != q && wantsLocations(fields) {
		if err := e.locateMore(q, marks, hits); err != nil {
			return nil, true, err
		}
	}
	if explain {
		for _, h := range hits {
			h.Expl = e.explainParts(parts[h.ID], h.Score, h.Expl)
		}
	}
	return &bleve.SearchResult{Total: total, Hits: hits}, true, nil
}

// load returns the fields of ranked documents (ids with their scores,
// in order), with the term locations of marks when fields want
// snippets, by searching those documents again.
func (e *Engine) load(ctx context.Context, ids []string, scores []float64, marks query.Query, explain bool, fields []string) ([]*search.DocumentMatch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	full, err := e.run(ctx, restricted(ids, marks), len(ids), 0, explain, fields)
	if err != nil {
		return nil, err
	}
	by := make(map[string]*search.DocumentMatch, len(full.Hits))
	for _, h := range full.Hits {
		by[h.ID] = h
	}
	out := make([]*search.DocumentMatch, 0, len(ids))
	for i, id := range ids {
		if h, ok := by[id]; ok {
			h.Score = scores[i]
			out = append(out, h)
		}
	}
	return out, nil
}

// sortHits orders hits by score, equal scores by id.
func sortHits(hits []*search.DocumentMatch) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
}

// byScore orders a page as run does: by score, equal scores by id.
func byScore(page []scoredDoc) []scoredDoc {
	sort.SliceStable(page, func(i, j int) bool {
		if page[i].score != page[j].score {
			return page[i].score > page[j].score
		}
		return page[i].id < page[j].id
	})
	return page
}

// factor is the product of the boosts that apply to a hit.
func (a *applied) factor(h *search.DocumentMatch) float64 {
	f := 1.0
	if m := a.boosts[fSource]; m != nil {
		if v, ok := m[strings.ToLower(str(h.Fields[fSource]))]; ok {
			f *= v
		}
	}
	if m := a.boosts[fType]; m != nil {
		if v, ok := m[strings.ToLower(str(h.Fields[fType]))]; ok {
			f *= v
		}
	}
	return f
}

// facetFields are the facets a search can count, by filter key.
var facetFields = []struct{ key, field string }{{"bron", fSource}, {"thema", fThemes}, {"jaar", fYear}}

// facets counts the documents a query matches per source, theme and
// year; pinned documents count too.
func (e *Engine) facets(ctx context.Context, q query.Query, pinned []string) (map[string][]FacetCount, error) {
	if len(pinned) > 0 {
		q = bleve.NewDisjunctionQuery(q, bleve.NewDocIDQuery(pinned))
	}
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	for _, f := range facetFields {
		req.AddFacet(f.key, bleve.NewFacetRequest(f.field, 12))
	}
	sr, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	out := map[string][]FacetCount{}
	for _, f := range facetFields {
		fr := sr.Facets[f.key]
		if fr == nil || fr.Terms == nil {
			continue
		}
		for _, t := range fr.Terms.Terms() {
			out[f.key] = append(out[f.key], FacetCount{Value: t.Term, Count: t.Count})
		}
		sort.SliceStable(out[f.key], func(i, j int) bool {
			a, b := out[f.key][i], out[f.key][j]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Value < b.Value
		})
	}
	return out, nil
}
