package faketelegram

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const token = "42:fake-token"

// call posts form values to a method and decodes the response.
func call(t *testing.T, s *Server, tok, method string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/bot"+tok+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestParseHTML(t *testing.T) {
	for _, tc := range []struct {
		in, plain string
		entities  int
		err       bool
	}{
		{in: "a <b>b</b> &amp; &lt;c&gt; &quot;d&quot; &#65;&#x42;", plain: `a b & <c> "d" AB`, entities: 1},
		{in: `<a href="https://e.example/?a=1&amp;b=2">x</a>`, plain: "x", entities: 1},
		{in: "<b><i>x</i></b>", plain: "x", entities: 2},
		{in: "<b>x", err: true},
		{in: "<b>x</i></b>", err: true},
		{in: "<script>x</script>", err: true},
		{in: "a & b", err: true},
		{in: "a > b", err: true},
		{in: "&nbsp;", err: true},
		{in: "<a>x</a>", err: true},
		{in: "\xff", err: true},
	} {
		plain, ents, err := ParseHTML(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseHTML(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && (plain != tc.plain || len(ents) != tc.entities) {
			t.Errorf("ParseHTML(%q) = %q, %d entities; want %q, %d", tc.in, plain, len(ents), tc.plain, tc.entities)
		}
	}
	_, ents, _ := ParseHTML("😀 <b>x</b>")
	if ents[0].Offset != 3 || ents[0].Length != 1 {
		t.Errorf("entity offsets count UTF-16 units: got %+v", ents[0])
	}
}

func TestParamsFromEveryEncoding(t *testing.T) {
	s := New(token, User{})
	defer s.Close()
	u := s.URL() + "/bot" + token + "/sendMessage"

	http.PostForm(u, url.Values{"chat_id": {"5"}, "text": {"form"}})

	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("chat_id", "5")
	w.WriteField("text", "multipart")
	w.Close()
	http.Post(u, w.FormDataContentType(), &mp)

	http.Post(u, "application/json", strings.NewReader(`{"chat_id":5,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"x","callback_data":"y"}]]}}`))

	calls := s.Calls("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("%d calls recorded, want 3", len(calls))
	}
	for i, want := range []string{"form", "multipart", "json"} {
		if calls[i].Params["text"] != want || calls[i].Params["chat_id"] != "5" || calls[i].Status != 200 {
			t.Errorf("call %d = %+v", i, calls[i])
		}
	}
	if got := calls[2].Params["reply_markup"]; !strings.HasPrefix(got, `{"inline_keyboard"`) {
		t.Errorf("JSON object parameter kept as %q", got)
	}
}

func TestLongPollAndOffsets(t *testing.T) {
	s := New(token, User{})
	defer s.Close()
	done := make(chan map[string]any, 1)
	go func() {
		_, body := call(t, s, token, "getUpdates", url.Values{"timeout": {"10"}})
		done <- body
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitPolling(ctx); err != nil {
		t.Fatal(err)
	}
	s.SendText(Chat{ID: 1, Type: "private"}, User{ID: 1, FirstName: "A"}, "/start")
	body := <-done
	res := body["result"].([]any)
	if len(res) != 1 {
		t.Fatalf("long poll returned %v", body)
	}
	if s.Pending() != 1 {
		t.Errorf("update confirmed before an offset asked for it")
	}
	_, body = call(t, s, token, "getUpdates", url.Values{"offset": {"2"}, "timeout": {"0"}})
	if len(body["result"].([]any)) != 0 || s.Pending() != 0 {
		t.Errorf("offset 2 did not confirm update 1: %v, pending %d", body, s.Pending())
	}
}

func TestFaultsAndConflicts(t *testing.T) {
	s := New(token, User{})
	defer s.Close()
	if code, _ := call(t, s, "wrong", "getMe", nil); code != 401 {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code, _ := call(t, s, token, "noSuchMethod", nil); code != 404 {
		t.Errorf("unknown method: %d, want 404", code)
	}
	s.Fail("getMe", 429, 3, 1)
	code, body := call(t, s, token, "getMe", nil)
	if code != 429 || body["parameters"].(map[string]any)["retry_after"] != 3.0 {
		t.Errorf("429: %d %v", code, body)
	}
	s.Drop("getMe", 1)
	if _, err := http.PostForm(s.URL()+"/bot"+token+"/getMe", nil); err == nil {
		t.Errorf("dropped call got a response")
	}
	call(t, s, token, "setWebhook", url.Values{"url": {"https://e.example/hook"}, "secret_token": {"abc_-1"}})
	if code, _ := call(t, s, token, "getUpdates", nil); code != 409 {
		t.Errorf("getUpdates with a webhook: %d, want 409", code)
	}
	call(t, s, token, "deleteWebhook", nil)
	if code, _ := call(t, s, token, "getUpdates", nil); code != 200 {
		t.Errorf("getUpdates after deleteWebhook: %d", code)
	}
}

func TestMessageLimits(t *testing.T) {
	s := New(token, User{})
	defer s.Close()
	for _, tc := range []struct {
		text string
		want int
	}{
		{strings.Repeat("&amp;", MaxMessageLen), 200},
		{strings.Repeat("x", MaxMessageLen+1), 400},
		{strings.Repeat("😀", MaxMessageLen/2) + "x", 400},
		{"<b>open", 400},
		{"   ", 400},
	} {
		code, body := call(t, s, token, "sendMessage", url.Values{"chat_id": {"1"}, "text": {tc.text}, "parse_mode": {"HTML"}})
		if code != tc.want {
			t.Errorf("%.20q…: %d %v, want %d", tc.text, code, body["description"], tc.want)
		}
	}
	long := strings.Repeat("x", 65)
	if code, _ := call(t, s, token, "sendMessage", url.Values{"chat_id": {"1"}, "text": {"x"}, "reply_markup": {`{"inline_keyboard":[[{"text":"b","callback_data":"` + long + `"}]]}`}}); code != 400 {
		t.Errorf("65-byte callback_data accepted")
	}
}
