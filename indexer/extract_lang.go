package indexer

import (
	"strings"
	"unicode"
)

// functionWords are frequent words of a language that the other
// languages listed do not have (words shared by two languages, such as
// "de", "en", "die", "in", "is" or "la", are left out: they tell
// nothing). A page's language is guessed from them only when its
// metadata does not say (langOf).
var functionWords = map[string]string{}

func init() {
	lists := map[string]string{
		"nl": "het een van dat op te zijn met voor niet aan er om ook als bij door maar naar dan wordt worden of uit zij hun hij wij je kan nog over deze dit wat meer geen wel ze heeft hebben werd kunnen moet zo al veel onze",
		"en": "the and of to that for it on with as are was be by this not or from at have an they which you we but his has their been will would there can more when who were its about into than should",
		"de": "der und das ist nicht mit den von zu sich auf für ein eine dem des im auch es als werden wird nach bei oder aus wie sind sie ich hat noch nur kann einen wenn",
		"fr": "le les et des est une du dans pour pas qui sur au avec ne par plus sont ce il elle aux ou leur mais nous vous cette été sont être fait",
		"es": "el los las y del lo como más pero sus al por con para fue ha este esta son entre cuando muy sin sobre también",
		"it": "il che di è della con sono gli nel alla anche più questo come ha dei delle lo ma essere tra suo",
		"pt": "os do da em um uma com não na no dos mais como ao é das foi pelo pela seu sua também são ser",
	}
	shared := map[string]bool{}
	for lang, words := range lists {
		for _, w := range strings.Fields(words) {
			if other, ok := functionWords[w]; ok && other != lang {
				shared[w] = true
			}
			functionWords[w] = lang
		}
	}
	for w := range shared {
		delete(functionWords, w)
	}
}

// guessLanguage guesses the language of a text: from its script when
// that belongs to one language (Japanese kana, Korean hangul, Chinese
// characters, Hebrew, Greek, Thai), else from its function words —
// Dutch, English, German, French, Spanish, Italian or Portuguese. It
// returns "" when the text does not say clearly (too few such words, two
// languages close, or a script that several languages share, such as
// Cyrillic or Arabic). A page's own metadata (langOf) comes first.
func guessLanguage(text string) string {
	if lang, ok := scriptLanguage(text); ok {
		return lang
	}
	hits := map[string]int{}
	words := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		words++
		if lang, ok := functionWords[w]; ok {
			hits[lang]++
		}
	}
	best, first, second := "", 0, 0
	for lang, n := range hits {
		switch {
		case n > first || (n == first && lang < best):
			best, first, second = lang, n, first
		case n > second:
			second = n
		}
	}
	if first < 5 || 20*first < words || first < 2*second {
		return ""
	}
	return best
}

// scriptLanguage reads the language from the script when most letters
// are not Latin; ok is false for a text in Latin letters.
func scriptLanguage(text string) (lang string, ok bool) {
	var letters, latin, kana, hangul, han, hebrew, greek, thai int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x250:
			latin++
		case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Thai, r):
			thai++
		}
	}
	if letters == 0 || 2*latin >= letters {
		return "", false
	}
	switch {
	case kana > 0 && 20*kana >= letters: // Japanese mixes kana with kanji
		return "ja", true
	case 2*hangul >= letters:
		return "ko", true
	case 2*han >= letters:
		return "zh", true
	case 2*hebrew >= letters:
		return "he", true
	case 2*greek >= letters:
		return "el", true
	case 2*thai >= letters:
		return "th", true
	}
	return "", true
}
