package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/watwerkt/watwerkt/bots/web"
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

// curationWriter appends the web page's pins and hides to curation.txt:
// the whole new file is parsed before it replaces the old one (temporary
// file, fsync, rename), so a crash or a bad line never leaves a broken
// file behind, and the watcher applies it at once.
type curationWriter struct {
	w  *curationWatcher
	mu sync.Mutex
}

var _ web.Curator = (*curationWriter)(nil)

func (c *curationWriter) Pin(ctx context.Context, question, docURL string) error {
	topic := pinTopic(question)
	if topic == "" {
		return fmt.Errorf("de vraag heeft geen woorden om een pin aan te hangen")
	}
	return c.add("pin " + topic + " => " + docURL)
}

// pinTopic is the topic a pin from the web page is written with: the
// question's topic on one line, without the rule's arrow.
func pinTopic(question string) string {
	topic := strings.ReplaceAll(search.Understand(question).Topic, "=>", " ")
	return strings.Join(strings.Fields(topic), " ")
}

// Unpin comments out the pin rules of docURL whose topic is the
// question's, wherever in the file they are and whoever wrote them; the
// lines stay in the file as a record of what was there.
func (c *curationWriter) Unpin(ctx context.Context, question, docURL string) error {
	topic := pinTopic(question)
	return c.edit(func(text string) (string, error) {
		lines := strings.SplitAfter(text, "\n")
		found := false
		stamp := time.Now().Format("2006-01-02 15:04")
		for i, l := range lines {
			rule, ok := strings.CutPrefix(strings.TrimSpace(l), "pin ")
			if !ok {
				continue
			}
			t, u, ok := strings.Cut(rule, "=>")
			if !ok || strings.TrimSpace(u) != docURL || pinTopic(t) != topic {
				continue
			}
			found = true
			lines[i] = "# " + stamp + " losgemaakt via de webpagina: " + strings.TrimSpace(l) + "\n"
		}
		if !found {
			return "", fmt.Errorf("in %s staat geen pin van dit document voor „%s”; een pin voor andere woorden haal je daar met de hand weg", curationFile, topic)
		}
		return strings.Join(lines, ""), nil
	})
}

func (c *curationWriter) Hide(ctx context.Context, docURL string) error {
	return c.add("hide " + docURL)
}

func (c *curationWriter) add(rule string) error {
	if strings.ContainsAny(rule, "\r\n") {
		return fmt.Errorf("een regel mag geen regeleinde bevatten")
	}
	return c.edit(func(text string) (string, error) {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		return text + "# " + time.Now().Format("2006-01-02 15:04") + " via de webpagina\n" + rule + "\n", nil
	})
}

// edit rewrites curation.txt with change, if the result parses.
func (c *curationWriter) edit(change func(string) (string, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	path := filepath.Join(c.w.a.dataDir, curationFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text, err := change(string(old))
	if err != nil {
		return err
	}
	if _, err := search.ParseCuration(strings.NewReader(text), path); err != nil {
		return err
	}
	if err := writeFileAtomic(path, []byte(text)); err != nil {
		return err
	}
	c.w.load(false)
	return nil
}

// writeFileAtomic replaces path with data: temporary file in the same
// directory, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".curation-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
