package corpus

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store keeps documents in SQLite (WAL mode), so an index build can read
// while a crawl writes.
type Store struct {
	db   *sql.DB
	path string
}

// PutResult says what Put did with a document.
type PutResult int

const (
	Added PutResult = iota
	Updated
	Unchanged
)

func (r PutResult) String() string {
	switch r {
	case Added:
		return "added"
	case Updated:
		return "updated"
	default:
		return "unchanged"
	}
}

const schema = `
CREATE TABLE IF NOT EXISTS documents (
	id            TEXT PRIMARY KEY,
	url           TEXT NOT NULL,
	canonical_url TEXT NOT NULL,
	title         TEXT NOT NULL,
	intro         TEXT NOT NULL DEFAULT '',
	body          TEXT NOT NULL,
	source        TEXT NOT NULL,
	type          TEXT NOT NULL DEFAULT '',
	published     TEXT NOT NULL DEFAULT '',
	language      TEXT NOT NULL DEFAULT '',
	author        TEXT NOT NULL DEFAULT '',
	themes        TEXT NOT NULL DEFAULT '[]',
	region        TEXT NOT NULL DEFAULT '',
	fields        TEXT NOT NULL DEFAULT '{}',
	content_hash  TEXT NOT NULL,
	fetched_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS removed_documents (
	id            TEXT PRIMARY KEY,
	url           TEXT NOT NULL,
	canonical_url TEXT NOT NULL,
	title         TEXT NOT NULL,
	source        TEXT NOT NULL,
	reason        TEXT NOT NULL,
	removed_at    TEXT NOT NULL
);
`

// OpenStore opens (creating if needed) the store at path.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// Every table is created here, with the caller's context, once: a
	// table created lazily under some later request's context would turn
	// that request's cancellation into a lasting error.
	for _, sch := range []string{schema, crawlStateSchema, logSchema} {
		if _, err := db.ExecContext(ctx, sch); err != nil {
			db.Close()
			return nil, fmt.Errorf("open store %q: %w", path, err)
		}
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store's file.
func (s *Store) Path() string { return s.path }

const timeFormat = time.RFC3339Nano

// Put inserts or updates a document by id and reports which it did. A
// document whose content hash is unchanged only has its fetch time updated.
func (s *Store) Put(ctx context.Context, d *Document) (PutResult, error) {
	if d.ID == "" {
		return 0, errors.New("put document: empty id")
	}
	// The hash always follows the text being stored, also when a caller
	// reuses a Document and changes its body.
	d.ContentHash = HashContent(d.Title, d.Body)
	themes, _ := json.Marshal(nonNil(d.Themes))
	fields, _ := json.Marshal(d.Fields)
	if d.Fields == nil {
		fields = []byte("{}")
	}
	published := ""
	if !d.Published.IsZero() {
		published = d.Published.Format("2006-01-02")
	}
	now := time.Now().UTC().Format(timeFormat)
	fetched := d.FetchedAt.UTC().Format(timeFormat)

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("put document %s: %w", d.ID, err)
	}
	defer tx.Rollback()
	var oldHash string
	err = tx.QueryRowContext(ctx, `SELECT content_hash FROM documents WHERE id = ?`, d.ID).Scan(&oldHash)
	result := Updated
	switch {
	case errors.Is(err, sql.ErrNoRows):
		result = Added
	case err != nil:
		return 0, fmt.Errorf("put document %s: %w", d.ID, err)
	case oldHash == d.ContentHash:
		result = Unchanged
	}
	if result == Unchanged {
		_, err = tx.ExecContext(ctx, `UPDATE documents SET fetched_at = ? WHERE id = ?`, fetched, d.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO documents
			(id, url, canonical_url, title, intro, body, source, type, published, language, author,
			 themes, region, fields, content_hash, fetched_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET url=excluded.url, canonical_url=excluded.canonical_url,
			 title=excluded.title, intro=excluded.intro, body=excluded.body, source=excluded.source,
			 type=excluded.type, published=excluded.published, language=excluded.language,
			 author=excluded.author, themes=excluded.themes, region=excluded.region,
			 fields=excluded.fields, content_hash=excluded.content_hash,
			 fetched_at=excluded.fetched_at, updated_at=excluded.updated_at`,
			d.ID, d.URL, d.CanonicalURL, d.Title, d.Intro, d.Body, d.Source, d.Type, published,
			d.Language, d.Author, string(themes), d.Region, string(fields), d.ContentHash, fetched, now)
	}
	if err == nil && result == Added {
		// A page that comes back is no longer removed.
		_, err = tx.ExecContext(ctx, `DELETE FROM removed_documents WHERE id = ?`, d.ID)
	}
	if err != nil {
		return 0, fmt.Errorf("put document %s: %w", d.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("put document %s: %w", d.ID, err)
	}
	return result, nil
}

// HasContent reports the id of a stored document with this content hash
// under another id, for dedupe across URLs.
func (s *Store) HasContent(ctx context.Context, hash, exceptID string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM documents WHERE content_hash = ? AND id <> ? LIMIT 1`, hash, exceptID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up content hash: %w", err)
	}
	return id, nil
}

// Count returns the number of stored documents.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM documents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// Get returns one document by id.
func (s *Store) Get(ctx context.Context, id string) (*Document, error) {
	rows, err := s.db.QueryContext(ctx, selectDocs+` WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get document %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("get document %s: %w", id, err)
		}
		return nil, fmt.Errorf("get document %s: %w", id, ErrNotFound)
	}
	return scanDoc(rows)
}

// ErrNotFound is returned for a document id the store does not hold.
var ErrNotFound = errors.New("not found")

// Each calls fn for every stored document in id order. It stops at the
// first error fn returns.
func (s *Store) Each(ctx context.Context, fn func(*Document) error) error {
	rows, err := s.db.QueryContext(ctx, selectDocs+` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read documents: %w", err)
	}
	return nil
}

const selectDocs = `SELECT id, url, canonical_url, title, intro, body, source, type, published,
	language, author, themes, region, fields, content_hash, fetched_at FROM documents`

func scanDoc(rows *sql.Rows) (*Document, error) {
	var d Document
	var published, themes, fields, fetched string
	if err := rows.Scan(&d.ID, &d.URL, &d.CanonicalURL, &d.Title, &d.Intro, &d.Body, &d.Source,
		&d.Type, &published, &d.Language, &d.Author, &themes, &d.Region, &fields,
		&d.ContentHash, &fetched); err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	if published != "" {
		d.Published, _ = time.Parse("2006-01-02", published)
	}
	d.FetchedAt, _ = time.Parse(timeFormat, fetched)
	if err := json.Unmarshal([]byte(themes), &d.Themes); err != nil {
		return nil, fmt.Errorf("read document %s themes: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return nil, fmt.Errorf("read document %s fields: %w", d.ID, err)
	}
	return &d, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteSource removes every document of a source and returns how many.
func (s *Store) DeleteSource(ctx context.Context, source string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM documents WHERE source = ?`, source)
	if err != nil {
		return 0, fmt.Errorf("delete source %q: %w", source, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CrawlState is what the crawler remembers of a URL between crawls, for
// conditional requests: the validators the server sent, and the links
// the page had, so that an unchanged page still leads to its links.
type CrawlState struct {
	URL          string
	ETag         string
	LastModified string
	DocID        string // the document stored from it, "" when none
	Links        []string
	FetchedAt    time.Time
}

const crawlStateSchema = `
CREATE TABLE IF NOT EXISTS crawl_state (
	url           TEXT PRIMARY KEY,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	doc_id        TEXT NOT NULL DEFAULT '',
	links         TEXT NOT NULL DEFAULT '[]',
	fetched_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS robots_cache (
	origin     TEXT PRIMARY KEY,
	status     INTEGER NOT NULL,
	body       BLOB NOT NULL,
	fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_runs (
	source      TEXT PRIMARY KEY,
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL DEFAULT ''
);`

// CrawlState returns the remembered state of a URL; ok is false when
// there is none.
func (s *Store) CrawlState(ctx context.Context, url string) (st CrawlState, ok bool, err error) {
	var links, fetched string
	err = s.db.QueryRowContext(ctx, `SELECT url, etag, last_modified, doc_id, links, fetched_at FROM crawl_state WHERE url = ?`, url).
		Scan(&st.URL, &st.ETag, &st.LastModified, &st.DocID, &links, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("crawl state %s: %w", url, err)
	}
	json.Unmarshal([]byte(links), &st.Links)
	st.FetchedAt, _ = time.Parse(timeFormat, fetched)
	return st, true, nil
}

// PutCrawlState remembers the state of a URL.
func (s *Store) PutCrawlState(ctx context.Context, st CrawlState) error {
	links, _ := json.Marshal(nonNil(st.Links))
	_, err := s.db.ExecContext(ctx, `INSERT INTO crawl_state (url, etag, last_modified, doc_id, links, fetched_at)
		VALUES (?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified,
		doc_id=excluded.doc_id, links=excluded.links, fetched_at=excluded.fetched_at`,
		st.URL, st.ETag, st.LastModified, st.DocID, string(links), st.FetchedAt.UTC().Format(timeFormat))
	if err != nil {
		return fmt.Errorf("crawl state %s: %w", st.URL, err)
	}
	return nil
}

// Touch records that a document was confirmed unchanged now.
func (s *Store) Touch(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET fetched_at = ? WHERE id = ?`, at.UTC().Format(timeFormat), id)
	if err != nil {
		return fmt.Errorf("touch %s: %w", id, err)
	}
	return nil
}

// RemovedDocument is what the store keeps of a document taken out because
// its page is gone (404, 410) or asks not to be indexed any more.
type RemovedDocument struct {
	ID, URL, CanonicalURL, Title, Source string
	Reason                               string
	RemovedAt                            time.Time
}

// RemoveDocument takes a document out of the store, so that the next
// index build leaves it out, and keeps a note of it in removed_documents.
// It reports whether there was such a document. A later Put of the same
// id adds it again.
func (s *Store) RemoveDocument(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("remove document %s: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO removed_documents (id, url, canonical_url, title, source, reason, removed_at)
		SELECT id, url, canonical_url, title, source, ?, ? FROM documents WHERE id = ?
		ON CONFLICT(id) DO UPDATE SET url=excluded.url, canonical_url=excluded.canonical_url, title=excluded.title,
		source=excluded.source, reason=excluded.reason, removed_at=excluded.removed_at`,
		reason, at.UTC().Format(timeFormat), id)
	if err != nil {
		return false, fmt.Errorf("remove document %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id); err != nil {
		return false, fmt.Errorf("remove document %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("remove document %s: %w", id, err)
	}
	return true, nil
}

// RemovedDocuments lists the removed documents of a source ("" for all),
// the most recently removed first.
func (s *Store) RemovedDocuments(ctx context.Context, source string) ([]RemovedDocument, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, url, canonical_url, title, source, reason, removed_at
		FROM removed_documents WHERE ? = '' OR source = ? ORDER BY removed_at DESC, id`, source, source)
	if err != nil {
		return nil, fmt.Errorf("removed documents: %w", err)
	}
	defer rows.Close()
	var out []RemovedDocument
	for rows.Next() {
		var r RemovedDocument
		var at string
		if err := rows.Scan(&r.ID, &r.URL, &r.CanonicalURL, &r.Title, &r.Source, &r.Reason, &at); err != nil {
			return nil, fmt.Errorf("removed documents: %w", err)
		}
		r.RemovedAt, _ = time.Parse(timeFormat, at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("removed documents: %w", err)
	}
	return out, nil
}

// RobotsFile is a robots.txt as fetched from one origin
// ("https://example.nl"): the HTTP status and the body (capped by the
// crawler). Only answers that decide the policy (2xx, 4xx) are kept.
type RobotsFile struct {
	Origin    string
	Status    int
	Body      []byte
	FetchedAt time.Time
}

// RobotsFile returns the remembered robots.txt of an origin; ok is false
// when there is none.
func (s *Store) RobotsFile(ctx context.Context, origin string) (rf RobotsFile, ok bool, err error) {
	var fetched string
	err = s.db.QueryRowContext(ctx, `SELECT origin, status, body, fetched_at FROM robots_cache WHERE origin = ?`, origin).
		Scan(&rf.Origin, &rf.Status, &rf.Body, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return rf, false, nil
	}
	if err != nil {
		return rf, false, fmt.Errorf("robots cache %s: %w", origin, err)
	}
	rf.FetchedAt, _ = time.Parse(timeFormat, fetched)
	return rf, true, nil
}

// PutRobotsFile remembers the robots.txt of an origin.
func (s *Store) PutRobotsFile(ctx context.Context, rf RobotsFile) error {
	body := rf.Body
	if body == nil {
		body = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO robots_cache (origin, status, body, fetched_at) VALUES (?,?,?,?)
		ON CONFLICT(origin) DO UPDATE SET status=excluded.status, body=excluded.body, fetched_at=excluded.fetched_at`,
		rf.Origin, rf.Status, body, rf.FetchedAt.UTC().Format(timeFormat))
	if err != nil {
		return fmt.Errorf("robots cache %s: %w", rf.Origin, err)
	}
	return nil
}

// CrawlRun is the last crawl of a source: when it started and, once it
// completed, when it finished. A run without a finish time was
// interrupted, and the next crawl can resume it.
type CrawlRun struct {
	Source   string
	Started  time.Time
	Finished time.Time
}

// CrawlRun returns the last crawl run of a source; ok is false when the
// source was never crawled.
func (s *Store) CrawlRun(ctx context.Context, source string) (run CrawlRun, ok bool, err error) {
	var started, finished string
	err = s.db.QueryRowContext(ctx, `SELECT source, started_at, finished_at FROM crawl_runs WHERE source = ?`, source).
		Scan(&run.Source, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return run, false, nil
	}
	if err != nil {
		return run, false, fmt.Errorf("crawl run %q: %w", source, err)
	}
	run.Started, _ = time.Parse(timeFormat, started)
	if finished != "" {
		run.Finished, _ = time.Parse(timeFormat, finished)
	}
	return run, true, nil
}

// PutCrawlRun records the start (Finished zero) or the end of a run.
func (s *Store) PutCrawlRun(ctx context.Context, run CrawlRun) error {
	finished := ""
	if !run.Finished.IsZero() {
		finished = run.Finished.UTC().Format(timeFormat)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO crawl_runs (source, started_at, finished_at) VALUES (?,?,?)
		ON CONFLICT(source) DO UPDATE SET started_at=excluded.started_at, finished_at=excluded.finished_at`,
		run.Source, run.Started.UTC().Format(timeFormat), finished)
	if err != nil {
		return fmt.Errorf("crawl run %q: %w", run.Source, err)
	}
	return nil
}
