package search

import (
	"math"
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
// walks by index and searches by galloping. Positions (phrases,
// snippets) and the exact total still come from zap.
type packedList struct {
	docs  []uint32
	freqs []uint8
	lens  []uint16 // the field's length in the document: its norm is normOf[len]
}

// packedBytes is what one posting costs in a packedList.
const packedBytes = 4 + 1 + 2

// normOf is zap's norm of a field length, float32(1/√length): zap
// stores the length and computes the norm when a posting is read.
var normOf = func() (t [1 << 16]float32) {
	for n := 1; n < len(t); n++ {
		t[n] = float32(1 / math.Sqrt(float64(n)))
	}
	return
}()

// packedMinDocs is the smallest document frequency worth packing: a
// rarer term's postings fit in zap's first chunk and are cheap to read.
const packedMinDocs = 16

// packedKey names a term's postings in one segment.
type packedKey struct {
	seg         segment.Segment
	field, term string
}

// packedCache holds the packed postings of an index version, up to a
// memory budget: terms are admitted until it is spent (the terms of the
// first questions are mostly the common ones every question meets) and
// stay for the life of the Engine. A term that is not packed (too rare,
// a frequency over 255, over budget) is remembered as nil so it is
// looked at once. Safe for concurrent use.
type packedCache struct {
	mu    sync.RWMutex
	lists map[packedKey]*packedList
	bytes int64
}

// packed returns the packed postings of term in field of segment ss
// (all its documents, deleted ones too), or nil when it is not packed.
func (e *Engine) packed(ss *scorch.SegmentSnapshot, field, term string, count uint64) (*packedList, error) {
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
	full := c.bytes+int64(count)*packedBytes > limit
	c.mu.RUnlock()
	if ok {
		return pk, nil
	}
	key := packedKey{seg, strings.Clone(field), strings.Clone(term)}
	if full {
		c.put(key, nil, 0)
		return nil, nil
	}
	d, err := seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, err
	}
	n := int(pl.Count())
	pk = &packedList{docs: make([]uint32, 0, n), freqs: make([]uint8, 0, n), lens: make([]uint16, 0, n)}
	it := pl.Iterator(true, true, false, nil)
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
			c.put(key, nil, 0)
			return nil, nil
		}
		pk.docs = append(pk.docs, uint32(p.Number()))
		pk.freqs = append(pk.freqs, uint8(f))
		pk.lens = append(pk.lens, uint16(l))
	}
	c.put(key, pk, int64(len(pk.docs))*packedBytes)
	return pk, nil
}

func (c *packedCache) put(key packedKey, pk *packedList, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lists == nil {
		c.lists = map[packedKey]*packedList{}
	}
	if _, ok := c.lists[key]; ok {
		return // another question packed it first
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
