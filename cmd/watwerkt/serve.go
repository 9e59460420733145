package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/watwerkt/watwerkt/bots"
	"github.com/watwerkt/watwerkt/bots/console"
	"github.com/watwerkt/watwerkt/bots/web"
	"github.com/watwerkt/watwerkt/corpus"
	"github.com/watwerkt/watwerkt/corpus/demo"
	"github.com/watwerkt/watwerkt/indexer"
	"github.com/watwerkt/watwerkt/search"
)

// shutdownGrace is how long in-flight requests get after a stop signal.
const shutdownGrace = 8 * time.Second

func runServe(ctx context.Context, a *app, args []string) int {
	fs := a.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "adres voor de HTTP-API")
	withDemo := fs.Bool("demo", false, "bouw en serveer het ingebouwde democorpus (de demosites blijven draaien)")
	dev := fs.Bool("dev", false, "open ook de chat in de terminal")
	poll := fs.Duration("poll", time.Second, "hoe vaak naar een nieuwe indexversie wordt gekeken")
	recrawl := fs.Duration("recrawl", 0, "crawl en indexeer opnieuw met deze tussenpoos, bv. 24h (vereist --config)")
	configPath := fs.String("config", "", "configuratie (watwerkt.toml): de bronnen voor --recrawl en de instellingen van de chatbots")
	allowPrivate := fs.Bool("allow-private", false, "laat --recrawl ook adressen op het eigen netwerk ophalen")
	tgWebhook := fs.String("telegram-webhook", "", "Telegram-webhook: het publieke https-adres waarop Telegram updates aflevert (anders long polling)")
	retention := fs.String("log-retention", "180d", "hoe lang de vragenlog en beoordelingen bewaard blijven (bv. 90d, 720h; 0 = altijd)")
	opts := search.DefaultOptions()
	packedMB := fs.Float64("postings-mb", opts.PackedMB, "geheugen in MiB voor uitgepakte postings, die vragen sneller maken (0 = uit)")
	if _, ok := a.parse(fs, args); !ok {
		return exitUsage
	}
	if *packedMB < 0 || math.IsNaN(*packedMB) || math.IsInf(*packedMB, 0) {
		fmt.Fprintln(a.stderr, "watwerkt serve: --postings-mb moet 0 of meer zijn.")
		return exitUsage
	}
	opts.PackedMB = *packedMB
	var cfg *corpus.Config
	if *recrawl > 0 && *configPath == "" {
		fmt.Fprintln(a.stderr, "watwerkt serve: --recrawl vereist --config.")
		return exitUsage
	}
	if *configPath != "" {
		var err error
		if cfg, err = readConfig(*configPath); err != nil {
			fmt.Fprintf(a.stderr, "watwerkt serve: %v\n", err)
			return exitUsage
		}
		if *recrawl > 0 && !cfg.HasSources() {
			fmt.Fprintf(a.stderr, "watwerkt serve: --recrawl: %s heeft geen [[source]]-blokken.\n", *configPath)
			return exitUsage
		}
	}
	if w := *tgWebhook; w != "" {
		if u, err := url.Parse(w); err != nil || u.Scheme != "https" || u.Host == "" {
			fmt.Fprintf(a.stderr, "watwerkt serve: --telegram-webhook %q is geen https-adres.\n", w)
			return exitUsage
		}
	}
	keep, err := parseAge(*retention)
	if err != nil {
		fmt.Fprintf(a.stderr, "watwerkt serve: --log-retention: %v\n", err)
		return exitUsage
	}
	if *poll < 100*time.Millisecond {
		*poll = 100 * time.Millisecond
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	if *withDemo {
		srv, err := demo.Start(ctx)
		if err != nil {
			return a.fail("demosites starten", err)
		}
		defer srv.Close(context.Background())
		if err := buildDemo(ctx, a, srv, a.stdout); err != nil {
			return a.fail("democorpus bouwen", err)
		}
	}

	versions := a.versions()
	versions.Options = &opts
	live := search.NewLive(versions, a.log)
	defer live.Close()
	curation := newCurationWatcher(a, live)
	curation.load(true)
	for _, p := range curation.Problems() {
		fmt.Fprintf(a.stderr, "watwerkt serve: %s (de regels uit dit bestand gelden niet tot het is verbeterd)\n", p)
	}
	if _, err := live.Reload(); err != nil {
		if !isNoIndex(err) {
			return a.fail("index openen", err)
		}
		fmt.Fprintf(a.stderr, "Nog geen index in %s: bouw er een met \"watwerkt index\" (of start met --demo); serve neemt hem vanzelf in gebruik.\n", a.dataDir)
	}
	idx := liveIndex{live}
	metrics := web.NewMetrics(idx)

	store, err := a.openStore(ctx)
	if err != nil {
		return a.fail("corpusopslag openen", err)
	}
	defer store.Close()
	rec := bots.NewAsyncRecorder(store, 4096, a.log)
	defer rec.Close()
	responder := &bots.Responder{Searcher: search.ForBots(live), PageSize: bots.DefaultPageSize, Logger: a.log, Recorder: rec,
		Observe: func(q bots.Question, ans bots.Answer) {
			metrics.BotMessages.WithLabelValues(q.Platform, bots.Outcome(ans)).Inc()
		}}
	api := web.New(idx, metrics, a.log)
	api.Recorder = rec
	api.Problems = curation.Problems
	api.Curator = &curationWriter{w: curation}
	if api.CuratorToken, err = a.secret("WATWERKT_CURATOR_TOKEN"); err != nil {
		fmt.Fprintf(a.stderr, "watwerkt serve: %v; aanmelden als curator staat uit.\n", err)
	}
	api.Report = func(ctx context.Context) (*corpus.Report, error) {
		r, err := corpus.BuildReport(ctx, store, corpus.ReportOptions{Since: time.Now().Add(-30 * 24 * time.Hour)})
		if r != nil {
			r.Problems = append(r.Problems, curation.Problems()...)
		}
		return r, err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return a.fail("luisteren op "+*addr, err)
	}
	chat := newChatBots(a, cfg, responder)
	if *tgWebhook != "" {
		chat.cfg.Telegram.Webhook = *tgWebhook
	}
	httpSrv := &http.Server{
		Handler:           chat.handler(api.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	st, _ := live.Status()
	fmt.Fprintf(a.stdout, "watwerkt serve luistert op http://%s (index %s, %d documenten).\n", ln.Addr(), orDash(st.Version), st.Documents)
	var wg sync.WaitGroup
	chat.start(ctx, &wg)

	wg.Add(1)
	go func() { defer wg.Done(); live.Watch(ctx, *poll) }()
	wg.Add(1)
	go func() { defer wg.Done(); curation.Run(ctx, *poll) }()
	if keep > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); pruneLoop(ctx, a, store, keep) }()
	}
	if *recrawl > 0 {
		wg.Add(1)
		_, hasIndex := live.Status()
		go func() { defer wg.Done(); a.recrawlLoop(ctx, cfg, *recrawl, !hasIndex, *allowPrivate, metrics) }()
	}
	if *dev {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conv := bots.NewConversation(responder)
			conv.Platform = "console"
			console.Run(ctx, conv, a.stdin, a.stdout)
			stop() // leaving the chat stops the server
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		stop()
		wg.Wait()
		return a.fail("HTTP-server", err)
	}
	shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		a.log.Warn("shutdown", "err", err)
	}
	stop()
	wg.Wait()
	fmt.Fprintln(a.stdout, "watwerkt serve gestopt.")
	return exitOK
}

// pruneLoop applies the question log's retention now and once a day.
func pruneLoop(ctx context.Context, a *app, store *corpus.Store, keep time.Duration) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if n, err := store.PruneLog(ctx, time.Now().Add(-keep)); err != nil {
			if ctx.Err() == nil {
				a.log.Warn("prune question log", "err", err)
			}
		} else if n > 0 {
			a.log.Info("question log pruned", "rows", n, "retention", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recrawlLoop crawls the configured sources and builds a new index
// version every interval (and at once when there is no index yet);
// serve's watcher then swaps it in.
func (a *app) recrawlLoop(ctx context.Context, cfg *corpus.Config, every time.Duration, now, allowPrivate bool, m *web.Metrics) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if !now {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		now = false
		if err := a.crawlAndIndex(ctx, cfg, allowPrivate, m); err != nil && ctx.Err() == nil {
			a.log.Error("recrawl failed; the index in service stays", "err", err)
		}
	}
}

func (a *app) crawlAndIndex(ctx context.Context, cfg *corpus.Config, allowPrivate bool, m *web.Metrics) error {
	store, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	crawler := indexer.NewCrawler(store, a.log)
	crawler.AllowPrivate = allowPrivate
	if cfg.UserAgent != "" {
		crawler.UserAgent = cfg.UserAgent
	}
	for _, src := range cfg.Sources {
		rep, err := crawler.Crawl(ctx, src)
		if rep != nil {
			pages := m.CrawlPages
			pages.WithLabelValues(src.Name, "added").Add(float64(rep.Added))
			pages.WithLabelValues(src.Name, "updated").Add(float64(rep.Updated))
			pages.WithLabelValues(src.Name, "unchanged").Add(float64(rep.Unchanged))
			pages.WithLabelValues(src.Name, "error").Add(float64(rep.Failed))
			pages.WithLabelValues(src.Name, "removed").Add(float64(rep.Removed))
			skipped := 0
			for _, n := range rep.Skipped {
				skipped += n
			}
			pages.WithLabelValues(src.Name, "skipped").Add(float64(skipped))
		}
		if err != nil {
			return err
		}
	}
	_, err = indexer.BuildIndex(ctx, store, a.versions())
	return err
}

func readConfig(path string) (*corpus.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("configuratie niet te openen: %w", err)
	}
	defer f.Close()
	cfg, err := corpus.ParseConfig(f, path)
	if err != nil {
		return nil, fmt.Errorf("fout in de configuratie: %w", err)
	}
	return cfg, nil
}

// liveIndex adapts search.Live to the web API.
type liveIndex struct{ live *search.Live }

var _ web.Index = liveIndex{}

func (l liveIndex) Search(ctx context.Context, q web.Query) (*bots.SearchJSON, error) {
	res, err := l.live.Search(ctx, search.Request{Query: q.Text, Filters: q.Filters, Limit: q.Limit, Offset: q.Offset,
		Explain: q.Explain, Facets: q.Facets})
	if errors.Is(err, search.ErrNoIndex) {
		return nil, web.ErrNotReady
	}
	if err != nil {
		return nil, err
	}
	out := toJSON(res)
	return &out, nil
}

func (l liveIndex) Status() (web.Status, bool) {
	st, ok := l.live.Status()
	return web.Status{Version: st.Version, Documents: st.Documents, BuiltAt: st.BuiltAt}, ok
}
