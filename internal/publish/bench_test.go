package publish

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkPutNewFiles publishes new files as a build does (two workers,
// sharded folders made as they come), each way a new file can be written.
func BenchmarkPutNewFiles(b *testing.B) {
	data := make([]byte, 3000)
	for _, way := range []struct {
		name      string
		noUnnamed bool
	}{{"unnamed", false}, {"compare-first", true}} {
		b.Run(way.name, func(b *testing.B) {
			root := b.TempDir()
			tg := Target{Dir: filepath.Join(root, "site"), Manifest: filepath.Join(root, "m.json")}
			s, err := tg.Begin(NewManifest(), NewManifest(), nil)
			if err != nil {
				b.Fatal(err)
			}
			s.noUnnamed.Store(way.noUnnamed)
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < b.N; i += 2 {
						for _, kind := range []string{"c", "j", "a"} {
							p := fmt.Sprintf("sp/%s/%02x/%08d.json", kind, i%256, i)
							if err := s.Put(p, data); err != nil {
								b.Error(err)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
