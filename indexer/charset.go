package indexer

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// DecodeHTML converts a page body to UTF-8. The order matters and is the
// one browsers effectively follow for real pages: a byte order mark wins,
// then the Content-Type header; bytes that are valid UTF-8 stay UTF-8 even
// when a meta tag claims otherwise (CMSes often leave a stale latin-1 or
// gb2312 tag); then a meta charset in the head; windows-1252 is the last
// resort, as in the HTML standard for Dutch pages.
func DecodeHTML(body []byte, contentType string) (string, string) {
	if enc, name := bomEncoding(body); enc != nil {
		return decodeWith(enc, body[bomLen(name):]), name
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := params["charset"]; cs != "" {
			if enc, name := lookup(cs); enc != nil {
				if name == "utf-8" {
					return strings.ToValidUTF8(string(body), "\uFFFD"), name
				}
				return decodeWith(enc, body), name
			}
		}
	}
	if utf8.Valid(body) {
		return string(body), "utf-8"
	}
	head := body
	if len(head) > 4096 {
		head = head[:4096]
	}
	if _, name, certain := charset.DetermineEncoding(head, "text/html"); certain || name != "windows-1252" {
		if enc, n := lookup(name); enc != nil && n != "utf-8" {
			return decodeWith(enc, body), n
		}
	}
	return decodeWith(charmap.Windows1252, body), "windows-1252"
}

func lookup(label string) (encoding.Encoding, string) {
	enc, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return nil, ""
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, ""
	}
	return enc, name
}

func bomEncoding(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, "utf-8"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		enc, _ := htmlindex.Get("utf-16be")
		return enc, "utf-16be"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		enc, _ := htmlindex.Get("utf-16le")
		return enc, "utf-16le"
	}
	return nil, ""
}

func bomLen(name string) int {
	if name == "utf-8" {
		return 3
	}
	return 2
}

func decodeWith(enc encoding.Encoding, b []byte) string {
	if enc == encoding.Nop {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := io.ReadAll(transform.NewReader(bytes.NewReader(b), enc.NewDecoder()))
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}
