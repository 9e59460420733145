package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// luceneTool runs bench/lucene/LuceneBench.java, compiled against the
// Lucene jars Debian's liblucene8-java installs.
type luceneTool struct {
	java      string
	classpath string
	version   string
}

// lucenePattern finds a jar in /usr/share/java; versioned names sort last
// and the newest wins.
func luceneJar(name string) (string, error) {
	jars, _ := filepath.Glob(filepath.Join("/usr/share/java", name+"-[0-9]*.jar"))
	if len(jars) == 0 {
		return "", fmt.Errorf("%s.jar not found in /usr/share/java (apt-get install -y liblucene8-java)", name)
	}
	sort.Strings(jars)
	return jars[len(jars)-1], nil
}

func prepareLucene(ctx context.Context, root, work string) (*luceneTool, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("java not found (apt-get install -y default-jdk-headless)")
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		return nil, errors.New("javac not found (apt-get install -y default-jdk-headless)")
	}
	var jars []string
	for _, name := range []string{"lucene-core", "lucene-analyzers-common"} {
		j, err := luceneJar(name)
		if err != nil {
			return nil, err
		}
		jars = append(jars, j)
	}
	classes := filepath.Join(work, "lucene-classes")
	if err := os.MkdirAll(classes, 0o755); err != nil {
		return nil, err
	}
	cp := strings.Join(jars, string(os.PathListSeparator))
	src := filepath.Join(root, "bench", "lucene", "LuceneBench.java")
	if out, err := exec.CommandContext(ctx, javac, "-cp", cp, "-d", classes, src).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("javac: %v: %s", err, tail(out))
	}
	v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(jars[0]), "lucene-core-"), ".jar")
	return &luceneTool{java: java, classpath: cp + string(os.PathListSeparator) + classes, version: v}, nil
}

func (l *luceneTool) cmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, l.java, append([]string{"-cp", l.classpath, "LuceneBench"}, args...)...)
}
