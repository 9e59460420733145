package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"
)

// The intro and body of every document, the text snippets are cut from,
// are kept in a file of their own next to the bleve index (textsFile)
// instead of as stored fields in it. bleve maps its segments into
// memory, and the kernel maps a file's pages into a process by the
// folio, often 100 KB or more around the page a question touches: after
// a few hundred questions nearly the whole index is resident, stored
// text included, although a page of hits reads a few kilobytes of it.
// This file is read with pread (or into memory when it is small, see
// textsInMemory), so only the index proper (terms, postings, locations)
// is mapped, and the text read for a page is one read per hit. At
// 100,000 passages the stored text was 29% of the index.
//
// The records are not compressed: decoding zap's snappy blocks was 8% of
// a short question's instructions (bench/cost: 1.93 → 1.77 million);
// compression saved 28% of the texts' disk space (100k passages: 80
// instead of 111 MB).
//
// Format: textsMagic, then one record per document, uvarint(len(intro))
// · intro · body. A document's stored field fRec says where its record
// is ("offset:length", decimal); versions built before this file
// existed keep intro and body as stored fields, and those are read as
// they are.
const (
	textsFile  = "texts"
	textsMagic = "watwerkt texts 2\n"
	fRec       = "rec"
)

// textsWriter appends records to a new texts file.
type textsWriter struct {
	f   *os.File
	w   *bufio.Writer
	off int64
	raw []byte
	rec []byte
}

func createTexts(dir string) (*textsWriter, error) {
	f, err := os.OpenFile(filepath.Join(dir, textsFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create stored texts: %w", err)
	}
	w := &textsWriter{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	if _, err := w.w.WriteString(textsMagic); err != nil {
		f.Close()
		return nil, fmt.Errorf("write stored texts: %w", err)
	}
	w.off = int64(len(textsMagic))
	return w, nil
}

// add appends a document's intro and body and returns the value of its
// fRec field.
func (w *textsWriter) add(intro, body string) (string, error) {
	w.raw = binary.AppendUvarint(w.raw[:0], uint64(len(intro)))
	w.w.Write(w.raw)
	w.w.WriteString(intro)
	if _, err := w.w.WriteString(body); err != nil { // bufio keeps the first error
		return "", fmt.Errorf("write stored texts: %w", err)
	}
	n := int64(len(w.raw) + len(intro) + len(body))
	w.rec = strconv.AppendInt(w.rec[:0], w.off, 10)
	w.rec = append(w.rec, ':')
	w.rec = strconv.AppendInt(w.rec, n, 10)
	w.off += n
	return string(w.rec), nil
}

// close flushes the file to disk; closing again does nothing.
func (w *textsWriter) close() error {
	if w.f == nil {
		return nil
	}
	defer func() { w.f = nil }()
	err := w.w.Flush()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write stored texts: %w", err)
	}
	return nil
}

// textsInMemory is the largest texts file that is read into memory
// when a version is opened instead of read record by record: a pread
// costs about 1.3 µs on this machine, 5% of a short question's time
// with ten hits. The dekamer answers' texts are 6.8 MB, 10,000
// passages' 11 MB, 100,000 passages' 111 MB.
var textsInMemory int64 = 32 << 20

// textsReader reads records; it is safe for concurrent use.
type textsReader struct {
	f    *os.File
	size int64
	mem  []byte // the whole file, when it is at most textsInMemory
}

// openTexts opens dir's texts file; nil, nil when the version has none
// (built before it existed, with intro and body stored in the index).
func openTexts(dir string) (*textsReader, error) {
	f, err := os.Open(filepath.Join(dir, textsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open stored texts: %w", err)
	}
	st, err := f.Stat()
	if err == nil {
		head := make([]byte, len(textsMagic))
		n, rerr := f.ReadAt(head, 0)
		switch {
		case string(head[:n]) == textsMagic:
		case rerr != nil && !errors.Is(rerr, io.EOF):
			err = rerr
		default:
			err = errors.New("not a texts file of this version of watwerkt")
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open stored texts %s: %w", f.Name(), err)
	}
	r := &textsReader{f: f, size: st.Size()}
	if r.size <= textsInMemory {
		r.mem = make([]byte, r.size)
		if _, err := f.ReadAt(r.mem, 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("read stored texts %s: %w", f.Name(), err)
		}
	}
	return r, nil
}

func (r *textsReader) close() error { return r.f.Close() }

// read returns the intro and body of the record rec points to.
func (r *textsReader) read(rec string) (intro, body string, err error) {
	off, n, ok := parseRec(rec)
	if !ok || off < int64(len(textsMagic)) || n > r.size-off {
		return "", "", fmt.Errorf("stored texts: bad record %q", rec)
	}
	var raw []byte
	if r.mem != nil {
		raw = r.mem[off : off+n]
	} else {
		raw = make([]byte, n)
		if _, err := r.f.ReadAt(raw, off); err != nil {
			return "", "", fmt.Errorf("stored texts: record %s: %w", rec, err)
		}
	}
	li, k := binary.Uvarint(raw)
	if k <= 0 || li > uint64(len(raw)-k) {
		return "", "", fmt.Errorf("stored texts: record %s is damaged", rec)
	}
	if k == len(raw) {
		return "", "", nil
	}
	// raw is never written again: the file's bytes in memory, or this
	// record's own buffer.
	text := unsafe.String(&raw[k], len(raw)-k)
	return text[:li], text[li:], nil
}

func parseRec(rec string) (off, n int64, ok bool) {
	a, b, found := strings.Cut(rec, ":")
	if !found {
		return 0, 0, false
	}
	off, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.ParseInt(b, 10, 64)
	return off, n, err1 == nil && err2 == nil && off >= 0 && n > 0
}
