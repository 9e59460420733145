package bots

import "testing"

func TestConversationMore(t *testing.T) {
	f := &fakeSearcher{hits: wachtlijstHits()}
	c := NewConversation(&Responder{Searcher: f})

	a := c.Handle(t.Context(), "wachtlijst")
	if len(a.Items) != 5 || a.Items[0].Rank != 1 || !a.HasMore {
		t.Fatalf("first answer: %d items from rank %d, HasMore %v", len(a.Items), a.Items[0].Rank, a.HasMore)
	}

	a = c.Handle(t.Context(), "Meer!")
	var ranks []int
	for _, it := range a.Items {
		ranks = append(ranks, it.Rank)
	}
	if !equalInts(ranks, []int{6, 7}) {
		t.Errorf("second page ranks = %v, want [6 7]", ranks)
	}
	if q := f.lastCall(); q.Text != "wachtlijst" || q.Offset != 5 || q.Limit != DefaultPageSize {
		t.Errorf("\"meer\" searched %+v, want the first question at offset 5", q)
	}
	if a.HasMore || a.Footer != "Dit waren alle resultaten." {
		t.Errorf("last page: HasMore %v, Footer %q", a.HasMore, a.Footer)
	}

	calls := len(f.calls)
	a = c.Handle(t.Context(), "meer")
	if a.Message != "Er zijn geen verdere resultaten." || len(f.calls) != calls {
		t.Errorf("\"meer\" after the last page: Message %q, %d new searches; want no more results, none",
			a.Message, len(f.calls)-calls)
	}

	// A new question starts over.
	a = c.Handle(t.Context(), "deel 2")
	if len(a.Items) != 1 || a.Items[0].Rank != 1 {
		t.Errorf("new question: items %+v, want one at rank 1", a.Items)
	}
}

func TestConversationMoreFirst(t *testing.T) {
	for _, text := range []string{"meer", "more", "Volgende."} {
		f := &fakeSearcher{hits: wachtlijstHits()}
		a := NewConversation(&Responder{Searcher: f}).Handle(t.Context(), text)
		want := "Stel een vraag, bijvoorbeeld: wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?"
		if a.Message != want || len(f.calls) != 0 {
			t.Errorf("%q before any question: Message %q after %d searches; want %q and none", text, a.Message, len(f.calls), want)
		}
	}
}

func TestConversationMoreEnglish(t *testing.T) {
	f := &fakeSearcher{hits: wachtlijstHits(), english: true}
	c := NewConversation(&Responder{Searcher: f})
	c.Handle(t.Context(), "wachtlijst")
	a := c.Handle(t.Context(), "more")
	if !a.English || len(a.Items) != 2 || a.Items[0].Rank != 6 {
		t.Errorf("English \"more\": English %v, %d items", a.English, len(a.Items))
	}
	a = c.Handle(t.Context(), "more")
	if a.Message != "There are no more results." {
		t.Errorf("English \"more\" after the end: %q", a.Message)
	}
}

func TestIsMore(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"meer", true}, {"MEER", true}, {" meer ", true}, {"meer?", true}, {"Meer!", true},
		{"more", true}, {"next", true}, {"volgende", true}, {"verder", true}, {"meer resultaten", true},
		{"meerdere", false}, {"meer over pleegzorg", false}, {"", false}, {"m eer", false},
	}
	for _, tt := range tests {
		if got := IsMore(tt.text); got != tt.want {
			t.Errorf("IsMore(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
