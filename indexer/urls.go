package indexer

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// sessionParams are query parameters that never change what a page says.
var sessionParams = map[string]bool{
	"phpsessid": true, "jsessionid": true, "sid": true, "sessionid": true,
	"fbclid": true, "gclid": true, "mc_cid": true, "mc_eid": true,
}

// Canonicalize normalises a URL so that the same page reached by different
// spellings collapses to one key: lower-case scheme and host (IDNs in
// punycode, no trailing dot), no default or empty port, no fragment, no
// tracking or session parameters, sorted query, a cleaned path
// ("/a/./b/../c" → "/a/c", "//" → "/"), and an empty path as "/".
//
// Percent escapes follow RFC 3986 section 6.2.2: escapes of unreserved
// characters are decoded ("%66" → "f"), all others are kept with
// upper-case hex digits ("%2f" → "%2F", so an encoded slash stays one),
// and bytes that may not appear raw (spaces, controls, quotes, braces,
// non-ASCII) are encoded. The query is split on "&" only and its parts
// are not decoded, so "a%26b", "c%2B%2B", "tl;dr" and "a+b" keep their
// meaning. URLs that are not http(s) are only parsed and re-serialised.
func Canonicalize(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !validScheme(scheme) {
		return canonicalOther(s)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return canonicalOther(s)
	}
	rest, _, _ = strings.Cut(rest, "#")
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	p, query, hasQuery := strings.Cut(rest, "?")
	host, err := canonicalAuthority(scheme, authority)
	if err != nil {
		return "", fmt.Errorf("canonicalize %q: %w", raw, err)
	}
	out := scheme + "://" + host + cleanPath(escapeComponent(p, pathChars))
	if hasQuery {
		if q := canonicalQuery(query); q != "" {
			out += "?" + q
		}
	}
	if _, err := url.Parse(out); err != nil {
		return "", fmt.Errorf("canonicalize %q: %w", raw, err)
	}
	return out, nil
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// canonicalOther handles URLs the crawler does not fetch (mailto:, file:,
// relative references): parsed, scheme lower-cased, fragment dropped.
func canonicalOther(s string) (string, error) {
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", fmt.Errorf("canonicalize %q: white space or control character", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

var errBadHost = errors.New("invalid host")

// canonicalAuthority returns "[userinfo@]host[:port]" with the host
// unescaped, lower-cased, in punycode and without a trailing dot, and the
// port dropped when it is empty or the scheme's default.
func canonicalAuthority(scheme, authority string) (string, error) {
	userinfo := ""
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, authority = authority[:i+1], authority[i+1:]
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		i := strings.IndexByte(host, ']')
		if i < 0 {
			return "", errBadHost
		}
		host, port = host[:i+1], host[i+1:]
		if port != "" && port[0] != ':' {
			return "", errBadHost
		}
		port = strings.TrimPrefix(port, ":")
		ip, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return "", errBadHost
		}
		host = "[" + ip.String() + "]"
	} else {
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host, port = host[:i], host[i+1:]
		}
		h, err := url.PathUnescape(host)
		if err != nil || !utf8.ValidString(h) {
			return "", errBadHost
		}
		h = strings.ToLower(h)
		if strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
			return "", errBadHost // an empty label
		}
		h = strings.TrimSuffix(h, ".")
		if !isASCII(h) {
			if h, err = idna.Lookup.ToASCII(h); err != nil {
				return "", fmt.Errorf("%w: %v", errBadHost, err)
			}
		}
		if h == "" {
			return "", errBadHost
		}
		for i := 0; i < len(h); i++ {
			c := h[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
				return "", errBadHost
			}
		}
		host = h
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return "", fmt.Errorf("invalid port %q", port)
		}
	}
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return userinfo + host, nil
	}
	return userinfo + host + ":" + port, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Characters that may stay raw in a path or a query part besides the
// unreserved ones (RFC 3986: sub-delims, ":", "@", "/", and "?" in the
// query). "&" and "=" are not in queryChars: canonicalQuery splits on them
// itself and passes the pieces.
const (
	pathChars  = "!$&'()*+,;=:@/"
	queryChars = "!$'()*+,;:@/?"
)

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// escapeComponent normalises the percent-encoding of one URL component:
// escapes of unreserved characters are decoded, other escapes get
// upper-case hex digits, a "%" that starts no valid escape becomes "%25",
// and bytes that are neither unreserved nor in allowed are encoded.
func escapeComponent(s, allowed string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if unreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex(s[i+1]))
				b.WriteByte(upperHex(s[i+2]))
			}
			i += 2
		case unreserved(c) || (c < 0x80 && c != '%' && strings.IndexByte(allowed, c) >= 0):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// cleanPath removes dot segments (RFC 3986 section 5.2.4) and empty
// segments from an escaped path. A path that ended in a directory ("/",
// "/.", "/..") keeps its trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	dir := false
	for _, s := range segs {
		dir = false
		switch s {
		case "", ".":
			dir = true
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			dir = true
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if dir && len(out) > 0 {
		res += "/"
	}
	return res
}

// canonicalQuery drops empty pairs, pairs without a name and tracking or
// session parameters, writes "b=" as "b", and sorts the pairs by name
// (stable, so repeated names keep the order of their values).
func canonicalQuery(q string) string {
	type pair struct{ key, kv string }
	var pairs []pair
	for _, part := range strings.Split(q, "&") {
		k, v, hasValue := strings.Cut(part, "=")
		k = escapeComponent(k, queryChars)
		if k == "" {
			continue
		}
		if dk, err := url.QueryUnescape(k); err == nil {
			lk := strings.ToLower(dk)
			if strings.HasPrefix(lk, "utm_") || sessionParams[lk] {
				continue
			}
		}
		kv := k
		if hasValue && v != "" {
			kv += "=" + escapeComponent(v, queryChars+"=")
		}
		pairs = append(pairs, pair{k, kv})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.kv
	}
	return strings.Join(parts, "&")
}
