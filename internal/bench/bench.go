// Package bench measures builds at scale on a synthetic site: a full
// build, a no-op rebuild, and a rebuild after one award row changed,
// printing rates, times and peak memory with the machine's core count.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/synth"
)

// Options choose the size of the run.
type Options struct {
	Awards int
	Dir    string // work folder; a temporary one when empty (and removed)
	Keep   bool   // keep the work folder
	// Compare runs the peer issuer (PeerScript) after the full build on
	// PeerCount copies of one of the built credentials, on as many threads
	// as Blason builds with, and prints both rates.
	Compare   bool
	PeerCount int // 0 means 2,000
	// NoLog builds without the transparency log (its cost is the
	// difference with a run without NoLog).
	NoLog bool
	// MemProfile, when set, is where a heap profile is written as the
	// full build issues its last award (when its per-award state is
	// largest).
	MemProfile string
	// Rebuild reuses the site a run kept in Dir: no generation, no full
	// build.
	Rebuild bool
}

// Figures are the measurements of one run.
type Figures struct {
	Awards           int
	Full, NoOp, One  time.Duration
	Files            int
	OneWritten       int
	OneIssued        int
	PeakRSS          int64 // bytes
	CredentialsPerS  float64
	Cores, Gomaxproc int
	Peer             *Peer // with Options.Compare
}

// Run generates the site, builds it three times and prints the figures.
func Run(o Options, w io.Writer) (*Figures, error) {
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "blason-bench-")
		if err != nil {
			return nil, err
		}
		dir = d
		if !o.Keep {
			defer os.RemoveAll(dir)
		}
	}
	peerScript := ""
	if o.Compare {
		p, err := FindPeer()
		if err != nil {
			return nil, err
		}
		peerScript = p
	}
	src := filepath.Join(dir, "src")
	dest := filepath.Join(dir, "site")
	f := &Figures{Awards: o.Awards, Cores: runtime.NumCPU(), Gomaxproc: runtime.GOMAXPROCS(0)}
	fmt.Fprintf(w, "machine: %d cores (GOMAXPROCS %d), %s %s/%s\n", f.Cores, f.Gomaxproc, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	opts := build.Options{Source: src, Destination: dest, NoLog: o.NoLog}
	if o.Rebuild {
		if o.Dir == "" {
			return nil, errors.New("--rebuild needs --dir")
		}
		lists, err := filepath.Glob(filepath.Join(src, "content", "*", "awards", "*.csv"))
		if err != nil {
			return nil, err
		}
		if len(lists) == 0 {
			return nil, fmt.Errorf("no site kept in %s (run with --dir %s --keep first)", dir, dir)
		}
		slices.Sort(lists)
		return rebuilds(o, w, f, opts, lists, dir)
	}
	start := time.Now()
	lists, err := synth.Write(src, synth.Options{Awards: o.Awards})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "generated %d awards in %d lists in %s\n", o.Awards, len(lists), time.Since(start).Round(time.Millisecond))

	full := opts
	var profErr error
	if o.MemProfile != "" {
		var once sync.Once
		full.Progress = func(done, total int) {
			if done == total && total > 0 {
				once.Do(func() { profErr = heapProfile(o.MemProfile) })
			}
		}
	}
	start = time.Now()
	res, err := measured(w, full)
	if err == nil {
		err = profErr
	}
	if err != nil {
		return nil, err
	}
	f.Full, f.Files = time.Since(start), res.Files
	f.CredentialsPerS = float64(o.Awards) / f.Full.Seconds()
	fmt.Fprintf(w, "full build: %s, %.0f credentials/s (%.0f per core), %d files\n", f.Full.Round(time.Millisecond), f.CredentialsPerS, f.CredentialsPerS/float64(f.Gomaxproc), res.Files)

	if o.Compare {
		// The same credential shape, signed by the peer right after Blason's
		// full build, on as many threads.
		template, err := firstCredential(dest)
		if err != nil {
			return nil, err
		}
		n := o.PeerCount
		if n == 0 {
			n = 2000
		}
		if f.Peer, err = RunPeer(context.Background(), peerScript, template, dir, n, f.Gomaxproc); err != nil {
			return nil, err
		}
		printPeer(w, f.Peer, f.CredentialsPerS)
	}

	return rebuilds(o, w, f, opts, lists, dir)
}

// rebuilds measures the no-op rebuild and the rebuild after one award row
// changed (its evidence narrative, changed back on the next run).
func rebuilds(o Options, w io.Writer, f *Figures, opts build.Options, lists []string, dir string) (*Figures, error) {
	start := time.Now()
	res, err := measured(w, opts)
	if err != nil {
		return nil, err
	}
	f.NoOp = time.Since(start)
	fmt.Fprintf(w, "no-op rebuild: %s (%d files written)\n", f.NoOp.Round(time.Millisecond), res.Written)

	// Change one award row: its evidence narrative.
	path := lists[len(lists)/2]
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.IndexByte(b, '\n') + 1 // first data row
	j := i + bytes.IndexByte(b[i:], '\n')
	row := b[i:j]
	if bytes.Contains(row, []byte("situation revue")) {
		row = bytes.Replace(row, []byte("situation revue"), []byte("situation"), 1)
	} else {
		row = bytes.Replace(row, []byte("Évaluation en situation"), []byte("Évaluation en situation revue"), 1)
	}
	changed := append(append(append([]byte(nil), b[:i]...), row...), b[j:]...)
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		return nil, err
	}
	start = time.Now()
	res, err = measured(w, opts)
	if err != nil {
		return nil, err
	}
	f.One, f.OneWritten, f.OneIssued = time.Since(start), res.Written, res.Issued
	fmt.Fprintf(w, "one award changed: %s (%d award issued, %d files written)\n", f.One.Round(time.Millisecond), res.Issued, res.Written)

	if _, _, peak, ok := usage(); ok {
		f.PeakRSS = peak
		fmt.Fprintf(w, "peak RSS: %d MiB\n", f.PeakRSS>>20)
	}
	if o.Keep {
		fmt.Fprintf(w, "kept in %s\n", dir)
	}
	return f, nil
}

// heapProfile writes the live heap, after a collection, to file name.
func heapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// measured runs one build and prints where its time went: its phases, the
// CPU time in the program and in the kernel, and the garbage collections.
func measured(w io.Writer, opts build.Options) (build.Result, error) {
	var m0, m1 runtime.MemStats
	user0, sys0, _, measuredCPU := usage()
	runtime.ReadMemStats(&m0)
	res, err := build.Run(opts)
	if err != nil {
		return res, err
	}
	user1, sys1, _, _ := usage()
	runtime.ReadMemStats(&m1)
	fmt.Fprint(w, "  phases:")
	for _, p := range res.Phases {
		fmt.Fprintf(w, " %s %s;", p.Name, p.Duration.Round(time.Millisecond))
	}
	fmt.Fprint(w, "\n  ")
	if measuredCPU {
		fmt.Fprintf(w, "CPU: user %s, system %s; ", (user1 - user0).Round(time.Millisecond), (sys1 - sys0).Round(time.Millisecond))
	}
	fmt.Fprintf(w, "%d GCs, %d MiB allocated\n", m1.NumGC-m0.NumGC, (m1.TotalAlloc-m0.TotalAlloc)>>20)
	return res, nil
}
