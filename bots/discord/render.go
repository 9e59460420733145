package discord

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/watwerkt/watwerkt/bots"
)

// Discord's limits, counted in code points.
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxEmbedsTotal = 6000 // titles, descriptions, fields, footers, authors of all embeds together
	maxEmbeds      = 10
	maxURL         = 2048
	maxCustomID    = 100

	// maxSourceLine keeps the "source · date" line short, so that a
	// page with an absurd source name cannot crowd out its snippet.
	maxSourceLine = 200

	embedColor = 0x2E7D6B
)

// render turns an answer into a message. key is the session key for
// the buttons; "" means no buttons. en picks the language of the button
// labels.
func render(a bots.Answer, key string, en bool) *message {
	m := &message{AllowedMentions: noMentions()}
	if a.Message != "" || len(a.Items) == 0 {
		msg := a.Message
		if msg == "" {
			msg = a.Header
		}
		m.Content = inert(msg, true, maxContent).fit(maxContent)
		if m.Content == "" { // Discord refuses an empty message
			m.Content = nothing(en)
		}
		return m
	}
	m.Content = inert(a.Header, true, maxContent).fit(maxContent)
	m.Embeds = renderItems(a.Items)
	if key != "" {
		m.Components = buttons(key, a.HasMore, en)
	}
	return m
}

func nothing(en bool) string {
	if en {
		return "No results."
	}
	return "Geen resultaten."
}

// renderItems makes one embed per item: the title links to the page,
// the description holds "source · date" and the snippet. Descriptions
// share what the titles leave of the 6000 code points a message may
// hold in embeds, short ones keeping their length and long ones cut to
// an equal share.
func renderItems(items []bots.Item) []embed {
	if len(items) > maxEmbeds {
		items = items[:maxEmbeds]
	}
	embeds := make([]embed, len(items))
	descs := make([]text, len(items))
	budget := maxEmbedsTotal
	for i, it := range items {
		title := text(nil).add(strconv.Itoa(it.Rank) + `\. `)
		title = append(title, inert(it.Title, false, maxTitle)...)
		embeds[i] = embed{Title: title.fit(maxTitle), URL: pageURL(it.URL), Color: embedColor}
		budget -= utf8.RuneCountInString(embeds[i].Title)

		var d text
		if line := inert(sourceLine(it), true, maxSourceLine).fit(maxSourceLine); line != "" {
			d = d.add(line).add("\n")
		}
		descs[i] = appendMarked(d, it.Snippet, true, maxDescription)
	}
	lengths := make([]int, len(descs))
	for i, d := range descs {
		lengths[i] = min(d.len(), maxDescription)
	}
	caps := share(lengths, budget)
	for i, d := range descs {
		embeds[i].Description = d.fit(caps[i])
	}
	return embeds
}

// share caps lengths so that they sum to at most budget: lengths below
// the water line stay, the others are cut to it.
func share(lengths []int, budget int) []int {
	caps := append([]int(nil), lengths...)
	total := 0
	for _, l := range lengths {
		total += l
	}
	if total <= budget {
		return caps
	}
	sorted := append([]int(nil), lengths...)
	sort.Ints(sorted)
	left, line := max(budget, 0), 0
	for k, l := range sorted {
		if rest := len(sorted) - k; l*rest > left {
			line = left / rest
			break
		}
		left -= l
	}
	for i := range caps {
		caps[i] = min(caps[i], line)
	}
	return caps
}

// sourceLine is "source · date", or whichever of the two is known.
func sourceLine(it bots.Item) string {
	src, date := clean(bound(it.Source, maxSourceLine)), clean(bound(it.Date, maxSourceLine))
	switch {
	case src == "":
		return date
	case date == "":
		return src
	}
	return src + " · " + date
}

// pageURL returns u when it is a plain http(s) link Discord accepts as
// an embed URL, and "" otherwise: javascript:, data: and the like are
// dropped rather than shown.
func pageURL(u string) string {
	if u == "" || len(u) > maxURL || clean(u) != u {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	// String re-escapes the path where Parse was lenient; what is still
	// not a URL character after that (in a query, say) would make Discord
	// refuse the whole message, so such a link is dropped.
	s := p.String()
	if len(s) > maxURL || strings.IndexFunc(s, notURLChar) >= 0 {
		return ""
	}
	return s
}

// notURLChar reports characters RFC 3986 does not allow in a URL.
func notURLChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=%", r)
}

// buttons are "Meer" (when there is more) and 👍 / 👎 under an answer.
func buttons(key string, more bool, en bool) []actionRow {
	var row []button
	if more {
		row = append(row, button{Type: 2, Style: stylePrimary, Label: bots.MoreLabel(en), CustomID: moreID(key)})
	}
	row = append(row,
		button{Type: 2, Style: styleSecondary, CustomID: feedbackID(key, +1), Emoji: &emoji{Name: "👍"}},
		button{Type: 2, Style: styleSecondary, CustomID: feedbackID(key, -1), Emoji: &emoji{Name: "👎"}},
	)
	return []actionRow{{Type: 1, Components: row}}
}

// ephemeral is a short text only the user who clicked or asked sees.
func ephemeral(s string) *message {
	return &message{Content: s, Flags: flagEphemeral, AllowedMentions: noMentions()}
}

// Button custom ids: "m:<key>" for the next page, "f:<key>:+" and
// "f:<key>:-" for a rating. The answer itself stays on the server.

func moreID(key string) string { return "m:" + key }

func feedbackID(key string, rating int) string {
	if rating > 0 {
		return "f:" + key + ":+"
	}
	return "f:" + key + ":-"
}

type buttonKind int

const (
	buttonUnknown buttonKind = iota
	buttonMore
	buttonFeedback
)

// parseCustomID reads a button id; anything else is buttonUnknown.
func parseCustomID(id string) (kind buttonKind, key string, rating int) {
	switch {
	case len(id) == 2+bots.KeyLen && id[:2] == "m:":
		return buttonMore, id[2:], 0
	case len(id) == 4+bots.KeyLen && id[:2] == "f:" && id[2+bots.KeyLen] == ':':
		key = id[2 : 2+bots.KeyLen]
		switch id[len(id)-1] {
		case '+':
			return buttonFeedback, key, 1
		case '-':
			return buttonFeedback, key, -1
		}
	}
	return buttonUnknown, "", 0
}
