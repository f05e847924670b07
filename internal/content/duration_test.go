package content

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		y, m, d int
	}{
		{"P1Y", true, 1, 0, 0},
		{"P6M", true, 0, 6, 0},
		{"P2Y6M", true, 2, 6, 0},
		{"P3W", true, 0, 0, 21},
		{"P10D", true, 0, 0, 10},
		{"P1Y2M3D", true, 1, 2, 3},
		{"P", false, 0, 0, 0},
		{"", false, 0, 0, 0},
		{"1Y", false, 0, 0, 0},
		{"PT1H", false, 0, 0, 0},
		{"P1YT1H", false, 0, 0, 0},
		{"P1.5Y", false, 0, 0, 0},
		{"P6M1Y", false, 0, 0, 0}, // components out of order
		{"p1y", false, 0, 0, 0},
		{"P-1Y", false, 0, 0, 0},
		{" P1Y", false, 0, 0, 0},
	}
	for _, tt := range tests {
		d, ok := parseDuration(tt.in)
		if ok != tt.ok {
			t.Errorf("parseDuration(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		want := calendarDuration{years: tt.y, months: tt.m, days: tt.d}
		if ok && d != want {
			t.Errorf("parseDuration(%q) = %+v, want %+v", tt.in, d, want)
		}
	}
}

func TestDurationAddTo(t *testing.T) {
	date := func(s string) time.Time {
		t.Helper()
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		dur, from, want string
	}{
		{"P2Y", "2025-01-10", "2027-01-10"},
		{"P6M", "2025-01-10", "2025-07-10"},
		{"P2Y6M", "2025-01-10", "2027-07-10"},
		{"P3W", "2025-12-20", "2026-01-10"},
		{"P10D", "2025-02-25", "2025-03-07"},
		// A leap day plus one year: time.AddDate normalises 2025-02-29 to
		// 2025-03-01. Most calendar libraries (and the XML Schema algorithm
		// for adding durations) clamp to 2025-02-28 instead; this case pins
		// the current behaviour so that a change to it is deliberate.
		{"P1Y", "2024-02-29", "2025-03-01"},
		{"P4Y", "2024-02-29", "2028-02-29"},
	}
	for _, tt := range tests {
		d, ok := parseDuration(tt.dur)
		if !ok {
			t.Fatalf("parseDuration(%q) failed", tt.dur)
		}
		if got := d.addTo(date(tt.from)); !got.Equal(date(tt.want)) {
			t.Errorf("%s + %s = %s, want %s", tt.from, tt.dur, got.Format(time.DateOnly), tt.want)
		}
	}
}
