package federation

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedMetadataDir holds the real RENATER test-federation feed and its
// re-signed copy (origin and licence in its README.md).
var sharedMetadataDir = filepath.Join("testdata", "renater")

// sharedPath returns the path of a sample file, skipping the test when it is
// absent (failing under CI=true).
func sharedPath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(sharedMetadataDir, name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared metadata sample missing: %v", err)
		}
		t.Skipf("shared metadata sample missing: %v", err)
	}
	return p
}

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
