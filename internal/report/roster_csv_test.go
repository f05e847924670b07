package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestRosterFromFrenchExcel: a roster saved by French Excel (Windows-1252,
// semicolons, French column names, first and family names apart) is read,
// accents intact; two columns giving one identifier are an error.
func TestRosterFromFrenchExcel(t *testing.T) {
	dir := fixture(t)
	p := filepath.Join(dir, "content/ecole/cohorts/promo-2026.csv")
	b, err := charmap.Windows1252.NewEncoder().String("Courriel;Nom;Prénom;N° étudiant\r\nchloe@example.org;Lœuvre;Chloé;2100\r\n")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte(b), 0o644)
	rs, err := ReadRosters(dir, "ecole")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].People) != 1 {
		t.Fatalf("rosters %+v", rs)
	}
	if got := rs[0].People[0]; got.Email != "chloe@example.org" || got.Name != "Chloé Lœuvre" || got.StudentID != "2100" {
		t.Errorf("read %+v", got)
	}
	os.WriteFile(p, []byte("Courriel;E-mail\na@example.org;a@example.org\n"), 0o644)
	if _, err := ReadRosters(dir, "ecole"); err == nil || !strings.Contains(err.Error(), `content/ecole/cohorts/promo-2026.csv:1: columns "Courriel" and "E-mail" both give email`) {
		t.Errorf("got %v", err)
	}
	os.WriteFile(p, []byte("email\na@example.org\nb\x81@example.org\n"), 0o644)
	if _, err := ReadRosters(dir, "ecole"); err == nil || !strings.Contains(err.Error(), "content/ecole/cohorts/promo-2026.csv:3: byte 0x81 is neither UTF-8 nor Windows-1252") {
		t.Errorf("got %v", err)
	}
}
