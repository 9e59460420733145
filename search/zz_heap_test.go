package search

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestZZHeap(t *testing.T) {
	e := corpusEngine(t)
	mb, _ := strconv.ParseFloat(os.Getenv("ZZ_PACKED"), 64)
	o := e.opt
	o.PackedMB = mb
	e.SetOptions(o)
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	fmt.Println("start heap MB", m.HeapAlloc>>20)
	s := time.Now()
	for _, form := range []string{"short", "long"} {
		for _, q := range dekamerQuestions(t) {
			if _, err := e.Search(context.Background(), Request{Query: q.Form(form), Limit: 10, Long: form == "long"}); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println(form, time.Since(s))
		s = time.Now()
	}
	runtime.GC()
	runtime.ReadMemStats(&m)
	n, nils := 0, 0
	var post int
	for _, pk := range e.packs.lists {
		if pk == nil {
			nils++
		} else {
			n++
			post += len(pk.docs)
		}
	}
	fmt.Println("packed MB", e.packs.bytes>>20, "lists", n, "unpacked", nils, "postings", post, "heap MB", m.HeapAlloc>>20, "sys MB", m.HeapSys>>20)
}
