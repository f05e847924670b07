package safepath

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/srv/site", "/srv/site", true},
		{"/srv/site/x", "/srv/site", true},
		{"/srv/site2", "/srv/site", false},
		{"/srv", "/srv/site", false},
	} {
		if got := Within(c.a, c.b); got != c.want {
			t.Errorf("Within(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestRealFollowsLinksInTheExistingPart(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	os.Mkdir(keys, 0o700)
	link := filepath.Join(dir, "out")
	if err := os.Symlink(keys, link); err != nil {
		t.Skip("no symbolic links here")
	}
	got, err := Real(filepath.Join(link, "not", "yet"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(keys)
	if !Within(got, want) || filepath.Base(got) != "yet" {
		t.Fatalf("Real = %s, want under %s", got, want)
	}
}
