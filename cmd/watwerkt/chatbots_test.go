package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
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

// TestServeDiscord runs serve with a Discord token against the fake
// Discord (gateway and REST, reached through DISCORD_API_URL): a slash
// command is deferred and then edited with the demo answer card, with
// mentions disabled, and the question is logged as a Discord one.
func TestServeDiscord(t *testing.T) {
	_, a := demoEngine(t)
	const token = "ODk5.geheim.discord-token"
	fake, err := fakediscord.Start(fakediscord.Options{Token: token, HeartbeatInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	api := "http" + strings.TrimSuffix(strings.TrimPrefix(fake.GatewayURL(), "ws"), "/gw/")
	_, stop := startServeEnv(t, a.dataDir, map[string]string{"DISCORD_TOKEN": token, "DISCORD_API_URL": api})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.Wait(ctx, func() bool { return fake.Stats().Readies > 0 }); err != nil {
		t.Fatalf("the bot never got READY: %v", err)
	}
	in, err := fake.SendCommand(fakediscord.Command{GuildID: "1", ChannelID: "2", UserID: "3", UserName: "sanne",
		Options: []fakediscord.Option{{Name: "vraag", Value: "wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?"}}})
	if err != nil {
		t.Fatal(err)
	}
	var edit fakediscord.Request
	err = fake.Wait(ctx, func() bool {
		for _, r := range fake.Requests() {
			if r.Method == "PATCH" && strings.Contains(r.Path, in.Token) {
				edit = r
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no edit of the deferred response: %v", err)
	}
	body := string(edit.Body)
	if !strings.Contains(body, "Een mentor uit eigen kring") || !strings.Contains(body, "**netwerk**") || !strings.Contains(body, `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("answer card:\n%s", body)
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
	if qs, _ := st.Questions(t.Context(), time.Time{}); len(qs) != 1 || qs[0].Platform != "discord" || qs[0].Channel != "2" {
		t.Errorf("question log = %+v", qs)
	}
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	good, loose := filepath.Join(dir, "token"), filepath.Join(dir, "open")
	os.WriteFile(good, []byte("abc:def\n"), 0o600)
	os.WriteFile(loose, []byte("abc:def\n"), 0o644)
	vars := map[string]string{"A": " uit-env ", "B_FILE": good, "C_FILE": loose, "D_FILE": filepath.Join(dir, "nergens")}
	a := &app{getenv: func(k string) string { return vars[k] }}
	for _, c := range []struct{ name, want, err string }{
		{"A", "uit-env", ""}, {"B", "abc:def", ""}, {"C", "", "chmod 600"}, {"D", "", "D_FILE"}, {"E", "", ""},
	} {
		got, err := a.secret(c.name)
		if got != c.want || (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("secret(%s) = %q, %v; want %q and an error containing %q", c.name, got, err, c.want, c.err)
		}
		if err != nil && strings.Contains(err.Error(), "abc:def") {
			t.Errorf("secret(%s): the error shows the secret: %v", c.name, err)
		}
	}
}
