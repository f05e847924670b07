//go:build !unix

package bench

import "time"

// usage reports nothing where getrusage does not exist (Windows): bench
// leaves CPU times and peak memory out of its report.
func usage() (user, system time.Duration, peakRSS int64, ok bool) {
	return 0, 0, 0, false
}
