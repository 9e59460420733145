package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	// restTimeout bounds every REST call, rate-limit waits included, so
	// that no call outlives an interaction (15 minutes) or a shutdown.
	restTimeout = 10 * time.Second

	// maxRateLimitRetries is how often one call waits out a 429.
	maxRateLimitRetries = 3
)

// rateLimitedError is returned when Discord asks the bot to wait longer
// than the call's deadline allows, or keeps asking.
type rateLimitedError struct {
	Route      string
	RetryAfter time.Duration
}

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("%s: rate limited, retry after %v", e.Route, e.RetryAfter)
}

// call sends one request to Discord's REST API and returns the body of
// the response. route names the endpoint for logs and errors without
// the ids and tokens in the URL ("POST channels/{channel}/messages").
//
// discordgo v0.29.0 sleeps on rate limits without looking at the
// request's context: a 429 is retried after time.Sleep(retry_after),
// and once a bucket's X-RateLimit-Remaining reaches 0 the next request
// on it sleeps until the reset, holding the bucket's mutex meanwhile.
// Its bucket table also keeps an entry per URL, which for interactions
// means one per token, forever. So each call takes a bucket from a
// throwaway limiter (nothing to sleep on, nothing kept), discordgo's own
// 429 retry is off, and 429s are retried here on the context: a wait
// that would pass the deadline fails at once.
func (b *Bot) call(ctx context.Context, method, u, route string, body any) ([]byte, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s: %w", route, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		bucket := discordgo.NewRatelimiter().LockBucket(route)
		resp, err := b.s.RequestWithLockedBucket(method, u, "application/json", data, bucket, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
		if err == nil {
			return resp, nil
		}
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) {
			return nil, fmt.Errorf("%s: %w", route, withoutURL(err))
		}
		wait := max(rl.RetryAfter, 0)
		limited := &rateLimitedError{Route: route, RetryAfter: wait}
		if attempt >= maxRateLimitRetries {
			return nil, limited
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, limited
		}
		b.log.Warn("rate limited", "route", route, "retry_after", wait)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", route, err)
		}
	}
}

// withoutURL drops the URL from transport errors: for interactions it
// holds the interaction token, which has no place in a log.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// api is the REST base. discordgo v0.29.0 builds its endpoints on API
// v9 (APIVersion is a package variable we leave alone); the bot's own
// calls go to v10, the current version and the one Discord's OpenAPI
// spec describes. The gateway speaks v10 too (gwconn.go).
const api = "https://discord.com/api/v10/"

// endpoint joins path segments onto api, escaping ids and tokens.
func endpoint(segments ...string) string {
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return api + strings.Join(segments, "/")
}

// The endpoints the bot uses.

func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, typ int, m *message) error {
	_, err := b.call(ctx, "POST", endpoint("interactions", i.ID, i.Token, "callback"),
		"POST interactions/{id}/{token}/callback", interactionResponse{Type: typ, Data: m})
	return err
}

func (b *Bot) editOriginal(ctx context.Context, i *discordgo.Interaction, m *message) error {
	_, err := b.call(ctx, "PATCH", endpoint("webhooks", i.AppID, i.Token, "messages", "@original"),
		"PATCH webhooks/{app}/{token}/messages/@original", m)
	return err
}

func (b *Bot) followup(ctx context.Context, i *discordgo.Interaction, m *message) error {
	_, err := b.call(ctx, "POST", endpoint("webhooks", i.AppID, i.Token),
		"POST webhooks/{app}/{token}", m)
	return err
}

func (b *Bot) send(ctx context.Context, channel string, m *message) error {
	_, err := b.call(ctx, "POST", endpoint("channels", channel, "messages"),
		"POST channels/{channel}/messages", m)
	return err
}

// register installs /watwerkt with a bulk overwrite, so restarts do not
// add copies: guild-scoped when a guild is configured (visible at once,
// handy while testing), global otherwise.
func (b *Bot) register(ctx context.Context, app string) error {
	u := endpoint("applications", app, "commands")
	route := "PUT applications/{app}/commands"
	if b.cfg.GuildID != "" {
		u = endpoint("applications", app, "guilds", b.cfg.GuildID, "commands")
		route = "PUT applications/{app}/guilds/{guild}/commands"
	}
	_, err := b.call(ctx, "PUT", u, route, []command{watwerktCommand()})
	return err
}

// gatewayBot asks where the gateway is (GET gateway/bot).
func (b *Bot) gatewayBot(ctx context.Context) (string, error) {
	body, err := b.call(ctx, "GET", endpoint("gateway", "bot"), "GET gateway/bot", nil)
	if err != nil {
		return "", err
	}
	var g struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &g); err != nil || g.URL == "" {
		return "", fmt.Errorf("GET gateway/bot: no url in %d bytes", len(body))
	}
	return g.URL, nil
}
