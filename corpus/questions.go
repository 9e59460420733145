package corpus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// QuestionEvent is one answered question in the question log. It holds
// no user identity: only the platform and an opaque channel id, so a
// curator can see which questions go unanswered, not who asked them.
type QuestionEvent struct {
	ID        int64
	Time      time.Time
	Platform  string // discord, telegram, web, console, cli
	Channel   string // opaque; "" when not applicable
	Question  string
	Query     string // the words searched for, after question understanding
	ResultIDs []string
	Total     int
	Latency   time.Duration
	Zero      bool // nothing found
}

// Feedback is a 👍 or 👎 on an answer.
type Feedback struct {
	ID        int64
	Time      time.Time
	Platform  string
	Channel   string
	Question  string
	ResultIDs []string // the results shown with the answer that was rated
	Rating    int      // +1 or -1
}

const logSchema = `
CREATE TABLE IF NOT EXISTS questions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,
	platform   TEXT NOT NULL,
	channel    TEXT NOT NULL DEFAULT '',
	question   TEXT NOT NULL,
	query      TEXT NOT NULL DEFAULT '',
	result_ids TEXT NOT NULL DEFAULT '[]',
	total      INTEGER NOT NULL DEFAULT 0,
	latency_us INTEGER NOT NULL DEFAULT 0,
	zero       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS questions_at ON questions(at);
CREATE TABLE IF NOT EXISTS feedback (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,
	platform   TEXT NOT NULL,
	channel    TEXT NOT NULL DEFAULT '',
	question   TEXT NOT NULL,
	result_ids TEXT NOT NULL DEFAULT '[]',
	rating     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
`

// maxLoggedQuestion bounds what the log keeps of one question.
const maxLoggedQuestion = 2000

// clip cuts s to at most n bytes without leaving half a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// LogQuestion appends a question to the log.
func (s *Store) LogQuestion(ctx context.Context, e QuestionEvent) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	ids, _ := json.Marshal(nonNil(e.ResultIDs))
	zero := 0
	if e.Zero {
		zero = 1
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO questions (at, platform, channel, question, query, result_ids, total, latency_us, zero)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.Time.UTC().Format(timeFormat), e.Platform, e.Channel,
		clip(e.Question, maxLoggedQuestion), clip(e.Query, maxLoggedQuestion), string(ids), e.Total, e.Latency.Microseconds(), zero)
	if err != nil {
		return fmt.Errorf("question log: %w", err)
	}
	return nil
}

// Questions returns the logged questions since a time, oldest first.
func (s *Store) Questions(ctx context.Context, since time.Time) ([]QuestionEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, platform, channel, question, query, result_ids, total, latency_us, zero
		FROM questions WHERE at >= ? ORDER BY at, id`, since.UTC().Format(timeFormat))
	if err != nil {
		return nil, fmt.Errorf("question log: %w", err)
	}
	defer rows.Close()
	var out []QuestionEvent
	for rows.Next() {
		var e QuestionEvent
		var at, ids string
		var us int64
		var zero int
		if err := rows.Scan(&e.ID, &at, &e.Platform, &e.Channel, &e.Question, &e.Query, &ids, &e.Total, &us, &zero); err != nil {
			return nil, fmt.Errorf("question log: %w", err)
		}
		e.Time, _ = time.Parse(timeFormat, at)
		json.Unmarshal([]byte(ids), &e.ResultIDs)
		e.Latency = time.Duration(us) * time.Microsecond
		e.Zero = zero != 0
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutFeedback stores a 👍 (+1) or 👎 (-1).
func (s *Store) PutFeedback(ctx context.Context, f Feedback) error {
	if f.Rating != 1 && f.Rating != -1 {
		return fmt.Errorf("feedback: rating %d is neither +1 nor -1", f.Rating)
	}
	if f.Time.IsZero() {
		f.Time = time.Now()
	}
	ids, _ := json.Marshal(nonNil(f.ResultIDs))
	_, err := s.db.ExecContext(ctx, `INSERT INTO feedback (at, platform, channel, question, result_ids, rating) VALUES (?,?,?,?,?,?)`,
		f.Time.UTC().Format(timeFormat), f.Platform, f.Channel, clip(f.Question, maxLoggedQuestion), string(ids), f.Rating)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	return nil
}

// FeedbackSince returns the feedback since a time, oldest first.
func (s *Store) FeedbackSince(ctx context.Context, since time.Time) ([]Feedback, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, platform, channel, question, result_ids, rating
		FROM feedback WHERE at >= ? ORDER BY at, id`, since.UTC().Format(timeFormat))
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	defer rows.Close()
	var out []Feedback
	for rows.Next() {
		var f Feedback
		var at, ids string
		if err := rows.Scan(&f.ID, &at, &f.Platform, &f.Channel, &f.Question, &ids, &f.Rating); err != nil {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		f.Time, _ = time.Parse(timeFormat, at)
		json.Unmarshal([]byte(ids), &f.ResultIDs)
		out = append(out, f)
	}
	return out, rows.Err()
}

// PruneLog deletes questions and feedback older than before (the
// retention setting) and says how many rows went.
func (s *Store) PruneLog(ctx context.Context, before time.Time) (int, error) {
	cut := before.UTC().Format(timeFormat)
	n := 0
	for _, table := range []string{"questions", "feedback"} {
		res, err := s.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE at < ?`, cut)
		if err != nil {
			return n, fmt.Errorf("prune log: %w", err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}
