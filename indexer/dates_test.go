package indexer

import (
	"testing"
	"time"
)

func TestParseDutchDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		{"26 november 2021", day(2021, 11, 26), true},
		{"1 September 2009", day(2009, 9, 1), true},
		{"Gepubliceerd: donderdag 26 November 2021", day(2021, 11, 26), true},
		{"26 NOVEMBER 2021", day(2021, 11, 26), true},
		{"3 mrt. 2020", day(2020, 3, 3), true},
		{"17 mei 2023", day(2023, 5, 17), true},
		{"5 sept 2019", day(2019, 9, 5), true},
		{"12 okt 2018", day(2018, 10, 12), true},
		{"26-11-2021", day(2021, 11, 26), true},
		{"26/11/2021", day(2021, 11, 26), true},
		{"1.2.2022", day(2022, 2, 1), true},
		{"2021-11-26", day(2021, 11, 26), true},
		{"2021-11-26T10:00:00Z", day(2021, 11, 26), true},
		{"2021-11-26T23:30:00+01:00", day(2021, 11, 26), true},
		{"Laatst gewijzigd op 7 november 2023 om 10:12", day(2023, 11, 7), true},
		// The first date in the text wins, whatever its form.
		{"Bijgewerkt 2 mei 2022, eerder 1 januari 2020", day(2022, 5, 2), true},
		{"op 12-03-2020, herzien 1 mei 2019", day(2020, 3, 12), true},
		{"1 mei 2019 (herzien 2020-03-12)", day(2019, 5, 1), true},
		// A number and a year around a word that is no month are skipped.
		{"12 stuks in 2020, geleverd 3 mei 2021", day(2021, 5, 3), true},
		{"31 februari 2021", time.Time{}, false},
		{"31-04-2021", time.Time{}, false},
		{"2021-02-30", time.Time{}, false},
		{"11/26/2021", time.Time{}, false}, // American order is not a Dutch date
		{"1 januari 1850", time.Time{}, false},
		{"geen datum te zien", time.Time{}, false},
		{"", time.Time{}, false},
		{"versie 2.1.3 uit 2021", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseDutchDate(tt.in)
		if ok != tt.wantOK || !got.Equal(tt.want) {
			t.Errorf("ParseDutchDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("ParseDutchDate(%q): location %v, want UTC", tt.in, got.Location())
		}
	}
}
