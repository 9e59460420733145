package search

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// versionDocs are the documents of build n: the shared test documents
// plus one that only this build has.
func versionDocs(n int) []*corpus.Document {
	docs := append([]*corpus.Document{}, testDocs...)
	return append(docs, &corpus.Document{ID: fmt.Sprintf("marker%d", n), Title: fmt.Sprintf("Versiemarkering%d", n),
		Body: "Dit document bestaat alleen in één indexversie, om te zien welke versie antwoordt."})
}

// TestLiveSwitchUnderLoad: goroutines search without pause while two
// new versions are built and switched in. No search may fail, and after
// each switch the new version answers.
func TestLiveSwitchUnderLoad(t *testing.T) {
	v := Versions{Root: t.TempDir()}
	buildTest(t, v, versionDocs(1))
	live := NewLive(v, nil)
	defer live.Close()
	if _, err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var searches, failures atomic.Int64
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				r, err := live.Search(context.Background(), Request{Query: "gezin schulden", Limit: 5})
				searches.Add(1)
				if err != nil || len(r.Hits) == 0 {
					failures.Add(1)
					t.Errorf("search during switch: %v, %d hits", err, len(r.Hits))
				}
			}
		}()
	}
	for n := 2; n <= 3; n++ {
		time.Sleep(30 * time.Millisecond)
		buildTest(t, v, versionDocs(n))
		if swapped, err := live.Reload(); err != nil || !swapped {
			t.Fatalf("reload after build %d: swapped %v, err %v", n, swapped, err)
		}
		r, err := live.Search(context.Background(), Request{Query: fmt.Sprintf("versiemarkering%d", n)})
		if err != nil || len(r.Hits) == 0 || r.Hits[0].ID != fmt.Sprintf("marker%d", n) {
			t.Errorf("after switch %d: got %v, %v; want the new version's marker", n, ids(r), err)
		}
		if st, _ := live.Status(); st.Documents != uint64(len(versionDocs(n))) {
			t.Errorf("status after switch %d: %+v", n, st)
		}
	}
	time.Sleep(30 * time.Millisecond)
	cancel()
	wg.Wait()
	if failures.Load() > 0 || searches.Load() < 10 {
		t.Errorf("%d of %d searches failed", failures.Load(), searches.Load())
	}
	t.Logf("%d searches, %d failed, across two switches", searches.Load(), failures.Load())
}

func TestLiveNoIndex(t *testing.T) {
	live := NewLive(Versions{Root: t.TempDir()}, nil)
	if _, err := live.Search(context.Background(), Request{Query: "x"}); err != ErrNoIndex {
		t.Errorf("search without index: %v, want ErrNoIndex", err)
	}
	if _, ok := live.Status(); ok {
		t.Errorf("status without index says ok")
	}
}

// TestBuildKilled kills index builds (in a child process) with SIGKILL
// at random moments. The version in service keeps answering, CURRENT
// always names a complete version, and the next build succeeds: no stale
// lock and no half-built index in service.
func TestBuildKilled(t *testing.T) {
	if os.Getenv("WATWERKT_BUILD_CHILD") != "" {
		t.Skip("child process")
	}
	root := t.TempDir()
	v := Versions{Root: root}
	buildTest(t, v, versionDocs(1))
	live := NewLive(v, nil)
	defer live.Close()
	if _, err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBuildChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "WATWERKT_BUILD_CHILD="+root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.Intn(1500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		r, err := live.Search(context.Background(), Request{Query: "gezin"})
		if err != nil || len(r.Hits) == 0 {
			t.Fatalf("kill %d: served version stopped answering: %v", i, err)
		}
		e, err := v.OpenCurrent()
		if err != nil {
			t.Fatalf("kill %d: CURRENT does not open: %v", i, err)
		}
		e.Close()
		if _, err := live.Reload(); err != nil {
			t.Fatalf("kill %d: reload: %v", i, err)
		}
	}
	st := buildTest(t, v, versionDocs(9))
	if cur, _ := v.Current(); !strings.HasSuffix(cur, st.Version) {
		t.Errorf("build after kills did not become current")
	}
	// Killed builds never count as versions (rollback must not pick one).
	names, _ := v.List()
	for _, n := range names {
		e, err := OpenIndex(filepath.Join(root, n))
		if err != nil {
			t.Errorf("listed version %s does not open: %v", n, err)
			continue
		}
		e.Close()
	}
}

// TestBuildChild is the child of TestBuildKilled: a slow build.
func TestBuildChild(t *testing.T) {
	root := os.Getenv("WATWERKT_BUILD_CHILD")
	if root == "" {
		t.Skip("only run as the child of TestBuildKilled")
	}
	v := Versions{Root: root}
	var docs []*corpus.Document
	body := strings.Repeat("Gezinnen met schulden krijgen hulp van het wijkteam en de schuldhulpverlening. ", 40)
	for i := 0; i < 4000; i++ {
		docs = append(docs, &corpus.Document{ID: fmt.Sprintf("d%05d", i), Title: fmt.Sprintf("Document %d", i), Body: body})
	}
	buildTest(t, v, docs)
}
