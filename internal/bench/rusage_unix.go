//go:build unix

package bench

import (
	"runtime"
	"syscall"
	"time"
)

// usage returns the CPU time the process spent in the program and in the
// kernel, and its peak resident memory in bytes.
func usage() (user, system time.Duration, peakRSS int64, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0, 0, false
	}
	peakRSS = int64(ru.Maxrss) * 1024 // Linux and the BSDs report KiB
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		peakRSS = int64(ru.Maxrss) // bytes
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), peakRSS, true
}
