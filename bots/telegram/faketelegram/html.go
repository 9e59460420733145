package faketelegram

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxMessageLen is the longest message text Telegram accepts, in UTF-16
// code units of the text after entity parsing.
const MaxMessageLen = 4096

// UTF16Len is the length of s as Telegram counts it: in UTF-16 code
// units, so characters outside the Basic Multilingual Plane count twice.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// tagEntity maps the tags of Telegram's HTML parse mode to entity types.
var tagEntity = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"span": "spoiler", "tg-spoiler": "spoiler",
	"a":    "text_link",
	"code": "code", "pre": "pre",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
}

// ParseHTML parses a message text in Telegram's HTML parse mode the way
// the Bot API does, but strictly: a '<', '>' or '&' that is not part of
// a supported tag or entity is an error instead of being passed through,
// and every tag must be closed in order. It returns the text a user sees
// and its entities (offsets in UTF-16 code units).
func ParseHTML(s string) (string, []MessageEntity, error) {
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text must be encoded in UTF-8")
	}
	type open struct {
		tag    string
		href   string
		offset int // UTF-16 offset in the plain text
	}
	var (
		plain    strings.Builder
		units    int
		stack    []open
		entities []MessageEntity
	)
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("can't parse entities: unclosed start tag at byte offset %d", i)
			}
			raw := s[i+1 : i+end]
			if strings.HasPrefix(raw, "/") {
				name := strings.ToLower(strings.TrimSpace(raw[1:]))
				if len(stack) == 0 || stack[len(stack)-1].tag != name {
					return "", nil, fmt.Errorf("can't parse entities: unexpected end tag %q at byte offset %d", name, i)
				}
				o := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if units > o.offset {
					entities = append(entities, MessageEntity{Type: tagEntity[name], Offset: o.offset, Length: units - o.offset, URL: o.href})
				}
			} else {
				name, attrs, err := parseTag(raw)
				if err != nil {
					return "", nil, fmt.Errorf("can't parse entities: %v at byte offset %d", err, i)
				}
				if _, ok := tagEntity[name]; !ok {
					return "", nil, fmt.Errorf("can't parse entities: unsupported start tag %q at byte offset %d", name, i)
				}
				o := open{tag: name, offset: units}
				if name == "a" {
					o.href = attrs["href"]
					if o.href == "" {
						return "", nil, fmt.Errorf("can't parse entities: a tag without href at byte offset %d", i)
					}
				}
				stack = append(stack, o)
			}
			i += end + 1
		case '&':
			r, n, err := entity(s[i:])
			if err != nil {
				return "", nil, fmt.Errorf("can't parse entities: %v at byte offset %d", err, i)
			}
			plain.WriteRune(r)
			units += UTF16Len(string(r))
			i += n
		case '>':
			return "", nil, fmt.Errorf("can't parse entities: unescaped '>' at byte offset %d", i)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			plain.WriteRune(r)
			units += UTF16Len(string(r))
			i += n
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't parse entities: can't find end tag corresponding to start tag %q", stack[len(stack)-1].tag)
	}
	return plain.String(), entities, nil
}

// parseTag splits the inside of a start tag into its name and attributes.
func parseTag(raw string) (string, map[string]string, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(raw), " ")
	name = strings.ToLower(name)
	if name == "" {
		return "", nil, fmt.Errorf("empty tag")
	}
	attrs := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "", nil, fmt.Errorf("attribute without value in tag %q", name)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if len(after) == 0 || (after[0] != '"' && after[0] != '\'') {
			return "", nil, fmt.Errorf("unquoted attribute %q", key)
		}
		q := after[0]
		end := strings.IndexByte(after[1:], q)
		if end < 0 {
			return "", nil, fmt.Errorf("unclosed attribute %q", key)
		}
		val, err := unescape(after[1 : 1+end])
		if err != nil {
			return "", nil, err
		}
		attrs[key] = val
		rest = after[end+2:]
	}
	return name, attrs, nil
}

// unescape decodes the entities in an attribute value.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			r, n, err := entity(s[i:])
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
			i += n
		case '<', '>':
			return "", fmt.Errorf("unescaped %q in attribute", s[i])
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

var namedEntities = map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"'}

// entity decodes the entity at the start of s (which begins with '&')
// and says how many bytes it took.
func entity(s string) (rune, int, error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 12 {
		return 0, 0, fmt.Errorf("unescaped '&'")
	}
	name := s[1:end]
	if r, ok := namedEntities[name]; ok {
		return r, end + 1, nil
	}
	if strings.HasPrefix(name, "#") {
		num, base := name[1:], 10
		if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
			num, base = num[1:], 16
		}
		n, err := strconv.ParseUint(num, base, 32)
		if err == nil && utf8.ValidRune(rune(n)) && n != 0 {
			return rune(n), end + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("unsupported entity %q", "&"+name+";")
}
