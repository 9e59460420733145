package search

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxQuestionRunes is how much of a question is read; chat users paste
// whole e-mails, and nothing past this changes what they ask about.
const MaxQuestionRunes = 500

// maxTopicTerms caps the words that go into a query.
const maxTopicTerms = 32

// Question is a user's question after understanding: the topic words to
// search for, the language it was asked in, and the filters it carried.
type Question struct {
	Raw      string            // as typed, cleaned of control characters
	Topic    string            // the words that carry meaning
	Terms    []string          // Topic split into words, at most maxTopicTerms
	English  bool              // asked in English (answer in English)
	Filters  map[string]string // bron, thema, regio, jaar, type
	Expanded []string          // Dutch words added for English terms
}

// Filter keys users and bots may pass ("bron:Jeugd in Beeld").
var filterFields = map[string]string{
	"bron": fSource, "source": fSource,
	"thema": fThemes, "theme": fThemes,
	"regio": fRegion, "region": fRegion,
	"jaar": fYear, "year": fYear,
	"type": fType,
}

// IsFilterKey reports whether k names a filter.
func IsFilterKey(k string) bool { _, ok := filterFields[strings.ToLower(k)]; return ok }

// questionFrames are the openings of a question that say "I want to know"
// rather than what about. They are removed from the front, longest first.
var questionFrames = regexp.MustCompile(`(?i)^\s*(` + strings.Join([]string{
	`wat werkt (er )?(goed )?(bij|voor|tegen|in|om)`,
	`wat helpt (er )?(bij|voor|tegen|om)`,
	`wat weten we (al )?(over|van)`,
	`wat is (er )?bekend (over|van)`,
	`is er (iets )?(bekend|onderzoek|informatie|kennis) (over|naar|bij)`,
	`zijn er (onderzoeken|projecten|artikelen|voorbeelden) (over|naar|van|met)`,
	`(heeft|hebben) (iemand|jullie) (ervaring|kennis|informatie) (met|over)`,
	`ik zoek (informatie|iets|kennis) (over|voor|bij)`,
	`hoe (kan|kun|kunnen|moet|moeten|zou) (ik|je|jij|we|wij|men) (het best(e)? )?`,
	`hoe (ga|gaan|pak|pakken) (ik|je|we|wij)`,
	`what works (for|with|in|to)`,
	`what do we know about`,
	`is there (any )?(research|evidence|information) (on|about|into)`,
	`how (can|do|should) (i|we|you)`,
}, "|") + `)\b`)

// questionWords are words that only frame a question; they are dropped
// wherever they stand. Dutch stopwords are dropped later by the analyzer.
var questionWords = map[string]bool{
	"wat": true, "hoe": true, "welke": true, "welk": true, "waarom": true, "wanneer": true,
	"waar": true, "wie": true, "werkt": true, "helpt": true, "bekend": true, "iets": true,
	"weten": true, "kan": true, "kun": true, "kunnen": true, "ik": true, "je": true,
	"jij": true, "we": true, "wij": true, "er": true, "graag": true, "vraag": true,
	"tips": true, "tip": true, "eigenlijk": true, "precies": true,
	// English frame words
	"what": true, "how": true, "which": true, "works": true, "work": true, "the": true,
	"a": true, "an": true, "do": true, "does": true, "is": true, "are": true, "to": true,
	"for": true, "of": true, "on": true, "in": true, "with": true, "and": true, "or": true,
	"there": true, "any": true, "can": true, "i": true, "you": true, "about": true,
	"that": true, "who": true, "have": true, "has": true, "when": true, "why": true,
	"know": true, "at": true, "by": true, "it": true, "their": true, "our": true,
}

// englishMarkers are common English words that rarely occur in Dutch text.
var englishMarkers = map[string]bool{
	"what": true, "works": true, "the": true, "for": true, "with": true, "how": true,
	"children": true, "parents": true, "young": true, "people": true, "families": true,
	"family": true, "there": true, "about": true, "which": true,
	"should": true, "care": true, "health": true, "youth": true, "prevent": true,
	"waiting": true, "research": true, "evidence": true, "of": true, "and": true, "to": true,
}

var filterRe = regexp.MustCompile(`(?i)\b(bron|source|thema|theme|regio|region|jaar|year|type):\s*("[^"]*"|\S+)`)

// Understand reads a question: it removes control characters, keeps at
// most MaxQuestionRunes, pulls out "key:value" filters, strips the
// question frame and detects English.
func Understand(raw string) Question {
	return understand(raw, MaxQuestionRunes, maxTopicTerms)
}

// Limits for long questions (a whole e-mail or a parliamentary question
// with its explanation), asked for with Request.Long.
const (
	maxLongRunes = 8000
	maxLongTerms = 1000
)

// mayHaveFilter reports whether filterRe can match s: some colon follows
// a filter key as a whole ASCII word, or s has a letter that (?i) folds
// to one of the keys' letters (ſ, the Kelvin sign). The regexp costs
// 0.15 ms on a long question without filters.
func mayHaveFilter(s string) bool {
	if strings.ContainsAny(s, "\u017f\u212a") {
		return true
	}
	for i := strings.IndexByte(s, ':'); i >= 0; {
		j := i
		for j > 0 && isWordByte(s[j-1]) {
			j--
		}
		if _, ok := filterFields[strings.ToLower(s[j:i])]; ok {
			return true
		}
		k := strings.IndexByte(s[i+1:], ':')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

// isWordByte is an ASCII word character, as \b sees them.
func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

func understand(raw string, maxRunes, maxTerms int) Question {
	q := Question{Filters: map[string]string{}}
	q.Raw = cleanQuestion(raw, maxRunes)
	text := q.Raw
	if mayHaveFilter(text) {
		text = filterRe.ReplaceAllStringFunc(text, func(m string) string {
			sub := filterRe.FindStringSubmatch(m)
			key := strings.ToLower(sub[1])
			q.Filters[filterFields[key]] = strings.Trim(sub[2], `"`)
			return " "
		})
	}
	words := splitWords(text)
	english := 0
	for _, w := range words {
		if englishMarkers[w] {
			english++
		}
	}
	q.English = english >= 2 && english*3 >= len(words)
	text = questionFrames.ReplaceAllString(strings.Join(words, " "), "")
	var terms []string
	for _, w := range splitWords(text) {
		if !questionWords[w] {
			terms = append(terms, w)
		}
	}
	if q.English {
		terms, q.Expanded = translate(terms)
	}
	if len(terms) > maxTerms {
		terms = terms[:maxTerms]
	}
	q.Terms = terms
	q.Topic = strings.Join(terms, " ")
	return q
}

// cleanQuestion normalises to NFC, turns control and format characters
// into spaces and truncates to max runes.
func cleanQuestion(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= max {
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// splitWords lower-cases and splits on anything that is not a letter or
// digit, keeping inner hyphens and apostrophes ("jeugd-ggz", "baby's").
func splitWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'')
	}) {
		f = strings.Trim(f, "-'")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
