package main

import (
	"slices"
	"testing"
	"time"
)

func TestSpread(t *testing.T) {
	qs := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tt := range []struct {
		n    int
		want []int
	}{{5, []int{0, 2, 4, 6, 8}}, {3, []int{0, 3, 6}}, {0, qs}, {20, qs}} {
		if got := spread(qs, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("spread(0…9, %d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{thousands(3483), "3,483"}, {thousands(100000), "100,000"}, {thousands(999.6), "1,000"},
		{thousands(38.44), "38.4"}, {thousands(7), "7"},
		{msCell(90 * time.Microsecond), "0.090"}, {msCell(2800 * time.Microsecond), "2.80"},
		{msCell(14600 * time.Microsecond), "14.6"}, {msCell(226 * time.Millisecond), "226"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
