package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// environment describes the machine and the software a table was
// measured with, so numbers are never quoted without their conditions.
type environment struct {
	date      time.Time
	cpu       string
	cores     int
	memGB     float64
	kernel    string
	goVersion string
	bleve     string
	java      string
	loadStart string
	loadAfter string
}

func describeEnvironment() environment {
	e := environment{date: time.Now().UTC(), cores: runtime.NumCPU(), goVersion: runtime.Version(), loadStart: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%f", &kb)
		e.memGB = kb / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.kernel = strings.TrimSpace(string(b))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/blevesearch/bleve/v2" {
				e.bleve = d.Version
			}
		}
	}
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		e.java = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	}
	return e
}

// loadAverage is the 1-minute load average: on a machine shared with
// other jobs it says how much the timings may have suffered.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
