package indexer

import (
	"testing"
	"time"
)

// TestParseDateDutch: the date forms of Dutch (and English) pages that
// go-dateparser used to read are read by our own parser, day before
// month; relative dates and dates without a day are refused.
func TestParseDateDutch(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	nov26 := day(2021, 11, 26)
	tests := []struct {
		in   string
		want time.Time // zero: refused
	}{
		// Written out, with or without weekday, abbreviated, ordinal.
		{"26 november 2021", nov26},
		{"26 nov. 2021", nov26},
		{"26 nov 2021", nov26},
		{"maandag 26 november 2021", nov26},
		{"donderdag, 4 maart 2021", day(2021, 3, 4)},
		{"4 maart, 2021", day(2021, 3, 4)},
		{"26e november 2021", nov26},
		{"Gepubliceerd op 17 mei 2023 om 10:15", day(2023, 5, 17)},
		{"5 sept. 2019", day(2019, 9, 5)},
		{"26-nov-2021", nov26},
		{"4-mrt-2021", day(2021, 3, 4)},
		// Two-digit years of date lines.
		{"vr 26 nov '21", nov26},
		{"26 nov '21", nov26},
		{"26 november '21", nov26},
		{"26 nov 21", nov26},
		{"04 mrt 21", day(2021, 3, 4)},
		{"4 mrt. '21", day(2021, 3, 4)},
		{"26 okt '98", day(1998, 10, 26)},
		// Numeric, day first.
		{"26-11-2021", nov26},
		{"26/11/2021", nov26},
		{"26.11.2021", nov26},
		{"12/03/2021", day(2021, 3, 12)},
		{"26-11-21", nov26},
		{"26/11/21", nov26},
		{"26.11.21", nov26},
		{"26 11 2021", nov26},
		{"5 - 11 - 2021", day(2021, 11, 5)},
		{"26-11-2021 10:15", nov26},
		{"10:15 26-11-2021", nov26},
		// Year first, ISO.
		{"2021-11-26", nov26},
		{"2021/11/26", nov26},
		{"2021.11.26", nov26},
		{"2021-11-26T10:00:00Z", nov26},
		{"2021-11-26T23:30:00+01:00", nov26},
		{"2021-11-26 10:00:00", nov26},
		// English, on bilingual sites.
		{"November 26, 2021", nov26},
		{"Nov. 26, 2021", nov26},
		{"Friday, November 26, 2021", nov26},
		{"26th November 2021", nov26},
		{"Fri, 26 Nov 2021 10:00:00 GMT", nov26},
		{"Sept. 5, 2019", day(2019, 9, 5)},
		{"Jan 5 2021", day(2021, 1, 5)},
		// The first date of a range.
		{"1 juli 2021 t/m 31 december 2022", day(2021, 7, 1)},
		// No day: no publication date.
		{"november 2021", time.Time{}},
		{"nov 2021", time.Time{}},
		{"mei 2023", time.Time{}},
		{"2021-11", time.Time{}},
		{"11-2021", time.Time{}},
		{"2021", time.Time{}},
		{"zomer 2021", time.Time{}},
		// No year: it could be any year.
		{"26 november", time.Time{}},
		{"za 3 dec", time.Time{}},
		{"3 dec 10:15", time.Time{}},
		// Relative dates would date the page to the crawl.
		{"3 dagen geleden", time.Time{}},
		{"2 weken geleden", time.Time{}},
		{"gisteren", time.Time{}},
		{"vandaag", time.Time{}},
		{"over 3 dagen", time.Time{}},
		{"20 minuten", time.Time{}},
		{"Updated 2 hours ago", time.Time{}},
		// Numbers that are no dates.
		{"versie 2.1.3", time.Time{}},
		{"versie 2.1.13", time.Time{}},
		{"1.2.26.11.21", time.Time{}},
		{"Tel. 030-2306344", time.Time{}},
		{"06-12345678", time.Time{}},
		{"11/26/2021", time.Time{}}, // American order is not a Dutch date
		{"31-02-21", time.Time{}},
		{"32 nov 2021", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("parseDate(%q): location %v, want UTC", tt.in, got.Location())
		}
	}
}
