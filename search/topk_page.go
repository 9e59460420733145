package search

import (
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A page of documents ranked by topK is loaded from the same index
// snapshot: the stored fields the hits show, and for snippets the
// positions of the question's terms in the lead and body. (Running a
// second bleve search restricted to the page's ids for this cost 0.9 ms
// of a 2.6 ms question on 100,000 passages.)

// pageTerm is a term whose locations a page wants: all of them, or for
// a term that only a phrase searches, those where the phrase occurs (as
// bleve's phrase searcher reports them).
type pageTerm struct {
	field, term string
	all         bool
	phrases     [][][]string // the phrases (positions × alternatives) it occurs in
	ci          int          // the ranking's cursor of the term, or -1
}

// pageTerms lists the terms of marks whose locations snippets use; ok is
// false when marks is not a query compile understands.
func (e *Engine) pageTerms(marks query.Query) ([]*pageTerm, bool) {
	p, ok := e.compile(marks)
	if !ok {
		return nil, false
	}
	return planTerms(p), true
}

// planTerms lists the terms of a plan whose locations snippets use.
func planTerms(p *plan) []*pageTerm {
	var out []*pageTerm
	by := map[maxSatKey]*pageTerm{}
	get := func(field, term string) *pageTerm {
		k := maxSatKey{field, term}
		t := by[k]
		if t == nil {
			t = &pageTerm{field: field, term: term, ci: -1}
			if ci, ok := p.cursors[k]; ok {
				t.ci = ci
			}
			by[k] = t
			out = append(out, t)
		}
		return t
	}
	for _, c := range p.clauses {
		if c.phrase == nil {
			for _, li := range c.leaves {
				if l := p.leaves[li]; isSnippetField(l.field) {
					get(l.field, l.term).all = true
				}
			}
			continue
		}
		field := p.leaves[c.phrase[0][0]].field
		if !isSnippetField(field) {
			continue
		}
		slots := make([][]string, len(c.phrase))
		for i, slot := range c.phrase {
			for _, li := range slot {
				slots[i] = append(slots[i], p.leaves[li].term)
			}
		}
		for _, slot := range slots {
			for _, t := range slot {
				pt := get(field, t)
				pt.phrases = append(pt.phrases, slots)
			}
		}
	}
	return out
}

// moreTerms lists the terms of all (a plan's page terms) that are not in
// marked, rarest first: the further terms loadPage locates for hits
// without any marked term.
func (e *Engine) moreTerms(all, marked []*pageTerm) []*pageTerm {
	seen := map[maxSatKey]bool{}
	for _, t := range marked {
		seen[maxSatKey{t.field, t.term}] = true
	}
	var out []*pageTerm
	for _, t := range all {
		if t.all && !seen[maxSatKey{t.field, t.term}] {
			out = append(out, t)
		}
	}
	df := e.docFreqs()
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := df[out[i].term], df[out[j].term]; a != b {
			return a < b
		}
		return out[i].term < out[j].term
	})
	return out
}

func isSnippetField(f string) bool { return f == fIntro || f == fBody }

// loadPage fills the hits of page (documents of snap) with the stored
// fields and, when locs is set, the locations of terms for snippets.
// A hit that has none of terms in its intro or body (a long question's
// rarest terms, which the hit matched through other words) gets the
// locations of more, in their order, until it has moreMarks distinct
// terms: otherwise its snippet would have to analyse its text again.
// ok is false when a stored field is not text (then bleve loads it).
func loadPage(snap *scorch.IndexSnapshot, packs *packedCache, page []scoredDoc, fields []string, locs bool, terms, more []*pageTerm) ([]*bsearch.DocumentMatch, bool, error) {
	segs := snap.Segments()
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	out := make([]*bsearch.DocumentMatch, len(page))
	for i, d := range page {
		si, num := int(d.key>>40), d.key&(1<<40-1)
		if si >= len(segs) {
			return nil, false, nil
		}
		dm := &bsearch.DocumentMatch{ID: d.id, Score: d.score, Fields: map[string]any{}}
		text := true
		err := segs[si].VisitDocument(num, func(field string, typ byte, value []byte, _ []uint64) bool {
			if !want[field] {
				return true
			}
			if typ != 't' {
				text = false
				return false
			}
			v := string(value)
			switch old := dm.Fields[field].(type) {
			case nil:
				dm.Fields[field] = v
			case string:
				dm.Fields[field] = []any{old, v}
			case []any:
				dm.Fields[field] = append(old, v)
			}
			return true
		})
		if err != nil {
			return nil, false, err
		}
		if !text {
			return nil, false, nil
		}
		out[i] = dm
	}
	if !locs {
		return out, true, nil
	}
	// Locations, per term, for the page's documents in index order (the
	// postings only move forward).
	order := make([]int, len(page))
	for i := range order {
		order[i] = i
	}
	sortByKey(order, page)
	if err := locatePage(segs, packs, page, out, order, terms, nil); err != nil {
		return nil, false, err
	}
	if err := locateLacking(segs, packs, page, out, order, more); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// locateLacking gives the hits out[i], i in order, that have no
// locations in their intro or body the locations of more, in their
// order, until each has moreMarks distinct terms.
func locateLacking(segs []*scorch.SegmentSnapshot, packs *packedCache, page []scoredDoc, out []*bsearch.DocumentMatch, order []int, more []*pageTerm) error {
	if len(more) == 0 {
		return nil
	}
	var lacking []int
	for _, i := range order {
		if len(out[i].Locations[fIntro]) == 0 && len(out[i].Locations[fBody]) == 0 {
			lacking = append(lacking, i)
		}
	}
	if len(lacking) == 0 {
		return nil
	}
	return locatePage(segs, packs, page, out, lacking, more, func(i int) bool {
		return len(out[i].Locations[fIntro])+len(out[i].Locations[fBody]) >= moreMarks
	})
}

// locateMore does what loadPage does for hits without marked terms for
// a page that bleve loaded (a search ranked by bleve's searchers): the
// hits get the locations of q's further terms from the index snapshot.
func (e *Engine) locateMore(q, marks query.Query, hits []*bsearch.DocumentMatch) error {
	if !slices.ContainsFunc(hits, func(h *bsearch.DocumentMatch) bool {
		return len(h.Locations[fIntro]) == 0 && len(h.Locations[fBody]) == 0
	}) {
		return nil // every hit has marked terms
	}
	pq, ok := e.compile(q)
	if !ok {
		return nil
	}
	marked, ok := e.pageTerms(marks)
	if !ok {
		return nil
	}
	more := e.moreTerms(planTerms(pq), marked)
	adv, err := e.idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	segs := snap.Segments()
	page := make([]scoredDoc, 0, len(hits))
	out := make([]*bsearch.DocumentMatch, 0, len(hits))
	for _, h := range hits {
		for si, ss := range segs {
			nums, err := ss.DocNumbers([]string{h.ID})
			if err != nil {
				return err
			}
			if nums.IsEmpty() {
				continue
			}
			page = append(page, scoredDoc{id: h.ID, key: uint64(si)<<40 | uint64(nums.Minimum())})
			out = append(out, h)
			break
		}
	}
	order := make([]int, len(page))
	for i := range order {
		order[i] = i
	}
	sortByKey(order, page)
	return locateLacking(segs, &e.packs, page, out, order, more)
}

// moreMarks is how many distinct terms a hit without any of the marked
// terms gets located from the further terms (see loadPage).
const moreMarks = 6

// locatePage adds the locations of terms to the hits out[i] for i in
// order (page positions in index order; the postings only move
// forward). When done is set, a hit it reports done gets no more terms,
// and the terms stop when every hit is done.
func locatePage(segs []*scorch.SegmentSnapshot, packs *packedCache, page []scoredDoc, out []*bsearch.DocumentMatch, order []int, terms []*pageTerm, done func(i int) bool) error {
	dicts := map[dictKey]segment.TermDictionary{}
	var slab locSlab
	// One postings list and iterator, reset for each term and segment.
	var pl segment.PostingsList
	var it segment.PostingsIterator
	var locBuf []segment.Location
	for _, t := range terms {
		if done != nil {
			order = slices.DeleteFunc(order, done)
			if len(order) == 0 {
				return nil
			}
		}
		var last segment.Posting // where it is: Advance only moves on
		itSeg, pkSeg := -1, -1
		spent := false     // it has no more documents in segment itSeg
		var pk *packedList // the term's packed postings with locations in segment pkSeg, or nil
		pi := 0            // where in pk: seek only moves on
		for _, i := range order {
			if d := &page[i]; t.ci >= 0 && d.known && d.has[t.ci>>6]&(1<<(t.ci&63)) == 0 {
				continue // the ranking saw that the document lacks the term
			}
			si, num := int(page[i].key>>40), page[i].key&(1<<40-1)
			if si != pkSeg {
				pkSeg, pi = si, 0
				if pk = packs.lookup(segs[si].Segment(), t.field, t.term); pk != nil && !pk.hasLocs() {
					pk = nil
				}
			}
			if pk != nil {
				pi = pk.seek(pi, uint32(min(num, math.MaxUint32)))
				if pi == len(pk.docs) || uint64(pk.docs[pi]) != num {
					continue
				}
				locBuf = pk.locations(pi, locBuf[:0])
				locs := locBuf
				if !t.all {
					locs = phraseLocations(segs[si], num, t, locs)
				}
				addLocations(out[i], t, locs, &slab)
				continue
			}
			if si != itSeg {
				itSeg, spent = si, false
				dict, ok := dicts[dictKey{si, t.field}]
				if !ok {
					var err error
					if dict, err = segs[si].Segment().Dictionary(t.field); err != nil {
						return err
					}
					dicts[dictKey{si, t.field}] = dict
				}
				var err error
				if pl, err = dict.PostingsList([]byte(t.term), nil, pl); err != nil {
					return err
				}
				it, last = pl.Iterator(true, true, true, it), nil
			}
			if spent {
				continue // no later document of this segment has the term
			}
			p := last
			if p == nil || p.Number() < num {
				var err error
				if p, err = it.Advance(num); err != nil {
					return err
				}
				last = p
			}
			if p == nil {
				spent = true
				continue
			}
			if p.Number() != num {
				continue
			}
			locs := p.Locations()
			if !t.all {
				locs = phraseLocations(segs[si], num, t, locs)
			}
			addLocations(out[i], t, locs, &slab)
		}
	}
	return nil
}

// phraseLocations keeps the locations of a phrase-only term that are
// part of one of its phrases in the document.
func phraseLocations(ss *scorch.SegmentSnapshot, num uint64, t *pageTerm, locs []segment.Location) []segment.Location {
	keep := map[uint64]bool{}
	for _, phrase := range t.phrases {
		pos := map[string]map[uint64]bool{}
		for _, slot := range phrase {
			for _, term := range slot {
				if pos[term] == nil {
					pos[term] = termPositions(ss, t.field, term, num)
				}
			}
		}
		// Every start where the first position has one of its terms.
		starts := map[uint64]bool{}
		for _, term := range phrase[0] {
			for p := range pos[term] {
				starts[p] = true
			}
		}
		for p0 := range starts {
			ok := true
			for i := 1; i < len(phrase) && ok; i++ {
				if len(phrase[i]) == 0 {
					continue
				}
				found := false
				for _, term := range phrase[i] {
					found = found || pos[term][p0+uint64(i)]
				}
				ok = found
			}
			if !ok {
				continue
			}
			for i, slot := range phrase {
				for _, term := range slot {
					if term == t.term && pos[term][p0+uint64(i)] {
						keep[p0+uint64(i)] = true
					}
				}
			}
		}
	}
	var out []segment.Location
	for _, l := range locs {
		if keep[l.Pos()] {
			out = append(out, l)
		}
	}
	return out
}

// termPositions returns the positions of a term in one document.
func termPositions(ss *scorch.SegmentSnapshot, field, term string, num uint64) map[uint64]bool {
	out := map[uint64]bool{}
	pl, err := termPostings(ss.Segment(), field, term)
	if err != nil {
		return out
	}
	p, err := pl.Iterator(true, true, true, nil).Advance(num)
	if err != nil || p == nil || p.Number() != num {
		return out
	}
	for _, l := range p.Locations() {
		out[l.Pos()] = true
	}
	return out
}

func addLocations(dm *bsearch.DocumentMatch, t *pageTerm, locs []segment.Location, slab *locSlab) {
	if len(locs) == 0 {
		return
	}
	if dm.Locations == nil {
		dm.Locations = bsearch.FieldTermLocationMap{}
	}
	tlm := dm.Locations[t.field]
	if tlm == nil {
		tlm = bsearch.TermLocationMap{}
		dm.Locations[t.field] = tlm
	}
	// A compound part can sit at its compound's position under the same
	// term; bleve reports such a location once.
	have := tlm[t.term]
	if have == nil {
		have = slab.ptrs(len(locs))
	}
outer:
	for _, l := range locs {
		for _, h := range have {
			if h.Pos == l.Pos() && h.Start == l.Start() && h.End == l.End() {
				continue outer
			}
		}
		have = append(have, slab.loc(bsearch.Location{Pos: l.Pos(), Start: l.Start(), End: l.End()}))
	}
	tlm[t.term] = have
}

// locSlab hands out the page's locations, and room for the lists of
// pointers to them, from shared arrays.
type locSlab struct {
	locs []bsearch.Location
	refs []*bsearch.Location
}

// loc returns a pointer to a copy of l.
func (s *locSlab) loc(l bsearch.Location) *bsearch.Location {
	if len(s.locs) == cap(s.locs) {
		s.locs = make([]bsearch.Location, 0, min(16+2*cap(s.locs), 256))
	}
	s.locs = append(s.locs, l)
	return &s.locs[len(s.locs)-1]
}

// ptrs returns an empty list with room for n pointers.
func (s *locSlab) ptrs(n int) []*bsearch.Location {
	if cap(s.refs)-len(s.refs) < n {
		s.refs = make([]*bsearch.Location, 0, max(n, min(32+2*cap(s.refs), 512)))
	}
	i := len(s.refs)
	s.refs = s.refs[:i+n]
	return s.refs[i : i : i+n]
}

func sortByKey(order []int, page []scoredDoc) {
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && page[order[j]].key < page[order[j-1]].key; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
}
