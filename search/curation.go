package search

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Curation is what curators set besides synonyms, read from one file
// (curation.txt in the data folder), one rule per line:
//
//	pin schulden gezin => https://voorbeeld.nl/artikel/schuldhulp
//	pin /^wat is jim/ => 5f2c0e1d9a8b7c6d, https://voorbeeld.nl/artikel/jim
//	hide https://voorbeeld.nl/archief/*
//	hide 5f2c0e1d9a8b7c6d
//	boost bron "Projectenbank Jeugd" 0.8
//	boost type artikel 1.2
//
// A pin puts documents first for questions whose topic contains all the
// pattern's words (compared after Dutch analysis, so "gezinnen met
// schulden" matches "schulden gezin"), or matches a /regular expression/
// on the lower-cased question. hide keeps a document (by id or URL, * as
// wildcard) out of every answer. boost multiplies the score of every
// document of a source or type (0.1–10).
type Curation struct {
	Pins   []Pin
	Hidden []Rule
	Boosts []Boost
}

// Pin is one pin rule.
type Pin struct {
	Words  []string       // lower-cased pattern words; nil when Regexp is set
	Regexp *regexp.Regexp // matched against the lower-cased question
	Docs   []Rule         // in the order they are shown
	Line   int
}

// Rule names documents: an id (16 hex digits), a URL, or a URL pattern
// with * wildcards.
type Rule struct {
	Text string
	Line int
}

// Boost multiplies the scores of one source's or one type's documents.
type Boost struct {
	Field  string // "bron" or "type"
	Value  string // lower-cased, as indexed
	Factor float64
	Line   int
}

// CurationError is one problem in a curation file; errors name the file,
// the line and the cause, in Dutch, since curators read them.
type CurationError struct {
	File    string
	Line    int
	Problem string
}

func (e *CurationError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Problem) }

// Limits of a curation file, so a runaway file cannot slow every search.
const (
	maxCurationRules = 5000
	maxPinDocs       = 5
	maxRuleBytes     = 2000
)

var idPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// ParseCuration reads a curation file. It is pure: nothing is applied.
// All problems are reported (joined), each naming file and line.
func ParseCuration(r io.Reader, name string) (*Curation, error) {
	c := &Curation{}
	var errs []error
	bad := func(line int, format string, args ...any) {
		errs = append(errs, &CurationError{File: name, Line: line, Problem: fmt.Sprintf(format, args...)})
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line, rules := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !utf8.ValidString(text) {
			bad(line, "geen geldige UTF-8-tekst")
			continue
		}
		if len(text) > maxRuleBytes {
			bad(line, "regel is langer dan %d tekens", maxRuleBytes)
			continue
		}
		if rules++; rules > maxCurationRules {
			bad(line, "meer dan %d regels; de rest wordt niet gelezen", maxCurationRules)
			break
		}
		verb, rest, _ := strings.Cut(text, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToLower(verb) {
		case "pin":
			p, msg := parsePin(rest)
			if msg != "" {
				bad(line, "%s", msg)
				continue
			}
			p.Line = line
			for i := range p.Docs {
				p.Docs[i].Line = line
			}
			c.Pins = append(c.Pins, p)
		case "hide":
			r, msg := parseRule(rest)
			if msg != "" {
				bad(line, "%s", msg)
				continue
			}
			r.Line = line
			c.Hidden = append(c.Hidden, r)
		case "boost":
			b, msg := parseBoost(rest)
			if msg != "" {
				bad(line, "%s", msg)
				continue
			}
			b.Line = line
			c.Boosts = append(c.Boosts, b)
		default:
			bad(line, "onbekende regel %q; verwacht pin, hide of boost", clipRunes(verb, 30))
		}
	}
	if err := sc.Err(); err != nil {
		bad(line+1, "lezen mislukt: %v", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func parsePin(s string) (Pin, string) {
	pattern, docs, ok := strings.Cut(s, "=>")
	if !ok {
		return Pin{}, `pin heeft de vorm "pin woorden => document", het "=>" ontbreekt`
	}
	pattern, docs = strings.TrimSpace(pattern), strings.TrimSpace(docs)
	var p Pin
	if len(pattern) >= 2 && strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/") {
		re, err := regexp.Compile(pattern[1 : len(pattern)-1])
		if err != nil {
			return Pin{}, fmt.Sprintf("ongeldige reguliere expressie %s: %v", pattern, err)
		}
		p.Regexp = re
	} else {
		p.Words = strings.Fields(strings.ToLower(pattern))
		if len(p.Words) == 0 {
			return Pin{}, "pin zonder woorden vóór \"=>\""
		}
	}
	for _, d := range strings.Split(docs, ",") {
		r, msg := parseRule(d)
		if msg != "" {
			return Pin{}, msg
		}
		if strings.Contains(r.Text, "*") {
			return Pin{}, fmt.Sprintf("een pin wijst één document aan, geen patroon: %q", r.Text)
		}
		p.Docs = append(p.Docs, r)
	}
	if len(p.Docs) > maxPinDocs {
		return Pin{}, fmt.Sprintf("een pin mag hoogstens %d documenten noemen", maxPinDocs)
	}
	return p, ""
}

func parseRule(s string) (Rule, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Rule{}, "document ontbreekt: geef een id (16 hexadecimale tekens) of een URL"
	case idPattern.MatchString(strings.ToLower(s)):
		return Rule{Text: strings.ToLower(s)}, ""
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		if strings.ContainsAny(s, " \t") {
			return Rule{}, fmt.Sprintf("URL met een spatie: %q", clipRunes(s, 80))
		}
		return Rule{Text: s}, ""
	}
	return Rule{}, fmt.Sprintf("%q is geen document-id (16 hexadecimale tekens) en geen http(s)-URL", clipRunes(s, 80))
}

func parseBoost(s string) (Boost, string) {
	field, rest, _ := strings.Cut(s, " ")
	field = strings.ToLower(field)
	switch field {
	case "bron", "source":
		field = "bron"
	case "type":
	default:
		return Boost{}, fmt.Sprintf("boost geldt voor bron of type, niet voor %q", clipRunes(field, 30))
	}
	rest = strings.TrimSpace(rest)
	i := strings.LastIndexAny(rest, " \t")
	if i < 0 {
		return Boost{}, `boost heeft de vorm: boost bron "Naam van de bron" 1.5`
	}
	value, num := strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+1:])
	if uq, err := strconv.Unquote(value); err == nil {
		value = uq
	}
	value = strings.ToLower(strings.TrimSpace(value))
	if value == "" {
		return Boost{}, "boost zonder naam van de bron of het type"
	}
	f, err := strconv.ParseFloat(strings.Replace(num, ",", ".", 1), 64)
	if err != nil || f < 0.1 || f > 10 {
		return Boost{}, fmt.Sprintf("factor %q moet een getal van 0,1 tot en met 10 zijn", clipRunes(num, 20))
	}
	return Boost{Field: field, Value: value, Factor: f}, ""
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// match reports whether a rule names the document with this id and URL.
func (r Rule) match(id, url string) bool {
	if idPattern.MatchString(r.Text) {
		return r.Text == id
	}
	if !strings.Contains(r.Text, "*") {
		return r.Text == url || strings.TrimSuffix(r.Text, "/") == strings.TrimSuffix(url, "/")
	}
	return globMatch(r.Text, url)
}

// globMatch matches * against any run of characters, slashes included
// (path.Match stops at slashes, which is not what a curator means by
// "https://site/archief/*").
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(parts) == 1 && s == "" || len(parts) > 1 && strings.HasSuffix(s, last)
}
