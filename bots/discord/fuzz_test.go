package discord

import (
	"context"
	"fmt"
	"testing"

	"github.com/watwerkt/watwerkt/bots"
)

var t0ctx = context.Background()

// FuzzRender renders answers made of arbitrary text: the message must
// stay within Discord's limits, hold nothing Discord would act on, and
// never panic. Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	f.Add("Dit vond ik over „wachtlijst” (3 resultaten):", "Wachtlijst", "op de **wachtlijst**", "Werkplaats", "https://x.example/", 3)
	f.Fuzz(func(t *testing.T, header, title, snippet, source, url string, n int) {
		a := bots.Answer{Header: header, HasMore: n%2 == 0}
		if n < 0 {
			n = -n
		}
		for i := range n % 13 {
			a.Items = append(a.Items, bots.Item{Rank: i + 1, ID: fmt.Sprint(i), Title: title, URL: url, Source: source, Date: header, Snippet: snippet})
		}
		if len(a.Items) == 0 {
			a.Message = snippet
		}
		if err := checkMessage(render(a, "ABCDEFGHIJ", false)); err != nil {
			t.Fatal(err)
		}
	})
}
