package indexer

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Robots is a parsed robots.txt (RFC 9309).
type Robots struct {
	groups   []robotsGroup
	Sitemaps []string
	// all is set for "allow everything" (a missing file or a 4xx);
	// none for "disallow everything" (5xx or unreachable).
	all, none bool
}

type robotsGroup struct {
	agents     []string // lower-case product tokens
	rules      []robotsRule
	crawlDelay time.Duration
	hasDelay   bool
}

type robotsRule struct {
	allow   bool
	pattern string // normalised
}

// MaxRobotsSize is how much of a robots.txt is read (RFC 9309 asks for at
// least 500 KiB).
const MaxRobotsSize = 500 << 10

// AllowAll is the policy for a site without a usable robots.txt (4xx).
func AllowAll() *Robots { return &Robots{all: true} }

// DisallowAll is the policy while a site's robots.txt cannot be fetched
// (5xx, network errors).
func DisallowAll() *Robots { return &Robots{none: true} }

// ParseRobots parses a robots.txt body. It never fails: lines it cannot
// read are skipped, as the RFC asks.
func ParseRobots(body []byte) *Robots {
	if len(body) > MaxRobotsSize {
		body = body[:MaxRobotsSize]
	}
	r := &Robots{}
	// A byte order mark, whole or cut short, is skipped.
	for _, bom := range []string{"\xef\xbb\xbf", "\xef\xbb", "\xef"} {
		if strings.HasPrefix(string(body), bom) {
			body = body[len(bom):]
			break
		}
	}
	text := string(body)
	var cur *robotsGroup
	lastWasAgent := false
	for _, line := range strings.FieldsFunc(text, func(c rune) bool { return c == '\n' || c == '\r' }) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			// Google also accepts "Disallow /path" without a colon.
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			key, val = f[0], f[1]
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent", "useragent", "user agent":
			if !lastWasAgent || cur == nil {
				r.groups = append(r.groups, robotsGroup{})
				cur = &r.groups[len(r.groups)-1]
			}
			cur.agents = append(cur.agents, agentToken(val))
			lastWasAgent = true
			continue
		case "allow", "disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw":
			if cur != nil && val != "" {
				pat := normalisePattern(val)
				cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: pat})
				// Allowing a directory's index page allows the directory
				// itself, as the major crawlers do.
				if key == "allow" {
					for _, idx := range []string{"/index.html", "/index.htm"} {
						if dir, ok := strings.CutSuffix(pat, idx); ok {
							cur.rules = append(cur.rules, robotsRule{allow: true, pattern: dir + "/$"})
							break
						}
					}
				}
			}
		case "crawl-delay":
			if cur != nil {
				if secs, err := strconv.ParseFloat(val, 64); err == nil && secs >= 0 && secs < 86400 {
					cur.crawlDelay = time.Duration(secs * float64(time.Second))
					cur.hasDelay = true
				}
			}
		case "sitemap", "site-map":
			if u, err := url.Parse(val); err == nil && u.IsAbs() {
				r.Sitemaps = append(r.Sitemaps, val)
			}
		default:
			// Unknown keys do not end a group of user-agent lines.
			continue
		}
		lastWasAgent = false
	}
	return r
}

// agentToken keeps the product token of a user-agent line: letters, '-'
// and '_' up to the first other character ("FooBot/2.1" → "foobot").
func agentToken(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "*") {
		return "*"
	}
	end := 0
	for end < len(v) {
		c := v[end]
		if c == '-' || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			end++
			continue
		}
		break
	}
	return strings.ToLower(v[:end])
}

// rulesFor merges the groups that name the agent, or else the "*" groups.
// agent is the crawler's product token ("watwerkt"), compared whole and
// without regard to case.
func (r *Robots) rulesFor(agent string) (rules []robotsRule, delay time.Duration, hasDelay bool) {
	agent = strings.ToLower(strings.TrimSpace(agent))
	collect := func(match func(string) bool) bool {
		found := false
		for _, g := range r.groups {
			for _, a := range g.agents {
				if match(a) {
					rules = append(rules, g.rules...)
					if g.hasDelay {
						delay, hasDelay = g.crawlDelay, true
					}
					found = true
					break
				}
			}
		}
		return found
	}
	if agent != "" && collect(func(a string) bool { return a == agent }) {
		return
	}
	collect(func(a string) bool { return a == "*" })
	return
}

// Allowed reports whether agent may fetch the URL (absolute or a path).
func (r *Robots) Allowed(agent, rawURL string) bool {
	if r.all {
		return true
	}
	if r.none {
		return false
	}
	p := pathOf(rawURL)
	rules, _, _ := r.rulesFor(agent)
	best, allow := -1, true
	for _, rule := range rules {
		if !matchPattern(rule.pattern, p) {
			continue
		}
		n := len(rule.pattern)
		if n > best || (n == best && rule.allow) {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// CrawlDelay returns the crawl-delay the file asks of agent, if any.
func (r *Robots) CrawlDelay(agent string) (time.Duration, bool) {
	_, d, ok := r.rulesFor(agent)
	return d, ok
}

// pathOf returns the path and query of a URL as written, without its
// scheme, host and fragment. The URL is expected in its escaped form (as
// url.URL.String gives it); it is not re-encoded, so a path written with
// raw non-ASCII does not match an encoded pattern, as in Google's matcher.
func pathOf(raw string) string {
	p := raw
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		if j := strings.IndexAny(p, "/?"); j >= 0 {
			p = p[j:]
		} else {
			p = ""
		}
	}
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return upperEscapes(p)
}

// upperEscapes upper-cases the hex digits of percent escapes: %c3 and %C3
// are the same byte.
func upperEscapes(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	b := []byte(p)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && isHex(b[i+1]) && isHex(b[i+2]) {
			b[i+1], b[i+2] = upperHex(b[i+1]), upperHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// normalisePattern percent-encodes non-ASCII and control bytes of a
// pattern and upper-cases existing escapes, so that a pattern written
// with "ツ" matches the encoded path.
func normalisePattern(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(s[i+1 : i+3]))
			i += 2
		case c >= 0x80 || c <= 0x20:
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c), 16)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

// matchPattern matches a robots.txt pattern ('*' any run, '$' at the end
// anchors) against a path, as a prefix match.
func matchPattern(pat, p string) bool {
	anchored := strings.HasSuffix(pat, "$")
	if anchored {
		pat = pat[:len(pat)-1]
	}
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	pos := len(parts[0])
	if len(parts) == 1 {
		return !anchored || pos == len(p)
	}
	for i, part := range parts[1:] {
		last := i == len(parts)-2
		if last && anchored {
			return len(p)-pos >= len(part) && strings.HasSuffix(p, part)
		}
		j := strings.Index(p[pos:], part)
		if j < 0 {
			return false
		}
		pos += j + len(part)
	}
	return true
}
