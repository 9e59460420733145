package search

import "strings"

// glossary maps English words and phrases to the Dutch words the field
// uses, so "what works for children on a waiting list" finds Dutch text.
// Phrases are matched before single words, longest first.
var glossary = map[string]string{
	"youth care":                   "jeugdhulp jeugdzorg",
	"youth care worker":            "jeugdhulpverlener",
	"youth care workers":           "jeugdhulpverleners",
	"youth":                        "jeugd jongeren",
	"young people":                 "jongeren",
	"young person":                 "jongere",
	"adolescents":                  "jongeren",
	"teenagers":                    "jongeren",
	"child":                        "kind",
	"children":                     "kinderen",
	"kids":                         "kinderen",
	"parent":                       "ouder",
	"parents":                      "ouders",
	"parenting":                    "opvoeding opvoeden",
	"family":                       "gezin",
	"families":                     "gezinnen",
	"vulnerable families":          "kwetsbare gezinnen",
	"multi-problem families":       "multiprobleemgezinnen",
	"mentor":                       "mentor",
	"informal mentor":              "informele mentor",
	"network":                      "netwerk",
	"social network":               "netwerk",
	"mental health":                "ggz geestelijke gezondheid",
	"mental health care":           "ggz geestelijke gezondheidszorg",
	"psychiatric problems":         "psychische problemen",
	"mental illness":               "psychische problemen",
	"intellectual disability":      "verstandelijke beperking lvb",
	"mild intellectual disability": "licht verstandelijke beperking lvb",
	"foster care":                  "pleegzorg",
	"foster parents":               "pleegouders",
	"foster family":                "pleeggezin",
	"out-of-home placement":        "uithuisplaatsing",
	"out of home placement":        "uithuisplaatsing",
	"residential care":             "residentiële jeugdzorg",
	"placement":                    "plaatsing",
	"waiting list":                 "wachtlijst",
	"waiting lists":                "wachtlijsten",
	"waiting time":                 "wachttijd",
	"waiting times":                "wachttijden",
	"neighbourhood team":           "wijkteam",
	"neighborhood team":            "wijkteam",
	"neighbourhood teams":          "wijkteams",
	"community team":               "wijkteam",
	"case manager":                 "casemanager regiehouder",
	"case management":              "casemanagement casusregie",
	"school":                       "school onderwijs",
	"education":                    "onderwijs",
	"truancy":                      "thuiszitters verzuim",
	"school absenteeism":           "thuiszitters verzuim",
	"debt":                         "schulden",
	"debts":                        "schulden",
	"poverty":                      "armoede",
	"divorce":                      "scheiding",
	"high-conflict divorce":        "vechtscheiding",
	"online help":                  "online hulp",
	"online":                       "online",
	"chat":                         "chat",
	"app":                          "app",
	"participation":                "participatie",
	"experts by experience":        "ervaringsdeskundigen",
	"expert by experience":         "ervaringsdeskundige",
	"prevent":                      "voorkomen",
	"prevention":                   "preventie",
	"preventing":                   "voorkomen",
	"help":                         "hulp",
	"support":                      "steun ondersteuning",
	"intensive":                    "intensieve",
	"home":                         "thuis",
	"at home":                      "thuis",
	"home-based":                   "ambulante thuis",
	"research":                     "onderzoek",
	"evidence":                     "bewezen effectief onderzoek",
	"effective":                    "effectief",
	"implementation":               "implementatie implementeren",
	"learning":                     "leren",
	"professionals":                "professionals jeugdprofessionals",
	"professional":                 "professional",
	"municipality":                 "gemeente",
	"municipalities":               "gemeenten",
	"general practitioner":         "huisarts",
	"gp":                           "huisarts",
	"dialogue":                     "dialoog dialoogtafel",
	"one family one plan":          "één gezin één plan",
	"normalising":                  "normaliseren",
	"normalizing":                  "normaliseren",
	"contact":                      "contact",
	"lost":                         "kwijt verloren",
	"trusted adult":                "vertrouwenspersoon",
	"loneliness":                   "eenzaamheid",
	"behaviour":                    "gedrag",
	"behavior":                     "gedrag",
	"problems":                     "problemen",
	"autism":                       "autisme",
	"adhd":                         "adhd",
	"violence":                     "geweld",
	"abuse":                        "mishandeling",
	"housing":                      "huisvesting wonen",
	"teachers":                     "leerkrachten",
	"teacher":                      "leerkracht",
}

var maxGlossaryWords = func() int {
	n := 1
	for k := range glossary {
		if w := len(strings.Fields(k)); w > n {
			n = w
		}
	}
	return n
}()

// translate replaces English words and phrases by their Dutch
// counterparts; words it does not know stay (names, acronyms, loanwords).
// It returns the new terms and the Dutch words it added.
func translate(terms []string) (out, added []string) {
	for i := 0; i < len(terms); {
		matched := false
		for n := min(maxGlossaryWords, len(terms)-i); n >= 1; n-- {
			phrase := strings.Join(terms[i:i+n], " ")
			if nl, ok := glossary[phrase]; ok {
				words := strings.Fields(nl)
				out = append(out, words...)
				added = append(added, words...)
				i += n
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, terms[i])
			i++
		}
	}
	return out, added
}
