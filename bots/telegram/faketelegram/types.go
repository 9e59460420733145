package faketelegram

import "encoding/json"

// The JSON shapes below are a subset of the Bot API types of the same
// name. Every field is declared by the official specification (a test in
// bots/telegram checks that), and optional fields are omitted when empty,
// as Telegram does. They are defined here rather than taken from the SDK
// so that the fake stays independent of the client it tests.

// User is a Telegram user or bot.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a private chat, a group or a supergroup.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // "private", "group", "supergroup"
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
}

// MessageEntity marks a command, a bold run or a link in a message text;
// Offset and Length count UTF-16 code units.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	URL    string `json:"url,omitempty"`
}

// Message is a chat message.
type Message struct {
	MessageID      int             `json:"message_id"`
	From           *User           `json:"from,omitempty"`
	Date           int64           `json:"date"`
	Chat           Chat            `json:"chat"`
	ReplyToMessage *Message        `json:"reply_to_message,omitempty"`
	EditDate       int64           `json:"edit_date,omitempty"`
	Text           string          `json:"text,omitempty"`
	Entities       []MessageEntity `json:"entities,omitempty"`
	ReplyMarkup    json.RawMessage `json:"reply_markup,omitempty"`
}

// CallbackQuery is a press on an inline keyboard button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// Update is one event for the bot.
type Update struct {
	UpdateID      int            `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// ResponseParameters tell a client how to recover from an error.
type ResponseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// response is the envelope of every Bot API answer.
type response struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *ResponseParameters `json:"parameters,omitempty"`
}

// keyboard is the part of an InlineKeyboardMarkup the fake inspects.
type keyboard struct {
	InlineKeyboard [][]struct {
		Text         string  `json:"text"`
		CallbackData *string `json:"callback_data"`
		URL          *string `json:"url"`
	} `json:"inline_keyboard"`
}

// botCommand is one entry of setMyCommands.
type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}
