package main

import (
	"errors"
	"io"
	"os"
	"runtime/pprof"

	"github.com/francebadge/blason/internal/bench"
)

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	var o bench.Options
	fs.IntVar(&o.Awards, "awards", 10000, "number of synthetic awards")
	fs.StringVar(&o.Dir, "dir", "", "work folder (default: a temporary folder, removed afterwards)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the work folder")
	fs.BoolVar(&o.Rebuild, "rebuild", false, "with --dir: reuse the site a run kept there, skipping the generation and the full build (no-op and one-award rebuilds only)")
	fs.BoolVar(&o.Compare, "compare", false, "also time Digital Bazaar's issuer (tools/vcverify/issue.mjs, needs node and npm ci there) on the same credential shape")
	fs.BoolVar(&o.NoLog, "no-log", false, "build without the transparency log, to measure its cost")
	fs.IntVar(&o.PeerCount, "compare-count", 2000, "credentials the peer issuer signs with --compare")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	fs.value("awards", "N")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile to this file as the full build issues its last award")
	fs.value("cpuprofile", "FILE")
	fs.value("memprofile", "FILE")
	fs.value("compare-count", "N")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.Awards < 1 {
		return errors.New("--awards must be at least 1")
	}
	if o.PeerCount < 1 {
		return errors.New("--compare-count must be at least 1")
	}
	_, err := bench.Run(o, stdout)
	return err
}
