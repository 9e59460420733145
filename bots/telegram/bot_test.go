package telegram

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

func TestPrivateMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(dm, alice, "wachtlijst")
	c := h.sent(dm.ID, 0)

	if got := c.Params["parse_mode"]; got != "HTML" {
		t.Errorf("parse_mode = %q, want HTML", got)
	}
	if got := c.Params["link_preview_options"]; got != `{"is_disabled":true}` {
		t.Errorf("link_preview_options = %q, want previews off", got)
	}
	if _, ok := c.Params["reply_parameters"]; ok {
		t.Errorf("a private answer replies to the question; want a plain message")
	}
	for _, want := range []string{"<b>Dit vond ik over „wachtlijst” (7 resultaten):</b>", `<a href="https://werkplaats.example/nieuws/wachtlijst-1">`, "<b>wachtlijst</b>", "<b>5.</b>"} {
		if !strings.Contains(c.Params["text"], want) {
			t.Errorf("answer lacks %q:\n%s", want, c.Params["text"])
		}
	}
	if strings.Contains(c.Params["text"], "<b>6.</b>") || strings.Contains(c.Params["text"], `Typ "meer"`) {
		t.Errorf("first page shows more than 5 results or the typed-meer footer:\n%s", c.Params["text"])
	}
	btn := buttons(t, c)
	for _, label := range []string{"👍", "👎", "Meer ▶"} {
		if btn[label] == "" {
			t.Errorf("no %q button in %s", label, c.Params["reply_markup"])
		}
	}
	q := h.searcher.questions()
	if len(q) != 1 || q[0].Platform != "telegram" || q[0].Channel != "1001" || q[0].Text != "wachtlijst" {
		t.Errorf("question = %+v, want wachtlijst from telegram channel 1001", q)
	}
	h.message(c) // the fake accepted it: valid HTML within the limit
}

func TestGroupCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	// Ignored: another bot's command, plain chatter, our own command from a bot.
	h.fake.SendText(group, alice, "/watwerkt@AnderBot wachtlijst")
	h.fake.SendText(group, alice, "wachtlijst")
	h.fake.SendText(group, otherBt, "/watwerkt wachtlijst")
	h.fake.SendText(group, alice, "/start@AnderBot")
	q := h.fake.SendText(group, bob, "/WatWerkt@watwerktbot deel 2")

	c := h.sent(group.ID, 0)
	if !strings.Contains(c.Params["text"], "Wachtlijst overbruggen, deel 2") {
		t.Errorf("answer to the addressed command:\n%s", c.Params["text"])
	}
	if want := fmt.Sprintf(`{"message_id":%d,"allow_sending_without_reply":true}`, q.MessageID); c.Params["reply_parameters"] != want {
		t.Errorf("reply_parameters = %s, want %s", c.Params["reply_parameters"], want)
	}
	// Chat order is kept, so the earlier updates were handled before: no
	// other message may have gone out.
	if n := len(h.fake.Calls("sendMessage")); n != 1 {
		t.Errorf("%d messages sent, want only the answer to the addressed command", n)
	}
	if n := len(h.searcher.questions()); n != 1 {
		t.Errorf("%d searches, want 1", n)
	}
}

func TestGroupReplyToBot(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(group, alice, "/watwerkt wachtlijst")
	answer := h.message(h.sent(group.ID, 0))

	// A reply to someone else is not for the bot; a reply to the bot is a follow-up.
	other := h.fake.SendText(group, bob, "hallo")
	h.fake.ReplyText(group, alice, &other, "deel 1")
	h.fake.ReplyText(group, bob, &answer, "deel 3")
	c := h.sent(group.ID, 1)
	if !strings.Contains(c.Params["text"], "Wachtlijst overbruggen, deel 3") {
		t.Errorf("follow-up answer:\n%s", c.Params["text"])
	}
	// "meer" as a reply continues the answer replied to, as a new message.
	h.fake.ReplyText(group, bob, &answer, "meer")
	c = h.sent(group.ID, 2)
	if !strings.Contains(c.Params["text"], "<b>6.</b>") || strings.Contains(c.Params["text"], "<b>5.</b>") {
		t.Errorf("reply meer: want results 6 and 7:\n%s", c.Params["text"])
	}
	if n := len(h.fake.Calls("sendMessage")); n != 3 {
		t.Errorf("%d messages sent, want 3", n)
	}
}

func TestMoreButtonEditsMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(dm, alice, "wachtlijst")
	c := h.sent(dm.ID, 0)
	m := h.message(c)
	id := h.fake.Press(alice, m, buttons(t, c)["Meer ▶"])

	edit, err := h.fake.WaitCall(h.wait(), "editMessageText", nil)
	if err != nil {
		t.Fatal(err)
	}
	if edit.Params["message_id"] != fmt.Sprint(m.MessageID) || !strings.Contains(edit.Params["text"], "<b>6.</b>") || !strings.Contains(edit.Params["text"], "Dit waren alle resultaten.") {
		t.Errorf("edit = %v", edit.Params)
	}
	btn := buttons(t, edit)
	if _, ok := btn["Meer ▶"]; ok || btn["👍"] == "" {
		t.Errorf("last page buttons = %v, want 👍 and 👎 only", btn)
	}
	ans, err := h.fake.WaitCall(h.wait(), "answerCallbackQuery", nil)
	if err != nil || ans.Params["callback_query_id"] != id {
		t.Fatalf("callback not answered: %v %v", ans.Params, err)
	}
	h.message(edit)

	// Pressing the old "Meer" again (the button is gone, but a stale
	// client may still send it) only says there is no more.
	h.fake.Press(alice, m, buttons(t, c)["Meer ▶"])
	ans, err = h.fake.WaitCall(h.wait(), "answerCallbackQuery", func(c faketelegram.Call) bool { return c.Params["callback_query_id"] != id })
	if err != nil || ans.Params["text"] != "Er zijn geen verdere resultaten." {
		t.Errorf("second Meer: %v %v", ans.Params, err)
	}
}

func TestMoreButtonOnOldMessageSendsNew(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(dm, alice, "wachtlijst")
	c := h.sent(dm.ID, 0)
	m := h.message(c)
	h.fake.Fail("editMessageText", 400, 0, 1) // "message can't be edited"
	h.fake.Press(alice, m, buttons(t, c)["Meer ▶"])
	next := h.sent(dm.ID, 1)
	if !strings.Contains(next.Params["text"], "<b>6.</b>") {
		t.Errorf("page 2 as a new message:\n%s", next.Params["text"])
	}
	// The buttons of the new message rate page 2.
	h.fake.Press(alice, h.message(next), buttons(t, next)["👎"])
	if err := h.fake.WaitCount(h.wait(), "answerCallbackQuery", 2); err != nil {
		t.Fatal(err)
	}
}

func TestTypedMore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(dm, alice, "meer")
	if c := h.sent(dm.ID, 0); !strings.Contains(c.Params["text"], "/watwerkt") {
		t.Errorf("meer before any question: %s", c.Params["text"])
	}
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, 1)
	h.fake.SendText(dm, alice, "Meer!")
	c := h.sent(dm.ID, 2)
	if !strings.Contains(c.Params["text"], "<b>6.</b>") || buttons(t, c)["👍"] == "" {
		t.Errorf("typed meer:\n%s\n%s", c.Params["text"], c.Params["reply_markup"])
	}
	h.fake.SendText(dm, alice, "meer")
	if c := h.sent(dm.ID, 3); c.Params["text"] != "Er zijn geen verdere resultaten." {
		t.Errorf("meer after the last page: %q", c.Params["text"])
	}
}

func TestFeedbackStored(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{store: true})
	start := time.Now().Add(-time.Minute)
	h.fake.SendText(group, alice, "/watwerkt wachtlijst")
	c := h.sent(group.ID, 0)
	m := h.message(c)
	up := buttons(t, c)["👍"]
	if len(up) > 64 {
		t.Errorf("callback_data %q is over 64 bytes", up)
	}
	h.fake.Press(bob, m, up)
	ans, err := h.fake.WaitCall(h.wait(), "answerCallbackQuery", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ans.Params["text"], "Dank je") {
		t.Errorf("toast = %q, want a thank-you", ans.Params["text"])
	}
	// A second press by the same user is not stored again.
	h.fake.Press(bob, m, up)
	if err := h.fake.WaitCount(h.wait(), "answerCallbackQuery", 2); err != nil {
		t.Fatal(err)
	}
	fb, err := h.store.FeedbackSince(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 {
		t.Fatalf("stored %d ratings, want 1: %+v", len(fb), fb)
	}
	f := fb[0]
	if f.Platform != "telegram" || f.Channel != fmt.Sprint(group.ID) || f.Rating != 1 || f.Question != "wachtlijst" || len(f.ResultIDs) != 5 || f.ResultIDs[0] != "id1" {
		t.Errorf("feedback = %+v", f)
	}
	for _, who := range []string{"Bob", "1002", "alice", "Alice"} {
		if strings.Contains(fmt.Sprintf("%+v", f), who) {
			t.Errorf("feedback holds user identity %q: %+v", who, f)
		}
	}
}

func TestExpiredButton(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.Press(alice, faketelegram.Message{MessageID: 77, Chat: dm, Date: 1}, "m:ABCDEFGHIJ")
	ans, err := h.fake.WaitCall(h.wait(), "answerCallbackQuery", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Params["text"] != bots.Expired(false) {
		t.Errorf("toast = %q, want the expired text", ans.Params["text"])
	}
	h.fake.Press(alice, faketelegram.Message{MessageID: 77, Chat: dm, Date: 1}, "rubbish")
	if err := h.fake.WaitCount(h.wait(), "answerCallbackQuery", 2); err != nil {
		t.Errorf("unknown callback data not answered: %v", err)
	}
}

func TestHelpStartAndCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	h.fake.SendText(dm, alice, "/start")
	if c := h.sent(dm.ID, 0); !strings.HasPrefix(c.Params["text"], "Hallo!") || !strings.Contains(c.Params["text"], "/watwerkt") {
		t.Errorf("/start: %s", c.Params["text"])
	}
	h.fake.SendText(dm, alice, "/help")
	if c := h.sent(dm.ID, 1); !strings.Contains(c.Params["text"], "<b>Zo stel je een vraag</b>") {
		t.Errorf("/help: %s", c.Params["text"])
	}
	h.fake.SendText(dm, alice, "/watwerkt")
	if c := h.sent(dm.ID, 2); !strings.HasPrefix(c.Params["text"], "Zet je vraag achter het commando") {
		t.Errorf("/watwerkt without question: %s", c.Params["text"])
	}
	h.fake.SendText(dm, alice, "/onbekend")
	if c := h.sent(dm.ID, 3); !strings.Contains(c.Params["text"], "/help") {
		t.Errorf("unknown command: %s", c.Params["text"])
	}
	if err := h.fake.WaitCount(h.wait(), "setMyCommands", 2); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.fake.Calls("setMyCommands") {
		for _, cmd := range []string{`"command":"watwerkt"`, `"command":"help"`, `"command":"start"`} {
			if !strings.Contains(c.Params["commands"], cmd) {
				t.Errorf("setMyCommands %v lacks %s", c.Params, cmd)
			}
		}
		if done, err := h.fake.Finished(h.wait(), c); err != nil || done.Status != 200 {
			t.Errorf("setMyCommands failed: %s %v", done.Response, err)
		}
	}
}

func TestAllowedChats(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *Config) { c.AllowedChats = []int64{dm.ID} }})
	h.fake.SendText(group, alice, "/watwerkt wachtlijst")
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, 0)
	if n := len(h.fake.Calls("sendMessage")); n != 1 {
		t.Errorf("%d messages sent, want only the one to the allowed chat", n)
	}
}

func TestSlowDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *Config) {
		c.Limits = bots.LimitConfig{UserEvery: time.Hour, UserBurst: 1}
	}})
	for range 4 {
		h.fake.SendText(dm, alice, "wachtlijst")
	}
	h.sent(dm.ID, 0)
	if c := h.sent(dm.ID, 1); c.Params["text"] != bots.SlowDown(false) {
		t.Errorf("second question: %q, want the slow-down text", c.Params["text"])
	}
	h.fake.SendText(dm, alice, "/help") // handled after the flood, in order
	if c := h.sent(dm.ID, 2); !strings.Contains(c.Params["text"], "Zo stel je een vraag") {
		t.Errorf("after the flood: %q; the slow-down notice should be sent only once", c.Params["text"])
	}
	if n := len(h.searcher.questions()); n != 1 {
		t.Errorf("%d searches, want 1", n)
	}
}

// TestChatOrderAndSendLimits sends a burst into one chat with a short
// per-chat interval: every answer arrives (delayed, not dropped), in the
// order of the questions.
func TestChatOrderAndSendLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{limits: &sendLimits{chatEvery: 20 * time.Millisecond, groupEvery: 40 * time.Millisecond, groupBurst: 2}})
	for i := 1; i <= 6; i++ {
		h.fake.SendText(group, alice, fmt.Sprintf("/watwerkt deel %d", i))
	}
	h.fake.SendText(dm, alice, "deel 7")
	for i := 1; i <= 6; i++ {
		c := h.sent(group.ID, i-1)
		if want := fmt.Sprintf("deel %d", i); !strings.Contains(c.Params["text"], want) {
			t.Errorf("answer %d is not about %q:\n%s", i, want, c.Params["text"])
		}
	}
	h.sent(dm.ID, 0)
}

func TestDefaultSourceFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *Config) { c.DefaultSource = "awj-rivierenland" }})
	h.fake.SendText(dm, alice, "wachtlijst")
	h.sent(dm.ID, 0)
	if q := h.searcher.questions(); len(q) != 1 || q[0].Filters["bron"] != "awj-rivierenland" {
		t.Errorf("questions = %+v, want filter bron", q)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	r := &bots.Responder{Searcher: &fakeSearcher{}}
	fake := faketelegram.New(testToken, faketelegram.User{})
	defer fake.Close()
	dropped := faketelegram.New(testToken, faketelegram.User{})
	defer dropped.Close()
	dropped.Drop("getMe", 1) // net/http reports the URL, token included
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no token", Config{APIURL: fake.URL()}},
		{"getMe connection dropped", Config{Token: testToken, APIURL: dropped.URL()}},
		{"wrong token", Config{Token: testToken + "x", APIURL: fake.URL()}},
		{"unreachable", Config{Token: testToken, APIURL: "http://127.0.0.1:1"}},
		{"bad language", Config{Token: testToken, APIURL: fake.URL(), Language: "de"}},
	} {
		_, err := New(context.Background(), tc.cfg, r)
		if err == nil {
			t.Errorf("%s: New succeeded", tc.name)
			continue
		}
		if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "AAH-s3cr3t") {
			t.Errorf("%s: error holds the token: %v", tc.name, err)
		}
		t.Logf("%s: %v", tc.name, err)
	}
}

func TestEnglishLanguage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{config: func(c *Config) { c.Language = "en" }})
	h.fake.SendText(dm, alice, "/help")
	if c := h.sent(dm.ID, 0); !strings.Contains(c.Params["text"], "How to ask") {
		t.Errorf("/help in English: %s", c.Params["text"])
	}
	if err := h.fake.WaitCount(h.wait(), "setMyCommands", 1); err != nil {
		t.Fatal(err)
	}
}
