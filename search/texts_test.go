package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// TestTextsRoundTrip writes records and reads them back, including empty
// intros, multi-byte text and a body that compresses to nothing much.
func TestTextsRoundTrip(t *testing.T) { bothTextModes(t, testTextsRoundTrip) }

// bothTextModes runs f with texts files read record by record and read
// into memory.
func bothTextModes(t *testing.T, f func(t *testing.T)) {
	old := textsInMemory
	defer func() { textsInMemory = old }()
	for _, max := range []int64{0, 1 << 30} {
		textsInMemory = max
		t.Run(fmt.Sprintf("in-memory-up-to-%d", max), f)
	}
}

func testTextsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w, err := createTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	docs := [][2]string{
		{"", "Alleen een tekst, geen inleiding."},
		{"Inleiding über één café", "Tekst met ĳ, é en 🙂."},
		{"x", strings.Repeat("jeugdhulp ", 5000)},
		{"", ""},
	}
	var recs []string
	for _, d := range docs {
		rec, err := w.add(d[0], d[1])
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	r, err := openTexts(dir)
	if err != nil || r == nil {
		t.Fatalf("open: %v, %v", r, err)
	}
	defer r.close()
	for i := len(docs) - 1; i >= 0; i-- { // any order
		intro, body, err := r.read(recs[i])
		if err != nil {
			t.Fatalf("record %d (%s): %v", i, recs[i], err)
		}
		if intro != docs[i][0] || body != docs[i][1] {
			t.Fatalf("record %d: got %q / %.40q, want %q / %.40q", i, intro, body, docs[i][0], docs[i][1])
		}
	}
}

// TestTextsBadRecords: a damaged texts file or a record that does not
// point into it is an error, never a panic or someone else's text.
func TestTextsBadRecords(t *testing.T) { bothTextModes(t, testTextsBadRecords) }

func testTextsBadRecords(t *testing.T) {
	dir := t.TempDir()
	w, err := createTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := w.add("Inleiding", "Een tekst over wachtlijsten in de jeugdzorg.")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	r, err := openTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	off, n, _ := parseRec(rec)
	for _, bad := range []string{"", "17", ":", "a:b", "-1:5", "0:10", "17:0", "17:-3",
		"17:999999", "99999999:5", "9223372036854775807:9223372036854775807"} {
		if _, _, err := r.read(bad); err == nil {
			t.Errorf("record %q: no error", bad)
		}
	}
	r.close()

	// Damage the record's bytes: snappy's checks or the length prefix
	// must notice.
	path := filepath.Join(dir, textsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b[off : off+n] {
		b[off+int64(i)] = 0xff
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = openTexts(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	if _, _, err := r.read(rec); err == nil {
		t.Error("damaged record read without error")
	}

	// Not a texts file at all, or too short to be one.
	for _, junk := range []string{"something else entirely\n", "wat", ""} {
		if err := os.WriteFile(path, []byte(junk), 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := openTexts(dir); err == nil || !strings.Contains(err.Error(), "not a texts file") {
			if r != nil {
				r.close()
			}
			t.Errorf("a texts file holding %q: %v", junk, err)
		}
	}
	// No texts file: a version that stores its texts in the index.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if r, err := openTexts(dir); r != nil || err != nil {
		t.Errorf("no texts file: %v, %v", r, err)
	}
}

// TestSearchTextsFile: a built version keeps intro and body out of the
// index and in its texts file, snippets come from there, and a version
// whose texts file went missing does not open (Live keeps serving the
// version it has) instead of answering without text.
func TestSearchTextsFile(t *testing.T) {
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, testDocs)
	dir, err := v.Current()
	if err != nil {
		t.Fatal(err)
	}
	e, err := OpenIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.idx.Document("a")
	if err != nil || doc == nil {
		t.Fatalf("document a: %v", err)
	}
	stored := map[string]bool{}
	doc.VisitFields(func(f index.Field) { stored[f.Name()] = true })
	if stored[fBody] || stored[fIntro] || !stored[fRec] || !stored[fTitle] {
		t.Fatalf("stored fields of a: %v", stored)
	}
	res, err := e.Search(context.Background(), Request{Query: "schulden en opvoedvragen"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "a" || !strings.Contains(res.Hits[0].Snippet, "**opvoedvragen**") {
		t.Fatalf("hits %+v", res.Hits)
	}
	e.Close()

	if err := os.Remove(filepath.Join(dir, textsFile)); err != nil {
		t.Fatal(err)
	}
	if e, err := OpenIndex(dir); err == nil || !strings.Contains(err.Error(), "texts is missing") {
		if e != nil {
			e.Close()
		}
		t.Fatalf("opening a version without its texts file: %v", err)
	}
}

// TestTextFromStoredFields: versions built before the texts file keep
// intro and body as stored fields, and those are used.
func TestTextFromStoredFields(t *testing.T) {
	e := &Engine{}
	intro, body, err := e.text(&bsearch.DocumentMatch{Fields: map[string]any{fIntro: "In", fBody: "Tekst"}})
	if err != nil || intro != "In" || body != "Tekst" {
		t.Fatalf("%q %q %v", intro, body, err)
	}
}
