package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/watwerkt/watwerkt/bench/measure"
)

// serveRun is `watwerkt serve` on an index, driven over HTTP.
type serveRun struct {
	tput     map[int][]float64 // clients → requests/s per run
	failures int
	peakRSS  int64
	peakAnon int64 // the peak of RssAnon: heap and stacks, without the mapped index files
	err      string
}

// measureServe starts the real service on the data directory whose
// index/ our build wrote, sends the short questions from the configured
// numbers of clients, and takes the service's peak RSS when it exits.
func (b *bench) measureServe(ctx context.Context, dataDir string) *serveRun {
	sr := &serveRun{tput: map[int][]float64{}}
	port, err := freePort()
	if err != nil {
		sr.err = err.Error()
		return sr
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	args := []string{"serve", "--data", dataDir, "--addr", base[len("http://"):], "--log-retention", "0"}
	if b.cfg.postingsMB >= 0 {
		args = append(args, "--postings-mb", strconv.FormatFloat(b.cfg.postingsMB, 'g', -1, 64))
	}
	cmd := exec.CommandContext(ctx, b.watwerkt, args...)
	// No chat bots: their tokens are not passed on.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISCORD_TOKEN=") && !strings.HasPrefix(kv, "TELEGRAM_TOKEN=") && !strings.HasPrefix(kv, "WATWERKT_DATA=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		sr.err = err.Error()
		return sr
	}
	sampled := make(chan struct{})
	sampling := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if anon := rssAnon(cmd.Process.Pid); anon > sr.peakAnon {
				sr.peakAnon = anon
			}
			if hwm := procStatus(cmd.Process.Pid, "VmHWM:"); hwm > sr.peakRSS {
				sr.peakRSS = hwm
			}
			select {
			case <-sampling:
				return
			case <-t.C:
			}
		}
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		close(sampling)
		<-sampled
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	defer stop()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	if err := waitHealthy(ctx, client, base+"/healthz", 60*time.Second); err != nil {
		sr.err = fmt.Sprintf("%v: %s", err, tail(logs.Bytes()))
		return sr
	}
	qs, err := readQuestions(b.qs.allShort)
	if err != nil {
		sr.err = err.Error()
		return sr
	}
	var failures atomic.Int64
	get := func(ctx context.Context, i int) error {
		resp, err := client.Get(base + "/api/search?limit=10&q=" + url.QueryEscape(qs[i].Text))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			failures.Add(1) // only ever counted, never fatal
		}
		return nil
	}
	for _, n := range b.cfg.clients {
		for range b.cfg.runs {
			count, took, err := throughput(ctx, n, b.cfg.duration, len(qs), get)
			if err != nil {
				sr.err = err.Error()
				return sr
			}
			sr.tput[n] = append(sr.tput[n], float64(count)/took.Seconds())
		}
	}
	sr.failures = int(failures.Load())
	stop()
	return sr
}

// rssAnon reads a process's resident anonymous memory (RssAnon in
// /proc/PID/status), in bytes; 0 when it cannot be read. The peak RSS
// also counts the pages of the index files bleve maps into memory,
// which the kernel can drop and reread.
func rssAnon(pid int) int64 { return procStatus(pid, "RssAnon:") }

// procStatus reads one "kB" field of /proc/PID/status, in bytes; 0
// when it cannot be read.
func procStatus(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// watchHWM polls a running process's peak RSS (VmHWM) every 50 ms;
// the returned function stops polling and gives the last value read.
// getrusage cannot be used: a child started by vfork+exec, as os/exec
// does, inherits the parent's high-water mark, so every step reported
// at least benchtable's own peak.
func watchHWM(pid int) func() int64 {
	var peak int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := procStatus(pid, "VmHWM:"); v > peak {
				peak = v
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak
	}
}

func waitHealthy(ctx context.Context, client *http.Client, u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("serve not healthy within %v", limit)
}

// botRun is the answer latency of the chat bots against their fakes.
type botRun struct {
	res *measure.Result
	err string
}

// measureBots builds bench/cmd/botbench on its own (the bots may be in
// the middle of a rework) and runs it on our index of the first corpus.
func (b *bench) measureBots(ctx context.Context) *botRun {
	br := &botRun{res: measure.NewResult()}
	var index string
	for _, cr := range b.corpora {
		if sr := cr.sys[sysOurs]; sr != nil && sr.err == "" {
			index = filepath.Join(b.work, cr.name, fmt.Sprintf("%s-%d", sysOurs, b.cfg.runs-1), "index")
			break
		}
	}
	if index == "" {
		br.err = "no index of ours was built"
		return br
	}
	bin := filepath.Join(b.work, "botbench")
	if out, err := b.goBuild(ctx, b.root, bin, "./bench/cmd/botbench"); err != nil {
		br.err = "bots or their fakes do not build yet: " + out
		b.logf("bots: %s", br.err)
		return br
	}
	b.logf("bots: answer latency against the fakes")
	cmd := exec.CommandContext(ctx, bin, "-index", index, "-questions", b.qs.short, "-n", strconv.Itoa(200))
	if _, err := b.measured(cmd, br.res); err != nil {
		br.err = err.Error()
		b.logf("bots: %s", br.err)
	}
	return br
}
