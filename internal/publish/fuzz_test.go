package publish

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadManifest reads arbitrary manifests (and journals): no panic,
// errors name the file, and a manifest read whole writes back to a file
// that reads as the same manifest.
func FuzzReadManifest(f *testing.F) {
	for _, s := range []string{
		manifestMagic + "\nf index.html\nf ecole/issuer.json\ng abc ecole JA 0123abcd\ng def ecole J -\nd ecole/credentials/ab 1700000000000000000\n",
		manifestMagic + "\nf a\nf a\ng x s f k\ng x s g -\n",
		manifestMagic + "\ng bad line\n",
		manifestMagic + "\nd a b c\n",
		manifestMagic + "\nd a 99999999999999999999\n",
		manifestMagic + "\nf cut sh",
		"blason-manifest 2\n",
		manifestMagic + "\nf a b c\ng  s f k\nd  1\n",
		manifestMagic + "\ng x s f --\n",
	} {
		f.Add([]byte(s), []byte(""))
	}
	f.Add([]byte(manifestMagic+"\nf a\ng x s J key\n"), []byte(manifestMagic+"\ng x s A -\nf b\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, manifest, journal []byte) {
		tg := Target{Dir: filepath.Join(dir, "site"), Manifest: filepath.Join(dir, "manifest")}
		if err := os.WriteFile(tg.Manifest, manifest, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Remove(tg.journal())
		if len(journal) > 0 {
			if err := os.WriteFile(tg.journal(), journal, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		m, err := tg.ReadManifest()
		if err != nil {
			if !strings.HasPrefix(err.Error(), tg.Manifest) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(journal) > 0 {
			return // a merged journal is not what a writer wrote
		}
		back := Target{Dir: tg.Dir, Manifest: filepath.Join(dir, "back")}
		if err := back.writeManifest(m); err != nil {
			t.Fatal(err)
		}
		m2, err := back.ReadManifest()
		if err != nil {
			t.Fatalf("the manifest written back does not read: %v", err)
		}
		if !reflect.DeepEqual(m.Files, m2.Files) || !reflect.DeepEqual(m.Groups, m2.Groups) || !reflect.DeepEqual(m.Dirs, m2.Dirs) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, m2)
		}
	})
}
