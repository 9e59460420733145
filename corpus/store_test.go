package corpus

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(t.Context(), filepath.Join(t.TempDir(), "sub", "corpus.db"))
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sampleDoc(id, source, body string) *Document {
	return &Document{
		ID:           id,
		URL:          "https://example.nl/artikel/" + id + "?utm_source=x",
		CanonicalURL: "https://example.nl/artikel/" + id,
		Title:        "Wachtlijsten in de jeugd-ggz: " + id,
		Intro:        "Een korte inleiding.",
		Body:         body,
		Source:       source,
		Type:         "artikel",
		Published:    time.Date(2021, 11, 26, 0, 0, 0, 0, time.UTC),
		Language:     "nl",
		Author:       "Sanne de Wit",
		Themes:       []string{"wachtlijst", "jeugd-ggz", "één gezin, één plan"},
		Region:       "Utrecht",
		Fields:       map[string]string{"Status": "Lopend", "Thema's": "ggz"},
		FetchedAt:    time.Date(2024, 3, 1, 12, 30, 15, 123456789, time.UTC),
	}
}

func mustPut(t *testing.T, s *Store, d *Document, want PutResult) {
	t.Helper()
	got, err := s.Put(t.Context(), d)
	if err != nil {
		t.Fatalf("Put(%s): %v", d.ID, err)
	}
	if got != want {
		t.Errorf("Put(%s) = %v, want %v", d.ID, got, want)
	}
}

func TestStorePutResults(t *testing.T) {
	s := openTestStore(t)
	mustPut(t, s, sampleDoc("a1", "Jeugd in Beeld", "Eerste alinea.\n\nTweede alinea."), Added)
	// Same content, white space folded differently: nothing to update.
	mustPut(t, s, sampleDoc("a1", "Jeugd in Beeld", "Eerste  alinea.\n\n\nTweede alinea."), Unchanged)
	mustPut(t, s, sampleDoc("a1", "Jeugd in Beeld", "Eerste alinea, herschreven."), Updated)
	mustPut(t, s, sampleDoc("a1", "Jeugd in Beeld", "Eerste alinea, herschreven."), Unchanged)

	got, err := s.Get(t.Context(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Eerste alinea, herschreven."; got.Body != want {
		t.Errorf("Body after update = %q, want %q", got.Body, want)
	}
	if n, _ := s.Count(t.Context()); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

func TestStorePutEmptyID(t *testing.T) {
	s := openTestStore(t)
	if _, err := s.Put(t.Context(), &Document{Title: "x", Body: "y"}); err == nil {
		t.Error("Put without id: got nil error, want one")
	}
}

func TestStoreUnchangedRefreshesFetchTime(t *testing.T) {
	s := openTestStore(t)
	d := sampleDoc("a1", "src", "tekst")
	mustPut(t, s, d, Added)
	later := sampleDoc("a1", "src", "tekst")
	later.FetchedAt = d.FetchedAt.Add(48 * time.Hour)
	mustPut(t, s, later, Unchanged)
	got, err := s.Get(t.Context(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.FetchedAt.Equal(later.FetchedAt) {
		t.Errorf("FetchedAt = %v, want %v", got.FetchedAt, later.FetchedAt)
	}
}

func TestStoreGetRoundTrip(t *testing.T) {
	s := openTestStore(t)
	want := sampleDoc("x9", "Projectenbank Jeugd", "Aanleiding.\n\nDoelstelling.")
	mustPut(t, s, want, Added)
	got, err := s.Get(t.Context(), "x9")
	if err != nil {
		t.Fatal(err)
	}
	if want.ContentHash != HashContent(want.Title, want.Body) {
		t.Errorf("Put left ContentHash = %q, want the HashContent value", want.ContentHash)
	}
	if !got.Published.Equal(want.Published) {
		t.Errorf("Published = %v, want %v", got.Published, want.Published)
	}
	if !got.FetchedAt.Equal(want.FetchedAt) {
		t.Errorf("FetchedAt = %v, want %v", got.FetchedAt, want.FetchedAt)
	}
	// Times compared above; compare the rest field by field via DeepEqual.
	g, w := *got, *want
	g.Published, w.Published, g.FetchedAt, w.FetchedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("Get = %+v\nwant  %+v", g, w)
	}
}

func TestStoreGetEmptyOptionalFields(t *testing.T) {
	s := openTestStore(t)
	d := &Document{ID: "leeg", URL: "https://x.nl/", CanonicalURL: "https://x.nl/", Title: "T", Body: "B", Source: "s"}
	mustPut(t, s, d, Added)
	got, err := s.Get(t.Context(), "leeg")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Published.IsZero() {
		t.Errorf("Published = %v, want zero", got.Published)
	}
	if len(got.Themes) != 0 || len(got.Fields) != 0 {
		t.Errorf("Themes, Fields = %v, %v; want both empty", got.Themes, got.Fields)
	}
}

func TestStoreNotFound(t *testing.T) {
	s := openTestStore(t)
	_, err := s.Get(t.Context(), "bestaat-niet")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestStoreEachOrderAndCount(t *testing.T) {
	s := openTestStore(t)
	// Titles and insertion order both differ from id order.
	for i, id := range []string{"c", "a", "d", "b"} {
		d := sampleDoc(id, "src", "body "+id)
		d.Title = string(rune('z' - i))
		mustPut(t, s, d, Added)
	}
	var got []string
	err := s.Each(t.Context(), func(d *Document) error {
		got = append(got, d.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Each order = %v, want %v", got, want)
	}
	if n, err := s.Count(t.Context()); err != nil || n != 4 {
		t.Errorf("Count = %d, %v; want 4", n, err)
	}

	stop := errors.New("genoeg")
	calls := 0
	err = s.Each(t.Context(), func(*Document) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Each with failing fn: err %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestStoreDeleteSource(t *testing.T) {
	s := openTestStore(t)
	mustPut(t, s, sampleDoc("a", "Jeugd in Beeld", "1"), Added)
	mustPut(t, s, sampleDoc("b", "Jeugd in Beeld", "2"), Added)
	mustPut(t, s, sampleDoc("c", "Projectenbank Jeugd", "3"), Added)
	tests := []struct {
		source     string
		want, left int
	}{
		{"Onbekend", 0, 3},
		{"Jeugd in Beeld", 2, 1},
		{"Jeugd in Beeld", 0, 1},
		{"Projectenbank Jeugd", 1, 0},
	}
	for _, tt := range tests {
		got, err := s.DeleteSource(t.Context(), tt.source)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := s.Count(t.Context())
		if got != tt.want || n != tt.left {
			t.Errorf("DeleteSource(%q) = %d leaving %d, want %d leaving %d", tt.source, got, n, tt.want, tt.left)
		}
	}
}

func TestStoreHasContent(t *testing.T) {
	s := openTestStore(t)
	a := sampleDoc("a", "src", "dezelfde tekst")
	mustPut(t, s, a, Added)
	mustPut(t, s, sampleDoc("b", "src", "andere tekst"), Added)
	tests := []struct {
		name, hash, except, want string
	}{
		{"other id", a.ContentHash, "z", "a"},
		{"only itself", a.ContentHash, "a", ""},
		{"unknown hash", HashContent("x", "y"), "", ""},
	}
	for _, tt := range tests {
		got, err := s.HasContent(t.Context(), tt.hash, tt.except)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s: HasContent = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStoreReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.db")
	ctx := context.Background()
	s, err := OpenStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Errorf("Path = %q, want %q", s.Path(), path)
	}
	mustPut(t, s, sampleDoc("blijft", "src", "tekst"), Added)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustPut(t, s, sampleDoc("blijft", "src", "tekst"), Unchanged)
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("Count after reopen = %d, want 1", n)
	}
}

func TestStoreRemoveDocument(t *testing.T) {
	s := openTestStore(t)
	ctx := t.Context()
	mustPut(t, s, sampleDoc("weg", "Bron", "Tekst die verdwijnt."), Added)
	mustPut(t, s, sampleDoc("blijft", "Bron", "Tekst die blijft."), Added)
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if ok, err := s.RemoveDocument(ctx, "weg", "HTTP 410", at); err != nil || !ok {
		t.Fatalf("RemoveDocument = %v, %v; want true", ok, err)
	}
	if ok, err := s.RemoveDocument(ctx, "nooit", "HTTP 404", at); err != nil || ok {
		t.Errorf("RemoveDocument of an unknown id = %v, %v; want false", ok, err)
	}
	if _, err := s.Get(ctx, "weg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed document still readable: %v", err)
	}
	var ids []string
	s.Each(ctx, func(d *Document) error { ids = append(ids, d.ID); return nil })
	if !reflect.DeepEqual(ids, []string{"blijft"}) {
		t.Errorf("Each after removal: %v, want only blijft", ids)
	}
	gone, err := s.RemovedDocuments(ctx, "Bron")
	want := []RemovedDocument{{ID: "weg", URL: "https://example.nl/artikel/weg?utm_source=x", CanonicalURL: "https://example.nl/artikel/weg",
		Title: "Wachtlijsten in de jeugd-ggz: weg", Source: "Bron", Reason: "HTTP 410", RemovedAt: at}}
	if err != nil || !reflect.DeepEqual(gone, want) {
		t.Errorf("RemovedDocuments = %+v, %v; want %+v", gone, err, want)
	}
	// The page comes back: added again, no longer listed as removed.
	mustPut(t, s, sampleDoc("weg", "Bron", "Tekst die terugkomt."), Added)
	if gone, _ := s.RemovedDocuments(ctx, ""); len(gone) != 0 {
		t.Errorf("RemovedDocuments after the return: %+v", gone)
	}
}

func TestStoreRobotsFile(t *testing.T) {
	s := openTestStore(t)
	ctx := t.Context()
	if _, ok, err := s.RobotsFile(ctx, "https://example.nl"); ok || err != nil {
		t.Fatalf("RobotsFile of an empty store: %v, %v", ok, err)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, rf := range []RobotsFile{
		{Origin: "https://example.nl", Status: 200, Body: []byte("User-agent: *\nDisallow: /x\n"), FetchedAt: at},
		{Origin: "https://example.nl", Status: 404, FetchedAt: at.Add(time.Hour)},
	} {
		if err := s.PutRobotsFile(ctx, rf); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.RobotsFile(ctx, rf.Origin)
		if err != nil || !ok || got.Origin != rf.Origin || got.Status != rf.Status || string(got.Body) != string(rf.Body) || !got.FetchedAt.Equal(rf.FetchedAt) {
			t.Errorf("RobotsFile = %+v, %v, %v; want %+v", got, ok, err, rf)
		}
	}
}

func TestStoreCrawlRun(t *testing.T) {
	s := openTestStore(t)
	ctx := t.Context()
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := s.PutCrawlRun(ctx, CrawlRun{Source: "Bron", Started: start}); err != nil {
		t.Fatal(err)
	}
	run, ok, err := s.CrawlRun(ctx, "Bron")
	if err != nil || !ok || !run.Started.Equal(start) || !run.Finished.IsZero() {
		t.Errorf("unfinished run: %+v, %v, %v", run, ok, err)
	}
	run.Finished = start.Add(time.Minute)
	if err := s.PutCrawlRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.CrawlRun(ctx, "Bron"); !got.Finished.Equal(run.Finished) {
		t.Errorf("finished run: %+v", got)
	}
	if _, ok, _ := s.CrawlRun(ctx, "Andere"); ok {
		t.Error("a source never crawled has a run")
	}
}
