package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Benchmarks against the real server, on the tests' third of the demo
// (1,850 files): go test ./internal/deploy -run '^$' -bench Deploy.

// BenchmarkDeployFirst: a first deploy, each to a new prefix.
func BenchmarkDeployFirst(b *testing.B) {
	s := demo(b)
	files := siteFiles(b, s.dest)
	var size int64
	for p := range files {
		fi, err := os.Stat(filepath.Join(s.dest, p))
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, _, _ := s.deploy(b, fmt.Sprintf("first-%d", i), nil)
		if res.Uploaded != len(files) {
			b.Fatalf("%d uploaded of %d", res.Uploaded, len(files))
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkDeployNoop: a deploy when nothing changed.
func BenchmarkDeployNoop(b *testing.B) {
	s := demo(b)
	s.deploy(b, "", nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, _, _ := s.deploy(b, "", nil); res.Uploaded+res.Removed != 0 {
			b.Fatalf("no-op deploy: %+v", res)
		}
	}
}

// BenchmarkDeployOneAward: the deploy after one award changed and the
// site was built again (the build not timed).
func BenchmarkDeployOneAward(b *testing.B) {
	s := demo(b)
	s.deploy(b, "", nil)
	csv := filepath.Join(s.src, "content", "universite", "awards", "tutorat-2023-2025.csv")
	orig, err := os.ReadFile(csv)
	if err != nil {
		b.Fatal(err)
	}
	row := []byte("Étudiant Fictif 1007,tutorat,,2024-01-19,,,\n")
	sent := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		changed := bytes.Replace(orig, row, fmt.Appendf(nil, "Étudiant Fictif 1007,tutorat,,2024-01-19,,,Séance %d\n", i), 1)
		if err := os.WriteFile(csv, changed, 0o644); err != nil {
			b.Fatal(err)
		}
		s.rebuild(b)
		b.StartTimer()
		res, _, _ := s.deploy(b, "", nil)
		sent += res.Uploaded
	}
	b.ReportMetric(float64(sent)/float64(b.N), "objects/op")
}
