package search

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Packed postings. zap keeps a term's frequencies and norms as varints
// in chunks of about a thousand documents and cannot jump inside a
// chunk: moving a cursor to a later document decodes every posting in
// between, and reading one costs two interface calls. topK moves its
// cursors to candidate documents all the time (MaxScore probes the
// non-essential terms), so the postings of the terms questions ask for
// are decoded once per index version into plain arrays that a cursor
// walks by index and searches by galloping; in the fields with term
// vectors their locations too, for the phrase checks and the page's
// snippets (zap decodes those from the chunk's start as well).
type packedList struct {
	docs  []uint32
	freqs []uint8
	lens  []uint16 // the field's length in the document: its norm is normOf[len]
	// In a field with term vectors (phrases, the page's snippets):
	// posting i has freqs[i] locations in locs, after those of the
	// postings before it; blockAt[b] is where those of posting 64·b
	// start (see locations).
	blockAt []uint32
	locs    []packedLoc
}

// packedBytes is what one posting costs in a packedList, packedLocBytes
// one location.
const (
	packedBytes    = 4 + 1 + 2
	packedLocBytes = 8
)

// packedLoc is a term's location in a document: its position and its
// bytes in the field's text (n of them from start). It is a
// segment.Location.
type packedLoc struct {
	start uint32
	pos   uint16
	n     uint8
}

func (l *packedLoc) Field() string            { return "" }
func (l *packedLoc) Start() uint64            { return uint64(l.start) }
func (l *packedLoc) End() uint64              { return uint64(l.start) + uint64(l.n) }
func (l *packedLoc) Pos() uint64              { return uint64(l.pos) }
func (l *packedLoc) ArrayPositions() []uint64 { return nil }
func (l *packedLoc) Size() int                { return packedLocBytes }

// hasLocs reports whether pk keeps its postings' locations.
func (pk *packedList) hasLocs() bool { return pk.blockAt != nil }

// locations returns posting i's locations, appended to buf.
func (pk *packedList) locations(i int, buf []segment.Location) []segment.Location {
	j := int(pk.blockAt[i>>6])
	for k := i &^ 63; k < i; k++ {
		j += int(pk.freqs[k])
	}
	for end := j + int(pk.freqs[i]); j < end; j++ {
		buf = append(buf, &pk.locs[j])
	}
	return buf
}

// normOf is zap's norm of a field length, float32(1/√length): zap
// stores the length and computes the norm when a posting is read.
var normOf = func() (t [1 << 16]float32) {
	for n := 1; n < len(t); n++ {
		t[n] = float32(1 / math.Sqrt(float64(n)))
	}
	return
}()

// packedMinDocs is the smallest document frequency worth packing: a
// rarer term's postings are cheap to read from zap, and most of a
// question's terms are rare (the map entry would cost more than the
// postings).
const packedMinDocs = 16

// packedKey names a term's postings in one segment.
type packedKey struct {
	seg         segment.Segment
	field, term string
}

// packedCache holds the packed postings of an index version, up to a
// memory budget (the arrays, not the map): terms are admitted until it
// is spent (the terms of the first questions are mostly the common ones
// every question meets) and stay for the life of the Engine. A term
// that cannot be packed (a frequency over 255, a norm that is not
// zap's) is remembered as nil so it is decoded once; a term over budget
// is not remembered (its postings' count says so before decoding). Safe
// for concurrent use.
type packedCache struct {
	mu    sync.RWMutex
	lists map[packedKey]*packedList
	bytes int64
}

// packed returns the packed postings of term in field of segment ss
// (all its documents, deleted ones too), or nil when it is not packed.
// count is the term's document count; pl, when not nil, its postings
// list without exclusions (read when the term is packed now).
func (e *Engine) packed(ss *scorch.SegmentSnapshot, field, term string, count uint64, pl segment.PostingsList) (*packedList, error) {
	limit := int64(e.opt.PackedMB * (1 << 20))
	least := uint64(packedMinDocs)
	if e.packMin > 0 {
		least = uint64(e.packMin)
	}
	if limit <= 0 || count < least {
		return nil, nil
	}
	seg := ss.Segment()
	c := &e.packs
	c.mu.RLock()
	pk, ok := c.lists[packedKey{seg, field, term}]
	used := c.bytes
	c.mu.RUnlock()
	full := used+int64(count)*packedBytes > limit // without locations
	if ok {
		return pk, nil
	}
	if full {
		return nil, nil
	}
	key := packedKey{seg, strings.Clone(field), strings.Clone(term)}
	if pl == nil {
		var err error
		if pl, err = termPostings(seg, field, term); err != nil {
			return nil, err
		}
	}
	n := int(pl.Count())
	pk = &packedList{docs: make([]uint32, 0, n), freqs: make([]uint8, 0, n), lens: make([]uint16, 0, n)}
	withLocs := termVectorField(field)
	if withLocs {
		pk.blockAt = make([]uint32, 0, (n+63)/64)
	}
	it := pl.Iterator(true, true, withLocs, nil)
	for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
		if err != nil {
			return nil, err
		}
		// The length whose norm this is; a posting whose norm is not
		// one of normOf's (a segment type other than zap's) leaves the
		// term unpacked.
		norm := p.Norm()
		l := math.Round(1 / (norm * norm))
		f := p.Frequency()
		if f > 255 || p.Number() > math.MaxUint32 || !(l >= 1 && l < 1<<16) || float64(normOf[int(l)]) != norm {
			c.put(key, nil, 0, limit)
			return nil, nil
		}
		if withLocs {
			// A location per occurrence, each with a position and a
			// word that fit packedLoc; otherwise zap keeps reading
			// the term's locations.
			if len(pk.docs)%64 == 0 {
				pk.blockAt = append(pk.blockAt, uint32(len(pk.locs)))
			}
			locs := p.Locations()
			fits := len(locs) == int(f) && len(pk.locs)+len(locs) < math.MaxUint32
			for _, loc := range locs {
				if !fits {
					break
				}
				st, end := loc.Start(), loc.End()
				if loc.Pos() >= 1<<16 || st > math.MaxUint32 || end < st || end-st > 255 || len(loc.ArrayPositions()) > 0 {
					fits = false
					break
				}
				pk.locs = append(pk.locs, packedLoc{start: uint32(st), pos: uint16(loc.Pos()), n: uint8(end - st)})
			}
			if !fits || used+pk.size()+int64(n-len(pk.docs))*packedBytes > limit {
				withLocs, pk.blockAt, pk.locs = false, nil, nil
			}
		}
		if used+pk.size() > limit {
			return nil, nil // over budget: not remembered, as above
		}
		pk.docs = append(pk.docs, uint32(p.Number()))
		pk.freqs = append(pk.freqs, uint8(f))
		pk.lens = append(pk.lens, uint16(l))
	}
	if withLocs {
		pk.locs = slices.Clip(pk.locs)
	}
	c.put(key, pk, pk.size(), limit)
	return pk, nil
}

// termPostings returns the postings list of term in field of seg, all
// documents.
func termPostings(seg segment.Segment, field, term string) (segment.PostingsList, error) {
	d, err := seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	return d.PostingsList([]byte(term), nil, nil)
}

// size is what pk costs, in bytes.
func (pk *packedList) size() int64 {
	return int64(len(pk.docs))*packedBytes + int64(len(pk.blockAt))*4 + int64(len(pk.locs))*packedLocBytes
}

// termVectorField reports whether the index keeps term locations in a
// field (mapping.go: the stemmed title, intro and body).
func termVectorField(field string) bool {
	return field == fTitle || field == fIntro || field == fBody
}

// lookup returns the packed postings of term in field of seg, or nil
// (not packed, or not yet).
func (c *packedCache) lookup(seg segment.Segment, field, term string) *packedList {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lists[packedKey{seg, field, term}]
}

// put stores pk (nil: the term cannot be packed) unless another
// question stored the term first or, with questions packing at the
// same time, the budget limit is spent by now.
func (c *packedCache) put(key packedKey, pk *packedList, bytes, limit int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lists == nil {
		c.lists = map[packedKey]*packedList{}
	}
	if _, ok := c.lists[key]; ok || c.bytes+bytes > limit {
		return
	}
	c.lists[key] = pk
	c.bytes += bytes
}

// seek returns the first index i ≥ from with docs[i] ≥ d (len(docs)
// when there is none), galloping: a cursor usually moves a short way.
func (pk *packedList) seek(from int, d uint32) int {
	docs := pk.docs
	n := len(docs)
	if from >= n || docs[from] >= d {
		return from
	}
	// docs[lo] < d; find hi with docs[hi] ≥ d or hi = n.
	lo, step := from, 1
	hi := from + 1
	for hi < n && docs[hi] < d {
		lo = hi
		step <<= 1
		hi = lo + step
	}
	hi = min(hi, n)
	for lo+1 < hi {
		m := int(uint(lo+hi) >> 1)
		if docs[m] < d {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
}
