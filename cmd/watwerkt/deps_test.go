package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBoundaries keeps SDKs at the edge: only search imports
// bleve (and bench, whose baseline is bleve out of the box), only the
// Discord and Telegram packages import their SDKs, and the domain
// (corpus) and the front ends (bots) do not even depend on bleve
// indirectly.
func TestDependencyBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/watwerkt/watwerkt/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/watwerkt/watwerkt/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "github.com/blevesearch/") && !strings.HasPrefix(pkg, "search") && !strings.HasPrefix(pkg, "bench/") {
				t.Errorf("%s imports %s; only search may", pkg, imp)
			}
			if strings.HasPrefix(imp, "github.com/bwmarrin/discordgo") && !strings.HasPrefix(pkg, "bots/discord") {
				t.Errorf("%s imports discordgo; only bots/discord may", pkg)
			}
			if strings.HasPrefix(imp, "github.com/go-telegram-bot-api/") && !strings.HasPrefix(pkg, "bots/telegram") {
				t.Errorf("%s imports the Telegram SDK; only bots/telegram may", pkg)
			}
		}
	}
	for _, pkg := range []string{"corpus", "bots", "bots/console", "bots/web"} {
		deps, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		if strings.Contains(string(deps), "github.com/blevesearch/") {
			t.Errorf("%s depends on bleve", pkg)
		}
	}
}
