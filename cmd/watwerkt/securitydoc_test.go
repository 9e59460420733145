package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityDocNamesRealTests keeps SECURITY.md honest: every test or
// fuzz target it cites as covering a threat exists.
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	cited := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1)
	if len(cited) < 30 {
		t.Fatalf("SECURITY.md cites only %d tests", len(cited))
	}
	var src strings.Builder
	filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			b, _ := os.ReadFile(path)
			src.Write(b)
		}
		return nil
	})
	for _, m := range cited {
		if !strings.Contains(src.String(), "func "+m[1]+"(") {
			t.Errorf("SECURITY.md cites %s, which no test file defines", m[1])
		}
	}
}
