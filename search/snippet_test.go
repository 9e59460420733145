package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMoreRunes(t *testing.T) {
	for _, s := range []string{"", "a", "abc", "één", "ééé", "aéb", "日本語テキスト", strings.Repeat("é", 40) + "abc"} {
		for n := 0; n <= 50; n++ {
			if got, want := moreRunes(s, n), utf8.RuneCountInString(s) > n; got != want {
				t.Errorf("moreRunes(%q, %d) = %v, want %v", s, n, got, want)
			}
		}
	}
}
