package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Live serves searches from the current index version of a Versions
// directory and swaps in a new version when CURRENT changes, without
// failing a query: every search holds a reference to the engine it
// started on, and an old engine is closed only when its last search has
// finished.
type Live struct {
	v   Versions
	log *slog.Logger

	mu     sync.Mutex // serialises Reload and SetTuning
	cur    atomic.Pointer[liveRef]
	tuning *Tuning // nil: the built-in synonyms, no curation
}

// SetSynonyms sets the synonyms and keeps the curation rules.
func (l *Live) SetSynonyms(s *Synonyms) error {
	l.mu.Lock()
	t := Tuning{Synonyms: s}
	if l.tuning != nil {
		t.Curation = l.tuning.Curation
	}
	l.mu.Unlock()
	return l.SetTuning(t)
}

// SetTuning applies synonyms and curation rules to the version being
// served (between two searches, without a restart) and to every version
// opened later. On error the old tuning stays in force.
func (l *Live) SetTuning(t Tuning) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.cur.Load(); r != nil {
		if err := r.eng.SetTuning(t); err != nil {
			return err
		}
	}
	l.tuning = &t
	return nil
}

type liveRef struct {
	eng     *Engine
	name    string
	builtAt time.Time
	docs    uint64
	refs    atomic.Int64
	retired atomic.Bool
	once    sync.Once
}

func (r *liveRef) close() { r.once.Do(func() { r.eng.Close() }) }

// NewLive returns a Live for the versions under v. Call Reload (or Watch)
// to open the current version.
func NewLive(v Versions, log *slog.Logger) *Live {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Live{v: v, log: log}
}

// Status describes the version being served.
type Status struct {
	Version   string    `json:"version"`
	Documents uint64    `json:"documents"`
	BuiltAt   time.Time `json:"built_at"`
}

// Status returns the served version, or ok=false while there is none.
func (l *Live) Status() (Status, bool) {
	r := l.cur.Load()
	if r == nil {
		return Status{}, false
	}
	return Status{Version: r.name, Documents: r.docs, BuiltAt: r.builtAt}, true
}

// Reload opens the version CURRENT names if it is not the one being
// served, and swaps it in. It reports whether it swapped.
func (l *Live) Reload() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	dir, err := l.v.Current()
	if err != nil {
		return false, err
	}
	name := filepath.Base(dir)
	if old := l.cur.Load(); old != nil && old.name == name {
		return false, nil
	}
	eng, err := OpenIndex(dir)
	if err != nil {
		return false, err
	}
	if l.v.Options != nil {
		eng.SetOptions(*l.v.Options)
	}
	if l.tuning != nil {
		if err := eng.SetTuning(*l.tuning); err != nil {
			eng.Close()
			return false, fmt.Errorf("open index %s: %w", name, err)
		}
	}
	docs, err := eng.Count()
	if err != nil {
		eng.Close()
		return false, fmt.Errorf("open index %s: %w", name, err)
	}
	r := &liveRef{eng: eng, name: name, builtAt: versionTime(dir), docs: docs}
	old := l.cur.Swap(r)
	if old != nil {
		old.retired.Store(true)
		if old.refs.Load() == 0 {
			old.close()
		}
		l.log.Info("index version switched", "from", old.name, "to", name, "documents", docs)
	} else {
		l.log.Info("index version opened", "version", name, "documents", docs)
	}
	return true, nil
}

// versionTime is when a version was built: from its name, else the
// directory's modification time.
func versionTime(dir string) time.Time {
	if t, err := time.Parse("20060102T150405.000000", filepath.Base(dir)[1:]); err == nil {
		return t
	}
	if fi, err := os.Stat(dir); err == nil {
		return fi.ModTime()
	}
	return time.Time{}
}

// Watch reloads every interval until ctx ends. Errors are logged; a
// missing or broken new version leaves the old one in service.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Reload(); err != nil && !errors.Is(err, ErrNoIndex) {
				l.log.Warn("index reload failed; keeping the version in service", "err", err)
			}
		}
	}
}

func (l *Live) acquire() *liveRef {
	for {
		r := l.cur.Load()
		if r == nil {
			return nil
		}
		r.refs.Add(1)
		if l.cur.Load() == r {
			return r
		}
		l.release(r) // swapped meanwhile: take the new one
	}
}

func (l *Live) release(r *liveRef) {
	if r.refs.Add(-1) == 0 && r.retired.Load() {
		r.close()
	}
}

// Search runs a search on the version being served; ErrNoIndex while
// there is none.
func (l *Live) Search(ctx context.Context, req Request) (*Result, error) {
	r := l.acquire()
	if r == nil {
		return nil, ErrNoIndex
	}
	defer l.release(r)
	return r.eng.Search(ctx, req)
}

// Close closes the version being served once its searches finish.
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.cur.Swap(nil); r != nil {
		r.retired.Store(true)
		if r.refs.Load() == 0 {
			r.close()
		}
	}
}
