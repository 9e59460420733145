package discord

// commandName is the slash command: /watwerkt vraag:<tekst> [thema] [bron].
const commandName = "watwerkt"

// maxQuestion bounds a question in code points. Discord enforces it on
// the slash command; mentions and DMs are clipped to it, so that the
// header quoting the question stays within a message.
const maxQuestion = 300

// Option names; Discord sends these whatever the user's language.
const (
	optQuestion = "vraag"
	optTheme    = "thema"
	optSource   = "bron"
)

// watwerktCommand is the command as registered, Dutch first with
// English for users whose Discord speaks English.
func watwerktCommand() command {
	en := func(s string) map[string]string { return map[string]string{"en-US": s, "en-GB": s} }
	return command{
		Name:                     commandName,
		Description:              "Zoek in publicaties over jeugdhulp: wat werkt?",
		DescriptionLocalizations: en("Search publications on youth care: what works?"),
		Type:                     1, // CHAT_INPUT
		Options: []commandOption{
			{
				Type: 3, Name: optQuestion, NameLocalizations: en("question"),
				Description:              "Je vraag, bijvoorbeeld: wat werkt bij gezinnen met schulden?",
				DescriptionLocalizations: en("Your question, for example: what works for families in debt?"),
				Required:                 true, MaxLength: maxQuestion,
			},
			{
				Type: 3, Name: optTheme, NameLocalizations: en("theme"),
				Description:              "Alleen over dit thema, bijvoorbeeld: opvoeden",
				DescriptionLocalizations: en("Only about this theme, for example: parenting"),
				MaxLength:                100,
			},
			{
				Type: 3, Name: optSource, NameLocalizations: en("source"),
				Description:              "Alleen uit deze bron (werkplaats of database)",
				DescriptionLocalizations: en("Only from this source (workplace or database)"),
				MaxLength:                100,
			},
		},
	}
}
