package bots

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestAnswerResults(t *testing.T) {
	f := &fakeSearcher{hits: wachtlijstHits()}
	r := &Responder{Searcher: f}
	a := r.Answer(t.Context(), Question{Text: "wachtlijst"})
	if want := "Dit vond ik over „wachtlijst” (7 resultaten):"; a.Header != want {
		t.Errorf("Header = %q, want %q", a.Header, want)
	}
	if a.Message != "" || a.English {
		t.Errorf("Message %q, English %v; want none, false", a.Message, a.English)
	}
	if len(a.Items) != DefaultPageSize {
		t.Fatalf("got %d items, want %d", len(a.Items), DefaultPageSize)
	}
	wantDates := []string{"26 november 2021", "25 november 2021", "", "23 november 2021", "22 november 2021"}
	for i, it := range a.Items {
		h := f.hits[i]
		if it.Rank != i+1 || it.ID != h.ID || it.Title != h.Title || it.URL != h.URL || it.Source != h.Source || it.Snippet != h.Snippet {
			t.Errorf("item %d = %+v, want rank %d and the fields of %+v", i, it, i+1, h)
		}
		if it.Date != wantDates[i] {
			t.Errorf("item %d: Date = %q, want %q", i, it.Date, wantDates[i])
		}
	}
	if !a.HasMore || a.NextOffset != 5 || a.Footer != `Typ "meer" voor de volgende resultaten.` {
		t.Errorf("HasMore %v, NextOffset %d, Footer %q", a.HasMore, a.NextOffset, a.Footer)
	}
	if q := f.lastCall(); q.Limit != DefaultPageSize || q.Offset != 0 || q.Text != "wachtlijst" {
		t.Errorf("searcher got %+v, want limit %d", q, DefaultPageSize)
	}
	if a.Question.Text != "wachtlijst" || a.Question.Limit != DefaultPageSize {
		t.Errorf("Answer.Question = %+v", a.Question)
	}
}

func TestAnswerPaging(t *testing.T) {
	tests := []struct {
		name        string
		pageSize    int
		q           Question
		wantRanks   []int
		wantMore    bool
		wantNext    int
		wantFooter  string
		wantMessage string
	}{
		{"page size", 3, Question{Text: "wachtlijst"}, []int{1, 2, 3}, true, 3, `Typ "meer" voor de volgende resultaten.`, ""},
		{"question limit wins", 3, Question{Text: "wachtlijst", Limit: 2}, []int{1, 2}, true, 2, `Typ "meer" voor de volgende resultaten.`, ""},
		{"last page", 0, Question{Text: "wachtlijst", Offset: 5}, []int{6, 7}, false, 7, "Dit waren alle resultaten.", ""},
		{"offset beyond the end", 0, Question{Text: "wachtlijst", Offset: 10}, nil, false, 0, "", "Er zijn geen verdere resultaten."},
		{"one result", 0, Question{Text: "deel 4"}, []int{1}, false, 1, "Dit waren alle resultaten.", ""},
	}
	for _, tt := range tests {
		r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits()}, PageSize: tt.pageSize}
		a := r.Answer(t.Context(), tt.q)
		var ranks []int
		for _, it := range a.Items {
			ranks = append(ranks, it.Rank)
		}
		if !equalInts(ranks, tt.wantRanks) || a.HasMore != tt.wantMore || a.NextOffset != tt.wantNext ||
			a.Footer != tt.wantFooter || a.Message != tt.wantMessage {
			t.Errorf("%s: ranks %v, HasMore %v, NextOffset %d, Footer %q, Message %q; want %v, %v, %d, %q, %q",
				tt.name, ranks, a.HasMore, a.NextOffset, a.Footer, a.Message,
				tt.wantRanks, tt.wantMore, tt.wantNext, tt.wantFooter, tt.wantMessage)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAnswerMessages(t *testing.T) {
	tests := []struct {
		name   string
		f      *fakeSearcher
		q      Question
		header string
		msg    string
	}{
		{"singular", &fakeSearcher{hits: wachtlijstHits()}, Question{Text: "deel 4"},
			"Dit vond ik over „deel 4” (1 resultaat):", ""},
		{"fuzzy", &fakeSearcher{hits: wachtlijstHits(), fuzzy: true}, Question{Text: "wachtlijst"},
			"Niets dat precies past bij „wachtlijst”; dit komt het dichtst in de buurt:", ""},
		{"no topic", &fakeSearcher{noTopic: true}, Question{Text: "wat werkt?"},
			"", "Ik kon in je vraag geen woorden vinden om op te zoeken. Probeer het met een onderwerp, bijvoorbeeld: wat werkt bij gezinnen met schulden?"},
		{"no hits", &fakeSearcher{hits: wachtlijstHits()}, Question{Text: "pleegzorg"},
			"", "Niets gevonden over „pleegzorg”. Probeer andere of minder woorden, of een synoniem."},
		{"empty question", &fakeSearcher{}, Question{Text: "  \n"},
			"", "Stel een vraag, bijvoorbeeld: wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?"},
		{"english results", &fakeSearcher{hits: wachtlijstHits(), english: true}, Question{Text: "wachtlijst"},
			`This is what I found about "wachtlijst" (7 results, in Dutch):`, ""},
		{"english singular", &fakeSearcher{hits: wachtlijstHits(), english: true}, Question{Text: "deel 4"},
			`This is what I found about "deel 4" (1 result, in Dutch):`, ""},
		{"english no hits", &fakeSearcher{english: true}, Question{Text: "foster care"},
			"", `Nothing found about "foster care". Try other or fewer words, or a synonym.`},
		{"english no topic", &fakeSearcher{english: true, noTopic: true}, Question{Text: "what works?"},
			"", "I could not find anything to search for in your question. Try a topic, for example: what works for families in debt?"},
		{"english beyond the end", &fakeSearcher{english: true, hits: wachtlijstHits()}, Question{Text: "wachtlijst", Offset: 20},
			"", "There are no more results."},
	}
	for _, tt := range tests {
		a := (&Responder{Searcher: tt.f}).Answer(t.Context(), tt.q)
		if a.Header != tt.header || a.Message != tt.msg {
			t.Errorf("%s: Header %q, Message %q; want %q, %q", tt.name, a.Header, a.Message, tt.header, tt.msg)
		}
		if tt.msg != "" && (len(a.Items) != 0 || a.Footer != "" || a.HasMore) {
			t.Errorf("%s: a message answer has items %v, footer %q, HasMore %v", tt.name, a.Items, a.Footer, a.HasMore)
		}
	}
	f := &fakeSearcher{}
	(&Responder{Searcher: f}).Answer(t.Context(), Question{Text: " "})
	if len(f.calls) != 0 {
		t.Error("an empty question reached the searcher")
	}
}

func TestAnswerEnglish(t *testing.T) {
	r := &Responder{Searcher: &fakeSearcher{hits: wachtlijstHits(), english: true}}
	a := r.Answer(t.Context(), Question{Text: "wachtlijst"})
	if !a.English || a.Items[0].Date != "26 November 2021" || a.Footer != `Type "more" for the next results.` {
		t.Errorf("English %v, Date %q, Footer %q", a.English, a.Items[0].Date, a.Footer)
	}
	a = r.Answer(t.Context(), Question{Text: "wachtlijst", Offset: 5})
	if a.Footer != "Those were all the results." {
		t.Errorf("last English page: Footer %q", a.Footer)
	}
}

func TestAnswerUntitled(t *testing.T) {
	hits := []Hit{{ID: "x", Title: "", URL: "https://x.example/"}}
	f := &fakeSearcher{hits: hits}
	a := (&Responder{Searcher: f}).Answer(t.Context(), Question{Text: "", Filters: map[string]string{"thema": "ggz"}})
	if len(a.Items) != 1 || a.Items[0].Title != "(zonder titel)" {
		t.Errorf("items %+v, want one titled (zonder titel)", a.Items)
	}
	if q := f.lastCall(); q.Filters["thema"] != "ggz" {
		t.Errorf("searcher got filters %v, want thema=ggz", q.Filters)
	}
}

func TestAnswerSearchError(t *testing.T) {
	secret := errors.New("bleve: index /var/lib/watwerkt/v7 corrupt: segment 0x2a")
	var logs bytes.Buffer
	r := &Responder{Searcher: &fakeSearcher{err: secret}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	a := r.Answer(t.Context(), Question{Text: "wachtlijst"})
	if a.Message != "Er ging iets mis bij het zoeken. Probeer het over een paar minuten nog eens." {
		t.Errorf("Message = %q, want the Dutch apology", a.Message)
	}
	for _, leak := range []string{"bleve", "corrupt", "/var/lib"} {
		if strings.Contains(a.Message+a.Header+a.Footer+RenderText(a), leak) {
			t.Errorf("the answer shows the internal error (%q)", leak)
		}
	}
	if !strings.Contains(logs.String(), "corrupt") {
		t.Errorf("log %q lacks the error detail", logs.String())
	}
	if len(a.Items) != 0 || a.HasMore {
		t.Errorf("error answer has items or more: %+v", a)
	}

	// Without a logger it must not panic; a dead context gets its own text.
	ctx, cancel := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	a = (&Responder{Searcher: &fakeSearcher{err: context.DeadlineExceeded}}).Answer(ctx, Question{Text: "wachtlijst"})
	if a.Message != "Het zoeken duurde te lang. Probeer een kortere vraag." {
		t.Errorf("timeout Message = %q", a.Message)
	}
}
