// Command chatload is the service-level load test: it starts the real
// `watwerkt serve` binary against the project's fake Discord and fake
// Telegram, then for a while lets simulated chat users ask questions on
// both platforms while API clients query /api/search, and reports
// answer latencies, errors and the service's memory.
//
//	go build -o /tmp/watwerkt ./cmd/watwerkt
//	go run ./bench/chatload -bin /tmp/watwerkt -data DIR [-users 200] [-api-clients 64] [-duration 60s]
//
// DIR must hold an index (e.g. after `WATWERKT_DATA=DIR watwerkt ask x`,
// which builds the demo corpus). Each chat user asks a question every
// 7–9 s (inside the bots' default per-user limit, so none is told to slow
// down); half of them are Telegram users in private chats, half Discord
// users with the slash command. A question counts as an error when no
// answer arrives within 15 s.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
	"github.com/watwerkt/watwerkt/bots/telegram/faketelegram"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chatload:", err)
		os.Exit(1)
	}
}

var questions = []string{
	"wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?",
	"wachtlijst jeugd-GGZ", "dialoogtafel", "wat werkt bij gezinnen met schulden?",
	"licht verstandelijke beperking ouders", "hoe betrek je ouders bij het wijkteam?",
	"what works for families in debt?", "informele mentor", "schoolverzuim", "JIM-aanpak",
}

type result struct {
	lat   []time.Duration
	fails int
}

func (r *result) add(d time.Duration, ok bool) {
	if ok {
		r.lat = append(r.lat, d)
	} else {
		r.fails++
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("chatload", flag.ContinueOnError)
	bin := fs.String("bin", "", "the watwerkt binary (go build -o … ./cmd/watwerkt)")
	data := fs.String("data", "", "data directory with an index")
	users := fs.Int("users", 200, "simulated chat users (half Telegram, half Discord)")
	apiClients := fs.Int("api-clients", 64, "concurrent /api/search clients")
	duration := fs.Duration("duration", 60*time.Second, "how long to load")
	verbose := fs.Bool("v", false, "report each unanswered question")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" || *data == "" {
		return fmt.Errorf("-bin and -data are required")
	}

	const tgToken, dcToken = "5555:chatload-telegram", "chatload.discord.token"
	tg := faketelegram.New(tgToken, faketelegram.User{ID: 1, IsBot: true, FirstName: "watwerkt", Username: "WatWerktBot"})
	defer tg.Close()
	dc, err := fakediscord.Start(fakediscord.Options{Token: dcToken})
	if err != nil {
		return err
	}
	defer dc.Close()
	dcAPI := "http" + strings.TrimSuffix(strings.TrimPrefix(dc.GatewayURL(), "ws"), "/gw/")

	// The fake numbers updates from 1 on every start; an offset kept by
	// an earlier run would hide them from the bot.
	if old, _ := filepath.Glob(filepath.Join(*data, "telegram*.offset")); len(old) > 0 {
		for _, f := range old {
			os.Remove(f)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, *bin, "serve", "--addr", "127.0.0.1:0", "--data", *data)
	cmd.Env = append(os.Environ(), "TELEGRAM_TOKEN="+tgToken, "TELEGRAM_API_URL="+tg.URL(),
		"DISCORD_TOKEN="+dcToken, "DISCORD_API_URL="+dcAPI)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	base := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "luistert op "); ok {
			base = strings.Fields(rest)[0]
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if base == "" {
		return fmt.Errorf("serve did not start")
	}
	wait, stopWait := context.WithTimeout(ctx, 30*time.Second)
	if err := tg.WaitPolling(wait); err != nil {
		stopWait()
		return fmt.Errorf("telegram bot not polling: %w", err)
	}
	if err := dc.Wait(wait, func() bool { return dc.Stats().Readies > 0 }); err != nil {
		stopWait()
		return fmt.Errorf("discord bot not ready: %w", err)
	}
	stopWait()

	// Memory of the service, sampled every second.
	var rss []int64
	var rssMu sync.Mutex
	sample := func() {
		if kb := rssKB(cmd.Process.Pid); kb > 0 {
			rssMu.Lock()
			rss = append(rss, kb)
			rssMu.Unlock()
		}
	}
	sample()
	load, stopLoad := context.WithTimeout(ctx, *duration)
	defer stopLoad()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-load.Done():
				return
			case <-t.C:
				sample()
			}
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	api, tgRes, dcRes := &result{}, &result{}, &result{}

	// API clients.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *apiClients}, Timeout: 10 * time.Second}
	for c := 0; c < *apiClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			mine := &result{}
			for i := c; load.Err() == nil; i++ {
				t0 := time.Now()
				resp, err := client.Get(base + "/api/search?q=" + url.QueryEscape(questions[i%len(questions)]))
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if load.Err() == nil {
					mine.add(time.Since(t0), ok)
				}
			}
			mu.Lock()
			api.lat, api.fails = append(api.lat, mine.lat...), api.fails+mine.fails
			mu.Unlock()
		}(c)
	}

	// Telegram users: private chats 1000+i; the answer is the first
	// sendMessage to that chat after the question.
	for u := 0; u < *users/2; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(u)))
			chat := faketelegram.Chat{ID: int64(1000 + u), Type: "private"}
			from := faketelegram.User{ID: int64(1000 + u), FirstName: "Gebruiker"}
			mine := &result{}
			for ok := sleep(load, time.Duration(rng.Intn(9000))*time.Millisecond); ok; {
				before := lastSeq(tg)
				t0 := time.Now()
				tg.SendText(chat, from, questions[rng.Intn(len(questions))])
				w, cancel := context.WithTimeout(ctx, 15*time.Second)
				c, err := tg.WaitCall(w, "sendMessage", func(c faketelegram.Call) bool {
					// match runs under the fake's lock: no calls into it here.
					return c.Seq > before && c.Params["chat_id"] == strconv.FormatInt(chat.ID, 10)
				})
				cancel()
				if err != nil && *verbose {
					fmt.Fprintf(os.Stderr, "telegram chat %d: no answer within 15 s (asked at %s)\n", chat.ID, t0.Format("15:04:05.000"))
				}
				mine.add(c.At.Sub(t0), err == nil)
				ok = sleep(load, time.Duration(7000+rng.Intn(2000))*time.Millisecond)
			}
			mu.Lock()
			tgRes.lat, tgRes.fails = append(tgRes.lat, mine.lat...), tgRes.fails+mine.fails
			mu.Unlock()
		}(u)
	}

	// Discord users: slash commands in their own channels; the answer
	// time is the fake's record of the edit of the deferred response.
	var tokensMu sync.Mutex
	var tokens []string
	for u := 0; u < *users-*users/2; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(10000 + u)))
			id := strconv.Itoa(500000 + u)
			for sleep(load, time.Duration(rng.Intn(9000))*time.Millisecond) {
				in, err := dc.SendCommand(fakediscord.Command{GuildID: "42", ChannelID: id, UserID: id, UserName: "gebruiker" + id,
					Options: []fakediscord.Option{{Name: "vraag", Value: questions[rng.Intn(len(questions))]}}})
				if err == nil {
					tokensMu.Lock()
					tokens = append(tokens, in.Token)
					tokensMu.Unlock()
				}
				if !sleep(load, time.Duration(7000+rng.Intn(2000))*time.Millisecond) {
					break
				}
			}
		}(u)
	}
	wg.Wait()
	time.Sleep(15 * time.Second) // let the last Discord answers arrive
	sample()
	for _, tok := range tokens {
		in, ok := dc.Interaction(tok)
		dcRes.add(in.Edited.Sub(in.Dispatched), ok && !in.Edited.IsZero())
	}

	if *verbose {
		count := map[string]int{}
		for _, c := range tg.Calls("") {
			count[c.Method+" "+strconv.Itoa(c.Status)]++
		}
		fmt.Fprintf(os.Stderr, "telegram calls by method and status: %v\n", count)
	}
	cancel()
	cmd.Wait()

	line := func(name string, r *result) {
		sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
		fmt.Fprintf(out, "%-9s %7d answered  %5d errors  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms\n",
			name, len(r.lat), r.fails, pct(r.lat, 50), pct(r.lat, 95), pct(r.lat, 99))
	}
	fmt.Fprintf(out, "%d chat users (%d Telegram, %d Discord), %d API clients, %s:\n", *users, *users/2, *users-*users/2, *apiClients, *duration)
	line("api", api)
	line("telegram", tgRes)
	line("discord", dcRes)
	rssMu.Lock()
	defer rssMu.Unlock()
	if len(rss) > 0 {
		peak := rss[0]
		for _, v := range rss {
			peak = max(peak, v)
		}
		q := len(rss) / 4
		fmt.Fprintf(out, "serve RSS: start %.1f MB, after 1/4 %.1f MB, end %.1f MB, peak %.1f MB\n",
			float64(rss[0])/1024, float64(rss[q])/1024, float64(rss[len(rss)-1])/1024, float64(peak)/1024)
	}
	return nil
}

// lastSeq is the sequence number of the fake's latest call, -1 if none.
func lastSeq(s *faketelegram.Server) int {
	all := s.Calls("")
	if len(all) == 0 {
		return -1
	}
	return all[len(all)-1].Seq
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func pct(s []time.Duration, p float64) float64 {
	if len(s) == 0 {
		return 0
	}
	k := int(p/100*float64(len(s))+0.5) - 1
	return float64(s[max(0, min(k, len(s)-1))].Microseconds()) / 1000
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
