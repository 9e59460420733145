package discord

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/discord/fakediscord"
	"github.com/watwerkt/watwerkt/corpus"
)

// noPings checks that a request body carries allowed_mentions with an
// empty parse list, at the top or in data.
func noPings(t *testing.T, r fakediscord.Request) {
	t.Helper()
	var body struct {
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
		Data *struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	am := body.AllowedMentions
	if body.Data != nil {
		am = body.Data.AllowedMentions
	}
	if am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("%s %s: allowed_mentions = %s, want {\"parse\": []}", r.Method, r.Path, r.Body)
	}
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: Config{GuildID: guildID}})
	reg := h.request("command registration", is("PUT", "/applications/"+h.fake.AppID()+"/guilds/"+guildID+"/commands"))
	var cmds []command
	if err := json.Unmarshal(reg.Body, &cmds); err != nil || len(cmds) != 1 || cmds[0].Name != "watwerkt" || len(cmds[0].Options) != 3 {
		t.Fatalf("registered %s, want one /watwerkt with 3 options", reg.Body)
	}
	if o := cmds[0].Options[0]; o.Name != "vraag" || !o.Required {
		t.Errorf("first option = %+v, want the required vraag", o)
	}

	in := h.command("wachtlijst")
	edit := h.request("the answer", is("PATCH", h.originalPath(in)))
	reqs := h.fake.Requests()
	deferAt := slices.IndexFunc(reqs, is("POST", callbackPath(in)))
	editAt := slices.IndexFunc(reqs, is("PATCH", h.originalPath(in)))
	if deferAt < 0 || deferAt > editAt {
		t.Fatalf("defer at %d, edit at %d: want the defer first", deferAt, editAt)
	}
	if cb := decode(t, reqs[deferAt]); cb.Type != respondDeferred {
		t.Errorf("callback type = %d, want 5 (deferred)", cb.Type)
	}
	noPings(t, reqs[deferAt])
	noPings(t, edit)

	m := decode(t, edit).message
	if !strings.Contains(m.Content, "wachtlijst") || !strings.Contains(m.Content, "12 resultaten") {
		t.Errorf("content = %q, want the header", m.Content)
	}
	if len(m.Embeds) != 5 {
		t.Fatalf("%d embeds, want 5", len(m.Embeds))
	}
	e := m.Embeds[0]
	if e.Title != `1\. Wachtlijst overbruggen, deel 1` || e.URL != "https://werkplaats.example/nieuws/wachtlijst-1" {
		t.Errorf("first embed title %q url %q", e.Title, e.URL)
	}
	wantDesc := "Academische Werkplaats Jeugd Rivierenland · 26 november 2021\nGezinnen op de **wachtlijst** krijgen overbruggingshulp (1)."
	if e.Description != wantDesc {
		t.Errorf("description = %q\nwant %q", e.Description, wantDesc)
	}
	ids := customIDs(m)
	if len(ids) != 3 || !strings.HasPrefix(ids[0], "m:") || !strings.HasSuffix(ids[1], ":+") || !strings.HasSuffix(ids[2], ":-") {
		t.Errorf("buttons %v, want Meer, 👍, 👎", ids)
	}
	if q := h.search.lastCall(); q.Platform != "discord" || q.Channel != channelID || q.Text != "wachtlijst" {
		t.Errorf("searched %+v", q)
	}
}

func TestCommandFilters(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: Config{DefaultSource: "rivierenland"}})
	h.request("global registration", is("PUT", "/applications/"+h.fake.AppID()+"/commands"))
	in := h.command("wachtlijst", fakediscord.Option{Name: "thema", Value: "opvoeden\u200b"})
	h.request("the answer", is("PATCH", h.originalPath(in)))
	q := h.search.lastCall()
	if q.Filters["bron"] != "rivierenland" || q.Filters["thema"] != "opvoeden" {
		t.Errorf("filters = %v, want the default bron and the thema without its zero-width space", q.Filters)
	}
	in = h.command("wachtlijst", fakediscord.Option{Name: "bron", Value: "verwey-jonker"})
	h.request("the answer", is("PATCH", h.originalPath(in)))
	if q := h.search.lastCall(); q.Filters["bron"] != "verwey-jonker" {
		t.Errorf("filters = %v, want the bron asked for", q.Filters)
	}
}

func TestMeerPages(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	in, first := h.answered("wachtlijst")
	more := customIDs(first.message)[0]
	click, err := h.fake.SendClick(fakediscord.Click{GuildID: guildID, ChannelID: channelID, UserID: userID1, CustomID: more, MessageID: mustInteraction(t, h, in).MessageID})
	if err != nil {
		t.Fatal(err)
	}
	up := h.request("the update", is("POST", callbackPath(click)))
	upd := decode(t, up)
	if upd.Type != respondUpdateMessage || upd.Data == nil || slices.Contains(customIDs(*upd.Data), more) || len(customIDs(*upd.Data)) != 2 {
		t.Errorf("update = %s, want type 7 keeping only 👍 and 👎", up.Body)
	}
	noPings(t, up)
	f := h.request("the next page", is("POST", h.followupPath(click)))
	noPings(t, f)
	page := decode(t, f).message
	want := []string{`6\. Wachtlijst overbruggen, deel 6`, `7\. Wachtlijst overbruggen, deel 7`, `8\. Wachtlijst overbruggen, deel 8`,
		`9\. Wachtlijst overbruggen, deel 9`, `10\. Wachtlijst overbruggen, deel 10`}
	if got := titles(page); !slices.Equal(got, want) {
		t.Errorf("next page titles = %q\nwant %q", got, want)
	}
	if ids := customIDs(page); len(ids) != 3 || ids[0] == more {
		t.Errorf("next page buttons %v, want a Meer of its own", ids)
	}
}

func mustInteraction(t *testing.T, h *harness, in fakediscord.Interaction) fakediscord.Interaction {
	t.Helper()
	got, ok := h.fake.Interaction(in.Token)
	if !ok {
		t.Fatal("unknown interaction")
	}
	return got
}

func TestFeedbackStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := corpus.OpenStore(ctx, t.TempDir()+"/corpus.db")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := start(t, setup{recorder: store})
	in, first := h.answered("wachtlijst")
	up := customIDs(first.message)[1]
	click, err := h.fake.SendClick(fakediscord.Click{GuildID: guildID, ChannelID: channelID, UserID: userID1, UserName: userName1, CustomID: up, MessageID: mustInteraction(t, h, in).MessageID})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.request("the deferral", is("POST", callbackPath(click)))
	if d := decode(t, cb); d.Type != respondDeferred || d.Data == nil || d.Data.Flags != flagEphemeral {
		t.Errorf("callback = %s, want a deferred ephemeral response", cb.Body)
	}
	thanks := h.request("the thank-you", is("PATCH", h.originalPath(click)))
	noPings(t, thanks)
	if got := decode(t, thanks).Content; got != "Dank je voor je beoordeling! Daarmee maken we de antwoorden beter." {
		t.Errorf("thank-you = %q", got)
	}
	h.stop()

	fb, err := store.FeedbackSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fb) != 1 {
		t.Fatalf("%d feedback rows, want 1", len(fb))
	}
	f := fb[0]
	if f.Platform != "discord" || f.Channel != channelID || f.Question != "wachtlijst" || f.Rating != 1 ||
		!slices.Equal(f.ResultIDs, []string{"id1", "id2", "id3", "id4", "id5"}) {
		t.Errorf("stored %+v", f)
	}
	row, _ := json.Marshal(f)
	qs, _ := store.Questions(ctx, time.Time{})
	log, _ := json.Marshal(qs)
	for _, secret := range []string{userID1, userName1} {
		if strings.Contains(string(row), secret) || strings.Contains(string(log), secret) {
			t.Errorf("the store holds the user's %q", secret)
		}
	}
}

func TestExpiredAndUnknownButtons(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	for _, id := range []string{"m:AAAAAAAAAA", "f:AAAAAAAAAA:+", "x:whatever"} {
		click, err := h.fake.SendClick(fakediscord.Click{GuildID: guildID, ChannelID: channelID, UserID: userID1, CustomID: id, MessageID: "1"})
		if err != nil {
			t.Fatal(err)
		}
		r := h.request("the refusal", is("POST", callbackPath(click)))
		d := decode(t, r)
		if d.Type != respondMessage || d.Data == nil || d.Data.Flags != flagEphemeral || d.Data.Content != bots.Expired(false) {
			t.Errorf("%s: response %s, want the ephemeral expired text", id, r.Body)
		}
	}
}

func TestMention(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	bot := h.fake.BotID()
	send := func(m fakediscord.Message) string {
		id, err := h.fake.SendMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Not mentioned, from the bot itself, from another bot: ignored.
	send(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, AuthorName: userName1, Content: "wachtlijst"})
	send(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: bot, AuthorName: "watwerkt", AuthorBot: true, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	send(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: "9", AuthorName: "anderebot", AuthorBot: true, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	asked := send(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, AuthorName: userName1, Content: "<@!" + bot + "> wachtlijst", MentionBot: true})
	r := h.request("the reply", is("POST", "/channels/"+channelID+"/messages"))
	noPings(t, r)
	var body struct {
		message
		AllowedMentions struct {
			Parse       []string `json:"parse"`
			RepliedUser *bool    `json:"replied_user"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.AllowedMentions.RepliedUser == nil || *body.AllowedMentions.RepliedUser {
		t.Errorf("replied_user = %v, want false", body.AllowedMentions.RepliedUser)
	}
	if ref := body.MessageReference; ref == nil || ref.MessageID != asked || ref.ChannelID != channelID || ref.GuildID != guildID {
		t.Errorf("message_reference = %+v, want the question %s", ref, asked)
	}
	if len(body.Embeds) != 5 || body.Embeds[0].Title != `1\. Wachtlijst overbruggen, deel 1` {
		t.Errorf("embeds %q", titles(body.message))
	}
	// One more mention, so that a wrongly answered message above would
	// have had the time to show up too.
	send(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, AuthorName: userName1, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	h.wait("two replies", func() bool { return count(h.fake.Requests(), is("POST", "/channels/"+channelID+"/messages")) >= 2 })
	h.stop()
	if n := count(h.fake.Requests(), is("POST", "/channels/"+channelID+"/messages")); n != 2 {
		t.Errorf("%d replies, want 2 (the ignored messages got answers)", n)
	}
}

func count(reqs []fakediscord.Request, match func(fakediscord.Request) bool) int {
	n := 0
	for _, r := range reqs {
		if match(r) {
			n++
		}
	}
	return n
}

func TestDirectMessageMore(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	const dm = "760000000000000001"
	replies := func(n int) []fakediscord.Request {
		var out []fakediscord.Request
		h.wait("replies", func() bool {
			out = nil
			for _, r := range h.fake.Requests() {
				if is("POST", "/channels/"+dm+"/messages")(r) {
					out = append(out, r)
				}
			}
			return len(out) >= n
		})
		return out
	}
	if _, err := h.fake.SendMessage(fakediscord.Message{ChannelID: dm, AuthorID: userID1, AuthorName: userName1, Content: "wachtlijst"}); err != nil {
		t.Fatal(err)
	}
	first := decode(t, replies(1)[0]).message
	if len(first.Embeds) != 5 {
		t.Fatalf("first reply has %d embeds", len(first.Embeds))
	}
	if _, err := h.fake.SendMessage(fakediscord.Message{ChannelID: dm, AuthorID: userID1, AuthorName: userName1, Content: "Meer!"}); err != nil {
		t.Fatal(err)
	}
	second := decode(t, replies(2)[1]).message
	if got := titles(second); len(got) != 5 || got[0] != `6\. Wachtlijst overbruggen, deel 6` {
		t.Errorf("after meer: %q, want results 6–10", got)
	}
}

func TestNotAllowed(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: Config{AllowedGuilds: []string{guildID}, AllowedChannels: []string{channelID}}})
	for _, where := range []struct{ guild, channel string }{{"799", channelID}, {guildID, "798"}, {"", "797"}} {
		in, err := h.fake.SendCommand(fakediscord.Command{GuildID: where.guild, ChannelID: where.channel, UserID: userID1, UserName: userName1,
			Options: []fakediscord.Option{{Name: "vraag", Value: "wachtlijst"}}})
		if err != nil {
			t.Fatal(err)
		}
		r := h.request("the refusal", is("POST", callbackPath(in)))
		d := decode(t, r)
		if d.Type != respondMessage || d.Data == nil || d.Data.Flags != flagEphemeral || d.Data.Content != notHereNL {
			t.Errorf("%v: %s, want the ephemeral Dutch refusal", where, r.Body)
		}
	}
	// Messages from elsewhere are ignored; the allowed one is answered.
	bot := h.fake.BotID()
	h.fake.SendMessage(fakediscord.Message{GuildID: "799", ChannelID: "796", AuthorID: userID1, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	h.fake.SendMessage(fakediscord.Message{ChannelID: "795", AuthorID: userID1, Content: "wachtlijst"})
	h.fake.SendMessage(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, Content: "<@" + bot + "> wachtlijst", MentionBot: true})
	h.request("the allowed reply", is("POST", "/channels/"+channelID+"/messages"))
	h.stop()
	for _, r := range h.fake.Requests() {
		if strings.HasPrefix(r.Path, "/channels/79") {
			t.Errorf("answered a message from elsewhere: %s %s", r.Method, r.Path)
		}
	}
}

func TestSlowDown(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: Config{Language: "en", Limits: bots.LimitConfig{UserBurst: 1, UserEvery: time.Hour}}})
	h.answered("wachtlijst")
	in := h.command("wachtlijst")
	r := h.request("the slow-down", is("POST", callbackPath(in)))
	d := decode(t, r)
	if d.Type != respondMessage || d.Data == nil || d.Data.Flags != flagEphemeral || d.Data.Content != bots.SlowDown(true) {
		t.Errorf("got %s, want the ephemeral slow-down text in English (Language en)", r.Body)
	}
}

func TestEnglishQuestion(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	_, a := h.answered("what works for wachtlijst")
	if !strings.HasPrefix(a.Content, "This is what I found") {
		t.Errorf("content %q, want the English header", a.Content)
	}
	if b := a.Components[0].Components[0]; b.Label != "More" {
		t.Errorf("button label %q, want More", b.Label)
	}
}

func TestGatewayDiscovery(t *testing.T) {
	t.Parallel()
	h := start(t, setup{discover: true})
	h.answered("wachtlijst")
	reqs := h.fake.Requests()
	if count(reqs, is("GET", "/gateway/bot")) == 0 {
		t.Error("no GET /gateway/bot")
	}
	// discordgo's own context-less lookup is answered inside the bot.
	if n := count(reqs, is("GET", "/gateway")); n != 0 {
		t.Errorf("%d GET /gateway reached Discord, want 0", n)
	}
}

func TestBadTokenStopsRun(t *testing.T) {
	t.Parallel()
	for _, discover := range []bool{false, true} {
		h := start(t, setup{fakeToken: "another-token", noWait: true, discover: discover})
		select {
		case err := <-h.done:
			if err == nil || strings.Contains(err.Error(), testToken) {
				t.Errorf("discover=%v: Run = %v, want an error without the token", discover, err)
			}
			h.done <- err // for stop
		case <-time.After(20 * time.Second):
			t.Fatalf("discover=%v: Run did not give up on a refused token", discover)
		}
	}
}

func TestNewValidates(t *testing.T) {
	r := &bots.Responder{Searcher: &fakeSearcher{}}
	for _, c := range []struct {
		cfg Config
		r   *bots.Responder
	}{
		{Config{}, r},
		{Config{Token: "x"}, nil},
		{Config{Token: testToken, Language: "fr"}, r},
	} {
		if _, err := New(c.cfg, c.r); err == nil || strings.Contains(err.Error(), testToken) {
			t.Errorf("New(%+v) = %v, want an error without the token", c.cfg.Language, err)
		}
	}
}

// TestHostileEndToEnd sends a hostile question about hostile pages
// through the fake: the answer must be accepted by it (Discord's limits)
// and hold nothing Discord would act on; the question reaches the
// searcher clean and clipped.
func TestHostileEndToEnd(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.search.add(bots.Hit{
		ID: "evil", Title: "wachtlijst " + hostile.title, URL: hostile.url, Source: hostile.source, Snippet: hostile.snippet,
	})
	question := "wachtlijst " + hostile.question + strings.Repeat(" lang", 1000)
	bot := h.fake.BotID()
	for _, ask := range []func(){
		func() { h.command(question) },
		func() {
			h.fake.SendMessage(fakediscord.Message{GuildID: guildID, ChannelID: channelID, AuthorID: userID1, Content: "<@" + bot + "> " + question, MentionBot: true})
		},
	} {
		ask()
	}
	h.wait("both answers", func() bool {
		return count(h.fake.Requests(), func(r fakediscord.Request) bool {
			return (r.Method == "PATCH" || strings.HasPrefix(r.Path, "/channels/")) && r.Status == 200
		}) == 2
	})
	for _, r := range h.fake.Requests() {
		if r.Method != "PATCH" && !strings.HasPrefix(r.Path, "/channels/") {
			continue
		}
		m := decode(t, r).message
		if err := checkMessage(&m); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
		}
	}
	q := h.search.lastCall()
	if n := len([]rune(q.Text)); n > maxQuestion || strings.ContainsAny(q.Text, "\u200b\u202e\u202c") {
		t.Errorf("the searcher got %d code points: %q", n, q.Text)
	}
}
