// Command botbench measures how long the chat bots take to answer: a
// question goes into the fake Telegram Bot API or the fake Discord
// gateway, the bot searches our index and renders the answer, and the
// time until the fake receives sendMessage (Telegram) or the POST of the
// reply (Discord) is the answer latency. It prints bench/measure "bot"
// records. benchtable builds and runs it separately, so that bots that
// are being reworked cannot break the other benchmarks.
//
//	botbench -index DIR -questions q.tsv [-n 200]
//
// Each question comes from a new user in a new chat, spaced out so that
// neither the bots' question limits nor Telegram's 30 messages/s send
// limit delay an answer: the figure is the work, not a queue.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/bench/measure"
	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/discord"
	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
	"github.com/watwerkt/watwerkt/bots/telegram"
	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
	"github.com/watwerkt/watwerkt/search"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "botbench:", err)
		os.Exit(1)
	}
}

const token = "1234567:bench-token-not-secret"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("botbench", flag.ContinueOnError)
	index := fs.String("index", "", "versions root of an index built by benchtable")
	qpath := fs.String("questions", "", "questions TSV: id, text")
	n := fs.Int("n", 200, "questions per platform")
	gap := fs.Duration("gap", 50*time.Millisecond, "pause between questions")
	platforms := fs.String("platforms", "telegram,discord", "which bots")
	if err := fs.Parse(args); err != nil {
		return err
	}
	qs, err := readShort(*qpath, *n)
	if err != nil {
		return err
	}
	eng, err := search.Versions{Root: *index}.OpenCurrent()
	if err != nil {
		return err
	}
	defer eng.Close()
	r := &bots.Responder{Searcher: search.ForBots(eng), PageSize: bots.DefaultPageSize}
	w := measure.NewWriter(stdout)
	defer w.Flush()
	for _, p := range strings.Split(*platforms, ",") {
		var lat []time.Duration
		switch strings.TrimSpace(p) {
		case "telegram":
			lat, err = benchTelegram(ctx, r, qs, *gap)
		case "discord":
			lat, err = benchDiscord(ctx, r, qs, *gap)
		default:
			return fmt.Errorf("unknown platform %q", p)
		}
		if err != nil {
			w.Record("note", fmt.Sprintf("%s: %v", p, err))
			continue
		}
		fields := []any{len(lat)}
		for _, d := range lat {
			fields = append(fields, d.Nanoseconds())
		}
		w.Record("bot", append([]any{p}, fields...)...)
	}
	return nil
}

// readShort reads the texts of the first n questions of a question file.
func readShort(path string, n int) ([]string, error) {
	qs, err := measure.ReadQuestions(path, n)
	var texts []string
	for _, q := range qs {
		texts = append(texts, q.Text)
	}
	return texts, err
}

// roomy question limits: every question comes from a new user anyway.
var roomy = bots.LimitConfig{UserEvery: time.Millisecond, UserBurst: 1000, ChannelEvery: time.Millisecond, ChannelBurst: 1000}

// warmUp questions are asked first and not counted.
const warmUp = 5

func benchTelegram(ctx context.Context, r *bots.Responder, qs []string, gap time.Duration) ([]time.Duration, error) {
	fake := faketelegram.New(token, faketelegram.User{})
	defer fake.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bot, err := telegram.New(ctx, telegram.Config{Token: token, APIURL: fake.URL(), PollTimeout: 10 * time.Second, Limits: roomy}, r)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, waitLimit)
	err = fake.WaitPolling(wctx)
	wcancel()
	if err != nil {
		return nil, err
	}
	return timeAnswers(ctx, qs, gap, func(ctx context.Context, i int, q string) (time.Time, error) {
		id := int64(100000 + i)
		user := faketelegram.User{ID: id, FirstName: "Vrager"}
		chat := faketelegram.Chat{ID: id, Type: "private", FirstName: "Vrager"}
		fake.SendText(chat, user, q)
		c, err := fake.WaitCall(ctx, "sendMessage", func(c faketelegram.Call) bool {
			return c.Params["chat_id"] == fmt.Sprint(id)
		})
		return c.At, err
	})
}

func benchDiscord(ctx context.Context, r *bots.Responder, qs []string, gap time.Duration) ([]time.Duration, error) {
	fake, err := fakediscord.Start(fakediscord.Options{Token: token})
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bot, err := discord.New(discord.Config{Token: token, HTTPClient: fake.Client(), GatewayURL: fake.GatewayURL(), Limits: roomy}, r)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, waitLimit)
	err = fake.Wait(wctx, func() bool { return fake.Stats().Readies > 0 })
	wcancel()
	if err != nil {
		return nil, fmt.Errorf("no READY: %w", err)
	}
	return timeAnswers(ctx, qs, gap, func(ctx context.Context, i int, q string) (time.Time, error) {
		channel := fmt.Sprint(700000000000000000 + i)
		if _, err := fake.SendMessage(fakediscord.Message{ChannelID: channel, AuthorID: fmt.Sprint(800000000000000000 + i), AuthorName: "vrager", Content: q}); err != nil {
			return time.Time{}, err
		}
		req, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return r.Method == "POST" && r.Path == "/channels/"+channel+"/messages"
		})
		return req.At, err
	})
}

// timeAnswers asks the questions one after the other, gap apart, and
// returns the time from each question (but the warm-up ones) to the
// answer ask saw the bot send. A bot that does not answer within
// waitLimit fails the measurement instead of hanging it.
func timeAnswers(ctx context.Context, qs []string, gap time.Duration, ask func(context.Context, int, string) (time.Time, error)) ([]time.Duration, error) {
	var lat []time.Duration
	for i, q := range withWarmUp(qs) {
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, waitLimit)
		at, err := ask(wctx, i, q)
		cancel()
		if err != nil {
			return nil, err
		}
		if i >= warmUp {
			lat = append(lat, at.Sub(start))
		}
		time.Sleep(gap)
	}
	return lat, nil
}

// waitLimit bounds one wait on a fake, so a bot that never answers fails
// the measurement instead of hanging it.
const waitLimit = 30 * time.Second

// withWarmUp returns the questions to ask: the first few twice.
func withWarmUp(qs []string) []string {
	return append(append([]string(nil), qs[:min(warmUp, len(qs))]...), qs...)
}
