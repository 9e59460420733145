// Package bots holds what every chat front end shares: the question a
// user asked, the answer a bot gives (ranked results with snippets, a
// "meer" page, friendly messages instead of errors), and its plain-text
// rendering. Front ends live in sub-packages and depend on the small
// Searcher interface declared here, never on the search engine itself.
package bots

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/watwerkt/watwerkt/corpus"
)

// Question is a user's question as a front end received it.
type Question struct {
	Text    string
	Filters map[string]string // bron, thema, regio, jaar
	Offset  int
	Limit   int

	// Where it was asked, for the question log: the platform ("discord",
	// "telegram", "web", "console", "cli") and an opaque channel id.
	// Never a user name or user id.
	Platform string
	Channel  string
}

// Results is what a Searcher found.
type Results struct {
	Topic   string // the words searched for
	Total   int
	Hits    []Hit
	English bool // the question was in English
	NoTopic bool // the question held nothing to search for
	Fuzzy   bool // found only with spelling relaxed
}

// Hit is one result.
type Hit struct {
	ID        string
	Title     string
	URL       string
	Source    string
	Published time.Time // zero when unknown
	Snippet   string    // matches marked as **word**
}

// Searcher answers questions; the search engine is wired in by cmd.
type Searcher interface {
	Search(ctx context.Context, q Question) (*Results, error)
}

// Answer is a bot's reply, independent of the chat platform.
type Answer struct {
	English    bool
	Header     string // "Dit vond ik over „…” (12 resultaten):"
	Items      []Item
	Footer     string // "Typ "meer" voor de volgende resultaten."
	Message    string // set instead of Items when there is nothing to show
	HasMore    bool
	NextOffset int
	Question   Question // the question this answers (for "meer")
}

// Item is one result as shown.
type Item struct {
	Rank    int
	ID      string
	Title   string
	URL     string
	Source  string
	Date    string // "26 november 2021" or ""
	Snippet string
}

// DefaultPageSize is the number of results per answer.
const DefaultPageSize = 5

// Recorder keeps the question log and the feedback; the corpus store
// is one. Nil means nothing is recorded.
type Recorder interface {
	LogQuestion(ctx context.Context, e corpus.QuestionEvent) error
	PutFeedback(ctx context.Context, f corpus.Feedback) error
}

// Responder turns questions into answers.
type Responder struct {
	Searcher Searcher
	PageSize int
	Logger   *slog.Logger
	Recorder Recorder // optional: logs first pages of questions, stores feedback
	// Observe, when set, is called with every answer (for metrics).
	Observe func(q Question, a Answer)
}

// Outcome classifies an answer for metrics: "hits", "empty" (nothing
// found or nothing to search for) or "error".
func Outcome(a Answer) string {
	switch {
	case len(a.Items) > 0:
		return "hits"
	case a.Message == msgError || a.Message == msgTimeout:
		return "error"
	}
	return "empty"
}

// Answer answers one question. It never fails: when the search breaks,
// the user gets a short apology and the log gets the detail.
func (r *Responder) Answer(ctx context.Context, q Question) (a Answer) {
	if r.Observe != nil {
		defer func() { r.Observe(q, a) }()
	}
	if q.Limit <= 0 {
		q.Limit = r.PageSize
		if q.Limit <= 0 {
			q.Limit = DefaultPageSize
		}
	}
	a = Answer{Question: q}
	if strings.TrimSpace(q.Text) == "" && len(q.Filters) == 0 {
		a.Message = msgEmpty
		return a
	}
	start := time.Now()
	res, err := r.Searcher.Search(ctx, q)
	if err == nil && q.Offset == 0 {
		r.record(ctx, q, res, time.Since(start))
	}
	if err != nil {
		if r.Logger != nil {
			r.Logger.Error("search failed", "err", err, "question_len", len(q.Text))
		}
		a.Message = msgError
		if ctx.Err() != nil {
			a.Message = msgTimeout
		}
		return a
	}
	a.English = res.English
	t := texts(res.English)
	switch {
	case res.NoTopic:
		a.Message = t.noTopic
		return a
	case len(res.Hits) == 0 && q.Offset > 0:
		a.Message = t.noMore
		return a
	case len(res.Hits) == 0:
		a.Message = fmt.Sprintf(t.nothing, res.Topic)
		return a
	}
	a.Header = fmt.Sprintf(t.header, res.Topic, res.Total, plural(res.Total, t.result, t.results))
	if res.Fuzzy {
		a.Header = fmt.Sprintf(t.fuzzyHeader, res.Topic)
	}
	for i, h := range res.Hits {
		it := Item{Rank: q.Offset + i + 1, ID: h.ID, Title: h.Title, URL: h.URL, Source: h.Source, Snippet: h.Snippet}
		if !h.Published.IsZero() {
			it.Date = corpus.DutchDate(h.Published)
			if res.English {
				it.Date = corpus.EnglishDate(h.Published)
			}
		}
		it.Title, it.Snippet = oneLine(it.Title), oneLine(it.Snippet)
		if it.Title == "" {
			it.Title = t.untitled
		}
		a.Items = append(a.Items, it)
	}
	a.NextOffset = q.Offset + len(res.Hits)
	a.HasMore = a.NextOffset < res.Total
	if a.HasMore {
		a.Footer = t.more
	} else {
		a.Footer = t.end
	}
	return a
}

// record writes a question to the log; a failing log never fails the answer.
func (r *Responder) record(ctx context.Context, q Question, res *Results, took time.Duration) {
	if r.Recorder == nil {
		return
	}
	e := corpus.QuestionEvent{
		Platform: q.Platform, Channel: q.Channel, Question: q.Text, Query: res.Topic,
		Total: res.Total, Latency: took, Zero: len(res.Hits) == 0,
	}
	for _, h := range res.Hits {
		e.ResultIDs = append(e.ResultIDs, h.ID)
	}
	if err := r.Recorder.LogQuestion(context.WithoutCancel(ctx), e); err != nil && r.Logger != nil {
		r.Logger.Warn("question log", "err", err)
	}
}

// Next answers with the page after prev; when there is none, the answer
// carries a message saying so.
func (r *Responder) Next(ctx context.Context, prev Answer) Answer {
	if !prev.HasMore {
		a := Answer{English: prev.English, Question: prev.Question}
		a.Message = texts(prev.English).noMore
		return a
	}
	q := prev.Question
	q.Offset = prev.NextOffset
	return r.Answer(ctx, q)
}

// Feedback stores a rating (+1 or -1) of an answer and returns the
// thank-you to show the user.
func (r *Responder) Feedback(ctx context.Context, a Answer, rating int) (string, error) {
	t := texts(a.English)
	if r.Recorder == nil {
		return t.thanks, nil
	}
	f := corpus.Feedback{
		Platform: a.Question.Platform, Channel: a.Question.Channel,
		Question: a.Question.Text, Rating: rating,
	}
	for _, it := range a.Items {
		f.ResultIDs = append(f.ResultIDs, it.ID)
	}
	if err := r.Recorder.PutFeedback(context.WithoutCancel(ctx), f); err != nil {
		if r.Logger != nil {
			r.Logger.Warn("feedback", "err", err)
		}
		return t.feedbackFailed, err
	}
	return t.thanks, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Messages without results, shared by all front ends.
const (
	msgEmpty   = "Stel een vraag, bijvoorbeeld: wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?"
	msgError   = "Er ging iets mis bij het zoeken. Probeer het over een paar minuten nog eens."
	msgTimeout = "Het zoeken duurde te lang. Probeer een kortere vraag."
)

type lang struct {
	header, fuzzyHeader, nothing, noTopic, noMore, more, end string
	result, results, untitled                                string
	thanks, feedbackFailed, expired, slowDown, moreButton    string
}

var dutch = lang{
	header:      "Dit vond ik over „%s” (%d %s):",
	fuzzyHeader: "Niets dat precies past bij „%s”; dit komt het dichtst in de buurt:",
	nothing:     "Niets gevonden over „%s”. Probeer andere of minder woorden, of een synoniem.",
	noTopic:     "Ik kon in je vraag geen woorden vinden om op te zoeken. Probeer het met een onderwerp, bijvoorbeeld: wat werkt bij gezinnen met schulden?",
	noMore:      "Er zijn geen verdere resultaten.",
	more:        "Typ \"meer\" voor de volgende resultaten.",
	end:         "Dit waren alle resultaten.",
	result:      "resultaat", results: "resultaten", untitled: "(zonder titel)",
	thanks:         "Dank je voor je beoordeling! Daarmee maken we de antwoorden beter.",
	feedbackFailed: "Je beoordeling kon niet worden bewaard. Probeer het later nog eens.",
	expired:        "Deze vraag is te lang geleden gesteld om verder te bladeren. Stel hem gerust opnieuw.",
	slowDown:       "Even rustig aan: er komen veel vragen tegelijk binnen. Probeer het over een minuutje opnieuw.",
	moreButton:     "Meer",
}

var english = lang{
	header:      "This is what I found about \"%s\" (%d %s, in Dutch):",
	fuzzyHeader: "Nothing matches \"%s\" exactly; these come closest:",
	nothing:     "Nothing found about \"%s\". Try other or fewer words, or a synonym.",
	noTopic:     "I could not find anything to search for in your question. Try a topic, for example: what works for families in debt?",
	noMore:      "There are no more results.",
	more:        "Type \"more\" for the next results.",
	end:         "Those were all the results.",
	result:      "result", results: "results", untitled: "(untitled)",
	thanks:         "Thanks for your feedback! It helps us improve the answers.",
	feedbackFailed: "Your feedback could not be saved. Please try again later.",
	expired:        "This question was asked too long ago to page further. Feel free to ask it again.",
	slowDown:       "Easy does it: many questions are coming in at once. Please try again in a minute.",
	moreButton:     "More",
}

func texts(en bool) lang {
	if en {
		return english
	}
	return dutch
}

// Short texts front ends need besides answers, in the answer's language.

// Expired is the reply to "meer" or a rating on an answer whose state has expired.
func Expired(english bool) string { return texts(english).expired }

// SlowDown is the reply to a user or channel over its rate limit.
func SlowDown(english bool) string { return texts(english).slowDown }

// MoreLabel is the label of a "next results" button.
func MoreLabel(english bool) string { return texts(english).moreButton }
