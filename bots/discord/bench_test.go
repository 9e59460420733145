package discord

import (
	"slices"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
)

// BenchmarkInteractions drives 500 /watwerkt interactions through the
// fake Discord per iteration and reports, from INTERACTION_CREATE
// written to the gateway, the time to the deferred response (defer_*)
// and to the final edit with the answer (answer_*), as p50 and p99 in
// milliseconds. "paced" sends one at a time; "burst" sends all 500 at
// once, so its figures include queueing.
//
//	go test -run '^$' -bench Interactions -benchtime 1x ./bots/discord/
func BenchmarkInteractions(b *testing.B) {
	const n = 500
	for _, mode := range []string{"paced", "burst"} {
		b.Run(mode, func(b *testing.B) {
			h := start(b, setup{cfg: Config{Limits: bots.LimitConfig{UserBurst: 1 << 20, ChannelBurst: 1 << 20}}})
			var deferred, answered []time.Duration
			b.ResetTimer()
			for range b.N {
				var sent []fakediscord.Interaction
				for range n {
					in := h.command("wachtlijst")
					sent = append(sent, in)
					if mode == "paced" {
						h.request("the answer", is("PATCH", h.originalPath(in)))
					}
				}
				h.wait("all answers", func() bool {
					for _, in := range sent {
						if got, _ := h.fake.Interaction(in.Token); got.Edited.IsZero() {
							return false
						}
					}
					return true
				})
				for _, in := range sent {
					got, _ := h.fake.Interaction(in.Token)
					deferred = append(deferred, got.Responded.Sub(got.Dispatched))
					answered = append(answered, got.Edited.Sub(got.Dispatched))
				}
			}
			b.StopTimer()
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(percentile(deferred, 50)), "defer_p50_ms")
			b.ReportMetric(ms(percentile(deferred, 99)), "defer_p99_ms")
			b.ReportMetric(ms(percentile(answered, 50)), "answer_p50_ms")
			b.ReportMetric(ms(percentile(answered, 99)), "answer_p99_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}
