package main

import (
	"fmt"
	"os"
	"strings"
)

// secret returns a secret (a bot token, the curator token) from the
// environment variable name, or from the file named by name_FILE, which
// must be readable by its owner only (mode 0600 or stricter) — a secret
// in a file others can read is refused rather than used. The value is
// never printed; errors name only the variable and the file.
func (a *app) secret(name string) (string, error) {
	if v := strings.TrimSpace(a.getenv(name)); v != "" {
		return v, nil
	}
	path := a.getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s_FILE: %s is leesbaar voor anderen (modus %04o); maak het alleen voor de eigenaar leesbaar: chmod 600 %s", name, path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s_FILE: %s is leeg", name, path)
	}
	return v, nil
}
