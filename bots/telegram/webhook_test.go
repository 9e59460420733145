package telegram

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

func TestWebhook(t *testing.T) {
	t.Parallel()
	// The public server the webhook is mounted on; its URL is known only
	// once it runs, so the handler is set after New.
	mux := http.NewServeMux()
	public := httptest.NewServer(mux)
	defer public.Close()
	h := newHarness(t, options{noStart: true, config: func(c *Config) { c.Webhook = public.URL + "/" }})
	path := h.bot.WebhookPath()
	if !strings.HasPrefix(path, "/telegram/") || len(path) < 40 {
		t.Fatalf("WebhookPath = %q, want a long secret path", path)
	}
	mux.Handle(path, h.bot)

	// Before Run: not ready, so Telegram will deliver again later.
	if code := post(t, public.URL+path, h.bot.secret, []byte(`{"update_id":1}`)); code != http.StatusServiceUnavailable {
		t.Errorf("before Run: %d, want 503", code)
	}
	h.start()
	call, err := h.fake.WaitCall(h.wait(), "setWebhook", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.Finished(h.wait(), call); err != nil {
		t.Fatal(err)
	}
	url, secret := h.fake.Webhook()
	if url != public.URL+path {
		t.Errorf("webhook URL = %q, want %q", url, public.URL+path)
	}
	if len(secret) < 32 {
		t.Errorf("secret token %q is too short", secret)
	}
	if len(h.fake.Calls("getUpdates")) != 0 {
		t.Errorf("webhook mode polled")
	}

	update, _ := json.Marshal(faketelegram.Update{UpdateID: 10, Message: &faketelegram.Message{
		MessageID: 5, From: &alice, Date: 1, Chat: dm, Text: "wachtlijst",
	}})
	for _, tc := range []struct {
		name, secret string
		body         []byte
		want         int
	}{
		{"no secret", "", update, http.StatusUnauthorized},
		{"wrong secret", secret[:len(secret)-1] + "x", update, http.StatusUnauthorized},
		{"secret with a prefix", "x" + secret, update, http.StatusUnauthorized},
		{"not JSON", secret, []byte("<html>"), http.StatusBadRequest},
		{"too large", secret, append([]byte(`{"update_id":1,"x":"`), bytes.Repeat([]byte("a"), 2<<20)...), http.StatusRequestEntityTooLarge},
	} {
		if code := post(t, public.URL+path, tc.secret, tc.body); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if n := len(h.fake.Calls("sendMessage")); n != 0 {
		t.Errorf("%d messages sent for rejected webhook requests", n)
	}
	if resp, err := http.Get(public.URL + path); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v, want 405", resp, err)
	}

	if code := post(t, public.URL+path, secret, update); code != http.StatusOK {
		t.Fatalf("right secret: %d, want 200", code)
	}
	c := h.sent(dm.ID, 0)
	if !strings.Contains(c.Params["text"], "wachtlijst") {
		t.Errorf("answer: %s", c.Params["text"])
	}

	// The fake delivers like Telegram does, with the secret header.
	h.fake.SendText(dm, alice, "deel 2")
	if n, err := h.fake.DeliverWebhook(h.wait(), http.DefaultClient); n != 1 || err != nil {
		t.Fatalf("delivered %d, %v", n, err)
	}
	if c := h.sent(dm.ID, 1); !strings.Contains(c.Params["text"], "deel 2") {
		t.Errorf("delivered update answer: %s", c.Params["text"])
	}

	h.stop()
	if code := post(t, public.URL+path, secret, update); code != http.StatusServiceUnavailable {
		t.Errorf("after Run: %d, want 503", code)
	}
}

func TestWebhookPathEmptyWhenPolling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	if p := h.bot.WebhookPath(); p != "" {
		t.Errorf("WebhookPath in polling mode = %q", p)
	}
	rec := httptest.NewRecorder()
	h.bot.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/telegram/x", strings.NewReader("{}")))
	if rec.Code != http.StatusNotFound {
		t.Errorf("ServeHTTP in polling mode: %d, want 404", rec.Code)
	}
}

func post(t *testing.T, url, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
