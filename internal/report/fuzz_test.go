package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/francebadge/blason/internal/diag"
)

// FuzzReadRosters reads arbitrary cohort rosters: no panic; problems are
// file:line diagnostics within the file; every person read has an
// identifier.
func FuzzReadRosters(f *testing.F) {
	for _, s := range []string{
		"email,eppn,student_id,name\nalice@example.org,,,Alice\n,a1@univ.example,,\n,,21000042,\n",
		"\ufeffemail , name\nAlice@Example.org ,Alice\n",
		"email,name\n,Nobody\n",
		"email,nom\na@example.org,x\n",
		"email\n\"unterminated\n",
		"email\na@example.org,\"x\"y\n",
		"\"a\nb\",c\n1,2\n",
		"",
		"email,email\na@example.org,b@example.org\n",
	} {
		f.Add([]byte(s))
	}
	src := f.TempDir()
	dir := filepath.Join(src, "content", "ecole", CohortsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, "promo.csv"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rosters, err := ReadRosters(src, "ecole")
		if err != nil {
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("not a diagnostic: %v", err)
			}
			lines := bytes.Count(b, []byte("\n")) + 1
			for _, d := range de.Items {
				if d.File != "content/ecole/cohorts/promo.csv" || d.Line < 1 || d.Line > lines {
					t.Errorf("problem outside the file's lines (%d): %v", lines, d)
				}
			}
			return
		}
		if len(rosters) != 1 || rosters[0].Name != "promo" {
			t.Fatalf("rosters = %+v", rosters)
		}
		for _, p := range rosters[0].People {
			if p.Email == "" && p.EPPN == "" && p.StudentID == "" {
				t.Errorf("person without identifier: %+v", p)
			}
		}
	})
}
