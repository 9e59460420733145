package discord

// The JSON the bot sends. These are our own types rather than
// discordgo's because discordgo always emits fields we do not want
// (tts, an empty content) and omits allowed_mentions unless set; here
// every message carries allowed_mentions {"parse": []} by construction,
// and the golden files show exactly what goes over the wire.

// message is the body of a channel message, a webhook edit or followup,
// and the data of an interaction response.
type message struct {
	Content          string            `json:"content,omitempty"`
	Embeds           []embed           `json:"embeds,omitempty"`
	Components       []actionRow       `json:"components,omitempty"`
	AllowedMentions  allowedMentions   `json:"allowed_mentions"`
	Flags            int               `json:"flags,omitempty"`
	MessageReference *messageReference `json:"message_reference,omitempty"`
}

// allowedMentions with an empty Parse list lets nothing ping anyone,
// whatever the text holds. Parse must marshal as [], never null.
type allowedMentions struct {
	Parse       []string `json:"parse"`
	RepliedUser *bool    `json:"replied_user,omitempty"`
}

func noMentions() allowedMentions { return allowedMentions{Parse: []string{}} }

// noReplyMentions also keeps a reply from pinging the asker.
func noReplyMentions() allowedMentions {
	f := false
	return allowedMentions{Parse: []string{}, RepliedUser: &f}
}

type embed struct {
	Title       string `json:"title,omitempty"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description,omitempty"`
	Color       int    `json:"color,omitempty"`
}

type actionRow struct {
	Type       int      `json:"type"` // 1
	Components []button `json:"components"`
}

type button struct {
	Type     int    `json:"type"` // 2
	Style    int    `json:"style"`
	Label    string `json:"label,omitempty"`
	CustomID string `json:"custom_id"`
	Emoji    *emoji `json:"emoji,omitempty"`
}

type emoji struct {
	Name string `json:"name"`
}

type messageReference struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id,omitempty"`
	GuildID         string `json:"guild_id,omitempty"`
	FailIfNotExists bool   `json:"fail_if_not_exists"`
}

// interactionResponse is the body of POST interactions/{id}/{token}/callback.
type interactionResponse struct {
	Type int      `json:"type"`
	Data *message `json:"data,omitempty"`
}

// Interaction response types and message flags we use.
const (
	respondMessage       = 4 // CHANNEL_MESSAGE_WITH_SOURCE
	respondDeferred      = 5 // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
	respondUpdateMessage = 7 // UPDATE_MESSAGE

	flagEphemeral = 1 << 6

	stylePrimary   = 1
	styleSecondary = 2
)

// command is an application command as registered with PUT .../commands.
type command struct {
	Name                     string            `json:"name"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations,omitempty"`
	Type                     int               `json:"type"`
	Options                  []commandOption   `json:"options"`
}

type commandOption struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	NameLocalizations        map[string]string `json:"name_localizations,omitempty"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations,omitempty"`
	Required                 bool              `json:"required,omitempty"`
	MaxLength                int               `json:"max_length,omitempty"`
}
