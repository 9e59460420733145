package search

// Top-k ranking without bleve's searchers.
//
// bleve scores every document that contains any term of the question:
// for a short question on 100,000 passages that is tens of thousands of
// documents, each through a tree of disjunction searchers (75% of the
// time went to the searcher machinery, 16% to reading postings). Only
// the best ten are wanted. topK reads the same postings from the index
// segments and ranks with MaxScore (Turtle & Flood 1995): terms are
// ordered by the most they can add to a score; once the k-th best score
// is known, the terms whose bounds together cannot reach it are only
// looked up for documents that the other terms found, and a document is
// dropped as soon as its bound falls below the k-th score.
//
// Scores follow bleve's, computed the way its searchers compute them
// for the query tree the engine builds (BM25 term scores, queryNorm,
// coord per disjunction, phrases as conjunctions with a position check);
// with the options `tf=sqrt coord=1 coverage=0` the ranking is bleve's
// own (TestTopKMatchesBleve checks that on the dekamer questions). By
// default short questions are scored beyond bleve (Options.RawTF,
// CoordPower, Coverage; docs/search-quality.md), and samePruned checks
// the pruned ranking against one that scores every document. Filters
// are a bitmap of allowed documents. A query the plan does not
// understand (fuzzy, other query types) returns ok=false and bleve runs
// it as before.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A planLeaf is one term searched in one field.
type planLeaf struct {
	field, term string
	boost       float64
	clause      int
	slot        int // position in a phrase clause; -1 in a term group
}

// A planClause is one disjunct of the question's top-level disjunction:
// a group of terms (a match or term query; its score is the sum of the
// matching terms' scores times matched/total), or a phrase, a list of
// positions each with its alternative terms (none: a removed stop word).
type planClause struct {
	leaves []int
	phrase [][]int
	// own is set for the clauses that search the question's own words
	// (not a synonym's)
	own bool
	// subset is set for a match clause on an unstemmed copy (title_exact,
	// body_exact) whose documents all match another clause: the same
	// text on the stemmed field, analysed by our chain, which is the
	// copy's chain plus compound parts and stems (and drops no word).
	subset bool
}

// A plan is a query the top-k evaluator can rank.
type plan struct {
	clauses []planClause
	leaves  []planLeaf
	exclude []string     // document ids never returned
	filters []planFilter // terms every document returned has
	// match is set for a question searched as match queries (a short
	// one), which is scored with the Options for short questions.
	match bool
	// cursors maps a field and term to the evaluator's cursor that
	// read it (set by newEvaluator).
	cursors map[maxSatKey]int
}

// A planFilter is a term a document must have in a keyword field.
type planFilter struct{ field, term string }

// compile turns the engine's query into a plan, or says it cannot.
func (e *Engine) compile(q query.Query) (*plan, bool) {
	p := &plan{}
	if b, ok := q.(*query.BooleanQuery); ok {
		// excluding(): must the question, must-not some ids.
		if b.Should != nil || b.Filter != nil || b.Must == nil {
			return nil, false
		}
		must, ok := b.Must.(*query.ConjunctionQuery)
		if !ok || len(must.Conjuncts) != 1 {
			return nil, false
		}
		if b.MustNot != nil {
			not, ok := b.MustNot.(*query.DisjunctionQuery)
			if !ok {
				return nil, false
			}
			for _, d := range not.Disjuncts {
				ids, ok := d.(*query.DocIDQuery)
				if !ok {
					return nil, false
				}
				p.exclude = append(p.exclude, ids.IDs...)
			}
		}
		q = must.Conjuncts[0]
	}
	// filtered(): the question and the filters' terms. bleve adds the
	// filter terms' scores to every document; they do not change the
	// order and are left out here.
	if c, ok := q.(*query.ConjunctionQuery); ok {
		if len(c.Conjuncts) < 2 {
			return nil, false
		}
		for _, f := range c.Conjuncts[1:] {
			t, ok := f.(*query.TermQuery)
			if !ok || t.FieldVal == "" {
				return nil, false
			}
			p.filters = append(p.filters, planFilter{field: t.FieldVal, term: t.Term})
		}
		q = c.Conjuncts[0]
	}
	top, ok := q.(*query.DisjunctionQuery)
	if !ok || top.Min > 1 {
		return nil, false
	}
	m := e.idx.Mapping()
	// The title, intro and body match queries and the phrases analyse
	// the same text with the same analyzer: once is enough.
	type analysed struct{ name, text string }
	memo := map[analysed]analysis.TokenStream{}
	analyze := func(name, field, text string) (analysis.TokenStream, bool) {
		if name == "" {
			name = m.AnalyzerNameForPath(field)
		}
		if ts, ok := memo[analysed{name, text}]; ok {
			return ts, true
		}
		ts, ok := analyzeWith(m, name, field, text)
		if ok {
			memo[analysed{name, text}] = ts
		}
		return ts, ok
	}
	own := "" // the first match query's text is the question's
	for _, d := range top.Disjuncts {
		if mq, ok := d.(*query.MatchQuery); ok {
			own = mq.Match
			break
		}
	}
	p.match = own != ""
	var matches []matchClause
	for _, d := range top.Disjuncts {
		ci := len(p.clauses)
		switch d := d.(type) {
		case *query.TermQuery:
			p.leaves = append(p.leaves, planLeaf{field: d.FieldVal, term: d.Term, boost: d.BoostVal.Value(), clause: ci, slot: -1})
			p.clauses = append(p.clauses, planClause{leaves: []int{len(p.leaves) - 1}})
		case *query.MatchQuery:
			if d.Fuzziness != 0 || d.Operator != query.MatchQueryOperatorOr || d.FieldVal == "" {
				return nil, false
			}
			tokens, ok := analyze(d.Analyzer, d.FieldVal, d.Match)
			if !ok {
				return nil, false
			}
			name := d.Analyzer
			if name == "" {
				name = m.AnalyzerNameForPath(d.FieldVal)
			}
			matches = append(matches, matchClause{ci, d.FieldVal, d.Match, name})
			c := planClause{own: d.Match == own, leaves: make([]int, 0, len(tokens))}
			p.leaves = slices.Grow(p.leaves, len(tokens))
			for _, t := range tokens {
				c.leaves = append(c.leaves, len(p.leaves))
				p.leaves = append(p.leaves, planLeaf{field: d.FieldVal, term: string(t.Term), boost: d.BoostVal.Value(), clause: ci, slot: -1})
			}
			p.clauses = append(p.clauses, c)
		case *query.MatchPhraseQuery:
			if d.Fuzziness != 0 || d.FieldVal == "" {
				return nil, false
			}
			tokens, ok := analyze(d.Analyzer, d.FieldVal, d.MatchPhrase)
			if !ok {
				return nil, false
			}
			c := planClause{own: d.MatchPhrase == own}
			for slot, terms := range phraseSlots(tokens) {
				var at []int
				for _, t := range terms {
					at = append(at, len(p.leaves))
					p.leaves = append(p.leaves, planLeaf{field: d.FieldVal, term: t, boost: d.BoostVal.Value(), clause: ci, slot: slot})
				}
				c.phrase = append(c.phrase, at)
			}
			p.clauses = append(p.clauses, c)
		default:
			return nil, false
		}
	}
	p.markSubsets(matches)
	return p, len(p.clauses) > 0
}

// A matchClause is what compile saw of a match query: its clause, field,
// text and analyzer.
type matchClause struct {
	clause                int
	field, text, analyzer string
}

// markSubsets sets planClause.subset (see there) from the plan's match
// clauses.
func (p *plan) markSubsets(matches []matchClause) {
	stemmed := map[[2]string]bool{}
	for _, m := range matches {
		if m.analyzer == dutchAnalyzerName || m.analyzer == compoundAnalyzerName {
			stemmed[[2]string{m.field, m.text}] = true
		}
	}
	for _, m := range matches {
		var of string // the stemmed field the copy is made from
		switch m.field {
		case fTitleExact:
			of = fTitle
		case fBodyExact:
			of = fBody
		}
		if m.analyzer == exactAnalyzerName && of != "" && stemmed[[2]string{of, m.text}] {
			p.clauses[m.clause].subset = true
		}
	}
}

func analyzeWith(m mapping.IndexMapping, name, field, text string) (analysis.TokenStream, bool) {
	if name == "" {
		name = m.AnalyzerNameForPath(field)
	}
	a := m.AnalyzerNamed(name)
	if a == nil {
		return nil, false
	}
	return a.Analyze([]byte(text)), true
}

// phraseSlots groups a phrase's tokens by position, as bleve's match
// phrase query does: one slot per position from the first to the last,
// empty where a stop word was removed.
func phraseSlots(tokens analysis.TokenStream) [][]string {
	if len(tokens) == 0 {
		return nil
	}
	first, last := math.MaxInt, 0
	for _, t := range tokens {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	slots := make([][]string, last-first+1)
	for _, t := range tokens {
		slots[t.Position-first] = append(slots[t.Position-first], string(t.Term))
	}
	return slots
}

// scoredDoc is one ranked document.
type scoredDoc struct {
	id    string
	score float64
	key   uint64 // segment and document number
	// how the score was made, for explanations: with the options for
	// short questions, the clauses matched (of clauses) and the share
	// of the question's words
	short            bool
	matched, clauses int32
	cover            float64
	// has holds bit ci for each cursor ci whose term the document has,
	// when known (questions of at most hasCursors cursors).
	has   [hasCursors / 64]uint64
	known bool
}

// hasCursors is the most cursors scoredDoc.has records.
const hasCursors = 128

// topK ranks the plan of q and returns the best k documents, best first
// (equal scores by id, so the ranking does not depend on the order the
// documents were indexed in), and how many documents match in all. ok
// is false when q cannot be ranked here.
//
// load, when not nil, is called with q's plan and the ranking while the
// index snapshot it came from is still open.
//
// A long question (Request.Long: a question with its explanation) is
// scored with bleve's BM25 even where it is searched as match queries;
// the Options for short questions cost it MRR@10 (docs/search-quality.md).
func (e *Engine) topK(ctx context.Context, q query.Query, k int, long bool, load func(*scorch.IndexSnapshot, *plan, []scoredDoc) error) (docs []scoredDoc, total uint64, ok bool, err error) {
	if e.noTopK || e.opt.Scoring != "bm25" {
		return nil, 0, false, nil
	}
	p, ok := e.compile(q)
	if !ok {
		return nil, 0, false, nil
	}
	p.match = p.match && !long
	adv, err := e.idx.Advanced()
	if err != nil {
		return nil, 0, false, nil
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, false, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, 0, false, nil
	}
	ev, err := newEvaluator(e, p, snap, k)
	if err != nil || ev == nil {
		return nil, 0, err == nil && ev != nil, err
	}
	if docs, total, ok, err = ev.run(ctx); err != nil || !ok || load == nil {
		return docs, total, ok, err
	}
	return docs, total, ok, load(snap, p, docs)
}

// BM25 as bleve computes it (search.BM25_k1, search.BM25_b).
var bm25k1, bm25b = bsearch.BM25_k1, bsearch.BM25_b

const done = math.MaxUint64

// A cursor reads the postings of one term in one field. The plan's
// leaves that search the same term in the same field (a match and a
// phrase on the title, say) share it: the postings are read once.
type cursor struct {
	field, term string
	idf, avg    float64
	leaves      []int   // the plan leaves reading this cursor
	qsum        float64 // the sum of their query weights
	bounds      *termBounds
	ub          float64 // the most they add to a document's raw score in the window
	clauses     []int   // the distinct clauses of its leaves
	phrase      bool    // some phrase needs the term's positions
	rawTF       bool    // saturate the frequency, not its square root
	idfK1       float64 // idf·k1 and k1·b/avg, for docScore
	k1bAvg      float64
	pls         []segment.PostingsList // per segment, without deleted documents (from newEvaluator)
	// in the current segment
	pl      segment.PostingsList
	blocks  []uint8 // block bounds in this segment (in units of bounds.step), or nil
	it      segment.PostingsIterator
	pk      *packedList     // the postings decoded, read instead of it (packed.go), or nil
	pi      int             // the current posting in pk
	except  *roaring.Bitmap // documents pk has that do not count (deleted, excluded)
	cur     uint64          // current document; done at the end
	freq    uint64          // the term's frequency and norm there
	norm    float64
	locIt   segment.PostingsIterator // with positions, opened when first needed
	locOld  segment.PostingsIterator // the last locIt, for zap to reset
	locPost segment.Posting
	// with pk's locations: the posting they were last read at, and
	// those of document locDoc
	locI   int
	locDoc uint64
	locBuf []segment.Location
	// in the document being scored
	ds  float64 // bleve's docScore, before the query weight
	hit bool
}

type evaluator struct {
	dicts      map[dictKey]segment.TermDictionary // opened once per segment and field
	e          *Engine
	p          *plan
	snap       *scorch.IndexSnapshot
	k          int
	cur        []cursor
	leafOf     []int     // leaf → cursor
	qw         []float64 // leaf → query weight (boost · idf · queryNorm)
	blockShift int       // block bounds of 1<<blockShift documents
	winShift   int       // windows of 1<<winShift documents
	leafUnit   []float64 // leaf → its bound per unit of saturation
	leafUb     []float64 // leaf → its bound in the window
	// order has the cursors that can match in the window by ub,
	// smallest first; for the documents that match only order[:i]:
	// prefixUb[i] is the raw bound, prefixClauses[i] the clauses they
	// can match, prefixBound[i] the bound with bleve's coord factors
	// applied.
	order         []int
	prefixUb      []float64
	prefixClauses []int
	prefixBound   []float64
	// prefixBounds' scratch space
	inSet        []bool
	sumUb, contr []float64
	covered      []int
	clauseSeen   []bool
	mark         []uint32 // clause → epoch of the document that touched it
	epoch        uint32
	touched      []int
	hits         []int // the cursors on the document being scored
	accMin       int   // accumulate windows with this many essential cursors
	acc          *accBuf
	iters        *iterBuf
	top          docHeap
	// Scoring (see Options): coordF[m] is the factor of a document that
	// matches m clauses, (m/clauses)^power; with coverPow > 0 the score
	// is also multiplied by the share of the question's own words the
	// document has (units, weighted by idf) to the power coverPow.
	coordPow float64
	coordF   []float64
	coverPow float64
	units    []coverUnit
	unitSum  float64
	// With at most 64 units: ownMask[ci] has the units cursor ci reads,
	// unitMask[ci] also all units when the cursor is in a synonym's
	// clause (a document matching it counts as covering everything);
	// prefixUnits[i] is the union of unitMask over order[:i], docUnits
	// that over the cursors on the document being scored.
	ownMask, unitMask []uint64
	prefixUnits       []uint64
	docUnits          uint64
	// prefixW[i] and docW are the weights of prefixUnits[i] and docUnits.
	prefixW []float64
	docW    float64
	noPrune bool // score every matching document (tests)
	// the last document scored: clauses matched, coverage
	matched int
	cover   float64
}

// A coverUnit is one of the question's own words: the cursors that read
// it (in any field) and its weight.
type coverUnit struct {
	cursors []int
	w       float64
}

// dictKey names a segment's (index in the snapshot) field dictionary.
type dictKey struct {
	seg   int
	field string
}

// dict returns segment si's dictionary of field, opened once.
func (ev *evaluator) dict(si int, seg segment.Segment, field string) (segment.TermDictionary, error) {
	k := dictKey{si, field}
	if d, ok := ev.dicts[k]; ok {
		return d, nil
	}
	d, err := seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	ev.dicts[k] = d
	return d, nil
}

// maxSatKey names a cached term bound: the largest BM25 saturation
// (tf·k1/(tf+k1·(1−b+b·len/avg)); tf·norm in a field without average
// length) of any document for a field and term.
type maxSatKey struct{ field, term string }

// slack keeps a bound above the score it bounds despite rounding.
const slack = 1 + 1e-9

func newEvaluator(e *Engine, p *plan, snap *scorch.IndexSnapshot, k int) (*evaluator, error) {
	docTotal, err := snap.DocCount()
	if err != nil || docTotal == 0 {
		return nil, err
	}
	ev := &evaluator{e: e, p: p, snap: snap, k: k, leafOf: make([]int, len(p.leaves)), qw: make([]float64, len(p.leaves)),
		mark: make([]uint32, len(p.clauses)), coordPow: 1, noPrune: e.noPrune, dicts: map[dictKey]segment.TermDictionary{},
		top: make(docHeap, 0, min(max(k, 0), 128))}
	rawTF := false
	if p.match {
		rawTF, ev.coordPow, ev.coverPow = e.opt.RawTF, e.opt.CoordPower, e.opt.Coverage
	}
	segs := snap.Segments()
	byTerm := make(map[maxSatKey]int, len(p.leaves))
	avg := map[string]float64{}
	// The cursors' leaves, clauses and postings lists are cut from
	// shared arrays (a question has a few dozen cursors).
	leafSlab := make([]int, len(p.leaves))
	clauseSlab := make([]int, len(p.leaves))
	leafN := make([]int, 0, len(p.leaves))
	for i, pl := range p.leaves {
		key := maxSatKey{pl.field, pl.term}
		ci, ok := byTerm[key]
		if !ok {
			ci = len(leafN)
			byTerm[key] = ci
			leafN = append(leafN, 0)
		}
		ev.leafOf[i] = ci
		leafN[ci]++
	}
	ev.cur = make([]cursor, 0, len(leafN))
	plSlab := make([]segment.PostingsList, len(leafN)*len(segs))
	// cursor ci's leaves go to slab[off[ci]:off[ci+1]]
	off := make([]int, len(leafN)+1)
	for ci, n := range leafN {
		off[ci+1] = off[ci] + n
	}
	p.cursors = byTerm
	for i, pl := range p.leaves {
		ci := ev.leafOf[i]
		if ci == len(ev.cur) {
			c := cursor{field: pl.field, term: pl.term, rawTF: rawTF}
			c.leaves = leafSlab[off[ci]:off[ci]:off[ci+1]]
			c.clauses = clauseSlab[off[ci]:off[ci]:off[ci+1]]
			a, ok := avg[pl.field]
			if !ok {
				card, err := snap.FieldCardinality(pl.field)
				if err != nil {
					return nil, err
				}
				a = math.Ceil(float64(card) / float64(docTotal))
				avg[pl.field] = a
			}
			c.avg = a
			var docTerm uint64
			c.pls = plSlab[ci*len(segs) : (ci+1)*len(segs) : (ci+1)*len(segs)]
			for si, ss := range segs {
				d, err := ev.dict(si, ss.Segment(), pl.field)
				if err != nil {
					return nil, err
				}
				pls, err := d.PostingsList([]byte(pl.term), ss.Deleted(), nil)
				if err != nil {
					return nil, err
				}
				docTerm += pls.Count()
				c.pls[si] = pls
			}
			if c.avg > 0 {
				c.idf = math.Log(1 + (float64(docTotal)-float64(docTerm)+0.5)/(float64(docTerm)+0.5))
			} else {
				// A field without terms has no average length; bleve then
				// scores its (absent) terms with tf-idf, which still counts
				// in the query norm.
				c.idf = 1 + math.Log(float64(docTotal)/float64(docTerm+1))
			}
			c.idfK1 = c.idf * bm25k1
			if c.avg > 0 {
				c.k1bAvg = bm25k1 * bm25b / c.avg
			}
			ev.cur = append(ev.cur, c)
		}
		c := &ev.cur[ci]
		c.leaves = append(c.leaves, i)
		if pl.slot >= 0 {
			c.phrase = true
		}
		if !slices.Contains(c.clauses, pl.clause) {
			c.clauses = append(c.clauses, pl.clause)
		}
	}
	var sumW float64
	for i, pl := range p.leaves {
		w := pl.boost * ev.cur[ev.leafOf[i]].idf
		sumW += w * w
	}
	qnorm := 1 / math.Sqrt(sumW)
	nl, nc := len(p.leaves), len(p.clauses)
	ev.leafUnit, ev.leafUb = make([]float64, nl), make([]float64, nl)
	boundSlab := make([]termBounds, len(ev.cur))
	for ci := range ev.cur {
		c := &ev.cur[ci]
		if c.bounds, err = e.bounds(segs, c.field, c.term, c.avg, c.rawTF, &boundSlab[ci]); err != nil {
			return nil, err
		}
		for _, li := range c.leaves {
			ev.qw[li] = p.leaves[li].boost * c.idf * qnorm
			c.qsum += ev.qw[li]
			ev.leafUnit[li] = c.idf * ev.qw[li] * slack
		}
	}
	n := len(ev.cur)
	// Small windows bound tighter; each costs a pass over the cursors.
	ev.blockShift = e.blockShift()
	ev.accMin = defaultAccMin
	if e.accMin > 0 {
		ev.accMin = e.accMin
	}
	ev.winShift = ev.blockShift
	if n > 32 {
		ev.winShift = ev.blockShift + 2
	}
	ev.order = make([]int, 0, n)
	ev.prefixUb, ev.prefixClauses, ev.prefixBound = make([]float64, n+1), make([]int, n+1), make([]float64, n+1)
	ev.inSet = make([]bool, nl)
	ev.sumUb, ev.contr, ev.covered, ev.clauseSeen = make([]float64, nc), make([]float64, nc), make([]int, nc), make([]bool, nc)
	ev.coordF = make([]float64, nc+1)
	for m := range ev.coordF {
		ev.coordF[m] = math.Pow(float64(m)/float64(nc), ev.coordPow)
	}
	if ev.coverPow > 0 {
		// The question's own words, in the fields and copies (stemmed or
		// not) that its clauses search: one unit per distinct term,
		// weighted by its smallest idf (that of the field where
		// it is most common: titles are short, so a word's idf there
		// says more about titles than about the word).
		byTerm := map[string]int{}
		for li, pl := range p.leaves {
			if pl.slot >= 0 || !p.clauses[pl.clause].own {
				continue
			}
			ui, ok := byTerm[pl.term]
			if !ok {
				ui = len(ev.units)
				byTerm[pl.term] = ui
				ev.units = append(ev.units, coverUnit{})
			}
			u := &ev.units[ui]
			if ci := ev.leafOf[li]; !slices.Contains(u.cursors, ci) {
				if len(u.cursors) == 0 || ev.cur[ci].idf < u.w {
					u.w = ev.cur[ci].idf
				}
				u.cursors = append(u.cursors, ci)
			}
		}
		for _, u := range ev.units {
			ev.unitSum += u.w
		}
		if len(ev.units) <= 64 && ev.unitSum > 0 {
			ev.ownMask, ev.unitMask, ev.prefixUnits = make([]uint64, n), make([]uint64, n), make([]uint64, n+1)
			ev.prefixW = make([]float64, n+1)
			all := uint64(1)<<len(ev.units) - 1
			if len(ev.units) == 64 {
				all = math.MaxUint64
			}
			for ui, u := range ev.units {
				for _, ci := range u.cursors {
					ev.ownMask[ci] |= 1 << ui
				}
			}
			for ci := range ev.cur {
				ev.unitMask[ci] = ev.ownMask[ci]
				for _, cl := range ev.cur[ci].clauses {
					if !p.clauses[cl].own {
						ev.unitMask[ci] = all
					}
				}
			}
		}
	}
	return ev, nil
}

// window computes the bounds of the documents w0 ≤ d < w1 (block b of
// the segment): each cursor's bound there, the order of the cursors
// that can match and the prefix bounds.
func (ev *evaluator) window(b int, w1 uint64) {
	ev.order = ev.order[:0]
	for ci := range ev.cur {
		c := &ev.cur[ci]
		var sat float64
		switch {
		case c.cur >= w1:
			// The cursor never moves past a document not yet ranked, so
			// the term has none in the window.
		case c.blocks != nil:
			from := b << (ev.winShift - ev.blockShift)
			var q uint8
			for _, v := range c.blocks[from:min(from+1<<(ev.winShift-ev.blockShift), len(c.blocks))] {
				q = max(q, v)
			}
			sat = float64(q) * c.bounds.step
		default:
			sat = c.bounds.max
		}
		c.ub = 0
		for _, li := range c.leaves {
			ev.leafUb[li] = ev.leafUnit[li] * sat
			c.ub += ev.leafUb[li]
		}
		if sat > 0 {
			ev.order = append(ev.order, ci)
		}
	}
	slices.SortStableFunc(ev.order, func(i, j int) int { return cmp.Compare(ev.cur[i].ub, ev.cur[j].ub) })
	ev.prefixBounds()
}

// prefixBounds fills the prefix arrays. A document that matches only
// the cursors of a set scores at most: for each clause that the set can
// match (a term group with one of its terms; a phrase with a term for
// each of its positions), the bounds of the clause's leaves in the set
// times the share of the group's terms they are (bleve's coord), all
// that times the share of the clauses matched.
func (ev *evaluator) prefixBounds() {
	nc := len(ev.p.clauses)
	leafUb, inSet, sumUb, covered, contr, touched := ev.leafUb, ev.inSet, ev.sumUb, ev.covered, ev.contr, ev.clauseSeen
	clear(inSet)
	clear(sumUb)
	clear(covered)
	clear(contr)
	clear(touched)
	var total float64
	clauses, matchable := 0, 0
	for i, ci := range ev.order {
		c := &ev.cur[ci]
		ev.prefixUb[i+1] = ev.prefixUb[i] + c.ub
		for _, li := range c.leaves {
			inSet[li] = true
			cl := ev.p.leaves[li].clause
			sumUb[cl] += leafUb[li]
			covered[cl]++
		}
		for _, cl := range c.clauses {
			if !touched[cl] {
				touched[cl] = true
				clauses++
			}
			pc := &ev.p.clauses[cl]
			var v float64
			if pc.phrase == nil {
				v = sumUb[cl] * float64(min(covered[cl], len(pc.leaves))) / float64(len(pc.leaves))
			} else if phraseCovered(pc, inSet) {
				v = sumUb[cl]
			}
			if v > 0 && contr[cl] == 0 {
				matchable++
			}
			total += v - contr[cl]
			contr[cl] = v
		}
		ev.prefixClauses[i+1] = clauses
		ev.prefixBound[i+1] = max(0, total) * ev.coordF[min(matchable, nc)] * slack
		if ev.unitMask != nil {
			ev.prefixUnits[i+1] = ev.prefixUnits[i] | ev.unitMask[ci]
			ev.prefixW[i+1] = ev.unitsWeight(ev.prefixUnits[i+1])
			ev.prefixBound[i+1] *= ev.coverBound(ev.prefixW[i+1])
		}
	}
}

// phraseCovered reports whether every position of a phrase has a leaf
// in the set.
func phraseCovered(c *planClause, inSet []bool) bool {
	for _, slot := range c.phrase {
		if len(slot) == 0 {
			continue
		}
		ok := false
		for _, li := range slot {
			ok = ok || inSet[li]
		}
		if !ok {
			return false
		}
	}
	return true
}

// docScore is bleve's TermQueryScorer score for the current posting,
// before the query weight.
func (c *cursor) docScore() float64 {
	freq := c.freq
	var tf float64
	switch {
	case c.rawTF && c.avg > 0:
		tf = float64(freq)
	case freq < 64:
		tf = sqrtCache[freq]
	default:
		tf = math.Sqrt(float64(freq))
	}
	norm := c.norm
	if c.avg > 0 {
		// BM25 with one division: the field length is 1/norm², so
		// idf·k1·tf / (tf + k1·(1−b) + k1·b·length/avg) =
		// idf·k1·tf·norm² / ((tf + k1·(1−b))·norm² + k1·b/avg).
		n2 := norm * norm
		return c.idfK1 * tf * n2 / ((tf+bm25k1*(1-bm25b))*n2 + c.k1bAvg)
	}
	return tf * norm * c.idf
}

var sqrtCache = func() (c [64]float64) {
	for i := range c {
		c[i] = math.Sqrt(float64(i))
	}
	return
}()

// Block bounds. Besides a term's largest saturation over the whole
// index, topK keeps the largest in each block of 1<<blockShift consecutive
// document numbers of a segment, for the terms with at least
// blockMinDocs documents there (rarer terms are cheap to skip by
// moving their cursor). Documents are ranked one block (a window) at a
// time with the bounds of that block: a common word that is weak
// between documents 20,000 and 21,000 lets MaxScore skip more there,
// and a window whose bounds together cannot reach the k-th score is
// not read at all — block-max MaxScore, as Lucene 9 ranks disjunctions.
const (
	defaultAccMin     = 16 // essential cursors from which windows are accumulated
	defaultBlockShift = 9
	blockMinDocs      = 256
)

// blockShift is the size of the blocks, a power of two; tests make it
// small to have many windows on a small index.
func (e *Engine) blockShift() int {
	if e.blockBits > 0 {
		return e.blockBits
	}
	return defaultBlockShift
}

// termBounds are the bounds of one term in one field: its largest
// saturation, and per segment (as segs lists them) per block.
type termBounds struct {
	max    float64
	shift  int // blockShift
	segs   []segment.Segment
	blocks [][]uint8 // nil for a segment where the term is rare
	// step is the unit of the block bounds: a block's bound is its
	// byte times step, rounded up so it is never below the block's
	// largest saturation (max/255 apart at most: a quarter of the
	// memory of float32 bounds for pruning that is as good).
	step float64
}

// blocksFor returns the term's block bounds in segment seg, or nil.
func (b *termBounds) blocksFor(si int, seg segment.Segment, shift int) []uint8 {
	if si < len(b.segs) && b.segs[si] == seg && b.shift == shift {
		return b.blocks[si]
	}
	return nil
}

// up32 rounds a bound up to a float32 that is not below it.
func up32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// bounds returns the saturation bounds of a term in a field over the
// index, reading its postings once per index version.
// Most terms a question asks for are too rare for block bounds; they are
// cached as their largest saturation alone (rounded up to a float32),
// and block bounds are bytes: after all dekamer questions on 100k
// passages (60,000 field-terms) the cache holds 8 MB instead of 22 MB.
// A rare term's bounds are written to dst (no blocks to share).
func (e *Engine) bounds(segs []*scorch.SegmentSnapshot, field, term string, avg float64, rawTF bool, dst *termBounds) (*termBounds, error) {
	key := boundsKey{field: field, term: term, raw: rawTF && avg > 0}
	if tb, ok := e.maxSats.get(key, dst); ok {
		return tb, nil
	}
	shift := e.blockShift()
	tb := &termBounds{shift: shift, segs: make([]segment.Segment, len(segs)), blocks: make([][]uint8, len(segs))}
	exact := make([][]float64, len(segs)) // block bounds before quantising
	for si, ss := range segs {
		seg := ss.Segment()
		tb.segs[si] = seg
		pl, err := termPostings(seg, field, term)
		if err != nil {
			return nil, err
		}
		var blocks []float64
		if pl.Count() >= blockMinDocs {
			blocks = make([]float64, (seg.Count()+1<<shift-1)>>shift)
		}
		add := func(num, freq uint64, norm float64) {
			tf := math.Sqrt(float64(freq))
			if rawTF && avg > 0 {
				tf = float64(freq)
			}
			var sat float64
			if avg > 0 {
				fieldLength := 1 / (norm * norm)
				sat = (tf * bm25k1) / (tf + bm25k1*(1-bm25b+(bm25b*fieldLength/avg)))
			} else {
				sat = tf * norm
			}
			tb.max = max(tb.max, sat)
			if blocks != nil {
				if b := num >> shift; b < uint64(len(blocks)) {
					blocks[b] = max(blocks[b], sat)
				} else {
					blocks = nil // not where a window looks: no block bounds
				}
			}
		}
		// A term that is packed (or is packed now: a new term's zap
		// postings are then read once, not once for the bounds and
		// once for the arrays) is bounded from its arrays.
		pk, err := e.packed(ss, field, term, pl.Count(), pl)
		if err != nil {
			return nil, err
		}
		if pk != nil {
			for i, d := range pk.docs {
				add(uint64(d), uint64(pk.freqs[i]), float64(normOf[pk.lens[i]]))
			}
		} else {
			it := pl.Iterator(true, true, false, nil)
			for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
				if err != nil {
					return nil, err
				}
				add(p.Number(), p.Frequency(), p.Norm())
			}
		}
		exact[si] = blocks
	}
	tb.step = tb.max / 255 * slack
	for si, blocks := range exact {
		if blocks != nil && tb.step > 0 {
			tb.blocks[si] = quantize(blocks, tb.step)
		}
	}
	e.maxSats.put(key, tb)
	return tb, nil
}

// boundsKey names the bounds of a term in a field; raw is set for the
// saturation of the raw term frequency (short questions; long ones
// saturate its square root, as bleve does).
type boundsKey struct {
	field, term string
	raw         bool
}

// rareKey names a field's map of rare terms in the bounds cache (raw as
// in boundsKey).
type rareKey struct {
	field string
	raw   bool
}

// quantize turns block bounds into bytes b with b·step ≥ the bound
// (bounds ≤ 255·step).
func quantize(bounds []float64, step float64) []uint8 {
	out := make([]uint8, len(bounds))
	for i, v := range bounds {
		q := min(math.Ceil(v/step), 255)
		for q < 255 && q*step < v {
			q++
		}
		out[i] = uint8(q)
	}
	return out
}

// boundsCache holds the term bounds of an index version: a termBounds
// for a term with blocks in some segment, its largest saturation for
// the others. Safe for concurrent use.
type boundsCache struct {
	mu      sync.RWMutex
	blocked map[boundsKey]*termBounds
	rare    map[rareKey]map[string]float32 // (field, raw) → term → bound
}

// get returns the cached bounds of key; a rare term's are written to
// dst.
func (c *boundsCache) get(key boundsKey, dst *termBounds) (*termBounds, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	// Most of a question's terms are rare (no block bounds).
	if m, ok := c.rare[rareKey{key.field, key.raw}][key.term]; ok {
		*dst = termBounds{max: float64(m)}
		return dst, true
	}
	if tb, ok := c.blocked[key]; ok {
		return tb, true
	}
	return nil, false
}

func (c *boundsCache) put(key boundsKey, tb *termBounds) {
	key.term = strings.Clone(key.term) // not a piece of a longer string kept alive
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(tb.blocks, func(b []uint8) bool { return b != nil }) {
		if c.blocked == nil {
			c.blocked = map[boundsKey]*termBounds{}
		}
		c.blocked[key] = tb
		return
	}
	if c.rare == nil {
		c.rare = map[rareKey]map[string]float32{}
	}
	rk := rareKey{key.field, key.raw}
	if c.rare[rk] == nil {
		c.rare[rk] = map[string]float32{}
	}
	c.rare[rk][key.term] = up32(tb.max)
}

// clear empties the cache (tests that change the block size).
func (c *boundsCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocked, c.rare = nil, nil
}

func (ev *evaluator) run(ctx context.Context) ([]scoredDoc, uint64, bool, error) {
	ev.iters = iterPool.Get().(*iterBuf)
	for ci := range min(len(ev.cur), len(ev.iters.its)) {
		ev.cur[ci].it, ev.cur[ci].locOld = ev.iters.its[ci], ev.iters.locs[ci]
	}
	defer func() {
		if ev.acc != nil {
			accPool.Put(ev.acc)
			ev.acc = nil
		}
		// The cursors' iterators go back for the next question (zap
		// resets an iterator it is given instead of allocating one).
		b := ev.iters
		b.its, b.locs = b.its[:0], b.locs[:0]
		for ci := range ev.cur {
			c := &ev.cur[ci]
			b.its, b.locs = append(b.its, c.it), append(b.locs, c.locOld)
			c.it, c.locIt, c.locOld = nil, nil, nil
		}
		iterPool.Put(b)
		ev.iters = nil
	}()
	var total uint64
	for si, ss := range ev.snap.Segments() {
		n, err := ev.segment(ctx, si, ss)
		if err != nil {
			return nil, 0, false, err
		}
		total += n
	}
	out := make([]scoredDoc, len(ev.top))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = ev.top.pop()
		if err := ev.loadID(&out[i]); err != nil {
			return nil, 0, false, err
		}
	}
	return out, total, true, nil
}

// segment ranks one segment's documents into the heap and returns how
// many of them match.
func (ev *evaluator) segment(ctx context.Context, si int, ss *scorch.SegmentSnapshot) (uint64, error) {
	except := ss.Deleted()
	reuse := len(ev.p.exclude) == 0 && len(ev.p.filters) == 0 // the postings lists of newEvaluator
	if len(ev.p.exclude) > 0 {
		ex, err := ss.DocNumbers(ev.p.exclude)
		if err != nil {
			return 0, err
		}
		if except != nil {
			ex = roaring.Or(ex, except)
		}
		except = ex
	}
	seg := ss.Segment()
	if len(ev.p.filters) > 0 {
		// The documents without every filter term are left out.
		var allowed *roaring.Bitmap
		for _, f := range ev.p.filters {
			d, err := seg.Dictionary(f.field)
			if err != nil {
				return 0, err
			}
			pl, err := d.PostingsList([]byte(f.term), nil, nil)
			if err != nil {
				return 0, err
			}
			bm := roaring.New()
			addPostings(bm, pl)
			if allowed == nil {
				allowed = bm
			} else {
				allowed.And(bm)
			}
		}
		out := roaring.Flip(allowed, 0, seg.Count())
		if except != nil {
			out.Or(except)
		}
		except = out
	}
	for ci := range ev.cur {
		c := &ev.cur[ci]
		pl := c.pls[si]
		if !reuse {
			d, err := ev.dict(si, seg, c.field)
			if err != nil {
				return 0, err
			}
			if pl, err = d.PostingsList([]byte(c.term), except, nil); err != nil {
				return 0, err
			}
		}
		c.pl, c.locIt, c.locPost, c.cur = pl, nil, nil, done
		c.locI, c.locDoc = 0, done
		c.blocks = c.bounds.blocksFor(si, seg, ev.blockShift)
		pk, err := ev.e.packed(ss, c.field, c.term, pl.Count(), nil)
		if err != nil {
			return 0, err
		}
		c.pk, c.except = pk, except
	}
	nDocs := seg.Count()
	total, err := ev.count(nDocs, except)
	if err != nil || ev.k <= 0 {
		return total, err
	}
	for ci := range ev.cur {
		c := &ev.cur[ci]
		c.locIt, c.locPost, c.locI, c.locDoc = nil, nil, 0, done
		if err := c.start(); err != nil {
			return 0, err
		}
	}

	theta := math.Inf(-1)
	if len(ev.top) == ev.k {
		theta = ev.top[0].score
	}
	var ess []int
	for b := 0; uint64(b)<<ev.winShift < nDocs; b++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		w0, w1 := uint64(b)<<ev.winShift, min(uint64(b+1)<<ev.winShift, nDocs)
		// Rare terms keep no block bounds; their cursor's next document
		// says whether they are in the window.
		for ci := range ev.cur {
			if c := &ev.cur[ci]; c.blocks == nil && c.cur < w0 {
				if err := c.advance(w0); err != nil {
					return 0, err
				}
			}
		}
		ev.window(b, w1)
		full := ev.full()
		if len(ev.order) == 0 || (full && ev.prefixBound[len(ev.order)] < theta) {
			continue // nothing in the window can make the top k
		}
		firstEss := 0 // order[:firstEss] are the non-essential cursors
		if full {
			firstEss = ev.essentialFrom(theta)
		}
		if len(ev.order)-firstEss >= ev.accMin {
			if err := ev.accumulate(ss, si, w0, w1, firstEss, &theta); err != nil {
				return 0, err
			}
			continue
		}
		// The essential cursors, in a heap by current document.
		var err error
		if ess, err = ev.essential(firstEss, ess, w0, w1); err != nil {
			return 0, err
		}
		for len(ess) > 0 && ev.cur[ess[0]].cur < w1 {
			d := ev.cur[ess[0]].cur
			ev.epoch++
			ev.touched, ev.docUnits, ev.docW = ev.touched[:0], 0, 0
			ev.hits = ev.hits[:0]
			var partial float64
			for len(ess) > 0 && ev.cur[ess[0]].cur == d {
				ci := ess[0]
				ess = ev.popCursor(ess)
				c := &ev.cur[ci]
				ev.hit(c, ci, c.docScore(), &partial)
			}
			moved := len(ev.hits) // hits[:moved] were essential
			before := theta
			if err := ev.complete(ss, si, d, firstEss, partial, &theta); err != nil {
				return 0, err
			}
			refresh := theta != before && ev.essentialFrom(theta) != firstEss
			if refresh {
				firstEss = ev.essentialFrom(theta)
			}
			// Move the essential cursors that were on d on.
			for _, ci := range ev.hits[:moved] {
				c := &ev.cur[ci]
				if err := c.next(); err != nil {
					return 0, err
				}
				if !refresh && c.cur < w1 {
					ess = ev.pushCursor(ess, ci)
				}
			}
			if refresh {
				if ess, err = ev.essential(firstEss, ess, w0, w1); err != nil {
					return 0, err
				}
			}
		}
	}
	return total, nil
}

// complete finishes document d, on which the essential cursors in
// ev.hits are (their scores summed in partial): it probes the
// non-essential cursors order[:firstEss], best bound first, while the
// document can still beat the k-th score theta, scores it, offers it
// and raises theta when the k-th score rises.
func (ev *evaluator) complete(ss *scorch.SegmentSnapshot, si int, d uint64, firstEss int, partial float64, theta *float64) error {
	defer func() {
		for _, ci := range ev.hits {
			ev.cur[ci].hit = false
		}
	}()
	nc := len(ev.p.clauses)
	full := ev.full()
	for j := firstEss - 1; j >= 0; j-- {
		if full {
			b := (partial*slack + ev.prefixUb[j+1]) * ev.coordF[min(nc, len(ev.touched)+ev.prefixClauses[j+1])]
			if b < *theta {
				return nil
			}
			// The words the document can still have: those it has, and
			// those of the cursors left (a sum of weights bounds the
			// weight of their union).
			if ev.unitMask != nil {
				if w := ev.docW + ev.prefixW[j+1]; w < ev.unitSum && b*ev.coverBound(w) < *theta {
					return nil
				}
			}
		}
		ci := ev.order[j]
		c := &ev.cur[ci]
		if c.cur < d {
			if err := c.advance(d); err != nil {
				return err
			}
		}
		if c.cur == d {
			ev.hit(c, ci, c.docScore(), &partial)
		}
	}
	if full && partial*slack*ev.coordF[len(ev.touched)]*ev.coverBound(ev.docW) < *theta {
		return nil
	}
	s, ok, err := ev.score(d)
	if err != nil || !ok {
		return err
	}
	if err := ev.offer(ss, si, d, s); err != nil {
		return err
	}
	if len(ev.top) == ev.k {
		*theta = ev.top[0].score
	}
	return nil
}

// An accEntry is one essential posting of a window: cursor ci has the
// document with docScore ds; next is the document's previous entry.
type accEntry struct {
	ci, next int32
	ds       float64
}

// accBuf is accumulate's scratch space, reused between questions.
type accBuf struct {
	head    []int32 // window document → its last entry, or -1
	partial []float64
	clauses []int32 // an upper bound of the clauses the entries touch
	entries []accEntry
}

var accPool = sync.Pool{New: func() any { return new(accBuf) }}

// iterBuf keeps postings iterators between questions: its for the
// cursors, scratch for reading postings lists as bitmaps.
type iterBuf struct {
	its, locs []segment.PostingsIterator
	scratch   segment.PostingsIterator
	bits      []uint64 // count's documents, a bit each
}

// words returns n zeroed words of bits.
func (b *iterBuf) words(n int) []uint64 {
	if cap(b.bits) < n {
		b.bits = make([]uint64, n)
	}
	b.bits = b.bits[:n]
	clear(b.bits)
	return b.bits
}

var iterPool = sync.Pool{New: func() any { return new(iterBuf) }}

// accumulate ranks the documents w0 ≤ d < w1 term at a time: the
// postings of the essential cursors order[firstEss:] in the window are
// read one cursor after the other into lists per document, and then
// each document is bounded, completed and scored in index order as in
// segment. With many essential cursors this is cheaper than keeping
// them in a heap (long questions have about seventy). The partition
// stays as it was at the start of the window; a rising theta still
// prunes documents.
func (ev *evaluator) accumulate(ss *scorch.SegmentSnapshot, si int, w0, w1 uint64, firstEss int, theta *float64) error {
	if ev.acc == nil {
		ev.acc = accPool.Get().(*accBuf)
	}
	a := ev.acc
	if size := 1 << ev.winShift; len(a.head) < size {
		a.head = make([]int32, size)
		for i := range a.head {
			a.head[i] = -1
		}
		a.partial, a.clauses = make([]float64, size), make([]int32, size)
	}
	a.entries = a.entries[:0]
	n := int(w1 - w0)
	defer func() {
		for i := range n {
			a.head[i] = -1
		}
	}()
	for _, ci := range ev.order[firstEss:] {
		c := &ev.cur[ci]
		if c.cur < w0 {
			if err := c.advance(w0); err != nil {
				return err
			}
		}
		for c.cur < w1 {
			i := c.cur - w0
			ds := c.docScore()
			if a.head[i] < 0 {
				a.partial[i], a.clauses[i] = 0, 0
			}
			a.entries = append(a.entries, accEntry{ci: int32(ci), next: a.head[i], ds: ds})
			a.head[i] = int32(len(a.entries) - 1)
			a.partial[i] += ds * c.qsum
			a.clauses[i] += int32(len(c.clauses))
			if err := c.next(); err != nil {
				return err
			}
		}
	}
	nc := len(ev.p.clauses)
	for i := range n {
		h := a.head[i]
		if h < 0 {
			continue
		}
		if ev.full() && (a.partial[i]*slack+ev.prefixUb[firstEss])*ev.coordF[min(nc, int(a.clauses[i])+ev.prefixClauses[firstEss])] < *theta {
			continue
		}
		ev.epoch++
		ev.touched, ev.docUnits, ev.docW = ev.touched[:0], 0, 0
		ev.hits = ev.hits[:0]
		var partial float64
		for e := h; e >= 0; e = a.entries[e].next {
			en := &a.entries[e]
			ev.hit(&ev.cur[en.ci], int(en.ci), en.ds, &partial)
		}
		if err := ev.complete(ss, si, w0+uint64(i), firstEss, partial, theta); err != nil {
			return err
		}
	}
	return nil
}

// offer puts document d of segment si with score s among the k best
// when it beats the worst of them: a higher score, or an equal one with
// a smaller id. Reading an id means reading the document's stored
// fields, so a document gets its id only when another in the heap has
// the same score (the heap orders those by id) or when it makes the
// final top k (run).
func (ev *evaluator) offer(ss *scorch.SegmentSnapshot, si int, d uint64, s float64) error {
	key := uint64(si)<<40 | d
	if len(ev.top) == ev.k && s < ev.top[0].score {
		return nil
	}
	doc := scoredDoc{score: s, key: key, short: ev.p.match,
		matched: int32(ev.matched), clauses: int32(len(ev.p.clauses)), cover: ev.cover}
	if len(ev.cur) <= hasCursors {
		// Every cursor has been moved to d or past it: ev.hits are the
		// terms d has (the page's term locations skip the others).
		doc.known = true
		for _, ci := range ev.hits {
			doc.has[ci>>6] |= 1 << (ci & 63)
		}
	}
	for i := range ev.top {
		if t := &ev.top[i]; t.score == s {
			if err := ev.loadID(t); err != nil {
				return err
			}
			if doc.id == "" {
				if err := ev.loadID(&doc); err != nil {
					return err
				}
			}
		}
	}
	if len(ev.top) == ev.k && s == ev.top[0].score && doc.id > ev.top[0].id {
		return nil // equal scores: the smaller id ranks first
	}
	if len(ev.top) < ev.k {
		ev.top.push(doc)
	} else {
		ev.top[0] = doc
		ev.top.down(0)
	}
	return nil
}

// loadID reads the external id of d when it has none yet.
func (ev *evaluator) loadID(d *scoredDoc) error {
	if d.id != "" {
		return nil
	}
	si, num := int(d.key>>40), d.key&(1<<40-1)
	id, err := ev.snap.Segments()[si].DocID(num)
	if err != nil {
		return err
	}
	d.id = string(id)
	return nil
}

// essential returns the cursors order[first:] that have documents in
// the window w0 ≤ d < w1, as a heap by current document, after moving
// those that lag behind to the window.
func (ev *evaluator) essential(first int, buf []int, w0, w1 uint64) ([]int, error) {
	buf = buf[:0]
	for _, ci := range ev.order[first:] {
		c := &ev.cur[ci]
		if c.cur < w0 {
			if err := c.advance(w0); err != nil {
				return nil, err
			}
		}
		if c.cur < w1 {
			buf = append(buf, ci)
		}
	}
	for i := len(buf)/2 - 1; i >= 0; i-- {
		ev.siftDown(buf, i)
	}
	return buf, nil
}

func (ev *evaluator) siftDown(h []int, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && ev.cur[h[r]].cur < ev.cur[h[l]].cur {
			m = r
		}
		if ev.cur[h[i]].cur <= ev.cur[h[m]].cur {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (ev *evaluator) popCursor(h []int) []int {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	ev.siftDown(h, 0)
	return h
}

func (ev *evaluator) pushCursor(h []int, ci int) []int {
	h = append(h, ci)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if ev.cur[h[p]].cur <= ev.cur[h[i]].cur {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

// hit records that cursor c is on the document being scored, with
// docScore ds.
func (ev *evaluator) hit(c *cursor, ci int, ds float64, partial *float64) {
	c.ds, c.hit = ds, true
	ev.hits = append(ev.hits, ci)
	if ev.unitMask != nil {
		if add := ev.unitMask[ci] &^ ev.docUnits; add != 0 {
			ev.docUnits |= add
			ev.docW += ev.unitsWeight(add)
		}
	}
	*partial += c.ds * c.qsum
	for _, cl := range c.clauses {
		if ev.mark[cl] != ev.epoch {
			ev.mark[cl] = ev.epoch
			ev.touched = append(ev.touched, cl)
		}
	}
}

// full reports whether the heap holds k documents, so that the k-th
// score prunes (never with noPrune).
func (ev *evaluator) full() bool { return len(ev.top) == ev.k && !ev.noPrune }

// essentialFrom returns how many cursors (smallest bounds first)
// cannot together lift a document to theta. (A document that ties the
// k-th best can still take its place: equal scores are ordered by id.)
func (ev *evaluator) essentialFrom(theta float64) int {
	m := 0
	for m < len(ev.order) && ev.prefixBound[m+1] < theta {
		m++
	}
	return m
}

// start puts the cursor on its first document in the current segment.
func (c *cursor) start() error {
	if c.pk != nil {
		c.pi = 0
		c.landPacked()
		return nil
	}
	c.it = c.pl.Iterator(true, true, false, c.it)
	return c.next()
}

// next moves the cursor to its next document.
func (c *cursor) next() error {
	if c.pk != nil {
		c.pi++
		c.landPacked()
		return nil
	}
	return c.land(c.it.Next())
}

// advance moves the cursor to its first document at or after d.
func (c *cursor) advance(d uint64) error {
	if c.pk != nil {
		if d > math.MaxUint32 {
			c.pi = len(c.pk.docs)
		} else {
			c.pi = c.pk.seek(c.pi, uint32(d))
		}
		c.landPacked()
		return nil
	}
	return c.land(c.it.Advance(d))
}

func (c *cursor) land(p segment.Posting, err error) error {
	if err != nil || p == nil {
		c.cur = done
		return err
	}
	c.cur, c.freq, c.norm = p.Number(), p.Frequency(), p.Norm()
	return nil
}

// landPacked puts the cursor on pk's posting pi, or the first after it
// that counts.
func (c *cursor) landPacked() {
	pk := c.pk
	for ; c.pi < len(pk.docs); c.pi++ {
		if d := pk.docs[c.pi]; c.except == nil || !c.except.Contains(d) {
			c.cur, c.freq, c.norm = uint64(d), uint64(pk.freqs[c.pi]), float64(normOf[pk.lens[c.pi]])
			return
		}
	}
	c.cur = done
}

// positions returns the term's locations in document d, which the
// cursor has reached: from its packed list, or read with a second zap
// iterator. Both only move forward, as documents are scored in index
// order.
func (c *cursor) positions(d uint64) ([]segment.Location, error) {
	if pk := c.pk; pk != nil && pk.hasLocs() {
		if c.locDoc != d {
			c.locI = pk.seek(c.locI, uint32(min(d, math.MaxUint32)))
			c.locBuf, c.locDoc = c.locBuf[:0], d
			if c.locI < len(pk.docs) && uint64(pk.docs[c.locI]) == d {
				c.locBuf = pk.locations(c.locI, c.locBuf)
			}
		}
		return c.locBuf, nil
	}
	if c.locIt == nil {
		c.locIt = c.pl.Iterator(true, true, true, c.locOld)
		c.locOld = c.locIt
	}
	if c.locPost == nil || c.locPost.Number() < d {
		p, err := c.locIt.Advance(d)
		if err != nil {
			return nil, err
		}
		c.locPost = p
	}
	if c.locPost == nil || c.locPost.Number() != d {
		return nil, nil
	}
	return c.locPost.Locations(), nil
}

// score combines the cursors on document d as bleve's searchers do: per
// clause the sum of its matching leaves times the share of its terms
// that match, then the sum over clauses times the share of clauses that
// match. ok is false when nothing matches (a phrase's words, but not as
// the phrase).
func (ev *evaluator) score(d uint64) (float64, bool, error) {
	slices.Sort(ev.touched)
	var sum float64
	matched := 0
	synonym := false // a clause of a synonym matches
	for _, cl := range ev.touched {
		c := &ev.p.clauses[cl]
		if c.phrase == nil {
			var s float64
			n := 0
			for _, li := range c.leaves {
				if cu := &ev.cur[ev.leafOf[li]]; cu.hit {
					s += cu.ds * ev.qw[li]
					n++
				}
			}
			if n > 0 {
				sum += s * float64(n) / float64(len(c.leaves))
				matched++
				synonym = synonym || !c.own
			}
			continue
		}
		s, ok, err := ev.phraseScore(c, d)
		if err != nil {
			return 0, false, err
		}
		if ok {
			sum += s
			matched++
			synonym = synonym || !c.own
		}
	}
	if matched == 0 {
		return 0, false, nil
	}
	if ev.coordPow == 1 {
		sum = sum * float64(matched) / float64(len(ev.p.clauses)) // as bleve computes it
	} else {
		sum *= ev.coordF[matched]
	}
	ev.matched, ev.cover = matched, 1
	if ev.coverPow > 0 && ev.unitSum > 0 && !synonym {
		ev.cover = ev.coverage()
		sum *= ev.coverFactor(ev.cover)
	}
	return sum, true, nil
}

// coverFactor is a coverage to the power coverPow.
func (ev *evaluator) coverFactor(share float64) float64 {
	if ev.coverPow == 0.5 {
		return math.Sqrt(share)
	}
	return math.Pow(share, ev.coverPow)
}

// coverBound bounds the coverage factor of a document whose units
// weigh at most w (1 without unit masks).
func (ev *evaluator) coverBound(w float64) float64 {
	if ev.unitMask == nil {
		return 1
	}
	return ev.coverFactor(min(1, w*slack/ev.unitSum))
}

// unitsWeight is the weight of the units in mask.
func (ev *evaluator) unitsWeight(mask uint64) float64 {
	var w float64
	for m := mask; m != 0; m &= m - 1 {
		w += ev.units[bits.TrailingZeros64(m)].w
	}
	return w
}

// coverage is the idf-weighted share of the question's own words that
// the document being scored has. (A document that matches a synonym
// clause counts as having them all, see score: the synonym stands for
// some of its words, and which ones the plan does not know.)
func (ev *evaluator) coverage() float64 {
	if ev.unitMask != nil {
		var own uint64
		for _, ci := range ev.hits {
			own |= ev.ownMask[ci]
		}
		var got float64
		for m := own; m != 0; m &= m - 1 {
			got += ev.units[bits.TrailingZeros64(m)].w
		}
		return got / ev.unitSum
	}
	var got float64
	for _, u := range ev.units {
		for _, ci := range u.cursors {
			if ev.cur[ci].hit {
				got += u.w
				break
			}
		}
	}
	return got / ev.unitSum
}

// phraseScore scores a phrase clause in document d: every position must
// have a matching term and the terms must follow each other (a removed
// stop word takes one position). The score is that of bleve's phrase
// searcher: the sum over positions, alternatives at one position times
// the share of them that match.
func (ev *evaluator) phraseScore(c *planClause, d uint64) (float64, bool, error) {
	var sum float64
	for _, slot := range c.phrase {
		if len(slot) == 0 {
			continue
		}
		var s float64
		n := 0
		for _, li := range slot {
			if cu := &ev.cur[ev.leafOf[li]]; cu.hit {
				s += cu.ds * ev.qw[li]
				n++
			}
		}
		if n == 0 {
			return 0, false, nil
		}
		if len(slot) > 1 {
			s *= float64(n) / float64(len(slot))
		}
		sum += s
	}
	for _, li := range c.phrase[0] {
		cu := &ev.cur[ev.leafOf[li]]
		if !cu.hit {
			continue
		}
		locs, err := cu.positions(d)
		if err != nil {
			return 0, false, err
		}
		for _, loc := range locs {
			ok, err := ev.phraseFrom(c, d, loc.Pos())
			if err != nil || ok {
				return sum, ok, err
			}
		}
	}
	return 0, false, nil
}

// phraseFrom reports whether the phrase's later positions follow a
// first term at pos in document d.
func (ev *evaluator) phraseFrom(c *planClause, d, pos uint64) (bool, error) {
	for i := 1; i < len(c.phrase); i++ {
		if len(c.phrase[i]) == 0 {
			continue
		}
		want := pos + uint64(i)
		found := false
		for _, li := range c.phrase[i] {
			cu := &ev.cur[ev.leafOf[li]]
			if !cu.hit {
				continue
			}
			locs, err := cu.positions(d)
			if err != nil {
				return false, err
			}
			for _, loc := range locs {
				if loc.Pos() == want {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// count returns how many documents of the segment match: those with a
// term of a term group, and those with a phrase (whose words are all
// present, checked for the phrase itself). It reads bitmaps where the
// index has them, and leaves the cursors to be reopened.
func (ev *evaluator) count(nDocs uint64, except *roaring.Bitmap) (uint64, error) {
	counted := func(c *cursor) bool {
		for _, li := range c.leaves {
			// Phrases count below; a clause whose documents match
			// another clause adds none.
			if l := ev.p.leaves[li]; l.slot < 0 && !ev.p.clauses[l.clause].subset {
				return true
			}
		}
		return false
	}
	var any docSet
	if except == nil && nDocs <= math.MaxUint32 {
		// A bit per document of the segment: the packed lists set
		// theirs in a tight loop, the others from zap's bitmaps.
		any.words = ev.iters.words(int((nDocs + 63) / 64))
		for ci := range ev.cur {
			if c := &ev.cur[ci]; counted(c) {
				if c.pk != nil {
					any.addAll(c.pk.docs)
				} else {
					any.addPostings(c.pl, &ev.iters.scratch)
				}
			}
		}
	} else {
		// One union of all the postings at once: a long question has
		// 600 of them, and adding them to one bitmap in turn was 9% of
		// its time.
		var bms []*roaring.Bitmap
		single := roaring.New()
		for ci := range ev.cur {
			if c := &ev.cur[ci]; counted(c) {
				bms = collectPostings(bms, single, c.pl, &ev.iters.scratch)
			}
		}
		any.bm = roaring.FastOr(append(bms, single)...)
	}
	n := any.count()
	for cl := range ev.p.clauses {
		pc := &ev.p.clauses[cl]
		if pc.phrase == nil {
			continue
		}
		var all *roaring.Bitmap
		for _, slot := range pc.phrase {
			if len(slot) == 0 {
				continue
			}
			at := roaring.New()
			for _, li := range slot {
				addPostings(at, ev.cur[ev.leafOf[li]].pl)
			}
			if all == nil {
				all = at
			} else {
				all.And(at)
			}
		}
		if all == nil {
			continue
		}
		if any.bm != nil {
			all.AndNot(any.bm)
		}
		if all.IsEmpty() {
			continue
		}
		var cs []int // the phrase's cursors
		for _, slot := range pc.phrase {
			for _, li := range slot {
				if ci := ev.leafOf[li]; !slices.Contains(cs, ci) {
					cs = append(cs, ci)
				}
			}
		}
		for _, ci := range cs {
			c := &ev.cur[ci]
			c.locIt, c.locPost, c.locI, c.locDoc = nil, nil, 0, done
			if err := c.start(); err != nil {
				return 0, err
			}
		}
		for it := all.Iterator(); it.HasNext(); {
			d := uint64(it.Next())
			if any.bm == nil && any.has(uint32(d)) {
				continue // counted already
			}
			for _, ci := range cs {
				c := &ev.cur[ci]
				if c.cur < d {
					if err := c.advance(d); err != nil {
						return 0, err
					}
				}
				c.hit = c.cur == d
				if c.hit {
					c.ds = c.docScore()
				}
			}
			_, ok, err := ev.phraseScore(pc, d)
			if err != nil {
				return 0, err
			}
			if ok {
				any.add(uint32(d))
				n++
			}
		}
		for _, ci := range cs {
			ev.cur[ci].hit = false
		}
	}
	return n, nil
}

// docSet is a set of a segment's documents: a bit per document (words)
// or a roaring bitmap (bm).
type docSet struct {
	words []uint64
	bm    *roaring.Bitmap
}

func (s *docSet) addAll(docs []uint32) {
	w := s.words
	for _, d := range docs {
		w[d>>6] |= 1 << (d & 63)
	}
}

func (s *docSet) add(d uint32) {
	if s.bm != nil {
		s.bm.Add(d)
		return
	}
	s.words[d>>6] |= 1 << (d & 63)
}

func (s *docSet) has(d uint32) bool {
	if s.bm != nil {
		return s.bm.Contains(d)
	}
	return s.words[d>>6]&(1<<(d&63)) != 0
}

func (s *docSet) count() uint64 {
	if s.bm != nil {
		return s.bm.GetCardinality()
	}
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// addPostings adds the documents of a postings list to a set of words
// (scratch as in collectPostings).
func (s *docSet) addPostings(pl segment.PostingsList, scratch *segment.PostingsIterator) {
	it := pl.Iterator(false, false, false, *scratch)
	*scratch = it
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if d, ok := o.DocNum1Hit(); ok {
			s.add(uint32(d))
			return
		}
		if a := o.ActualBitmap(); a != nil {
			var buf [256]uint32
			many := a.ManyIterator()
			for n := many.NextMany(buf[:]); n > 0; n = many.NextMany(buf[:]) {
				s.addAll(buf[:n])
			}
			return
		}
	}
	for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
		s.add(uint32(p.Number()))
	}
}

// collectPostings appends the bitmap of a postings list to bms (not to
// be changed: it may be the segment's own), or adds its documents to
// single. scratch is an iterator to reuse (zap resets it) and is set to
// the one used.
func collectPostings(bms []*roaring.Bitmap, single *roaring.Bitmap, pl segment.PostingsList, scratch *segment.PostingsIterator) []*roaring.Bitmap {
	it := pl.Iterator(false, false, false, *scratch)
	*scratch = it
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if d, ok := o.DocNum1Hit(); ok {
			single.Add(uint32(d))
			return bms
		}
		if a := o.ActualBitmap(); a != nil {
			return append(bms, a)
		}
	}
	for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
		single.Add(uint32(p.Number()))
	}
	return bms
}

// addPostings adds the documents of a postings list to bm.
func addPostings(bm *roaring.Bitmap, pl segment.PostingsList) {
	it := pl.Iterator(false, false, false, nil)
	if o, ok := it.(segment.OptimizablePostingsIterator); ok {
		if d, ok := o.DocNum1Hit(); ok {
			bm.Add(uint32(d))
			return
		}
		if a := o.ActualBitmap(); a != nil {
			bm.Or(a)
			return
		}
	}
	for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
		bm.Add(uint32(p.Number()))
	}
}

// docHeap keeps the k best documents, the worst on top (a typed heap:
// container/heap would box every document it is given).
type docHeap []scoredDoc

// less orders the worse of two documents first: a lower score, or the
// larger id of two equal ones.
func (h docHeap) less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].id > h[j].id
}

func (h *docHeap) push(d scoredDoc) {
	*h = append(*h, d)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

// pop removes and returns the worst document.
func (h *docHeap) pop() scoredDoc {
	old := *h
	d := old[0]
	old[0] = old[len(old)-1]
	*h = old[:len(old)-1]
	h.down(0)
	return d
}

// down moves document i down to its place.
func (h docHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// explainParts puts what topK's score adds to bleve's formula above
// bleve's explanation bl of a document ranked as d; score is its final
// score (with source and type boosts).
func (e *Engine) explainParts(d scoredDoc, score float64, bl *bsearch.Explanation) *bsearch.Explanation {
	if d.id == "" {
		return bl
	}
	msg := "BM25 zoals bleve het berekent"
	if d.short {
		tf := "√tf"
		if e.opt.RawTF {
			tf = "tf zelf"
		}
		msg = fmt.Sprintf("BM25 met %s, × (%d/%d delen van de vraag)^%g, × (%.0f%% van de woorden van de vraag, naar idf)^%g; hieronder bleves eigen BM25 ter vergelijking",
			tf, d.matched, d.clauses, e.opt.CoordPower, 100*d.cover, e.opt.Coverage)
	}
	if score != d.score {
		msg += fmt.Sprintf("; × %.3g door bron- of typeweging", score/d.score)
	}
	out := &bsearch.Explanation{Value: score, Message: msg}
	if bl != nil {
		out.Children = []*bsearch.Explanation{bl}
	}
	return out
}
