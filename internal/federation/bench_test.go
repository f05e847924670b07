package federation

import (
	"crypto/x509"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

var benchCrewjam = flag.Bool("crewjam", false, "run BenchmarkCrewjamVerify70MB (slow: crewjam's VerifyMetadataSignature)")

// copies70MB replicates the 310-IdP RENATER test feed into ~70 MB / 10,230
// IdPs, the size of eduGAIN.
const copies70MB = 33

func writeBigFeed(b *testing.B) (string, *x509.Certificate) {
	b.Helper()
	k := newTestKey(b, "benchmark signer")
	doc := syntheticFeed(b, k, copies70MB, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	path := filepath.Join(b.TempDir(), "synthetic-70MB.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, k.cert
}

// cpuTime returns the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap samples the heap every millisecond until stop is called.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// BenchmarkLoad70MB verifies and indexes a ~70 MB / 10,230-IdP signed
// aggregate from a file. Run with -cpu 2 -benchtime 3x.
func BenchmarkLoad70MB(b *testing.B) {
	path, cert := writeBigFeed(b)
	info, _ := os.Stat(path)
	o := verifyOptions{name: path, certs: []*x509.Certificate{cert}, now: feedTime}
	runtime.GC()
	var peak uint64
	var idps int
	var live uint64
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		stop := peakHeap()
		cpu0 := cpuTime()
		doc, err := parseFile(path, o)
		cpu += cpuTime() - cpu0
		p := stop()
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, p)
		idps = len(doc.idps)
		ix := newIndex(doc.idps)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		live = ms.HeapAlloc
		runtime.KeepAlive(ix)
	}
	b.StopTimer()
	b.SetBytes(info.Size())
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(live)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(idps), "IdPs")
	// CPU time used by the process (all goroutines, GC included): wall time
	// on an idle 2-core machine is about half of it, whatever the load of
	// the machine the benchmark runs on.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
}

// BenchmarkCrewjamVerify70MB times crewjam's VerifyMetadataSignature on
// the same file, for comparison. It is slow and takes about 1 GB:
//
//	go test -run - -bench CrewjamVerify70MB -cpu 2 ./internal/federation -args -crewjam
func BenchmarkCrewjamVerify70MB(b *testing.B) {
	if !*benchCrewjam {
		b.Skip("slow; run with -crewjam")
	}
	path, cert := writeBigFeed(b)
	doc, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var peak uint64
	b.ResetTimer()
	for range b.N {
		stop := peakHeap()
		_, err := saml.VerifyMetadataSignature(doc, []*x509.Certificate{cert})
		peak = max(peak, stop())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkSearch10k searches the display names of 10,230 IdPs, as the
// discovery page does on each keystroke.
func BenchmarkSearch10k(b *testing.B) {
	doc := unsignedFeed(b, copies70MB, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	d, err := parseBytes(doc, verifyOptions{allowUnsigned: true, now: feedTime})
	if err != nil {
		b.Fatal(err)
	}
	ix := newIndex(d.idps)
	b.ResetTimer()
	for range b.N {
		for _, q := range []string{"univ", "université paris", "zzz"} {
			ix.Search(q, "fr", 20)
		}
	}
}
