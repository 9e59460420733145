package main

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/search"
)

// TestServeHotReloadsCuration is the curator's loop against a running
// service: a question that finds nothing is in the report; a synonym
// added to the file makes it answer without a restart; a pin moves a
// document to rank 1; a malformed file leaves the running service on
// the old settings while /healthz and the report name line and cause.
func TestServeHotReloadsCuration(t *testing.T) {
	_, a := demoEngine(t)
	base, stop := startServe(t, a.dataDir)
	defer stop()
	search := func(q string) bots.SearchJSON {
		t.Helper()
		var res bots.SearchJSON
		if code := getJSON(t, base+"/api/search?q="+url.QueryEscape(q), &res); code != 200 {
			t.Fatalf("search %q: HTTP %d", q, code)
		}
		return res
	}
	// eventually polls until cond holds (the watcher polls every 100 ms).
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("%s: not within 10 s", what)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(a.dataDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	const q = "wat werkt bij deurwaarders?"
	if res := search(q); res.Total != 0 {
		t.Fatalf("%q found %d results before the synonym; the test needs a zero-result question", q, res.Total)
	}
	eventually("zero-result question in the report", func() bool {
		_, out, _ := runCLI(t, a.dataDir, "report", "--since", "1h")
		return strings.Contains(out, "Vragen zonder resultaat (1)") && strings.Contains(out, q)
	})

	write(synonymsFile, "deurwaarder = schulden\n")
	eventually("synonym in force", func() bool { return search(q).Total > 0 })
	before := search(q)

	// Pin the answer that ranked last.
	last := before.Hits[len(before.Hits)-1]
	write(curationFile, "# test\npin deurwaarder => "+last.URL+"\n")
	eventually("pin in force", func() bool { h := search(q).Hits; return len(h) > 0 && h[0].ID == last.ID })

	// A malformed file: the old pin stays, the problem is reported with
	// its line and cause.
	write(curationFile, "# test\npin deurwaarder => "+last.URL+"\nboost bron Iets 99\n")
	var health struct {
		Status   string   `json:"status"`
		Problems []string `json:"problems"`
	}
	eventually("problem in /healthz", func() bool {
		getJSON(t, base+"/healthz", &health)
		return len(health.Problems) > 0
	})
	if p := strings.Join(health.Problems, " "); health.Status != "ok" || !strings.Contains(p, "curation.txt:3:") || !strings.Contains(p, "0,1 tot en met 10") {
		t.Errorf("healthz = %+v, want status ok and curation.txt:3 with the cause", health)
	}
	if h := search(q).Hits; len(h) == 0 || h[0].ID != last.ID {
		t.Errorf("after a malformed file the pin is gone: %+v", h)
	}
	if _, out, _ := runCLI(t, a.dataDir, "report"); !strings.Contains(out, "LET OP:") || !strings.Contains(out, "curation.txt:3:") {
		t.Errorf("report does not show the curation problem:\n%s", out)
	}

	// Fixing the file clears the problem.
	write(curationFile, "pin deurwaarder => "+last.URL+"\nboost bron Iets 2\n")
	eventually("problem cleared", func() bool {
		health.Problems = nil
		getJSON(t, base+"/healthz", &health)
		return len(health.Problems) == 0
	})
}

// TestReadmeCurationExample keeps the README's curation.txt sample valid.
func TestReadmeCurationExample(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "**Pins, hidden documents and boosts**")
	if !ok {
		t.Fatal("README has no curation.txt section")
	}
	parts := strings.SplitN(rest, "```", 3)
	if len(parts) < 3 {
		t.Fatal("README curation section has no code block")
	}
	c, err := search.ParseCuration(strings.NewReader(parts[1]), "README.md")
	if err != nil {
		t.Fatalf("README curation example: %v", err)
	}
	if len(c.Pins) != 2 || len(c.Hidden) != 1 || len(c.Boosts) != 2 {
		t.Errorf("README example: %d pins, %d hides, %d boosts", len(c.Pins), len(c.Hidden), len(c.Boosts))
	}
}

func TestCurationWriter(t *testing.T) {
	_, a := demoEngine(t)
	live := search.NewLive(a.versions(), nil)
	defer live.Close()
	if _, err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	w := newCurationWatcher(a, live)
	w.load(true)
	cw := &curationWriter{w: w}
	res, err := live.Search(t.Context(), search.Request{Query: "wat werkt bij schulden?", Limit: 5})
	if err != nil || len(res.Hits) < 3 {
		t.Fatalf("search: %v", err)
	}
	third, first := res.Hits[2], res.Hits[0]
	if err := cw.Pin(t.Context(), "wat werkt bij schulden?", third.URL); err != nil {
		t.Fatal(err)
	}
	if err := cw.Hide(t.Context(), first.URL); err != nil {
		t.Fatal(err)
	}
	res, _ = live.Search(t.Context(), search.Request{Query: "schulden", Limit: 10})
	if res.Hits[0].ID != third.ID || !res.Hits[0].Pinned {
		t.Errorf("after Pin the first hit is %s, want %s", res.Hits[0].URL, third.URL)
	}
	for _, h := range res.Hits {
		if h.ID == first.ID {
			t.Errorf("hidden document %s still found", first.URL)
		}
	}
	before, _ := os.ReadFile(filepath.Join(a.dataDir, curationFile))
	if !strings.Contains(string(before), "pin schulden => "+third.URL) || !strings.Contains(string(before), "hide "+first.URL) {
		t.Errorf("curation.txt:\n%s", before)
	}
	for _, bad := range []string{"javascript:alert(1)", "https://x.example/a b", "https://x.example/\nboost bron x 9"} {
		if err := cw.Hide(t.Context(), bad); err == nil {
			t.Errorf("Hide(%q) accepted", bad)
		}
	}
	if err := cw.Pin(t.Context(), "wat werkt bij?", third.URL); err == nil {
		t.Error("a pin without topic words was accepted")
	}
	after, _ := os.ReadFile(filepath.Join(a.dataDir, curationFile))
	if string(after) != string(before) {
		t.Errorf("rejected rules changed the file:\n%s", after)
	}

	// Unpinning needs the same topic and document; it comments the rule
	// out and the ranking is the engine's own again.
	if err := cw.Unpin(t.Context(), "wat werkt bij wachtlijsten?", third.URL); err == nil {
		t.Error("Unpin for another topic succeeded")
	}
	if err := cw.Unpin(t.Context(), "Wat werkt bij schulden", third.URL); err != nil {
		t.Fatal(err)
	}
	res, _ = live.Search(t.Context(), search.Request{Query: "schulden", Limit: 10})
	for _, h := range res.Hits {
		if h.Pinned {
			t.Errorf("after Unpin %s is still pinned", h.URL)
		}
	}
	unpinned, _ := os.ReadFile(filepath.Join(a.dataDir, curationFile))
	if strings.Contains(string(unpinned), "\npin schulden") || !strings.Contains(string(unpinned), "losgemaakt via de webpagina: pin schulden => "+third.URL) ||
		!strings.Contains(string(unpinned), "\nhide "+first.URL) {
		t.Errorf("after Unpin curation.txt reads:\n%s", unpinned)
	}
	if err := cw.Unpin(t.Context(), "schulden", third.URL); err == nil {
		t.Error("a second Unpin succeeded")
	}
}

// TestCurationWriteKilled kills a process (SIGKILL) that keeps rewriting
// curation.txt through writeFileAtomic: whenever it dies, the file is a
// complete earlier or later version that parses, never a torn one.
func TestCurationWriteKilled(t *testing.T) {
	if os.Getenv("WATWERKT_CURATION_CHILD") != "" {
		t.Skip("child process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, curationFile)
	for i := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCurationWriteChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "WATWERKT_CURATION_CHILD="+path)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for n := 0; n < 3+i*7 && sc.Scan(); n++ {
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		c, err := search.ParseCuration(strings.NewReader(string(b)), path)
		if err != nil || !strings.HasSuffix(string(b), "# einde\n") || len(c.Hidden) == 0 {
			t.Fatalf("kill %d: torn curation file (%v):\n%.200s", i, err, b)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".curation-*")); len(tmp) > 3*8 {
		t.Errorf("%d temporary files left behind", len(tmp))
	}
}

// TestCurationWriteChild rewrites the file without pause, each version
// longer than the last, and says "written" after each.
func TestCurationWriteChild(t *testing.T) {
	path := os.Getenv("WATWERKT_CURATION_CHILD")
	if path == "" {
		t.Skip("only run as the child of TestCurationWriteKilled")
	}
	var b strings.Builder
	for i := 0; ; i++ {
		fmt.Fprintf(&b, "hide https://archief.example/%d/*\n", i)
		if err := writeFileAtomic(path, []byte(b.String()+"# einde\n")); err != nil {
			t.Fatal(err)
		}
		fmt.Println("written")
	}
}
