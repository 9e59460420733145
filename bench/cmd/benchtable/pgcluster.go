package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// pgCluster is a throwaway PostgreSQL cluster on loopback, in a temporary
// directory, torn down by stop.
type pgCluster struct {
	bin     string // directory of initdb and pg_ctl
	dir     string
	port    int
	runAs   []string // "runuser -u postgres --" when we are root
	version string
}

// findPG returns the directory holding initdb and pg_ctl: PATH first,
// then Debian's /usr/lib/postgresql/N/bin (newest).
func findPG() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL not found (apt-get install -y postgresql)")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// startPG initialises and starts a cluster. PostgreSQL refuses to run as
// root; then the cluster belongs to the "postgres" user Debian's package
// creates.
func startPG(ctx context.Context) (*pgCluster, error) {
	bin, err := findPG()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin}
	dir, err := os.MkdirTemp("", "watwerkt-pg-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if out, err := c.cmd(ctx, "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, tail(out))
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=100", c.port, dir)
	if out, err := c.cmd(ctx, "pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s", err, tail(out))
	}
	if out, err := c.cmd(ctx, "postgres", "-V").Output(); err == nil {
		c.version = strings.TrimSpace(string(out))
	}
	return c, nil
}

func (c *pgCluster) cmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.runAs...), filepath.Join(c.bin, name)), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir // a directory the postgres user may enter
	return cmd
}

func (c *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// memory is the summed proportional set size of the cluster's processes
// (shared buffers counted once), in bytes: PostgreSQL serves from many
// processes, so no single peak RSS describes it.
func (c *pgCluster) memory() int64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var total int64
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(cmdline, []byte("postgres")) {
			continue
		}
		pid := filepath.Base(filepath.Dir(p))
		if !c.owns(pid) {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", pid, "smaps_rollup"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				total += kb << 10
			}
		}
	}
	return total
}

// sampleMemory samples memory every 200 ms until the returned function
// is called, which returns the largest sample.
func (c *pgCluster) sampleMemory(ctx context.Context) func() int64 {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan int64)
	go func() {
		var peak int64
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, c.memory())
			select {
			case <-ctx.Done():
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		cancel()
		return <-done
	}
}

// owns reports whether pid belongs to this cluster: the postmaster's pid
// is in postmaster.pid, its children have it as parent.
func (c *pgCluster) owns(pid string) bool {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return false
	}
	master := strings.SplitN(string(b), "\n", 2)[0]
	if pid == master {
		return true
	}
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return false
	}
	// pid (comm) state ppid …; comm may hold spaces, so split after ')'.
	rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
	f := strings.Fields(rest)
	return len(f) >= 2 && f[1] == master
}

func (c *pgCluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.cmd(ctx, "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop").Run()
	os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of a command's output, for error messages.
func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], " | ")
}
