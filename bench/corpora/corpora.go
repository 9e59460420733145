// Package corpora makes the benchmark corpora: passages of real Dutch
// text (the dekamer answers and the youth-care laws in ../shared), cut
// at sentence boundaries into 50–300 words and recombined with other
// window lengths and offsets until a corpus has the size asked for.
//
// Generation is deterministic for a seed and happens in a cache
// directory: the text belongs to third parties and is far too big to
// commit, so the repository only holds the recipe.
package corpora

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Passage is one generated document, written as a BEIR corpus line.
type Passage struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Source is one document passages are cut from.
type Source struct {
	ID    string
	Title string
	sents []sentence
}

// Words is the number of words of the source's text.
func (s Source) Words() int { return countWords(s.sents) }

// Paths under the shared data directory.
const (
	DekamerDir = "retrieval/dekamer"
	LawsDir    = "corpus/nl-laws-youthcare"
)

// LoadSources reads the dekamer answers and the laws under a shared data
// directory (../shared/data), in a fixed order.
func LoadSources(dataDir string) ([]Source, error) {
	out, err := loadDekamer(filepath.Join(dataDir, DekamerDir, "corpus.jsonl"))
	if err != nil {
		return nil, err
	}
	laws, err := loadLaws(filepath.Join(dataDir, LawsDir))
	if err != nil {
		return nil, err
	}
	return append(out, laws...), nil
}

func loadDekamer(path string) ([]Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load dekamer: %w", err)
	}
	defer f.Close()
	var out []Source
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var d struct {
			ID    string `json:"_id"`
			Title string `json:"title"`
			Text  string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("load dekamer: %s:%d: %w", path, line, err)
		}
		out = append(out, Source{ID: d.ID, Title: d.Title, sents: splitSentences(d.Text, "", nil)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load dekamer: %w", err)
	}
	return out, nil
}

func loadLaws(dir string) ([]Source, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "README.md" {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load laws: %w", err)
	}
	sort.Strings(paths)
	var out []Source
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("load laws: %w", err)
		}
		title, sents := lawSentences(string(b))
		if title == "" || len(sents) == 0 {
			continue
		}
		// The BWB identifier (BWBR0017017) is the folder's name.
		out = append(out, Source{ID: filepath.Base(filepath.Dir(p)), Title: title, sents: sents})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load laws: no laws under %s", dir)
	}
	return out, nil
}

// Generate returns n passages cut from sources. Pass 0 cuts every source
// once from its start; each further pass cuts all of them again with
// other window lengths and a shifted start, so passages overlap but
// differ, as the chunks of re-crawled and re-published texts do. The n
// passages are a seeded sample of as many passes as needed, in a seeded
// order; the same sources, n and seed always give the same corpus.
func Generate(sources []Source, n int, seed uint64) []Passage {
	var pool []Passage
	for pass := 0; len(pool) < n; pass++ {
		before := len(pool)
		for i, src := range sources {
			rng := rand.New(rand.NewPCG(seed, uint64(pass)<<32|uint64(i)))
			skip := 0
			if pass > 0 {
				skip = rng.IntN(min(len(src.sents), 6) + 1)
			}
			// A triangular draw: most passages are 100–250 words.
			target := func() int { return MinWords + rng.IntN(126) + rng.IntN(126) }
			for k, w := range window(src.sents, skip, target) {
				title := src.Title
				if h := w[0].heading; h != "" {
					title += " – " + h
				}
				pool = append(pool, Passage{
					ID:    fmt.Sprintf("%s~%d.%d", src.ID, pass, k),
					Title: title,
					Text:  joinSentences(w),
				})
			}
		}
		if len(pool) == before {
			break // sources too short to make any passage
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0xbe9c4))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	return pool[:min(n, len(pool))]
}

// WriteJSONL writes passages as BEIR corpus lines.
func WriteJSONL(w io.Writer, ps []Passage) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// formatVersion changes whenever Generate would produce other passages,
// so that a cached corpus from an older recipe is not reused.
const formatVersion = 1

// Ensure returns the path of the n-passage corpus in cacheDir, generating
// it first when it is not there yet.
func Ensure(cacheDir, dataDir string, n int, seed uint64) (string, error) {
	path := filepath.Join(cacheDir, fmt.Sprintf("passages-v%d-n%d-s%d.jsonl", formatVersion, n, seed))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	sources, err := LoadSources(dataDir)
	if err != nil {
		return "", err
	}
	ps := Generate(sources, n, seed)
	if len(ps) < n {
		return "", fmt.Errorf("generate %d passages: only %d", n, len(ps))
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(cacheDir, ".passages-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := WriteJSONL(tmp, ps); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// Size parses "1k", "10k", "100k", "1m" or a plain number.
func Size(s string) (int, error) {
	mult := 1
	t := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1000, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1000000, strings.TrimSuffix(t, "m")
	}
	var n int
	if _, err := fmt.Sscanf(t, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != t {
		return 0, fmt.Errorf("corpus size %q: want a number such as 1000, 10k or 100k", s)
	}
	return n * mult, nil
}
