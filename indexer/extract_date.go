package indexer

import (
	"regexp"
	"strings"
	"time"

	dateparser "github.com/markusmobius/go-dateparser"
)

// relativeDate matches dates that only mean something on the day they
// were written ("3 dagen geleden", "gisteren"): a publication date
// computed from them would be the crawl date, so they are not read.
var relativeDate = regexp.MustCompile(`(?i)\b(geleden|gisteren|eergisteren|vandaag|morgen|vorige|afgelopen|ago|yesterday|today|tomorrow|last)\b`)

// parseDate reads a publication date. Our own parser knows the Dutch
// forms CMSes write ("26 november 2021", "26-11-2021", ISO); go-dateparser,
// restricted to Dutch and English, reads the rest of the short date
// lines ("26 nov '21", "vr 26-11-21"). Relative dates are refused.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := ParseDutchDate(s); ok {
		return t, true
	}
	if len(s) > 80 || !strings.ContainsAny(s, "0123456789") || relativeDate.MatchString(s) {
		return time.Time{}, false
	}
	d, err := dateparser.Parse(&dateparser.Configuration{
		Languages:             []string{"nl", "en"},
		StrictParsing:         true,
		DateOrder:             dateparser.DMY,
		IgnoreSurroundingText: true,
		DefaultTimezone:       time.UTC,
	}, s)
	if err != nil || d.Time.IsZero() {
		return time.Time{}, false
	}
	return validDate(d.Time.Year(), int(d.Time.Month()), d.Time.Day())
}
