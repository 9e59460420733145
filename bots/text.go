package bots

import (
	"strconv"
	"strings"
)

// RenderText renders an answer as plain text, as the console chat and
// `watwerkt ask` show it. Matches stay marked as **word**.
func RenderText(a Answer) string {
	var b strings.Builder
	if a.Message != "" {
		b.WriteString(a.Message)
		b.WriteString("\n")
		return b.String()
	}
	b.WriteString(a.Header)
	b.WriteString("\n")
	for _, it := range a.Items {
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(it.Rank) + ". " + oneLine(it.Title) + "\n")
		meta := oneLine(it.Source)
		if it.Date != "" {
			if meta != "" {
				meta += " · "
			}
			meta += it.Date
		}
		if meta != "" {
			b.WriteString("   " + meta + "\n")
		}
		if it.Snippet != "" {
			b.WriteString("   " + oneLine(it.Snippet) + "\n")
		}
		if it.URL != "" {
			b.WriteString("   " + it.URL + "\n")
		}
	}
	if a.Footer != "" {
		b.WriteString("\n" + a.Footer + "\n")
	}
	return b.String()
}

// oneLine folds white space, so page text cannot break the layout.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
