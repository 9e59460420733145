package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/watwerkt/watwerkt/corpus"
)

// Versions manages the index versions under one directory:
//
//	root/v20261123T050102.123/   one complete bleve index each
//	root/CURRENT                 the name of the version being served
//
// A build writes a new version and only then replaces CURRENT (write to a
// temporary file, fsync, rename), so a reader never sees a half-built
// index and a crash during a build leaves the served version untouched.
type Versions struct {
	Root string
	Keep int // versions kept after a switch, at least 1; default 3
	// Options for new builds; the zero value means DefaultOptions.
	Options *Options
}

const currentFile = "CURRENT"

// completeFile marks a version whose build finished and was verified;
// directories without it are builds in progress or killed ones.
const completeFile = "COMPLETE"

// staleBuildAge is when an unfinished version directory is taken for
// the remains of a killed build and removed.
const staleBuildAge = time.Hour

// Current returns the directory of the current version, or ErrNoIndex.
func (v Versions) Current() (string, error) {
	b, err := os.ReadFile(filepath.Join(v.Root, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoIndex
	}
	if err != nil {
		return "", fmt.Errorf("read current index version: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("read current index version: bad name %q", name)
	}
	return filepath.Join(v.Root, name), nil
}

// OpenCurrent opens the current version read-only.
func (v Versions) OpenCurrent() (*Engine, error) {
	dir, err := v.Current()
	if err != nil {
		return nil, err
	}
	e, err := OpenIndex(dir)
	if err != nil {
		return nil, err
	}
	if v.Options != nil {
		e.SetOptions(*v.Options)
	}
	return e, nil
}

// BuildStats describes a finished build.
type BuildStats struct {
	Version   string
	Documents int
	Duration  time.Duration
}

// Builder writes one new index version.
type Builder struct {
	v     Versions
	dir   string
	idx   bleve.Index
	batch *bleve.Batch
	texts *textsWriter
	bytes int // text in the batch
	limit int // of text per batch
	n     int
	start time.Time
	// batches being indexed (at most maxInFlight), each reporting its
	// error on its channel
	inFlight []chan error
}

// maxInFlight is how many batches bleve indexes at once. bleve analyses
// a batch on every core but turns it into a segment on one; with two
// batches the next one is analysed while the last is written (100k
// passages: 1.33 of 2 cores busy with one batch at a time).
const maxInFlight = 2

// A batch is sent to bleve when it holds batchBytes of text (see
// oneBatchBytes for small corpora) or batchDocs documents. Each batch becomes a segment that bleve merges
// later; with batches of 200 documents, merging the 18 segments of the
// 3,483 dekamer answers took 39% of the build's CPU and the build ran at
// 540 passages/s; one batch for the whole corpus ran at 1,200 passages/s.
// The batch size bounds a build's memory: 100,000 passages (124 MB of
// text) built in 57.8 s with a peak RSS of 0.83 GB in 4 MiB batches,
// 52.4 s / 1.19 GB in 8 MiB and 50.8 s / 1.80 GB in 16 MiB, one batch at
// a time. With two batches in flight (maxInFlight; the same test,
// building the 100k benchmark corpus and running one question): one
// 8 MiB batch at a time 51.1 s / 1.33 GB, two 8 MiB 48.8 s / 2.61 GB,
// two 4 MiB 42.3 s / 1.70 GB, two 2 MiB 42.4 s / 1.11 GB.
//
// A corpus of at most oneBatchBytes (known from its vocabulary) is sent
// as one batch: its index is then one segment and needs no merge
// (dekamer, 7 MB: 1,350 passages/s as one batch, 1,160 in 2 MiB ones).
const (
	batchBytes    = 2 << 20
	oneBatchBytes = 16 << 20
	batchDocs     = 20000
)

// NewBuilder creates a new, empty version directory. vocab, when given,
// is the vocabulary of the documents that will be added; it feeds the
// compound splitter (see Options.Decompound).
func (v Versions) NewBuilder(vocab *Vocabulary) (*Builder, error) {
	if err := os.MkdirAll(v.Root, 0o755); err != nil {
		return nil, fmt.Errorf("new index version: %w", err)
	}
	name := "v" + time.Now().UTC().Format("20060102T150405.000000")
	dir := filepath.Join(v.Root, name)
	o := DefaultOptions()
	if v.Options != nil {
		o = *v.Options
	}
	idx, err := bleve.New(dir, newMapping(o, vocab))
	if err != nil {
		return nil, fmt.Errorf("new index version %s: %w", name, err)
	}
	texts, err := createTexts(dir)
	if err != nil {
		idx.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("new index version %s: %w", name, err)
	}
	limit := batchBytes
	if vocab != nil && vocab.bytes <= oneBatchBytes {
		limit = oneBatchBytes
	}
	return &Builder{v: v, dir: dir, idx: idx, batch: idx.NewBatch(), texts: texts, limit: limit, start: time.Now()}, nil
}

// Add indexes one document.
func (b *Builder) Add(d *corpus.Document) error {
	doc := indexDoc{
		Title: d.Title, Intro: d.Intro, Body: d.Body, Source: d.Source, Type: d.Type,
		Themes: d.Themes, Region: d.Region, URL: d.URL, Author: d.Author,
	}
	if d.CanonicalURL != "" {
		doc.URL = d.CanonicalURL
	}
	if !d.Published.IsZero() {
		doc.Published = d.Published.Format("2006-01-02")
		doc.Year = d.Published.Format("2006")
	}
	rec, err := b.texts.add(d.Intro, d.Body)
	if err != nil {
		return err
	}
	doc.Rec = rec
	if err := b.batch.Index(d.ID, doc); err != nil {
		return fmt.Errorf("index %s: %w", d.ID, err)
	}
	b.n++
	b.bytes += len(d.Title) + len(d.Intro) + len(d.Body)
	if b.bytes >= b.limit || b.batch.Size() >= batchDocs {
		return b.flush()
	}
	return nil
}

// flush hands the batch to bleve, to be indexed while the next one is
// filled, after waiting for the oldest batch in flight when there are
// maxInFlight.
func (b *Builder) flush() error {
	if b.batch.Size() == 0 {
		return nil
	}
	if len(b.inFlight) == maxInFlight {
		if err := b.waitOne(); err != nil {
			return err
		}
	}
	batch, done := b.batch, make(chan error, 1)
	go func() { done <- b.idx.Batch(batch) }()
	b.inFlight = append(b.inFlight, done)
	b.batch = b.idx.NewBatch()
	b.bytes = 0
	return nil
}

// waitOne waits for the oldest batch in flight.
func (b *Builder) waitOne() error {
	done := b.inFlight[0]
	b.inFlight = b.inFlight[1:]
	if err := <-done; err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return nil
}

// wait waits for every batch in flight and returns the first error.
func (b *Builder) wait() error {
	var first error
	for len(b.inFlight) > 0 {
		if err := b.waitOne(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Abort removes the unfinished version.
func (b *Builder) Abort() {
	b.wait()
	b.idx.Close()
	b.texts.close()
	os.RemoveAll(b.dir)
}

// Commit verifies the new version (its document count, and that a probe
// query runs), makes it current and prunes old versions. want is the
// number of documents the caller added; a mismatch aborts the build.
func (b *Builder) Commit(ctx context.Context) (*BuildStats, error) {
	if err := b.flush(); err != nil {
		b.Abort()
		return nil, err
	}
	if err := b.wait(); err != nil {
		b.Abort()
		return nil, err
	}
	if err := b.merge(ctx); err != nil {
		b.Abort()
		return nil, err
	}
	n, err := b.idx.DocCount()
	if err != nil || int(n) != b.n {
		b.Abort()
		return nil, fmt.Errorf("verify index: %d documents indexed, %d added (%v)", n, b.n, err)
	}
	probe := bleve.NewSearchRequest(bleve.NewMatchAllQuery())
	if _, err := b.idx.SearchInContext(ctx, probe); err != nil {
		b.Abort()
		return nil, fmt.Errorf("verify index: probe query: %w", err)
	}
	if err := b.texts.close(); err != nil {
		b.Abort()
		return nil, err
	}
	if err := b.idx.Close(); err != nil {
		os.RemoveAll(b.dir)
		return nil, fmt.Errorf("close new index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, completeFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		os.RemoveAll(b.dir)
		return nil, fmt.Errorf("mark index complete: %w", err)
	}
	if err := b.v.switchTo(filepath.Base(b.dir)); err != nil {
		return nil, err
	}
	b.v.prune()
	return &BuildStats{Version: filepath.Base(b.dir), Documents: b.n, Duration: time.Since(b.start)}, nil
}

// merge merges the new index into one segment: a question then looks
// each term up in one dictionary instead of one per segment (dekamer
// short questions p50 0.66 → 0.46 ms). The index is read-only from here
// on, so the merge is paid once per build.
func (b *Builder) merge(ctx context.Context) error {
	adv, err := b.idx.Advanced()
	if err != nil {
		return fmt.Errorf("merge index: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		return fmt.Errorf("merge index: %w", err)
	}
	return ctx.Err()
}

// switchTo points CURRENT at a version atomically.
func (v Versions) switchTo(name string) error {
	tmp, err := os.CreateTemp(v.Root, ".current-*")
	if err != nil {
		return fmt.Errorf("switch index version: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(name + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("switch index version: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("switch index version: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("switch index version: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(v.Root, currentFile)); err != nil {
		return fmt.Errorf("switch index version: %w", err)
	}
	if d, err := os.Open(v.Root); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// List returns the names of the complete versions, oldest first.
func (v Versions) List() ([]string, error) {
	entries, err := os.ReadDir(v.Root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "v") {
			continue
		}
		if _, err := os.Stat(filepath.Join(v.Root, e.Name(), completeFile)); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// prune removes old versions beyond Keep, never the current one.
func (v Versions) prune() {
	keep := v.Keep
	if keep < 1 {
		keep = 3
	}
	names, err := v.List()
	if err != nil {
		return
	}
	cur, _ := v.Current()
	for i := 0; i < len(names)-keep; i++ {
		if filepath.Join(v.Root, names[i]) != cur {
			os.RemoveAll(filepath.Join(v.Root, names[i]))
		}
	}
	// Remains of killed builds.
	entries, _ := os.ReadDir(v.Root)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "v") {
			continue
		}
		dir := filepath.Join(v.Root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, completeFile)); err == nil {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleBuildAge {
			os.RemoveAll(dir)
		}
	}
}

// Rollback makes the version before the current one current again and
// returns its name. The newer version stays on disk until pruned.
func (v Versions) Rollback() (string, error) {
	cur, err := v.Current()
	if err != nil {
		return "", err
	}
	names, err := v.List()
	if err != nil {
		return "", fmt.Errorf("rollback: %w", err)
	}
	prev := ""
	for _, n := range names {
		if n < filepath.Base(cur) {
			prev = n
		}
	}
	if prev == "" {
		return "", fmt.Errorf("rollback: no version older than %s", filepath.Base(cur))
	}
	if err := v.switchTo(prev); err != nil {
		return "", err
	}
	return prev, nil
}
