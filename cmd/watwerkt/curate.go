package main

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/watwerkt/watwerkt/search"
)

// curationWatcher keeps serve's synonyms and curation rules in step with
// the files in the data directory. A file that does not parse leaves
// that file's previous settings in force; its problems are logged and
// offered to /healthz and the report until it is fixed.
type curationWatcher struct {
	a    *app
	live *search.Live

	mu       sync.Mutex
	current  search.Tuning
	stamp    [32]byte
	problems []string
}

func newCurationWatcher(a *app, live *search.Live) *curationWatcher {
	return &curationWatcher{a: a, live: live, current: search.Tuning{Synonyms: search.DefaultSynonyms()}}
}

// stampFiles hashes both files' contents (a missing file hashes as
// empty); reading two small files is cheaper than reasoning about
// modification-time granularity.
func (w *curationWatcher) stampFiles() [32]byte {
	h := sha256.New()
	for _, name := range []string{synonymsFile, curationFile} {
		b, _ := os.ReadFile(filepath.Join(w.a.dataDir, name))
		h.Write([]byte(name))
		h.Write(b)
		h.Write([]byte{0})
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

// load reads the files if they changed (or force) and applies what
// parses. It reports whether the tuning changed.
func (w *curationWatcher) load(force bool) bool {
	stamp := w.stampFiles()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !force && stamp == w.stamp {
		return false
	}
	w.stamp = stamp
	next := w.current
	var problems []string
	if syn, err := w.a.synonyms(); err != nil {
		problems = append(problems, err.Error())
	} else {
		next.Synonyms = syn
	}
	if cur, err := w.a.curation(); err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	} else {
		next.Curation = cur
	}
	if err := w.live.SetTuning(next); err != nil {
		problems = append(problems, "curatie toepassen: "+err.Error())
	} else {
		w.current = next
	}
	w.problems = problems
	if len(problems) > 0 {
		w.a.log.Error("curation file rejected; the previous settings stay in force", "problems", strings.Join(problems, "; "))
	} else if !force {
		w.a.log.Info("curation files reloaded")
	}
	return true
}

// Problems returns what is wrong with the curation files now.
func (w *curationWatcher) Problems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.problems...)
}

// Run checks the files every interval until ctx ends.
func (w *curationWatcher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.load(false)
		}
	}
}
