package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus/demo"
)

// startServe runs "watwerkt serve" in-process on a free port and returns
// its base URL and a function that stops it and returns its exit code.
func startServe(t *testing.T, dataDir string, extra ...string) (string, func() int) {
	t.Helper()
	return startServeEnv(t, dataDir, nil, extra...)
}

// startServeEnv is startServe with more environment variables.
func startServeEnv(t *testing.T, dataDir string, vars map[string]string, extra ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	env := func(k string) string {
		if k == "WATWERKT_DATA" {
			return dataDir
		}
		return vars[k]
	}
	go func() {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--poll", "100ms"}, extra...)
		done <- run(ctx, args, strings.NewReader(""), pw, debugStderr(), env)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	base := ""
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "luistert op "); ok {
			base = strings.Fields(rest)[0]
			break
		}
	}
	if base == "" {
		t.Fatal("serve did not say where it listens")
	}
	go io.Copy(io.Discard, pr)
	return base, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop within 10 s")
			return -1
		}
	}
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

// TestServeSwitchesVersions: clients query the API without pause while
// "watwerkt index" builds and switches two new versions; no request
// fails, /healthz follows the switches, and serve stops cleanly.
func TestServeSwitchesVersions(t *testing.T) {
	_, a := demoEngine(t)
	base, stop := startServe(t, a.dataDir)
	var health struct {
		Version   string
		Documents int
	}
	if code := getJSON(t, base+"/healthz", &health); code != 200 || health.Documents != 43 {
		t.Fatalf("healthz %d %+v", code, health)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var requests, failures atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var res struct{ Total int }
				code := getJSON(t, base+"/api/search?q="+url.QueryEscape("informele mentor netwerk"), &res)
				requests.Add(1)
				if code != 200 || res.Total == 0 {
					failures.Add(1)
				}
			}
		}()
	}
	seen := map[string]bool{health.Version: true}
	for i := 0; i < 2; i++ {
		if code, _, errOut := runCLI(t, a.dataDir, "index"); code != exitOK {
			t.Fatalf("index: exit %d %s", code, errOut)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			getJSON(t, base+"/healthz", &health)
			if !seen[health.Version] {
				seen[health.Version] = true
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve did not switch to the new version")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	cancel()
	wg.Wait()
	if failures.Load() != 0 || requests.Load() == 0 {
		t.Errorf("%d of %d requests failed", failures.Load(), requests.Load())
	}
	t.Logf("%d requests across two switches, %d failed", requests.Load(), failures.Load())
	var m string
	resp, err := http.Get(base + "/metrics")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m = string(b)
	}
	if !strings.Contains(m, `watwerkt_queries_total{outcome="hits"}`) {
		t.Errorf("metrics do not count the searches")
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exit %d", code)
	}
}

func TestServeWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, dir)
	if code := getJSON(t, base+"/healthz", nil); code != http.StatusServiceUnavailable {
		t.Errorf("healthz without index: %d, want 503", code)
	}
	if code := getJSON(t, base+"/api/search?q=x", nil); code != http.StatusServiceUnavailable {
		t.Errorf("search without index: %d, want 503", code)
	}
	stop()
}

func TestIndexRollback(t *testing.T) {
	_, a := demoEngine(t)
	first, _ := a.versions().Current()
	if code, _, _ := runCLI(t, a.dataDir, "index"); code != exitOK {
		t.Fatal("index failed")
	}
	code, out, errOut := runCLI(t, a.dataDir, "index", "--rollback")
	if cur, _ := a.versions().Current(); code != exitOK || cur != first {
		t.Errorf("rollback: exit %d %s %s; current %s, want %s", code, out, errOut, cur, first)
	}
	if code, _, errOut := runCLI(t, a.dataDir, "index", "--rollback"); code != exitFailure || !strings.Contains(errOut, "no version older") {
		t.Errorf("rollback past the oldest: exit %d %s", code, errOut)
	}
}

// TestServeRecrawl: with --recrawl, serve crawls the configured sources
// and switches to the version it builds, while it keeps answering.
func TestServeRecrawl(t *testing.T) {
	srv, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watwerkt.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[[source]]\nname = \"Jeugd in Beeld\"\nstart = [%q]\nrate = 500\n", srv.URL("magazine")+"/")), 0o644)
	base, stop := startServe(t, filepath.Join(dir, "data"), "--recrawl", "1h", "--config", cfg, "--allow-private")
	deadline := time.Now().Add(15 * time.Second)
	var health struct{ Documents int }
	for getJSON(t, base+"/healthz", &health) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("no index version after recrawl")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if health.Documents != 15 {
		t.Errorf("recrawled index has %d documents, want the 15 magazine articles", health.Documents)
	}
	var res struct{ Total int }
	if code := getJSON(t, base+"/api/search?q=informele+mentor", &res); code != 200 || res.Total == 0 {
		t.Errorf("search after recrawl: %d, %d hits", code, res.Total)
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exit %d", code)
	}
}

// debugStderr shows serve's stderr when WATWERKT_DEBUG_SERVE is set.
func debugStderr() io.Writer {
	if os.Getenv("WATWERKT_DEBUG_SERVE") != "" {
		return os.Stderr
	}
	return io.Discard
}
