package corpus

import (
	"reflect"
	"regexp"
	"testing"
	"time"
)

func TestDocumentIDStable(t *testing.T) {
	// The ids are stored in indexes and chat button payloads: they must
	// not change between versions of watwerkt.
	tests := []struct{ url, want string }{
		{"https://jeugdinbeeld.example/artikel/jim-informele-mentor", "3b69c94c30d8972b"},
		{"http://127.0.0.1/", "d5541dbe8037a643"},
	}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tt := range tests {
		got := DocumentID(tt.url)
		if got != tt.want {
			t.Errorf("DocumentID(%q) = %q, want %q", tt.url, got, tt.want)
		}
		if !hex16.MatchString(got) {
			t.Errorf("DocumentID(%q) = %q, want 16 lower-case hex digits", tt.url, got)
		}
		if again := DocumentID(tt.url); again != got {
			t.Errorf("DocumentID(%q) not deterministic: %q then %q", tt.url, got, again)
		}
	}
	if DocumentID("https://a.example/x") == DocumentID("https://a.example/y") {
		t.Error("different URLs got the same id")
	}
}

func TestHashContent(t *testing.T) {
	base := HashContent("Eén gezin, één plan", "Eerste alinea.\n\nTweede alinea.")
	tests := []struct {
		name, title, body string
		same              bool
	}{
		{"identical", "Eén gezin, één plan", "Eerste alinea.\n\nTweede alinea.", true},
		{"white space in body", "Eén gezin, één plan", "  Eerste\talinea.\r\n\r\n\n Tweede   alinea. \n", true},
		{"white space in title", " Eén  gezin,\néén plan ", "Eerste alinea.\n\nTweede alinea.", true},
		{"nbsp is white space too", "Eén\u00a0gezin, één plan", "Eerste alinea.\n\nTweede alinea.", true},
		{"word changed", "Eén gezin, één plan", "Eerste alinea.\n\nDerde alinea.", false},
		{"title changed", "Eén gezin, twee plannen", "Eerste alinea.\n\nTweede alinea.", false},
		{"case matters", "eén gezin, één plan", "Eerste alinea.\n\nTweede alinea.", false},
		{"words moved from title to body", "Eén gezin,", "één plan Eerste alinea.\n\nTweede alinea.", false},
	}
	for _, tt := range tests {
		got := HashContent(tt.title, tt.body) == base
		if got != tt.same {
			t.Errorf("%s: same hash = %v, want %v", tt.name, got, tt.same)
		}
	}
	if n := len(base); n != 64 {
		t.Errorf("hash length = %d, want 64 hex digits", n)
	}
}

func TestSplitParagraphs(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{"", nil},
		{"\n\n  \n\n", nil},
		{"één alinea", []string{"één alinea"}},
		{"een\nregel-\nafbreking", []string{"een\nregel-\nafbreking"}},
		{"a\n\nb", []string{"a", "b"}},
		{"  a  \n\n\n\n  b\n\n\nc\n", []string{"a", "b", "c"}},
		{"\n\na\n\n", []string{"a"}},
	}
	for _, tt := range tests {
		got := SplitParagraphs(tt.body)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitParagraphs(%q) = %q, want %q", tt.body, got, tt.want)
		}
		d := Document{Body: tt.body}
		if p := d.Paragraphs(); !reflect.DeepEqual(p, got) {
			t.Errorf("Paragraphs() = %q, want SplitParagraphs' %q", p, got)
		}
	}
}

func TestDutchAndEnglishDate(t *testing.T) {
	tests := []struct {
		t             time.Time
		dutch, engels string
	}{
		{time.Date(2021, 11, 26, 10, 0, 0, 0, time.UTC), "26 november 2021", "26 November 2021"},
		{time.Date(2009, 9, 1, 0, 0, 0, 0, time.UTC), "1 september 2009", "1 September 2009"},
		{time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC), "31 januari 2020", "31 January 2020"},
		{time.Date(2019, 3, 5, 0, 0, 0, 0, time.UTC), "5 maart 2019", "5 March 2019"},
		{time.Date(2023, 5, 17, 0, 0, 0, 0, time.UTC), "17 mei 2023", "17 May 2023"},
		{time.Date(2024, 12, 31, 23, 59, 0, 0, time.UTC), "31 december 2024", "31 December 2024"},
	}
	for _, tt := range tests {
		if got := DutchDate(tt.t); got != tt.dutch {
			t.Errorf("DutchDate(%v) = %q, want %q", tt.t, got, tt.dutch)
		}
		if got := EnglishDate(tt.t); got != tt.engels {
			t.Errorf("EnglishDate(%v) = %q, want %q", tt.t, got, tt.engels)
		}
	}
}

func TestPutResultString(t *testing.T) {
	for r, want := range map[PutResult]string{Added: "added", Updated: "updated", Unchanged: "unchanged"} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(r), got, want)
		}
	}
}
