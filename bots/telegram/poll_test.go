package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

func TestSend429Retried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.Fail("sendMessage", 429, 3, 4) // four 429s in a row, each asking for 3 s
	h.fake.SendText(dm, alice, "wachtlijst")
	var last faketelegram.Call
	for i := range 5 {
		last = h.sent(dm.ID, i)
	}
	h.message(last) // the fifth attempt went through
	var waits []time.Duration
	for _, d := range h.sleeps.durations() {
		if d == 3*time.Second {
			waits = append(waits, d)
		}
	}
	if len(waits) != 4 {
		t.Errorf("waits = %v, want retry_after (3s) honoured four times", h.sleeps.durations())
	}
}

func TestSend429GivesUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.Fail("sendMessage", 429, 1, maxSendAttempts)
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, maxSendAttempts-1)
	h.fake.SendText(dm, alice, "/help") // the chat goes on after an answer is given up
	c := h.sent(dm.ID, maxSendAttempts)
	h.message(c)
	if n := len(h.fake.Calls("sendMessage")); n != maxSendAttempts+1 {
		t.Errorf("%d sendMessage calls, want %d", n, maxSendAttempts+1)
	}
}

func TestPollNetworkErrorRecovers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	h.fake.Drop("getUpdates", 3)
	h.start()
	h.fake.SendText(dm, alice, "wachtlijst")
	h.message(h.sent(dm.ID, 0))
	var calls int
	for _, c := range h.fake.Calls("getUpdates") {
		if c.Status == -1 {
			calls++
		}
	}
	if calls != 3 {
		t.Errorf("%d dropped polls, want 3", calls)
	}
	waits := h.sleeps.durations()
	if len(waits) < 3 {
		t.Fatalf("waits = %v, want a backoff after each dropped poll", waits)
	}
	for i, d := range waits[:3] {
		lo, hi := backoffBase<<i/2, backoffBase<<i
		if d < lo || d > hi {
			t.Errorf("backoff %d = %v, want within [%v, %v]", i, d, lo, hi)
		}
	}
	if !strings.Contains(h.logs.String(), "getUpdates failed; retrying") || !strings.Contains(h.logs.String(), "polling recovered") {
		t.Errorf("log lacks the failure and the recovery:\n%s", h.logs.String())
	}
}

func TestPollDisconnectedMidPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	if err := h.fake.WaitPolling(h.wait()); err != nil {
		t.Fatal(err)
	}
	h.fake.Disconnect() // the connection breaks while the long poll is open
	h.fake.SendText(dm, alice, "wachtlijst")
	h.message(h.sent(dm.ID, 0))
	if len(h.sleeps.durations()) == 0 || !strings.Contains(h.logs.String(), "getUpdates failed; retrying") {
		t.Errorf("no backoff after the broken poll; log:\n%s", h.logs.String())
	}
}

func TestPollConflictAndThrottle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	h.fake.Fail("getUpdates", 409, 0, 2)
	h.start()
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, 0)
	if !strings.Contains(h.logs.String(), "getUpdates conflict: another process is polling with this token, or a webhook is set") {
		t.Errorf("409 not logged clearly:\n%s", h.logs.String())
	}
	// The 429 goes to the first poll after Fail; whichever poll is open
	// now delivers "deel 2", so by the answer to "deel 3" it has happened.
	h.fake.Fail("getUpdates", 429, 7, 1)
	h.fake.SendText(dm, alice, "deel 2")
	h.sent(dm.ID, 1)
	h.fake.SendText(dm, alice, "deel 3")
	h.sent(dm.ID, 2)
	found := false
	for _, d := range h.sleeps.durations() {
		found = found || d == 7*time.Second
	}
	if !found {
		t.Errorf("getUpdates retry_after of 7s not honoured: %v", h.sleeps.durations())
	}
}

func TestPollDeletesLeftoverWebhook(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	// A webhook left behind by an earlier run makes getUpdates fail with
	// 409; polling deletes it first.
	resp, err := http.PostForm(h.fake.URL()+"/bot"+testToken+"/setWebhook", url.Values{"url": {"https://old.example/hook"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.start()
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, 0)
	if u, _ := h.fake.Webhook(); u != "" {
		t.Errorf("webhook %q still set", u)
	}
	for _, c := range h.fake.Calls("getUpdates") {
		if c.Status == 409 {
			t.Errorf("getUpdates ran into the old webhook")
		}
	}
}

func TestUnauthorizedStopsPolling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	h.fake.Fail("getUpdates", 401, 0, 1)
	h.start()
	select {
	case err := <-h.done:
		if errorCode(err) != 401 {
			t.Errorf("Run = %v, want the 401", err)
		}
		h.cancel = nil
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop on 401")
	}
}

// TestShutdownMidPoll cancels while a 50 s long poll is open: Run must
// return promptly (the 5 s deadline only guards against a hang).
func TestShutdownMidPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *Config) { c.PollTimeout = 50 * time.Second }})
	if err := h.fake.WaitPolling(h.wait()); err != nil {
		t.Fatal(err)
	}
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func TestOffsetPersistedAcrossRestart(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "telegram.offset")
	h := newHarness(t, options{config: func(c *Config) { c.OffsetFile = file }})
	h.fake.SendText(dm, alice, "deel 1")
	h.fake.SendText(dm, alice, "deel 2")
	h.sent(dm.ID, 1)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil || strings.TrimSpace(string(data)) != "3" {
		t.Fatalf("offset file = %q, %v; want 3", data, err)
	}
	before := len(h.fake.Calls("getUpdates"))

	h.fake.SendText(dm, alice, "deel 3")
	h2 := newHarness(t, options{fake: h.fake, config: func(c *Config) { c.OffsetFile = file }})
	c := h2.sent(dm.ID, 2)
	if !strings.Contains(c.Params["text"], "deel 3") {
		t.Errorf("after restart: %s", c.Params["text"])
	}
	first := h.fake.Calls("getUpdates")[before]
	if first.Params["offset"] != "3" {
		t.Errorf("first poll after restart has offset %q, want 3", first.Params["offset"])
	}
	if n := len(h.fake.Calls("sendMessage")); n != 3 {
		t.Errorf("%d messages sent, want 3 (nothing answered twice)", n)
	}
	h2.stop()
	if data, _ := os.ReadFile(file); strings.TrimSpace(string(data)) != "4" {
		t.Errorf("offset file after the second run = %q, want 4", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
		t.Errorf("temporary files left next to the offset file: %v", entries)
	}
}

func TestOffsetFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "offset")
	if n, err := readOffset(file); n != 0 || err != nil {
		t.Errorf("missing file: %d, %v; want 0, nil", n, err)
	}
	if err := writeOffset(file, 42); err != nil {
		t.Fatal(err)
	}
	if n, err := readOffset(file); n != 42 || err != nil {
		t.Errorf("read = %d, %v; want 42", n, err)
	}
	os.WriteFile(file, []byte("garbage"), 0o644)
	if _, err := readOffset(file); err == nil {
		t.Error("garbage offset read without error")
	}
	if err := writeOffset(filepath.Join(dir, "missing", "offset"), 1); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for n := range 40 {
		d := backoff(n)
		top := min(backoffMax, backoffBase<<min(n, 16))
		if d < top/2 || d > top {
			t.Errorf("backoff(%d) = %v, want within [%v, %v]", n, d, top/2, top)
		}
	}
}

// TestTokenNeverLogged runs the bot through answers, a 429, dropped
// connections (whose net/http errors carry the URL with the token) and
// server errors, and checks the token appears in no log line.
func TestTokenNeverLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{noStart: true})
	h.fake.Drop("getUpdates", 2)
	h.fake.Drop("sendMessage", 1)
	h.fake.Fail("sendMessage", 429, 1, 1)
	h.fake.Fail("setMyCommands", 400, 0, 2)
	h.start()
	h.fake.SendText(dm, alice, "wachtlijst")
	h.message(h.sent(dm.ID, 2))
	h.stop()

	logs := h.logs.String()
	if !strings.Contains(logs, "<token>") {
		t.Errorf("expected a redacted URL in the log of a dropped connection:\n%s", logs)
	}
	for _, secret := range []string{testToken, "AAH-s3cr3t-T0KEN_value"} {
		if strings.Contains(logs, secret) {
			t.Errorf("token in the log:\n%s", logs)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	b := &Bot{token: testToken}
	err := b.redact(errors.Join(context.Canceled, errors.New("Post http://x/bot"+testToken+"/getMe")))
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("redact kept the token: %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("redact lost errors.Is: %v", err)
	}
}

// TestNoGoroutinesLeft checks that after Run returns no goroutine of
// this package is left. Not parallel, so other tests' bots do not count.
func TestNoGoroutinesLeft(t *testing.T) {
	h := newHarness(t, options{})
	for range 3 {
		h.fake.SendText(dm, alice, "wachtlijst")
		h.fake.SendText(group, alice, "/watwerkt wachtlijst")
	}
	h.sent(dm.ID, 2)
	h.sent(group.ID, 2)
	h.stop()
	// A goroutine that has called wg.Done may still be on its way out:
	// look again for a while before calling it a leak.
	var left []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		left = ourGoroutines()
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("goroutines left after Run returned:\n%s", strings.Join(left, "\n\n"))
}

func ourGoroutines() []string {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	var out []string
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "bots/telegram.(*") && !strings.Contains(g, "TestNoGoroutinesLeft") && !strings.Contains(g, "telegram.newHarness") {
			out = append(out, g)
		}
	}
	return out
}
