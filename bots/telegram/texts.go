package telegram

import tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

// What the bot says besides answers; the answers themselves and the
// shared short texts (bots.Expired, bots.SlowDown, bots.MoreLabel) come
// from package bots. Help texts are HTML (see render.go) and use only <b>.
type lang struct {
	help, start, usage, unknown, untitled, noAnswer, rated string
	commands                                               []tgbotapi.BotCommand
}

var dutch = lang{
	start: "Hallo! Ik zoek voor je in de publicaties van de academische werkplaatsen jeugd.\n\n",
	help: "<b>Zo stel je een vraag</b>\n" +
		"• In een privégesprek met mij: typ gewoon je vraag.\n" +
		"• In een groep: /watwerkt gevolgd door je vraag, of beantwoord een van mijn berichten.\n\n" +
		"Bijvoorbeeld: /watwerkt wat werkt bij jongeren die het contact met hun netwerk kwijt zijn?\n\n" +
		"Je krijgt de best passende passages, met titel, bron, datum en een link. " +
		"Met „Meer ▶” zie je de volgende resultaten (in een privégesprek kun je ook „meer” typen). " +
		"Met 👍 of 👎 laat je weten of het antwoord je hielp; dat bewaren we zonder je naam.",
	usage:    "Zet je vraag achter het commando, bijvoorbeeld: /watwerkt wat werkt bij gezinnen met schulden?",
	unknown:  "Dat commando ken ik niet. Typ /help voor uitleg, of stel gewoon je vraag.",
	untitled: "(zonder titel)",
	noAnswer: "Ik heb hier geen antwoord op.",
	rated:    "Je had dit antwoord al beoordeeld. Dank je!",
	commands: []tgbotapi.BotCommand{
		{Command: "watwerkt", Description: "Stel een vraag: wat werkt in de jeugdhulp?"},
		{Command: "help", Description: "Uitleg: hoe stel je een vraag?"},
		{Command: "start", Description: "Kennismaken met deze bot"},
	},
}

var english = lang{
	start: "Hello! I search the publications of the Dutch academic youth-care workplaces for you (most are in Dutch).\n\n",
	help: "<b>How to ask</b>\n" +
		"• In a private chat with me: just type your question.\n" +
		"• In a group: /watwerkt followed by your question, or reply to one of my messages.\n\n" +
		"For example: /watwerkt what works for young people who lost contact with their network?\n\n" +
		"You get the best matching passages, with title, source, date and a link. " +
		"\"More ▶\" shows the next results (in a private chat you can also type \"more\"). " +
		"With 👍 or 👎 you tell us whether the answer helped; we keep that without your name.",
	usage:    "Put your question after the command, for example: /watwerkt what works for families in debt?",
	unknown:  "I do not know that command. Type /help for help, or just ask your question.",
	untitled: "(untitled)",
	noAnswer: "I have no answer to that.",
	rated:    "You already rated this answer. Thanks!",
	commands: []tgbotapi.BotCommand{
		{Command: "watwerkt", Description: "Ask a question: what works in youth care?"},
		{Command: "help", Description: "How to ask a question"},
		{Command: "start", Description: "Get to know this bot"},
	},
}

func texts(en bool) lang {
	if en {
		return english
	}
	return dutch
}
