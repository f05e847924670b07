package build

import (
	"runtime"
	"sort"

	"golang.org/x/sync/errgroup"
)

// dirtyIDs returns the ids of m that are dirty, sorted.
func dirtyIDs[V any](m map[string]V, dirty map[string]bool) []string {
	var ids []string
	for id := range m {
		if dirty[id] {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// onAllCores calls do for every id, on as many goroutines as there are
// cores, and returns the first error (the other ids still run).
func onAllCores(ids []string, do func(id string) error) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, id := range ids {
		g.Go(func() error { return do(id) })
	}
	return g.Wait()
}
