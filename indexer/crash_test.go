package indexer

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/watwerkt/watwerkt/corpus"
)

// crashSite serves n linked article pages with distinct text.
func crashSite(n int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p/%d", &i); err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<html><head><title>Artikel %d</title></head><body><article><h1>Artikel %d</h1><p>", i, i)
		for k := range 12 {
			fmt.Fprintf(w, "Alinea %d van artikel %d gaat over gezinnen, wachtlijsten en samenwerking in de wijk. ", k, i)
		}
		fmt.Fprint(w, "</p>")
		for k := 1; k <= 3; k++ {
			fmt.Fprintf(w, `<a href="/p/%d">volgende %d</a> `, (i+k)%n, k)
		}
		fmt.Fprint(w, "</article></body></html>")
	}))
}

// printingSink reports each document only after the store accepted it.
type printingSink struct{ *corpus.Store }

func (s printingSink) Put(ctx context.Context, d *corpus.Document) (corpus.PutResult, error) {
	r, err := s.Store.Put(ctx, d)
	if err == nil {
		fmt.Printf("stored %s\n", d.ID)
	}
	return r, err
}

// TestCrawlKilled kills a crawl (in a child process) with SIGKILL while
// it stores pages. Every document the child reported as stored is in
// the store after the kill, the store opens cleanly, and a new crawl
// completes the work.
func TestCrawlKilled(t *testing.T) {
	if os.Getenv("WATWERKT_CRAWL_CHILD") != "" {
		t.Skip("child process")
	}
	const pages = 300
	site := crashSite(pages)
	defer site.Close()
	path := filepath.Join(t.TempDir(), "corpus.db")
	for round, killAfter := range []int{5, 40, 120} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrawlChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "WATWERKT_CRAWL_CHILD="+path+"|"+site.URL)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var reported []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "stored "); ok {
				reported = append(reported, id)
				if len(reported) >= killAfter {
					break
				}
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if len(reported) < killAfter {
			t.Fatalf("round %d: the child stored only %d documents before ending", round, len(reported))
		}

		store, err := corpus.OpenStore(t.Context(), path)
		if err != nil {
			t.Fatalf("round %d: store does not open after SIGKILL: %v", round, err)
		}
		for _, id := range reported {
			if _, err := store.Get(t.Context(), id); err != nil {
				t.Errorf("round %d: document %s was reported stored but is missing: %v", round, id, err)
			}
		}
		store.Close()
	}

	// A crawl after the kills finishes the site.
	store, err := corpus.OpenStore(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := NewCrawler(store, nil)
	c.AllowPrivate = true
	if _, err := c.Crawl(t.Context(), crashSource(site.URL)); err != nil {
		t.Fatal(err)
	}
	if n, _ := store.Count(t.Context()); n != pages {
		t.Errorf("after a full crawl the store holds %d documents, want %d", n, pages)
	}
}

func crashSource(base string) corpus.Source {
	return corpus.Source{Name: "Crash", Start: []string{base + "/p/0"}, Rate: 400, MaxPages: 1000, MaxDepth: 400}
}

// TestCrawlChild is the child of TestCrawlKilled: a crawl that prints
// each stored document.
func TestCrawlChild(t *testing.T) {
	env := os.Getenv("WATWERKT_CRAWL_CHILD")
	if env == "" {
		t.Skip("only run as the child of TestCrawlKilled")
	}
	path, base, _ := strings.Cut(env, "|")
	store, err := corpus.OpenStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCrawler(printingSink{store}, nil)
	c.AllowPrivate = true
	c.Crawl(context.Background(), crashSource(base))
}
