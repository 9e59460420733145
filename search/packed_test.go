package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestPackedSeek(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := r.IntN(300)
		if trial < 3 {
			n = trial // empty, one, two postings
		}
		pk := &packedList{}
		d := uint32(r.IntN(5))
		for range n {
			pk.docs = append(pk.docs, d)
			d += 1 + uint32(r.IntN(1+r.IntN(100)))
		}
		for range 50 {
			from := r.IntN(n + 1)
			target := uint32(r.IntN(int(d) + 10))
			want := from
			for want < n && pk.docs[want] < target {
				want++
			}
			if got := pk.seek(from, target); got != want {
				t.Fatalf("docs %v: seek(%d, %d) = %d, want %d", pk.docs, from, target, got, want)
			}
		}
	}
}

// TestPackedRanksAsZap asks the same questions with every term's
// postings packed and with none, with filters, hidden and pinned
// documents (their postings stay in the packed lists and must be
// skipped), and expects the same answers to the last digit.
func TestPackedRanksAsZap(t *testing.T) {
	type engine struct {
		name string
		e    *Engine
		reqs []Request
	}
	questions := []string{"schulden", "gezinnen met schulden", "wat werkt bij gezinnen met schulden?",
		"jeugdhulp schulden opvoeden", "informele mentor", "wachtlijst jeugdhulp gezin", "schulden 2012"}
	var engines []engine
	plain := testEngine(t)
	var reqs []Request
	for _, q := range questions {
		reqs = append(reqs, Request{Query: q, Limit: 10}, Request{Query: q, Limit: 3, Offset: 1},
			Request{Query: q, Limit: 10, Filters: map[string]string{"type": "project"}},
			Request{Query: q + " " + q + " extra woorden voor een lange vraag", Limit: 10, Long: true})
	}
	engines = append(engines, engine{"test documents", plain, reqs})
	for _, rules := range []string{"", "hide https://a.example/archief/*\n", "pin schulden gezin => https://b.example/project/budget\n"} {
		engines = append(engines, engine{"curated " + rules, curatedEngine(t, rules), reqs})
	}
	for _, en := range engines {
		e := en.e
		e.packMin = 1
		packed, unpacked := e.opt, e.opt
		unpacked.PackedMB = 0
		for _, req := range en.reqs {
			e.SetOptions(unpacked)
			want, err := e.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			e.SetOptions(packed)
			got, err := e.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := answer(got), answer(want); a != b {
				t.Fatalf("%s, %+v:\npacked   %s\nunpacked %s", en.name, req, a, b)
			}
		}
		locs := 0
		for _, pk := range e.packs.lists {
			if pk != nil && pk.hasLocs() {
				locs++
			}
		}
		if e.packs.bytes == 0 || locs == 0 {
			t.Fatalf("%s: %d bytes packed, %d lists with locations", en.name, e.packs.bytes, locs)
		}
	}
}

// answer is what a Result shows, scores to the last bit.
func answer(r *Result) string {
	s := fmt.Sprintf("total %d fuzzy %v:", r.Total, r.Fuzzy)
	for _, h := range r.Hits {
		s += fmt.Sprintf(" %s %b %q", h.ID, h.Score, h.Snippet)
	}
	return s
}

func TestPackedBudget(t *testing.T) {
	packedWith := func(budget float64) (*Engine, int) {
		e := testEngine(t)
		e.packMin = 1
		o := e.opt
		o.PackedMB = budget
		e.SetOptions(o)
		for _, q := range []string{"schulden gezinnen jeugdhulp", "wachtlijst informele mentor", "opvoeden plan kind"} {
			if _, err := e.Search(context.Background(), Request{Query: q, Limit: 5}); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		for _, pk := range e.packs.lists {
			if pk != nil {
				n++
			}
		}
		return e, n
	}
	_, all := packedWith(16)
	small, some := packedWith(200.0 / (1 << 20)) // 200 bytes: a few terms
	if small.packs.bytes == 0 || small.packs.bytes > 200 {
		t.Fatalf("%d bytes packed with a budget of 200", small.packs.bytes)
	}
	if some == 0 || some >= all {
		t.Fatalf("%d terms packed with a budget of 200 bytes, %d with 16 MiB", some, all)
	}
	if len(small.packs.lists) != some {
		t.Fatalf("%d terms over budget remembered (they are looked at again)", len(small.packs.lists)-some)
	}
}

// TestPackedLocations compares every packed posting's locations with
// zap's.
func TestPackedLocations(t *testing.T) {
	e := testEngine(t)
	e.packMin = 1
	for _, q := range []string{"gezinnen met schulden", "wachtlijst jeugdhulp gezin", "informele mentor kind", "schuldhulp opvoedvragen plan"} {
		if _, err := e.Search(context.Background(), Request{Query: q, Limit: 5}); err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for key, pk := range e.packs.lists {
		if pk == nil || !pk.hasLocs() {
			if pk != nil && termVectorField(key.field) {
				t.Errorf("%s:%s packed without its locations", key.field, key.term)
			}
			continue
		}
		d, err := key.seg.Dictionary(key.field)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := d.PostingsList([]byte(key.term), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		it := pl.Iterator(true, true, true, nil)
		i := 0
		for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
			if err != nil {
				t.Fatal(err)
			}
			var want, got string
			for _, l := range p.Locations() {
				want += fmt.Sprintf(" %d:%d-%d", l.Pos(), l.Start(), l.End())
			}
			for _, l := range pk.locations(i, nil) {
				got += fmt.Sprintf(" %d:%d-%d", l.Pos(), l.Start(), l.End())
			}
			if got != want || uint64(pk.docs[i]) != p.Number() {
				t.Fatalf("%s:%s posting %d (document %d): packed%s, zap%s", key.field, key.term, i, p.Number(), got, want)
			}
			i++
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no packed locations to check")
	}
}
