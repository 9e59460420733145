package corpus

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the crawl configuration (watwerkt.toml).
type Config struct {
	UserAgent string   `toml:"user_agent"`
	Sources   []Source `toml:"source"`

	// The chat bots' settings (used by serve). Their tokens are secrets
	// and come from the environment, never from this file.
	Discord  DiscordConfig  `toml:"discord"`
	Telegram TelegramConfig `toml:"telegram"`
}

// DiscordConfig configures the Discord bot.
type DiscordConfig struct {
	// Guild registers /watwerkt in this server only (at once) instead of
	// globally (which Discord may take up to an hour to show).
	Guild           string   `toml:"guild"`
	AllowedGuilds   []string `toml:"allowed_guilds"`   // empty: all
	AllowedChannels []string `toml:"allowed_channels"` // empty: all
	Source          string   `toml:"source"`           // default bron filter
	Language        string   `toml:"language"`         // "nl" (default) or "en"
}

// TelegramConfig configures the Telegram bot.
type TelegramConfig struct {
	AllowedChats []int64 `toml:"allowed_chats"` // empty: all
	Source       string  `toml:"source"`        // default bron filter
	Language     string  `toml:"language"`      // "nl" (default) or "en"
	// Webhook is the public https base URL Telegram posts updates to;
	// empty: long polling.
	Webhook string `toml:"webhook"`
}

// Source is one site or publication channel to crawl.
type Source struct {
	Name     string   `toml:"name"`
	Start    []string `toml:"start"`
	Sitemaps []string `toml:"sitemaps"`
	// Feeds are RSS, Atom or JSON feeds whose items (in scope) are crawled
	// like sitemap entries; feeds announced on start pages are found too.
	Feeds []string `toml:"feeds"`
	// Allow and Deny are regular expressions matched against the full URL.
	// A URL must match one Allow pattern (when any are given) and no Deny
	// pattern.
	Allow    []string `toml:"allow"`
	Deny     []string `toml:"deny"`
	MaxPages int      `toml:"max_pages"`
	MaxDepth int      `toml:"max_depth"`
	// Rate is the number of requests per second to this source's hosts;
	// crawl-delay in robots.txt can only make it slower.
	Rate     float64  `toml:"rate"`
	Defaults Defaults `toml:"defaults"`
	// Types gives documents a type by URL: regular expression → type
	// ("/projecten/" = "project"). The first matching pattern in sorted
	// order wins; pages that match none get Defaults.Type.
	Types map[string]string `toml:"types"`
	// Selectors are CSS selectors (goquery) for sites whose layout the
	// automatic extraction gets wrong; each one given takes precedence.
	Selectors Selectors `toml:"selectors"`

	allow, deny []*regexp.Regexp
	types       []typeRule
}

type typeRule struct {
	re  *regexp.Regexp
	typ string
}

// Selectors pick parts of a page by CSS selector.
type Selectors struct {
	Title  string `toml:"title"`
	Body   string `toml:"body"`
	Date   string `toml:"date"`
	Author string `toml:"author"`
	// Fields are named values such as Status, Startdatum or Thema's.
	Fields map[string]string `toml:"fields"`
}

// Empty reports whether no selector is set.
func (s *Selectors) Empty() bool {
	return s == nil || (s.Title == "" && s.Body == "" && s.Date == "" && s.Author == "" && len(s.Fields) == 0)
}

// Defaults is metadata given to every document of a source unless the page
// itself says otherwise.
type Defaults struct {
	Werkplaats string   `toml:"werkplaats"`
	Region     string   `toml:"regio"`
	Themes     []string `toml:"themas"`
	Type       string   `toml:"type"`
}

// Default limits for a source that sets none.
const (
	DefaultMaxPages = 1000
	DefaultMaxDepth = 6
	DefaultRate     = 1.0
)

// ParseConfig reads and validates a configuration. name is used in error
// messages (usually the file name).
func ParseConfig(r io.Reader, name string) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(r).Decode(&c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q", name, und[0].String())
	}
	if len(c.Sources) == 0 && !md.IsDefined("discord") && !md.IsDefined("telegram") {
		return nil, fmt.Errorf("%s: no [[source]] entries (and no [discord] or [telegram] section)", name)
	}
	if err := c.validateBots(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		where := fmt.Sprintf("%s: source %d", name, i+1)
		if s.Name != "" {
			where = fmt.Sprintf("%s: source %q", name, s.Name)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("%s: name used twice", where)
		}
		seen[s.Name] = true
	}
	return &c, nil
}

// Validate checks a source, fills in defaults and compiles its patterns.
func (s *Source) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("name: missing")
	}
	if len(s.Start) == 0 && len(s.Sitemaps) == 0 && len(s.Feeds) == 0 {
		return errors.New("start: give at least one start URL, sitemap or feed")
	}
	for _, list := range []struct {
		field string
		urls  []string
	}{{"start", s.Start}, {"sitemaps", s.Sitemaps}, {"feeds", s.Feeds}} {
		for _, raw := range list.urls {
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("%s: %q is not an http(s) URL", list.field, raw)
			}
		}
	}
	if s.MaxPages < 0 || s.MaxDepth < 0 || s.Rate < 0 {
		return errors.New("max_pages, max_depth and rate must not be negative")
	}
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	}
	if s.MaxDepth == 0 {
		s.MaxDepth = DefaultMaxDepth
	}
	if s.Rate == 0 {
		s.Rate = DefaultRate
	}
	var err error
	if s.allow, err = compileAll("allow", s.Allow); err != nil {
		return err
	}
	if s.deny, err = compileAll("deny", s.Deny); err != nil {
		return err
	}
	s.types = nil
	pats := make([]string, 0, len(s.Types))
	for p := range s.Types {
		pats = append(pats, p)
	}
	sort.Strings(pats)
	for _, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Errorf("types: pattern %q: %v", p, err)
		}
		s.types = append(s.types, typeRule{re, s.Types[p]})
	}
	return nil
}

// TypeOf returns the document type for a URL: the first Types pattern
// that matches, else Defaults.Type. Call Validate first.
func (s *Source) TypeOf(u string) string {
	for _, r := range s.types {
		if r.re.MatchString(u) {
			return r.typ
		}
	}
	return s.Defaults.Type
}

func compileAll(field string, pats []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: pattern %q: %v", field, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// Permits reports whether the source's allow and deny patterns let a URL
// be crawled. Call Validate first.
func (s *Source) Permits(u string) bool {
	for _, re := range s.deny {
		if re.MatchString(u) {
			return false
		}
	}
	if len(s.allow) == 0 {
		return true
	}
	for _, re := range s.allow {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

func (c *Config) validateBots() error {
	for _, l := range []struct{ section, lang string }{{"discord", c.Discord.Language}, {"telegram", c.Telegram.Language}} {
		if l.lang != "" && l.lang != "nl" && l.lang != "en" {
			return fmt.Errorf("[%s] language: %q is not nl or en", l.section, l.lang)
		}
	}
	for _, list := range [][]string{{c.Discord.Guild}, c.Discord.AllowedGuilds, c.Discord.AllowedChannels} {
		for _, id := range list {
			if id != "" && strings.Trim(id, "0123456789") != "" {
				return fmt.Errorf("[discord]: %q is not a Discord id (digits only)", id)
			}
		}
	}
	if w := c.Telegram.Webhook; w != "" {
		u, err := url.Parse(w)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("[telegram] webhook: %q is not an https URL", w)
		}
	}
	return nil
}

// HasSources reports whether the configuration names anything to crawl.
func (c *Config) HasSources() bool { return len(c.Sources) > 0 }
