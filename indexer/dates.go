package indexer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var dutchMonths = map[string]time.Month{
	"januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
	"april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
	"augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
	"okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	// English month names appear on bilingual sites.
	"january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
	"august": 8, "october": 10,
}

var (
	wordDateRe    = regexp.MustCompile(`(?i)\b(\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{4})\b`)
	numericDateRe = regexp.MustCompile(`\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b`)
	isoDateRe     = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})`)
)

// ParseDutchDate finds the first date in s: "26 november 2021",
// "1 September 2009", "26-11-2021", "2021-11-26" or an ISO timestamp.
func ParseDutchDate(s string) (time.Time, bool) {
	type found struct {
		at int
		t  time.Time
	}
	var best *found
	consider := func(at int, y, m, d int) {
		t, ok := validDate(y, m, d)
		if ok && (best == nil || at < best.at) {
			best = &found{at, t}
		}
	}
	for _, m := range wordDateRe.FindAllStringSubmatchIndex(s, -1) {
		month, ok := dutchMonths[strings.ToLower(s[m[4]:m[5]])]
		if !ok {
			continue
		}
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, int(month), d)
		break
	}
	if m := numericDateRe.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, mo, d)
	}
	if m := isoDateRe.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], y, mo, d)
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.t, true
}

func validDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 februari
		return time.Time{}, false
	}
	return t, true
}
