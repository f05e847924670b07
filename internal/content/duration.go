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
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return calendarDuration{years: n(1), months: n(2), days: 7*n(3) + n(4)}, true
}

func (d calendarDuration) addTo(t time.Time) time.Time {
	return t.AddDate(d.years, d.months, d.days)
}
