package render

import "strconv"

// logLine is an award's line on the transparency log: the entry that first
// logged it (entries never move) and the link
// to the log's signed checkpoint, from which `blason verify` proves the
// entry's inclusion.
type logLine struct {
	Entry string
	URL   string
}

// awardLog returns the award's log line, nil when the site keeps no log.
func (r *Renderer) awardLog(v *langView, pub *Public) *logLine {
	if pub.LogEntry == 0 {
		return nil
	}
	return &logLine{Entry: strconv.FormatInt(pub.LogEntry-1, 10), URL: v.href("log/checkpoint")}
}
