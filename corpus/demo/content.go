// Package demo is watwerkt's embedded demo corpus: original Dutch pages for
// three fictional youth-care sites (an e-magazine, a regional werkplaats and
// a project database), each rendered through its own HTML template with the
// boilerplate real sites carry, and served on loopback so the real crawler
// can read them.
package demo

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

//go:embed content templates
var files embed.FS

// Page is one parsed content file.
type Page struct {
	Site     string
	ID       string
	Kind     string
	Title    string
	Date     time.Time
	Author   string
	Themes   []string
	Region   string
	ReadTime int
	Intro    string
	Items    []string // toc: article ids
	Status   string
	Start    time.Time
	End      time.Time
	Contacts []Contact
	Members  []string // consortium
	Comments int
	Body     string // the raw body markup
}

// Contact is a contact person on a project page.
type Contact struct{ Name, Role, Org string }

// Corpus is the whole parsed demo corpus.
type Corpus struct {
	Pages []*Page
	byID  map[string]*Page
}

// Page returns a page by id.
func (c *Corpus) Page(id string) *Page { return c.byID[id] }

// Site returns a site's pages, newest first, ties by id.
func (c *Corpus) Site(site string, kinds ...string) []*Page {
	var out []*Page
	for _, p := range c.Pages {
		if p.Site != site {
			continue
		}
		if len(kinds) > 0 && !contains(kinds, p.Kind) {
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.After(out[j].Date)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

var siteKinds = map[string][]string{
	"magazine":   {"artikel", "toc"},
	"werkplaats": {"programma", "nieuws"},
	"projecten":  {"project"},
}

// Load parses every embedded content file.
func Load() (*Corpus, error) {
	return LoadFS(files)
}

// LoadFS parses the content files of fsys (laid out as content/<site>/<id>.txt).
func LoadFS(fsys fs.FS) (*Corpus, error) {
	c := &Corpus{byID: map[string]*Page{}}
	err := fs.WalkDir(fsys, "content", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".txt" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		site := path.Base(path.Dir(p))
		page, err := ParsePage(site, string(data))
		if err != nil {
			return fmt.Errorf("%s:%w", p, err)
		}
		if page.ID != strings.TrimSuffix(path.Base(p), ".txt") {
			return fmt.Errorf("%s: id %q differs from the file name", p, page.ID)
		}
		if c.byID[page.ID] != nil {
			return fmt.Errorf("%s: id %q used twice", p, page.ID)
		}
		c.byID[page.ID] = page
		c.Pages = append(c.Pages, page)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load demo corpus: %w", err)
	}
	for _, p := range c.Pages {
		for _, id := range p.Items {
			if q := c.byID[id]; q == nil || q.Site != p.Site {
				return nil, fmt.Errorf("load demo corpus: %s lists unknown item %q", p.ID, id)
			}
		}
	}
	return c, nil
}

var idRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParsePage parses one content file. Errors start with the line number.
func ParsePage(site, text string) (*Page, error) {
	p := &Page{Site: site}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	inBody := false
	var body []string
	for sc.Scan() {
		line++
		l := strings.TrimRight(sc.Text(), " \t\r")
		if inBody {
			body = append(body, l)
			continue
		}
		if l == "---" {
			inBody = true
			continue
		}
		if l == "" {
			continue
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("%d: want \"key: value\", got %q", line, l)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if err := p.set(key, val); err != nil {
			return nil, fmt.Errorf("%d: %s: %v", line, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%d: %v", line, err)
	}
	if !inBody {
		return nil, fmt.Errorf("%d: no \"---\" line before the body", line)
	}
	p.Body = strings.TrimSpace(strings.Join(body, "\n"))
	switch {
	case !idRe.MatchString(p.ID):
		return nil, fmt.Errorf("1: id %q: want lowercase words joined by -", p.ID)
	case p.Title == "":
		return nil, fmt.Errorf("1: title missing")
	case p.Date.IsZero():
		return nil, fmt.Errorf("1: date missing")
	case p.Intro == "":
		return nil, fmt.Errorf("1: intro missing")
	case p.Body == "":
		return nil, fmt.Errorf("%d: body empty", line)
	}
	if kinds, ok := siteKinds[site]; ok && !contains(kinds, p.Kind) {
		return nil, fmt.Errorf("1: kind %q is not one of %v for site %s", p.Kind, kinds, site)
	}
	if p.Kind == "toc" && len(p.Items) == 0 {
		return nil, fmt.Errorf("1: items missing for a toc")
	}
	return p, nil
}

func (p *Page) set(key, val string) error {
	var err error
	switch key {
	case "id":
		p.ID = val
	case "kind":
		p.Kind = val
	case "title":
		p.Title = val
	case "date":
		p.Date, err = time.Parse("2006-01-02", val)
	case "author":
		p.Author = val
	case "themes":
		p.Themes = splitList(val)
	case "region":
		p.Region = val
	case "readtime":
		p.ReadTime, err = strconv.Atoi(val)
	case "intro":
		p.Intro = val
	case "items":
		p.Items = splitList(val)
	case "status":
		p.Status = val
	case "start":
		p.Start, err = time.Parse("2006-01-02", val)
	case "end":
		p.End, err = time.Parse("2006-01-02", val)
	case "contact":
		parts := splitList(val)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		p.Contacts = append(p.Contacts, Contact{Name: parts[0], Role: parts[1], Org: parts[2]})
	case "consortium":
		p.Members = splitList(val)
	case "comments":
		p.Comments, err = strconv.Atoi(val)
	default:
		return fmt.Errorf("unknown key")
	}
	return err
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var weekdaysNL = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}

// DutchDate formats a date the way Dutch sites write it: "26 november 2021".
func DutchDate(t time.Time) string { return corpus.DutchDate(t) }
