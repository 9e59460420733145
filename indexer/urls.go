package indexer

import (
	"net"
	"net/url"
	"path"
	"sort"
	"strings"
)

// sessionParams are query parameters that never change what a page says.
var sessionParams = map[string]bool{
	"phpsessid": true, "jsessionid": true, "sid": true, "sessionid": true,
	"fbclid": true, "gclid": true, "mc_cid": true, "mc_eid": true,
}

// Canonicalize normalises a URL so that the same page reached by different
// spellings collapses to one key: lower-case scheme and host, no default
// port, no fragment, no tracking or session parameters, sorted query, a
// cleaned path ("/a/./b/../c" → "/a/c"), and an empty path as "/".
func Canonicalize(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	u.Host = host
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		u.Host = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	} else {
		trailing := strings.HasSuffix(u.Path, "/")
		u.Path = path.Clean(u.Path)
		if trailing && u.Path != "/" {
			u.Path += "/"
		}
	}
	u.RawPath = ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || sessionParams[lk] {
				q.Del(k)
			}
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			for _, v := range q[k] {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	u.ForceQuery = false
	return u.String(), nil
}
