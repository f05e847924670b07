package content

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// dateError says why a value is not a date. Its format takes the column
// name and the value (as shown) first, then Args.
type dateError struct {
	format string
	args   []any
	hint   string
}

func (e *dateError) Error() string {
	return fmt.Sprintf(e.format, append([]any{"date", "value"}, e.args...)...)
}

const dateFormatsHint = "write dates as YYYY-MM-DD, or DD/MM/YYYY (day first, as French Excel writes them)"

var (
	isoDateRE    = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	frenchDateRE = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{2,4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$`)
)

// parseDate reads a date, midnight UTC: YYYY-MM-DD, DD/MM/YYYY (day first,
// as French Excel writes dates; "DD/MM/YYYY HH:MM" too, the time ignored),
// or an RFC 3339 timestamp, which keeps its offset (the calendar date is
// the one written). A month-first date is never read: 12/31/2025 is an
// error (there is no month 31). Errors are *dateError.
func parseDate(s string) (time.Time, error) {
	if m := isoDateRE.FindStringSubmatch(s); m != nil {
		return calendarDate(m[1], m[2], m[3], false)
	}
	if m := frenchDateRE.FindStringSubmatch(s); m != nil {
		if len(m[3]) != 4 {
			return time.Time{}, &dateError{format: "%s %s has a two-digit year", hint: "write the year with four digits: DD/MM/YYYY (in Excel, format the column as Date courte, or as text)"}
		}
		return calendarDate(m[3], m[2], m[1], true)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, &dateError{format: "%s %s is not a date", hint: dateFormatsHint}
}

// calendarDate checks and builds a date; dayFirst tells how it was written.
func calendarDate(ys, ms, ds string, dayFirst bool) (time.Time, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if m < 1 || m > 12 {
		hint := "months go from 01 to 12"
		if dayFirst {
			hint = "dates are read day first, DD/MM/YYYY (31/12/2025), never month first; or write YYYY-MM-DD"
		}
		return time.Time{}, &dateError{format: "%s %s does not exist: there is no month %d", args: []any{m}, hint: hint}
	}
	days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d < 1 || d > days {
		return time.Time{}, &dateError{format: "%s %s does not exist: month %02d of %s has %d days", args: []any{m, strconv.Itoa(y), days}, hint: "check the day and the month"}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// dateHint is the hint for a date error.
func dateHint(err error) string {
	if e, ok := err.(*dateError); ok {
		return e.hint
	}
	return dateFormatsHint
}

// badDate reports a date error of column col at file:line; the value is
// shown only when it looks like a date (see shown).
func (l *loader) badDate(file string, line int, col, v string, err error) {
	e, ok := err.(*dateError)
	if !ok {
		e = &dateError{format: "%s %s is not a date", hint: dateFormatsHint}
	}
	l.diags.Add(file, line, e.hint, e.format, append([]any{col, shown(v, dateishRE)}, e.args...)...)
}
