package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/watwerkt/watwerkt/indexer"
)

const extractArticle = `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<title>Een mentor uit eigen kring | Jeugd in Beeld</title>
<meta property="og:site_name" content="Jeugd in Beeld">
<meta name="description" content="Jongeren kiezen zelf een volwassene die naast de hulp staat.">
</head><body>
<div class="cookie-banner" role="dialog"><p>Wij gebruiken cookies om deze website te verbeteren.</p></div>
<header><a href="/">Jeugd in Beeld</a><nav><a href="/over">Over ons</a></nav></header>
<main><article>
<h1>Een mentor uit eigen kring</h1>
<p class="meta">Door <span class="author">Sanne de Wit</span> · <time datetime="2021-11-26">26 november 2021</time></p>
<p>Jongeren die het contact met hun netwerk kwijt zijn, kiezen zelf een volwassene die ze vertrouwen: een oom, een buurvrouw, een oud-trainer. Die mentor staat naast de professionele hulp en blijft, ook als de hulp stopt.</p>
<h2>Wat werkt</h2>
<p>De jongere kiest zelf, en de hulpverlener steunt de mentor zonder de regie over te nemen. Zo blijft de hulp dicht bij het gewone leven van de jongere en zijn familie.</p>
<p>Deel dit artikel</p>
</article></main>
<footer><p>© Jeugd in Beeld</p></footer>
</body></html>`

const extractShell = `<!doctype html><html lang="nl"><head><title>Magazine</title></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>
<script src="/static/js/main.js"></script></body></html>`

// runExtractArgs runs the extract command as the CLI would.
func runExtractArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		}}
	code := runExtract(t.Context(), a, args)
	return code, out.String(), errb.String()
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExtractCommandFile(t *testing.T) {
	path := writeTemp(t, "artikel.html", extractArticle)
	code, out, errOut := runExtractArgs(t, path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Titel:        Een mentor uit eigen kring\n",
		"Datum:        26 november 2021 (2021-11-26)\n",
		"Auteur:       Sanne de Wit\n",
		"Taal:         nl\n",
		"Oordeel:      wordt geïndexeerd\n",
		"\n[2] Wat werkt\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"cookies", "Deel dit artikel", "Over ons"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has boilerplate %q:\n%s", bad, out)
		}
	}
}

func TestExtractCommandJSON(t *testing.T) {
	path := writeTemp(t, "artikel.html", extractArticle)
	code, out, errOut := runExtractArgs(t, "--json", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got extractJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Title != "Een mentor uit eigen kring" || got.Published != "2021-11-26" || got.Kind != "html" ||
		!got.Indexed || got.Rejected != "" || len(got.Passages) != 3 || got.Passages[1] != "Wat werkt" {
		t.Errorf("got %+v", got)
	}
	// The keys are part of the interface: scripts read them.
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"url", "kind", "charset", "method", "title", "published", "author", "language", "type",
		"intro", "themes", "region", "fields", "canonical", "noindex", "nofollow", "js_shell", "indexed", "rejected", "links", "passages"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks key %q", k)
		}
	}
}

func TestExtractCommandRejects(t *testing.T) {
	shell := writeTemp(t, "app.html", extractShell)
	code, out, _ := runExtractArgs(t, shell)
	if code != exitNothing || !strings.Contains(out, "overgeslagen ("+indexer.SkipJSShell+")") {
		t.Errorf("JS shell: exit %d, output:\n%s", code, out)
	}
	noindex := writeTemp(t, "contact.html", strings.Replace(extractArticle, "<head>", `<head><meta name="robots" content="noindex">`, 1))
	code, out, _ = runExtractArgs(t, "--json", noindex)
	var got extractJSON
	json.Unmarshal([]byte(out), &got)
	if code != exitNothing || got.Rejected != indexer.SkipNoIndex || !got.NoIndex || got.Indexed {
		t.Errorf("noindex: exit %d, %+v", code, got)
	}
	png := writeTemp(t, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if code, _, errOut := runExtractArgs(t, png); code != exitFailure || !strings.Contains(errOut, "geen HTML of PDF") {
		t.Errorf("png: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runExtractArgs(t); code != exitUsage {
		t.Errorf("no argument: exit %d, want %d", code, exitUsage)
	}
	if code, _, errOut := runExtractArgs(t, filepath.Join(t.TempDir(), "weg.html")); code != exitFailure || errOut == "" {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestExtractCommandURL(t *testing.T) {
	var mu sync.Mutex
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		switch r.URL.Path {
		case "/oud":
			http.Redirect(w, r, "/artikel", http.StatusMovedPermanently)
		case "/artikel":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, extractArticle)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	// Loopback is refused unless allowed, as in a crawl.
	code, _, errOut := runExtractArgs(t, srv.URL+"/artikel")
	if code != exitFailure || !strings.Contains(errOut, "non-public address") {
		t.Errorf("without --allow-private: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := runExtractArgs(t, "--allow-private", "--json", srv.URL+"/oud")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got extractJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.URL != srv.URL+"/artikel" || got.Title != "Een mentor uit eigen kring" || got.Charset != "utf-8" {
		t.Errorf("got URL %q, title %q, charset %q", got.URL, got.Title, got.Charset)
	}
	if code, _, errOut := runExtractArgs(t, "--allow-private", srv.URL+"/weg"); code != exitFailure || !strings.Contains(errOut, "HTTP 404") {
		t.Errorf("404: exit %d, stderr %q", code, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, ua := range agents {
		if ua != indexer.DefaultUserAgent {
			t.Errorf("User-Agent %q, want %q", ua, indexer.DefaultUserAgent)
		}
	}
}

func TestExtractCommandSourceSelectors(t *testing.T) {
	cfg := writeTemp(t, "watwerkt.toml", `
[[source]]
name  = "Jeugd in Beeld"
start = ["https://www.jeugdinbeeld.example/"]

[source.selectors]
title  = "h2"
author = "footer p"
`)
	path := writeTemp(t, "artikel.html", extractArticle)
	code, out, errOut := runExtractArgs(t, "--config", cfg, "--source", "jeugd in beeld", "--json", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got extractJSON
	json.Unmarshal([]byte(out), &got)
	if got.Title != "Wat werkt" || got.Author != "© Jeugd in Beeld" {
		t.Errorf("selectors not applied: title %q, author %q", got.Title, got.Author)
	}
	code, _, errOut = runExtractArgs(t, "--config", cfg, "--source", "Onbekend", path)
	if code != exitUsage || !strings.Contains(errOut, `"Jeugd in Beeld"`) {
		t.Errorf("unknown source: exit %d, stderr %q", code, errOut)
	}
}

// TestExtractCommandPDF: a PDF is recognised by its content, as a file
// and when a server sends it as application/octet-stream.
func TestExtractCommandPDF(t *testing.T) {
	pdf, err := os.ReadFile(filepath.Join("..", "..", "indexer", "testdata", "extract-rapport.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "rapport.bin", string(pdf))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(pdf)
	}))
	defer srv.Close()
	for _, target := range []string{path, srv.URL + "/rapport"} {
		code, out, errOut := runExtractArgs(t, "--allow-private", "--json", target)
		var got extractJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: exit %d, stderr %q, not JSON: %v", target, code, errOut, err)
		}
		if got.Kind != "pdf" || got.Method != "pdf" || got.Title != "Schulden en opvoeden" || got.Published != "2021-11-26" || len(got.Passages) == 0 {
			t.Errorf("%s: got %+v", target, got)
		}
	}
}
