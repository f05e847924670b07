package content

import (
	"regexp"
	"strconv"
	"time"
)

var durationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$`)

// calendarDuration is an ISO 8601 date-only duration (PnYnMnWnD).
type calendarDuration struct{ years, months, days int }

func parseDuration(s string) (calendarDuration, bool) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" {
		return calendarDuration{}, false
	}
	var n [5]int
	for i := 1; i <= 4; i++ {
		if m[i] == "" {
			continue
		}
		v, err := strconv.Atoi(m[i])
		if err != nil || v > 100000 {
			return calendarDuration{}, false // absurd validity, or overflow
		}
		n[i] = v
	}
	d := calendarDuration{years: n[1], months: n[2], days: 7*n[3] + n[4]}
	if d == (calendarDuration{}) {
		return d, false // a zero validity would expire on the award date
	}
	return d, true
}

func (d calendarDuration) addTo(t time.Time) time.Time {
	return t.AddDate(d.years, d.months, d.days)
}
