package indexer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// relativeDate matches dates that only mean something on the day they
// were written ("3 dagen geleden", "gisteren"): a publication date
// computed from them would be the crawl date, so they are not read.
var relativeDate = regexp.MustCompile(`(?i)\b(geleden|gisteren|eergisteren|vandaag|morgen|vorige|afgelopen|ago|yesterday|today|tomorrow|last)\b`)

// maxDateLine is the length of the longest string read as a date line
// by the short forms (parseDateLine); a longer one is running text, where
// "12.03.21" is more likely a version or an article number.
const maxDateLine = 80

// parseDate reads a publication date. ParseDutchDate knows the forms
// CMSes write in full ("26 november 2021", "26-11-2021", ISO), anywhere
// in the string; parseDateLine the short forms of date lines ("vr 26 nov
// '21", "26-11-21", "November 26, 2021"). A day is required: "november
// 2021" is no publication date. Relative dates are refused.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := ParseDutchDate(s); ok {
		return t, true
	}
	if len(s) > maxDateLine || !strings.ContainsAny(s, "0123456789") || relativeDate.MatchString(s) {
		return time.Time{}, false
	}
	return parseDateLine(s)
}

// The short forms of date lines, after ParseDutchDate found none of the
// full ones. Weekdays ("vr", "maandag", "Friday,") are simply skipped:
// the patterns find the date anywhere in the line.
var (
	// "26 nov '21", "26 nov 21", "26-nov-2021", "26e november 2021",
	// "26th November 2021", "4 maart, 2021".
	dayMonthYearRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:e|ste|de|st|nd|rd|th)?[ \-/]+([a-z]{3,9})\.?,?[ \-/]+('?\d{2}|\d{4})\b`)
	// "November 26, 2021", "Nov. 26, 2021", "Jan 5 2021", "Sept. 5, '19".
	monthDayYearRe = regexp.MustCompile(`(?i)\b([a-z]{3,9})\.? +(\d{1,2})(?:st|nd|rd|th)?,? +('?\d{2}|\d{4})\b`)
	// "26-11-21", "26/11/21", "26.11.21": day, month and a two-digit year.
	numericShortRe = regexp.MustCompile(`\b(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{2})\b`)
	// "26 11 2021", "5 - 11 - 2021": spaced numbers with a full year.
	numericSpacedRe = regexp.MustCompile(`\b(\d{1,2}) *([-/. ]) *(\d{1,2}) *([-/. ]) *(\d{4})\b`)
	// "2021/11/26", "2021.11.26".
	yearFirstRe = regexp.MustCompile(`\b(\d{4})([/.])(\d{1,2})([/.])(\d{1,2})\b`)
)

// parseDateLine reads the first date of a short line in one of the forms
// above, day before month as in Dutch ("12/03/2021" is 12 March).
func parseDateLine(s string) (time.Time, bool) {
	var best time.Time
	bestAt := -1
	consider := func(at, y, m, d int) {
		if bestAt >= 0 && at >= bestAt {
			return
		}
		if t, ok := validDate(y, m, d); ok {
			best, bestAt = t, at
		}
	}
	num := func(m []int, i int) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(s[m[2*i]:m[2*i+1]], "'"))
		return n
	}
	// A number followed by ":" or "." and a digit is a time or part of a
	// longer number ("3 dec 10:15", "versie 2.1.13.4"), not a year.
	freeEnd := func(end int) bool {
		return end == len(s) || !(strings.ContainsRune(":.,", rune(s[end])) && end+1 < len(s) && isDigit(s[end+1]))
	}
	// Preceded by a digit and a separator, a match is the tail of a longer
	// number ("1.2.26.11.21").
	freeStart := func(at int) bool {
		return at < 2 || !(strings.ContainsRune("-/.:", rune(s[at-1])) && isDigit(s[at-2]))
	}
	for _, m := range dayMonthYearRe.FindAllStringSubmatchIndex(s, -1) {
		if mo, ok := dutchMonths[strings.ToLower(s[m[4]:m[5]])]; ok && freeEnd(m[1]) {
			consider(m[0], fullYear(s[m[6]:m[7]]), int(mo), num(m, 1))
		}
	}
	for _, m := range monthDayYearRe.FindAllStringSubmatchIndex(s, -1) {
		if mo, ok := dutchMonths[strings.ToLower(s[m[2]:m[3]])]; ok && freeEnd(m[1]) {
			consider(m[0], fullYear(s[m[6]:m[7]]), int(mo), num(m, 2))
		}
	}
	for _, re := range []*regexp.Regexp{numericShortRe, numericSpacedRe} {
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			// With dots, "2.1.13" is a version: a date has two-digit parts.
			dots := s[m[4]:m[5]] == "." && (m[3]-m[2] != 2 || m[7]-m[6] != 2)
			if s[m[4]:m[5]] == s[m[8]:m[9]] && !dots && freeStart(m[0]) && freeEnd(m[1]) {
				consider(m[0], fullYear(s[m[10]:m[11]]), num(m, 3), num(m, 1))
			}
		}
	}
	for _, m := range yearFirstRe.FindAllStringSubmatchIndex(s, -1) {
		if s[m[4]:m[5]] == s[m[8]:m[9]] && freeStart(m[0]) && freeEnd(m[1]) {
			consider(m[0], num(m, 1), num(m, 3), num(m, 5))
		}
	}
	return best, bestAt >= 0
}

// fullYear reads "2021", "21" or "'21"; a two-digit year is 2000–2069
// or 1970–1999.
func fullYear(s string) int {
	s = strings.TrimPrefix(s, "'")
	y, _ := strconv.Atoi(s)
	if len(s) == 2 {
		if y < 70 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
