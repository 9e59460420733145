package discord

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
)

func TestDisconnectThenResume(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.answered("wachtlijst")
	h.fake.Disconnect()
	// Sent while the bot is away: it must come with the resume.
	in := h.command("wachtlijst")
	h.request("the answer after the resume", is("PATCH", h.originalPath(in)))
	if st := h.fake.Stats(); st.Resumed < 1 || st.Identifies != 1 {
		t.Errorf("stats %+v, want a resume and no second identify", st)
	}
}

func TestOpReconnect(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	if err := h.fake.Reconnect(); err != nil {
		t.Fatal(err)
	}
	h.wait("the resume", func() bool { return h.fake.Stats().Resumed >= 1 && h.fake.Connected() })
	h.answered("wachtlijst")
	h.stop()
	// The reconnect must keep the session (not 1000 or 1001, which end
	// it on Discord); shutdown must end it.
	st := h.fake.Stats()
	if st.Connections < 2 || st.Identifies != 1 || len(st.CloseCodes) < 2 ||
		st.CloseCodes[0] != closeResume || st.CloseCodes[len(st.CloseCodes)-1] != websocket.CloseNormalClosure {
		t.Errorf("stats %+v, want a second connection, one identify, closes with 4000 then 1000", st)
	}
}

func TestOpInvalidSession(t *testing.T) {
	t.Parallel()
	for _, resumable := range []bool{false, true} {
		h := start(t, setup{})
		if err := h.fake.InvalidSession(resumable); err != nil {
			t.Fatal(err)
		}
		// d:true means the session may be resumed, d:false that it
		// is gone and the bot must identify.
		if resumable {
			h.wait("the resume", func() bool { return h.fake.Stats().Resumed >= 1 && h.fake.Connected() })
		} else {
			h.wait("a new session", func() bool { return h.fake.Stats().Readies >= 2 && h.fake.Connected() })
		}
		h.answered("wachtlijst")
		h.stop()
	}
}

func TestInvalidSessionOnResume(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	// The session dies while the bot is away: its resume gets op 9 and
	// it must identify again.
	h.fake.EndSession()
	h.fake.Disconnect()
	h.wait("the new session", func() bool {
		st := h.fake.Stats()
		return st.Resumes >= 1 && st.InvalidSessions >= 1 && st.Readies >= 2 && h.fake.Connected()
	})
	h.answered("wachtlijst")
}

// TestMissedHeartbeatACK has the fake skip one heartbeat ACK: the bot
// must take the connection for a zombie, close it without ending the
// session, and resume.
func TestMissedHeartbeatACK(t *testing.T) {
	t.Parallel()
	h := start(t, setup{heartbeat: 500 * time.Millisecond})
	h.fake.DropHeartbeatACKs(1)
	h.wait("the resume", func() bool { return h.fake.Stats().Resumed >= 1 && h.fake.Connected() })
	h.answered("wachtlijst")
	st := h.fake.Stats()
	if st.Identifies != 1 || len(st.CloseCodes) == 0 || st.CloseCodes[0] != closeResume {
		t.Errorf("stats %+v, want the zombie closed with 4000 and the session resumed", st)
	}
	if !strings.Contains(h.logs.String(), errZombie.Error()) {
		t.Errorf("the zombie connection is not in the log:\n%s", h.logs)
	}
}

// TestResumeNotAnswered: a resume that gets neither RESUMED nor op 9
// must not leave the bot deaf. The watchdog tries again; when resuming
// keeps failing, the bot identifies anew.
func TestResumeNotAnswered(t *testing.T) {
	t.Parallel()
	for _, dropped := range []int{1, 1000} {
		h := start(t, setup{cfg: Config{ReadyTimeout: 500 * time.Millisecond}})
		h.fake.DropResumes(dropped)
		h.fake.Disconnect()
		if dropped == 1 {
			h.wait("the second resume", func() bool { return h.fake.Stats().Resumed >= 1 && h.fake.Connected() })
		} else {
			h.wait("a new session", func() bool { return h.fake.Stats().Readies >= 2 && h.fake.Connected() })
		}
		h.answered("wachtlijst")
		st := h.fake.Stats()
		logs := h.logs.String()
		if !strings.Contains(logs, errNoReady.Error()) {
			t.Errorf("dropped %d: the watchdog is not in the log:\n%s", dropped, logs)
		}
		if dropped == 1 && st.Identifies != 1 {
			t.Errorf("dropped %d: stats %+v, want the session resumed", dropped, st)
		}
		if dropped > 1 && (st.Resumes < maxFailedResumes || !strings.Contains(logs, "identifying anew")) {
			t.Errorf("dropped %d: stats %+v, want %d resumes, then an identify:\n%s", dropped, st, maxFailedResumes, logs)
		}
		h.stop()
	}
}

// TestInvalidSessionThenNoReady: after op 9 the new Identify's READY
// never comes. The watchdog covers that connection too.
func TestInvalidSessionThenNoReady(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: Config{ReadyTimeout: 500 * time.Millisecond}})
	h.fake.DropReadies(1)
	if err := h.fake.InvalidSession(false); err != nil {
		t.Fatal(err)
	}
	h.wait("a new session", func() bool { return h.fake.Stats().Readies >= 2 && h.fake.Connected() })
	h.answered("wachtlijst")
	if st := h.fake.Stats(); st.Identifies < 3 {
		t.Errorf("stats %+v, want the dropped READY's identify and another", st)
	}
}

func TestReadyNeverComes(t *testing.T) {
	t.Parallel()
	h := start(t, setup{dropReadys: 1, cfg: Config{ReadyTimeout: 500 * time.Millisecond}})
	h.answered("wachtlijst")
	// On a loaded machine the watchdog may also cut a slow handshake
	// short; what matters is that the dropped READY was survived.
	if st := h.fake.Stats(); st.Identifies < 2 || st.Readies != 1 {
		t.Errorf("stats %+v, want the watchdog to have started over once", st)
	}
	if !strings.Contains(h.logs.String(), errNoReady.Error()) {
		t.Errorf("the watchdog's restart is not in the log:\n%s", h.logs)
	}
}

func TestShutdownDuringOpen(t *testing.T) {
	t.Parallel()
	// READY never comes and the watchdog is far away: Run must still
	// return promptly when its context ends, with Open blocked.
	h := start(t, setup{dropReadys: 100, noWait: true, cfg: Config{ReadyTimeout: time.Hour}})
	h.wait("the identify", func() bool { return h.fake.Stats().Identifies >= 1 })
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestIntents(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	const want = 1<<0 | 1<<9 | 1<<12 // GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES
	if got := h.fake.Stats().Intents; got != want {
		t.Errorf("intents = %b, want %b (no privileged MESSAGE_CONTENT)", got, want)
	}
}

func TestRateLimitedRESTRetries(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.fake.LimitRate(fakediscord.RateLimit{Method: "PATCH", PathPrefix: "/webhooks/", Count: 1, RetryAfter: 30 * time.Millisecond})
	in := h.command("wachtlijst")
	h.request("the answer after the 429", is("PATCH", h.originalPath(in)))
	if n := count(h.fake.Requests(), func(r fakediscord.Request) bool { return r.Status == 429 }); n != 1 {
		t.Errorf("%d 429s, want 1", n)
	}
}

func TestRateLimitBeyondDeadline(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.fake.LimitRate(fakediscord.RateLimit{PathPrefix: "/channels/", Count: 1, RetryAfter: time.Hour, Global: true})
	// An hour's wait does not fit in the call's deadline: the call must
	// fail now instead of sleeping, as discordgo's own retry would.
	_, err := h.bot.call(context.Background(), "POST", endpoint("channels", "1", "messages"), "POST channels/{channel}/messages", message{Content: "x", AllowedMentions: noMentions()})
	var rl *rateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Hour {
		t.Fatalf("call = %v, want a rate-limited error for an hour", err)
	}
	// The next call to the same route is not held up by discordgo's
	// bucket either.
	if _, err := h.bot.call(context.Background(), "POST", endpoint("channels", "1", "messages"), "POST channels/{channel}/messages", message{Content: "x", AllowedMentions: noMentions()}); err != nil {
		t.Fatalf("second call: %v", err)
	}
	// A context that ends cuts a wait short too.
	h.fake.LimitRate(fakediscord.RateLimit{PathPrefix: "/channels/", Count: 1, RetryAfter: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		h.fake.Wait(ctx, func() bool {
			return count(h.fake.Requests(), func(r fakediscord.Request) bool { return r.Status == 429 }) >= 2
		})
		cancel()
	}()
	if _, err := h.bot.call(ctx, "POST", endpoint("channels", "1", "messages"), "POST channels/{channel}/messages", message{Content: "x", AllowedMentions: noMentions()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("call with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestNoGoroutineLeak runs a whole conversation, with a reconnect, and
// checks that Run leaves no goroutine behind. Not parallel: it counts
// the goroutines of the whole test binary.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	h := start(t, setup{})
	in, first := h.answered("wachtlijst")
	click, _ := h.fake.SendClick(fakediscord.Click{GuildID: guildID, ChannelID: channelID, UserID: userID1, CustomID: customIDs(first.message)[0], MessageID: mustInteraction(t, h, in).MessageID})
	h.request("the next page", is("POST", h.followupPath(click)))
	h.fake.Disconnect()
	h.answered("wachtlijst")
	// Questions in flight when Run's context ends still get answered.
	h.command("wachtlijst")
	h.command("wachtlijst")
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	h.fake.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after Run returned:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestTokenNeverLogged captures everything the bot logs, at debug
// level, through connects, reconnects, errors and shutdown, and looks
// for the token.
func TestTokenNeverLogged(t *testing.T) {
	t.Parallel()
	h := start(t, setup{dropReadys: 1, cfg: Config{ReadyTimeout: 300 * time.Millisecond}})
	h.answered("wachtlijst")
	h.fake.LimitRate(fakediscord.RateLimit{Method: "PATCH", Count: 1, RetryAfter: 10 * time.Millisecond})
	h.answered("wachtlijst")
	h.fake.Reconnect()
	h.wait("the resume", func() bool { return h.fake.Stats().Resumed >= 1 && h.fake.Connected() })
	h.fake.LimitRate(fakediscord.RateLimit{Method: "POST", PathPrefix: "/interactions/", Count: 10, RetryAfter: time.Hour})
	in := h.command("wachtlijst")
	h.wait("the refused defer", func() bool { return strings.Contains(h.logs.String(), "defer interaction") })
	h.stop()
	logs := h.logs.String()
	if !strings.Contains(logs, "stopped") {
		t.Fatalf("the log seems incomplete:\n%s", logs)
	}
	for _, secret := range []string{testToken, "Bot " + testToken, strings.Split(testToken, ".")[2], in.Token} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}
