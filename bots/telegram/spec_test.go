package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

// The Bot API specification as JSON (github.com/PaulSonOfLars/telegram-bot-api-spec),
// not part of the repository; WATWERKT_TELEGRAM_SPEC overrides the path.
const defaultSpecPath = "../../../shared/data/bots/telegram-bot-api-spec/api.json"

type specField struct {
	Name     string   `json:"name"`
	Types    []string `json:"types"`
	Required bool     `json:"required"`
}

type apiSpec struct {
	Version string `json:"version"`
	Methods map[string]struct {
		Fields  []specField `json:"fields"`
		Returns []string    `json:"returns"`
	} `json:"methods"`
	Types map[string]struct {
		Fields   []specField `json:"fields"`
		Subtypes []string    `json:"subtypes"`
	} `json:"types"`
}

func loadSpec(t *testing.T) *apiSpec {
	t.Helper()
	path := os.Getenv("WATWERKT_TELEGRAM_SPEC")
	if path == "" {
		path = defaultSpecPath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("Bot API specification not available (%v); set WATWERKT_TELEGRAM_SPEC to its api.json to run this check", err)
	}
	var s apiSpec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

// matches reports the problems of v against the first of types it
// almost fits; nil when it fits one.
func (s *apiSpec) matches(v any, types []string, path string) []string {
	var first []string
	for _, typ := range types {
		probs := s.matchType(v, typ, path)
		if len(probs) == 0 {
			return nil
		}
		if first == nil {
			first = probs
		}
	}
	return first
}

func (s *apiSpec) matchType(v any, typ, path string) []string {
	bad := func() []string { return []string{fmt.Sprintf("%s: %.60v is not %s", path, v, typ)} }
	switch {
	case strings.HasPrefix(typ, "Array of "):
		arr, ok := v.([]any)
		if !ok {
			return bad()
		}
		var probs []string
		for i, e := range arr {
			probs = append(probs, s.matches(e, []string{strings.TrimPrefix(typ, "Array of ")}, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return probs
	case typ == "Integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			return bad()
		}
	case typ == "Float":
		if _, ok := v.(json.Number); !ok {
			return bad()
		}
	case typ == "String":
		if _, ok := v.(string); !ok {
			return bad()
		}
	case typ == "Boolean" || typ == "True":
		if b, ok := v.(bool); !ok || (typ == "True" && !b) {
			return bad()
		}
	default:
		t, known := s.Types[typ]
		if !known {
			return []string{fmt.Sprintf("%s: type %s not in the specification", path, typ)}
		}
		if len(t.Subtypes) > 0 {
			return s.matches(v, t.Subtypes, path)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		fields := map[string]specField{}
		for _, f := range t.Fields {
			fields[f.Name] = f
			if _, present := obj[f.Name]; f.Required && !present {
				return []string{fmt.Sprintf("%s: %s lacks required field %q", path, typ, f.Name)}
			}
		}
		var probs []string
		for k, fv := range obj {
			f, ok := fields[k]
			if !ok {
				probs = append(probs, fmt.Sprintf("%s: field %q is not declared by %s", path, k, typ))
				continue
			}
			probs = append(probs, s.matches(fv, f.Types, path+"."+k)...)
		}
		return probs
	}
	return nil
}

// matchParam checks a form value against the declared types of a
// parameter: scalars as text, objects and arrays as JSON.
func (s *apiSpec) matchParam(value string, types []string, path string) []string {
	for _, typ := range types {
		switch typ {
		case "String":
			return nil
		case "Integer":
			if _, err := strconv.ParseInt(value, 10, 64); err == nil {
				return nil
			}
		case "Boolean":
			if value == "true" || value == "false" {
				return nil
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("%s: %.60q fits none of %v", path, value, types)}
	}
	return s.matches(v, types, path)
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// specScenario drives the bot through everything it does, in polling and
// in webhook mode, and returns every call the fakes received.
func specScenario(t *testing.T) []faketelegram.Call {
	h := newHarness(t, options{store: true})
	h.fake.SendText(dm, alice, "wachtlijst")
	c := h.sent(dm.ID, 0)
	m := h.message(c)
	h.fake.Press(alice, m, buttons(t, c)["Meer ▶"])
	edit, err := h.fake.WaitCall(h.wait(), "editMessageText", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.message(edit)
	h.fake.Press(alice, m, buttons(t, c)["👍"])
	h.fake.Fail("sendMessage", 429, 1, 1)
	h.fake.SendText(group, alice, "/watwerkt@WatWerktBot wachtlijst")
	g := h.message(h.sent(group.ID, 1))
	h.fake.ReplyText(group, bob, &g, "deel 2")
	h.sent(group.ID, 2)
	h.fake.SendText(dm, alice, "/help")
	h.sent(dm.ID, 1)
	if err := h.fake.WaitCount(h.wait(), "answerCallbackQuery", 2); err != nil {
		t.Fatal(err)
	}
	h.stop()

	public := httptest.NewServer(http.NotFoundHandler())
	defer public.Close()
	w := newHarness(t, options{config: func(c *Config) { c.Webhook = public.URL }})
	call, err := w.fake.WaitCall(w.wait(), "setWebhook", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.fake.Finished(w.wait(), call); err != nil {
		t.Fatal(err)
	}
	w.stop()

	var calls []faketelegram.Call
	for _, f := range []*faketelegram.Server{h.fake, w.fake} {
		for _, c := range f.Calls("") {
			if c.Status == 0 { // a poll cut off by shutdown
				continue
			}
			calls = append(calls, c)
		}
	}
	return calls
}

// TestAgainstSpec checks the bot and the fake against the Bot API
// specification: every method the bot calls exists, every parameter it
// sends is declared for that method and has a declared type, and the
// fake answers only with fields the specification's types declare.
func TestAgainstSpec(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	calls := specScenario(t)
	used := map[string]bool{}
	var probs []string
	for _, c := range calls {
		used[c.Method] = true
		m, ok := spec.Methods[c.Method]
		if !ok {
			probs = append(probs, fmt.Sprintf("method %s is not in Bot API %s", c.Method, spec.Version))
			continue
		}
		declared := map[string]specField{}
		for _, f := range m.Fields {
			declared[f.Name] = f
		}
		for name, value := range c.Params {
			f, ok := declared[name]
			if !ok {
				probs = append(probs, fmt.Sprintf("%s: parameter %q is not declared", c.Method, name))
				continue
			}
			probs = append(probs, spec.matchParam(value, f.Types, c.Method+"."+name)...)
		}
		for _, f := range m.Fields {
			if _, sent := c.Params[f.Name]; f.Required && !sent {
				probs = append(probs, fmt.Sprintf("%s: required parameter %q not sent", c.Method, f.Name))
			}
		}
		if c.Status == -1 {
			continue
		}
		probs = append(probs, checkResponse(spec, c, m.Returns)...)
	}
	for _, m := range []string{"getMe", "getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery", "setMyCommands", "setWebhook", "deleteWebhook"} {
		if !used[m] {
			probs = append(probs, "the scenario never called "+m)
		}
	}
	sort.Strings(probs)
	for _, p := range dedupe(probs) {
		t.Error(p)
	}
}

// checkResponse checks a response envelope and its result.
func checkResponse(spec *apiSpec, c faketelegram.Call, returns []string) []string {
	v, err := decodeJSON(c.Response)
	if err != nil {
		return []string{fmt.Sprintf("%s: response is not JSON: %v", c.Method, err)}
	}
	env, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: response is not an object", c.Method)}
	}
	var probs []string
	for k, fv := range env {
		switch k {
		case "ok", "description", "error_code":
		case "result":
			probs = append(probs, spec.matches(fv, returns, c.Method+" result")...)
		case "parameters":
			probs = append(probs, spec.matches(fv, []string{"ResponseParameters"}, c.Method+" parameters")...)
		default:
			probs = append(probs, fmt.Sprintf("%s: response field %q", c.Method, k))
		}
	}
	return probs
}

func dedupe(s []string) []string {
	var out []string
	for i, p := range s {
		if i == 0 || p != s[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// TestSpecCheckerCatches makes sure the checks above can fail: a
// parameter the current specification dropped, a wrongly typed one, and
// response fields no type declares.
func TestSpecCheckerCatches(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	m := spec.Methods["sendMessage"]
	declared := map[string]bool{}
	for _, f := range m.Fields {
		declared[f.Name] = true
	}
	if declared["disable_web_page_preview"] {
		t.Errorf("disable_web_page_preview is declared; link_preview_options was chosen because it is not")
	}
	for _, f := range m.Fields {
		if f.Name == "reply_markup" {
			if p := spec.matchParam(`{"inline_keyboard":[[{"text":"x","callback_data":"y","colour":"red"}]]}`, f.Types, "reply_markup"); len(p) == 0 {
				t.Errorf("an undeclared button field passed")
			}
		}
	}
	c := faketelegram.Call{Method: "sendMessage", Response: []byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private","all_members_are_administrators":true},"text":"x"}}`)}
	if p := checkResponse(spec, c, m.Returns); len(p) == 0 {
		t.Errorf("an undeclared Chat field passed")
	}
	c.Response = []byte(`{"ok":true,"result":{"message_id":"1","date":1,"chat":{"id":1,"type":"private"}}}`)
	if p := checkResponse(spec, c, m.Returns); len(p) == 0 {
		t.Errorf("a string message_id passed")
	}
}
