package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

// TestServeTelegram runs serve with a Telegram token against the fake
// Bot API: a private question gets the demo answer as HTML with
// buttons, 👍 lands in the store, and the question log names the
// platform — the whole chain from environment to store.
func TestServeTelegram(t *testing.T) {
	_, a := demoEngine(t)
	const token = "4242:geheim-token-niet-loggen"
	fake := faketelegram.New(token, faketelegram.User{ID: 99, IsBot: true, FirstName: "watwerkt", Username: "WatWerktBot"})
	defer fake.Close()
	_, stop := startServeEnv(t, a.dataDir, map[string]string{"TELEGRAM_TOKEN": token, "TELEGRAM_API_URL": fake.URL()})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitPolling(ctx); err != nil {
		t.Fatalf("the bot never polled: %v", err)
	}
	user := faketelegram.User{ID: 7, FirstName: "Sanne"}
	chat := faketelegram.Chat{ID: 7, Type: "private"}
	fake.SendText(chat, user, "wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?")
	call, err := fake.WaitCall(ctx, "sendMessage", nil)
	if err != nil {
		t.Fatal(err)
	}
	text := call.Params["text"]
	if !strings.Contains(text, "Een mentor uit eigen kring") || !strings.Contains(text, "<b>netwerk</b>") {
		t.Errorf("answer:\n%s", text)
	}
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	json.Unmarshal([]byte(call.Params["reply_markup"]), &kb)
	up := ""
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.Text == "👍" {
				up = b.CallbackData
			}
		}
	}
	if up == "" {
		t.Fatalf("no 👍 button: %s", call.Params["reply_markup"])
	}
	var sent faketelegram.Message
	if err := fake.Result(ctx, call, &sent); err != nil {
		t.Fatal(err)
	}
	fake.Press(user, sent, up)
	if _, err := fake.WaitCall(ctx, "answerCallbackQuery", nil); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exited %d", code)
	}
	stopped = true

	st, err := a.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fb, _ := st.FeedbackSince(t.Context(), time.Time{})
	if len(fb) != 1 || fb[0].Rating != 1 || fb[0].Platform != "telegram" || fb[0].Channel != "7" || len(fb[0].ResultIDs) == 0 {
		t.Errorf("feedback = %+v", fb)
	}
	qs, _ := st.Questions(t.Context(), time.Time{})
	if len(qs) != 1 || qs[0].Platform != "telegram" {
		t.Errorf("question log = %+v", qs)
	}
}
