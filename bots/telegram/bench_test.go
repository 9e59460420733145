package telegram

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

// loadCases are the load shapes: a burst of 500 at once measures
// throughput and queueing, updates paced at 200 a second measure the
// latency of one update on a busy bot; with Telegram's outgoing limits
// the global 30/s limit dominates a burst.
var loadCases = []struct {
	name   string
	limits *sendLimits
	every  time.Duration
}{
	{"burst-unthrottled", nil, 0},
	{"paced200-unthrottled", nil, 5 * time.Millisecond},
	{"burst-telegram-limits", &telegramLimits, 0},
}

// loadUpdates is the size of one load round.
const loadUpdates = 500

// driveLoad pushes loadUpdates questions into the fake at once, one per
// chat in as many private chats, and returns for each the time from the
// update being queued at the fake (what Telegram would hold for the bot)
// to the fake receiving the answer's sendMessage. One update per chat
// keeps the per-chat limit of one message a second out of the numbers;
// the global limit (30 a second) is what sendLimits decides.
func driveLoad(tb testing.TB, h *harness, round int, every time.Duration) []time.Duration {
	tb.Helper()
	base := len(h.fake.Calls("sendMessage"))
	pushed := make(map[string]time.Time, loadUpdates)
	for i := range loadUpdates {
		chat := faketelegram.Chat{ID: int64(1_000_000 + round*loadUpdates + i), Type: "private", FirstName: "Load"}
		pushed[strconv.FormatInt(chat.ID, 10)] = time.Now()
		h.fake.SendText(chat, faketelegram.User{ID: chat.ID, FirstName: "Load"}, "wachtlijst")
		if every > 0 {
			time.Sleep(every)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard only
	defer cancel()
	if err := h.fake.WaitCount(ctx, "sendMessage", base+loadUpdates); err != nil {
		tb.Fatal(err)
	}
	var lat []time.Duration
	for _, c := range h.fake.Calls("sendMessage")[base:] {
		if at, ok := pushed[c.Params["chat_id"]]; ok {
			lat = append(lat, c.At.Sub(at))
		}
	}
	return lat
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkUpdateToSend reports update→sendMessage latency over 500
// updates in 500 chats, without outgoing limits (the bot's own cost) and
// with Telegram's (where the 30/s global limit queues a burst of 500).
//
//	go test -run '^$' -bench UpdateToSend -benchtime 3x ./bots/telegram/
func BenchmarkUpdateToSend(b *testing.B) {
	for _, tc := range loadCases {
		b.Run(tc.name, func(b *testing.B) {
			h := newHarness(b, options{limits: tc.limits})
			var lat []time.Duration
			round := 0
			for b.Loop() {
				lat = append(lat, driveLoad(b, h, round, tc.every)...)
				round++
			}
			slices.Sort(lat)
			b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
			b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestLoad is the same measurement as a test, for a quick table:
//
//	WATWERKT_TELEGRAM_LOAD=1 go test -run TestLoad -v ./bots/telegram/
func TestLoad(t *testing.T) {
	if os.Getenv("WATWERKT_TELEGRAM_LOAD") == "" {
		t.Skip("set WATWERKT_TELEGRAM_LOAD=1 to drive 500 updates through the fake and report latencies")
	}
	for _, tc := range loadCases {
		h := newHarness(t, options{limits: tc.limits})
		start := time.Now()
		lat := driveLoad(t, h, 0, tc.every)
		took := time.Since(start)
		slices.Sort(lat)
		t.Logf("%-24s %d updates in %d chats: p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%.0f answers/s)",
			tc.name, len(lat), len(lat), ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1]), float64(len(lat))/took.Seconds())
		h.stop()
	}
}
