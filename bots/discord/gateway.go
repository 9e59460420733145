package discord

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The bot speaks the gateway itself (gwconn.go) and uses discordgo for
// REST and the event types only. discordgo v0.29.0's gateway cannot be
// made robust from the outside:
//
//   - Open waits for READY without a deadline, holding the session's
//     lock, and its op 9 handling sends Identify on the open connection
//     with nothing waiting for the READY: a READY that never comes
//     leaves the bot connected and deaf.
//   - Every close it makes (missed heartbeat ACKs, read errors, Close)
//     sends 1000, which makes Discord drop the session: the resume
//     that follows gets op 9 and the events in between are lost.
//   - Its heartbeat goroutine, when its connection closes under it
//     (op 7, say) before it has looked at its stop channel, fails its
//     write and calls Session.Close, which by then closes the *next*
//     connection, with 1000. Under load this lost the session right
//     after most op 7 reconnects, and the command sent meanwhile.
//   - It resumes on the main gateway instead of resume_gateway_url.
//
// So: supervise runs one connection at a time. Each is under a
// watchdog from the dial until READY or RESUMED (Config.ReadyTimeout):
// when neither comes, the connection is closed and the next one starts.
// Connections end with 4000, which keeps the session resumable, except
// at shutdown (1000: the bot goes offline at once). A resume that keeps
// failing gives way to a new Identify, as do op 9 d:false and the close
// codes that say the session is gone.

// maxFailedResumes is how many resumes in a row may fail (no RESUMED in
// time, or the connection dropped before it) before the bot gives the
// session up and identifies anew. One failure may be a slow or lost
// connection; two look like a session the gateway no longer serves.
const maxFailedResumes = 2

// supervise keeps the bot connected until ctx is done. It returns an
// error only when Discord refuses the bot for good.
func (b *Bot) supervise(ctx context.Context) error {
	var back backoff
	sess := &session{}
	failed := 0
	for ctx.Err() == nil {
		resuming := sess.id != ""
		ready, err := b.connect(ctx, sess)
		if ctx.Err() != nil {
			return nil
		}
		if fatal(err) {
			b.log.Error("gateway refused the bot", "err", err)
			return fmt.Errorf("discord: %w", err)
		}
		if ready {
			// The first reconnect after a good connection is immediate
			// (op 7 asks for that); failing ones back off.
			back, failed = backoff{}, 0
		} else if resuming {
			failed++
		}
		wait := back.next()
		var inv *invalidSessionError
		switch {
		case errors.As(err, &inv) && !inv.resumable:
			// Discord asks for a pause of 1 to 5 s before the new
			// Identify, so that a gateway in trouble is not flooded.
			sess.reset()
			failed = 0
			wait = max(wait, b.invalidWait())
		case sessionGone(err):
			sess.reset()
			failed = 0
		case failed >= maxFailedResumes:
			b.log.Warn("resuming keeps failing; identifying anew", "attempts", failed)
			sess.reset()
			failed = 0
		}
		if ready {
			b.log.Warn("gateway connection lost; reconnecting", "err", err, "retry_in", wait)
		} else {
			b.log.Warn("gateway connection failed", "err", err, "retry_in", wait)
			b.gateway = "" // look it up again: it may have moved
		}
		if sleep(ctx, wait) != nil {
			return nil
		}
	}
	return nil
}

// connect finds the gateway and runs one connection on it.
func (b *Bot) connect(ctx context.Context, sess *session) (ready bool, err error) {
	if err := b.discover(ctx); err != nil {
		return false, err
	}
	return b.run(ctx, sess)
}

// fatal reports errors that retrying cannot fix: a token Discord does
// not accept, intents or a version it refuses.
func fatal(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
}

// sessionGone reports close codes after which the session cannot be
// resumed: an unknown sequence (4007), a timed-out session (4009), or a
// connection that was never authenticated (4003).
func sessionGone(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4003, 4007, 4009:
			return true
		}
	}
	return false
}

// pauseAfterInvalid is Discord's 1 to 5 s between op 9 and a new
// Identify; Bot.invalidWait, which tests shorten.
func pauseAfterInvalid() time.Duration {
	return time.Second + rand.N(4*time.Second)
}

// discover finds the gateway URL: Config.GatewayURL, or GET gateway/bot
// with our context and deadline. Only the supervisor goroutine uses
// b.gateway.
func (b *Bot) discover(ctx context.Context) error {
	if b.gateway != "" {
		return nil
	}
	u := b.cfg.GatewayURL
	if u == "" {
		var err error
		if u, err = b.gatewayBot(ctx); err != nil {
			return err
		}
	}
	b.gateway = u
	return nil
}

// backoff waits 0, 1, 2, 4 … 60 s between attempts, with jitter so that
// many bots do not reconnect in step.
type backoff struct{ n int }

func (b *backoff) next() time.Duration {
	n := b.n
	b.n++
	if n == 0 {
		return 0
	}
	d := min(time.Second<<min(n-1, 6), time.Minute)
	return d/2 + rand.N(d/2+1)
}
