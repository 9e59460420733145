package bots

import (
	"context"
	"strings"
)

// Conversation keeps the state of one chat (a terminal session, a chat
// channel): the last question, so that "meer" continues it.
type Conversation struct {
	r    *Responder
	last *Answer

	// Platform and Channel go into the question log.
	Platform, Channel string
}

// NewConversation starts a conversation answered by r.
func NewConversation(r *Responder) *Conversation { return &Conversation{r: r} }

// moreWords ask for the next page of the previous answer.
var moreWords = map[string]bool{
	"meer": true, "more": true, "volgende": true, "next": true, "verder": true, "meer resultaten": true,
}

// IsMore reports whether text asks for more results.
func IsMore(text string) bool {
	return moreWords[strings.Trim(strings.ToLower(strings.TrimSpace(text)), ".!?")]
}

// Handle answers a message: a new question, or "meer" for the next page.
func (c *Conversation) Handle(ctx context.Context, text string) Answer {
	if IsMore(text) {
		if c.last == nil || !c.last.HasMore {
			a := Answer{English: strings.EqualFold(strings.Trim(strings.TrimSpace(text), ".!?"), "more") ||
				(c.last != nil && c.last.English)}
			a.Message = texts(a.English).noMore
			if c.last == nil {
				a.Message = msgEmpty
			}
			return a
		}
		a := c.r.Next(ctx, *c.last)
		c.last = &a
		return a
	}
	a := c.r.Answer(ctx, Question{Text: text, Platform: c.Platform, Channel: c.Channel})
	c.last = &a
	return a
}
