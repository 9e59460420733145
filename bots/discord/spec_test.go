package discord

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
)

// openAPI is Discord's OpenAPI document, enough of it to check the
// requests the bot makes: that each path and method exists, and that a
// JSON body uses only properties the request schema defines, of the
// right types and within the lengths it sets.
type openAPI struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	path := filepath.Join(shared, "discord-openapi", "openapi.json")
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("Discord's OpenAPI spec is not at %s (../shared is part of the workplace, not of the repository)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// operation finds the spec's operation for a request path below
// /api/v10: literal segments must match, {params} match anything, and
// the template with the most literal segments wins.
func (d *openAPI) operation(method, path string) (map[string]any, string, bool) {
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	for tmpl, ops := range d.Paths {
		if _, ok := ops[strings.ToLower(method)]; !ok {
			continue
		}
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		score := 0
		for i, s := range ts {
			if strings.HasPrefix(s, "{") {
				continue
			}
			if s != segs[i] {
				score = -1
				break
			}
			score++
		}
		if score > bestScore {
			best, bestScore = tmpl, score
		}
	}
	if best == "" {
		return nil, "", false
	}
	var op map[string]any
	json.Unmarshal(d.Paths[best][strings.ToLower(method)], &op)
	return op, best, true
}

// requestSchema is the JSON schema of an operation's request body.
func requestSchema(op map[string]any) (map[string]any, bool) {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	js, _ := content["application/json"].(map[string]any)
	schema, ok := js["schema"].(map[string]any)
	return schema, ok
}

func (d *openAPI) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		next, _ := d.Components.Schemas[name].(map[string]any)
		if next == nil {
			return map[string]any{}
		}
		s = next
	}
}

// validate checks v against schema and returns what is wrong, with
// where.
func (d *openAPI) validate(v any, schema map[string]any, at string) []string {
	s := d.resolve(schema)
	var errs []string
	for _, key := range []string{"oneOf", "anyOf"} {
		alts, ok := s[key].([]any)
		if !ok {
			continue
		}
		var best []string
		for i, alt := range alts {
			e := d.validate(v, alt.(map[string]any), at)
			if len(e) == 0 {
				best = nil
				break
			}
			if i == 0 || len(e) < len(best) {
				best = e
			}
		}
		errs = append(errs, best...)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, d.validate(v, sub.(map[string]any), at)...)
		}
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		errs = append(errs, fmt.Sprintf("%s: %v is not %v", at, v, c))
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
	}
	if types := typesOf(s["type"]); len(types) > 0 && !slices.Contains(types, kindOf(v)) && !(kindOf(v) == "integer" && slices.Contains(types, "number")) {
		errs = append(errs, fmt.Sprintf("%s: a %s, want %v", at, kindOf(v), types))
		return errs
	}
	switch v := v.(type) {
	case string:
		n := float64(utf8.RuneCountInString(v))
		if m, ok := s["maxLength"].(float64); ok && n > m {
			errs = append(errs, fmt.Sprintf("%s: %v code points > %v", at, n, m))
		}
		if m, ok := s["minLength"].(float64); ok && n < m {
			errs = append(errs, fmt.Sprintf("%s: %v code points < %v", at, n, m))
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, v, p))
		}
		if s["format"] == "uri" {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" {
				errs = append(errs, fmt.Sprintf("%s: %q is not a URI", at, v))
			}
		}
	case float64:
		if m, ok := s["maximum"].(float64); ok && v > m {
			errs = append(errs, fmt.Sprintf("%s: %v > %v", at, v, m))
		}
		if m, ok := s["minimum"].(float64); ok && v < m {
			errs = append(errs, fmt.Sprintf("%s: %v < %v", at, v, m))
		}
	case []any:
		if m, ok := s["maxItems"].(float64); ok && float64(len(v)) > m {
			errs = append(errs, fmt.Sprintf("%s: %d items > %v", at, len(v), m))
		}
		if m, ok := s["minItems"].(float64); ok && float64(len(v)) < m {
			errs = append(errs, fmt.Sprintf("%s: %d items < %v", at, len(v), m))
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range v {
				errs = append(errs, d.validate(e, items, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		props, hasProps := s["properties"].(map[string]any)
		extra, hasExtra := s["additionalProperties"]
		for _, r := range asStrings(s["required"]) {
			if _, ok := v[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: %s is required", at, r))
			}
		}
		for k, e := range v {
			switch p, ok := props[k].(map[string]any); {
			case ok:
				errs = append(errs, d.validate(e, p, at+"."+k)...)
			case hasExtra:
				if es, ok := extra.(map[string]any); ok {
					errs = append(errs, d.validate(e, es, at+"."+k)...)
				}
			case hasProps:
				errs = append(errs, fmt.Sprintf("%s: property %q is not in the spec", at, k))
			}
		}
	}
	return errs
}

func typesOf(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		return asStrings(t)
	}
	return nil
}

func asStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func kindOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == math.Trunc(v) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// checkAgainstSpec checks every request against the spec.
func checkAgainstSpec(t *testing.T, doc *openAPI, reqs []fakediscord.Request) {
	t.Helper()
	bodies := 0
	defer func() { t.Logf("checked %d requests, %d with a body", len(reqs), bodies) }()
	for _, r := range reqs {
		op, tmpl, ok := doc.operation(r.Method, r.Path)
		if !ok {
			t.Errorf("%s %s: no such operation in the spec", r.Method, r.Path)
			continue
		}
		if len(r.Body) == 0 {
			continue
		}
		schema, ok := requestSchema(op)
		if !ok {
			t.Errorf("%s %s: a body, but the spec takes none", r.Method, tmpl)
			continue
		}
		var body any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Errorf("%s %s: %v", r.Method, tmpl, err)
			continue
		}
		bodies++
		for _, e := range doc.validate(body, schema, "body") {
			t.Errorf("%s %s: %s\n%s", r.Method, tmpl, e, r.Body)
		}
	}
}

// TestRequestsMatchOpenAPI drives every kind of request the bot makes
// and checks them all against Discord's OpenAPI spec.
func TestRequestsMatchOpenAPI(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)

	h := start(t, setup{discover: true, cfg: Config{GuildID: guildID}})
	// The commands are registered besides answering; on a busy machine
	// the scenario below can end before they are.
	h.request("guild registration", is("PUT", "/applications/"+h.fake.AppID()+"/guilds/"+guildID+"/commands"))
	in, first := h.answered("wachtlijst")
	msg := mustInteraction(t, h, in).MessageID
	ids := customIDs(first.message)
	for _, id := range append(ids, "m:AAAAAAAAAA") {
		click, err := h.fake.SendClick(fakediscord.Click{GuildID: guildID, ChannelID: channelID, UserID: userID1, CustomID: id, MessageID: msg})
		if err != nil {
			t.Fatal(err)
		}
		h.request("the click's answer", is("POST", callbackPath(click)))
	}
	h.request("the next page", func(r fakediscord.Request) bool { return r.Method == "POST" && strings.HasPrefix(r.Path, "/webhooks/") })
	h.wait("the thank-yous", func() bool {
		return count(h.fake.Requests(), func(r fakediscord.Request) bool { return r.Method == "PATCH" }) >= 3
	})
	bot := h.fake.BotID()
	h.fake.SendMessage(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	h.request("the reply", is("POST", "/channels/"+channelID+"/messages"))
	h.stop()

	g := start(t, setup{})
	g.request("global registration", is("PUT", "/applications/"+g.fake.AppID()+"/commands"))
	g.stop()

	reqs := append(h.fake.Requests(), g.fake.Requests()...)
	seen := map[string]bool{}
	for _, r := range reqs {
		_, tmpl, _ := doc.operation(r.Method, r.Path)
		seen[r.Method+" "+tmpl] = true
	}
	for _, want := range []string{
		"GET /gateway/bot",
		"PUT /applications/{application_id}/guilds/{guild_id}/commands",
		"PUT /applications/{application_id}/commands",
		"POST /interactions/{interaction_id}/{interaction_token}/callback",
		"PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
		"POST /webhooks/{webhook_id}/{webhook_token}",
		"POST /channels/{channel_id}/messages",
	} {
		if !seen[want] {
			t.Errorf("the scenario made no %s", want)
		}
	}
	checkAgainstSpec(t, doc, reqs)
}

// TestSpecCatchesMistakes makes sure the check above can fail.
func TestSpecCatchesMistakes(t *testing.T) {
	doc := loadOpenAPI(t)
	bad := []fakediscord.Request{
		{Method: "POST", Path: "/channels/1/messages", Body: json.RawMessage(`{"content":"x","allowed_mentions":{"parse":[]},"embedz":[]}`)},
		{Method: "POST", Path: "/channels/1/messages", Body: json.RawMessage(`{"embeds":[{"title":"` + strings.Repeat("x", 257) + `"}]}`)},
		{Method: "POST", Path: "/interactions/1/t/callback", Body: json.RawMessage(`{"type":3}`)},
		{Method: "DELETE", Path: "/gateway/bot"},
	}
	for _, r := range bad {
		var errs []string
		if op, _, ok := doc.operation(r.Method, r.Path); !ok {
			errs = append(errs, "no operation")
		} else if schema, ok := requestSchema(op); ok {
			var body any
			json.Unmarshal(r.Body, &body)
			errs = doc.validate(body, schema, "body")
		}
		if len(errs) == 0 {
			t.Errorf("%s %s %s passed the spec check", r.Method, r.Path, r.Body)
		}
	}
}
