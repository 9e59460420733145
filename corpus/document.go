// Package corpus holds watwerkt's domain model: the documents the crawler
// gathers, the configuration of the sources it gathers them from, and the
// store that keeps them between a crawl and an index build.
//
// It depends on the standard library and the store's SQLite driver only, so
// every other package can use its types without pulling in a search engine
// or a chat SDK.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Document is one publication as it will be searched: an article, a project
// page, a news item or a report.
type Document struct {
	ID           string            // stable: derived from the canonical URL
	URL          string            // the URL it was fetched from
	CanonicalURL string            // rel=canonical, or URL after canonicalisation
	Title        string            // page title without site suffix
	Intro        string            // lead paragraph or description, may be empty
	Body         string            // main text; paragraphs separated by a blank line
	Source       string            // the configured source name ("Jeugd in Beeld")
	Type         string            // artikel, nieuws, project, programma, overzicht, rapport
	Published    time.Time         // zero when unknown
	Language     string            // "nl", "en", …
	Author       string            // byline, may be empty
	Themes       []string          // thema's as the page or the source names them
	Region       string            // regio
	Fields       map[string]string // named fields, e.g. Status, Startdatum, Einddatum
	ContentHash  string            // sha256 of the normalised title and body
	FetchedAt    time.Time
}

// DocumentID derives a document id from its canonical URL. It is short
// enough for chat button payloads and stable across crawls.
func DocumentID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:8])
}

// HashContent returns the content hash used to notice unchanged pages and
// duplicates under different URLs.
func HashContent(title, body string) string {
	h := sha256.New()
	h.Write([]byte(strings.Join(strings.Fields(title), " ")))
	h.Write([]byte{0})
	h.Write([]byte(strings.Join(strings.Fields(body), " ")))
	return hex.EncodeToString(h.Sum(nil))
}

// Paragraphs splits a body into its paragraphs.
func (d *Document) Paragraphs() []string {
	return SplitParagraphs(d.Body)
}

// SplitParagraphs splits text on blank lines and drops empty pieces.
func SplitParagraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var monthsNL = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// DutchDate writes a date the way Dutch sites do: "26 november 2021".
func DutchDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsNL[t.Month()-1], t.Year())
}

// EnglishDate writes "26 November 2021".
func EnglishDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
}
