package content

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoadAwards loads a space of 20,000 award rows, each with an
// e-mail, an eppn, a name and evidence: the per-row checks (identifiers,
// the evidence privacy check) dominate once the badge files are read.
func BenchmarkLoadAwards(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("email,eppn,student_id,name,badge,date,evidence_url,evidence_narrative\n")
	for i := range 20000 {
		fmt.Fprintf(&csv, "etudiant.%05d@example.org,e%05d@ecole.example,21%06d,Étudiante Fictive %05d,tutorat,2025-01-10,https://moodle.ecole.example/mod/assign/view.php?id=%d,\"Projet S6 : planning, jalons tenus et retour d'expérience d'équipe, groupe %d.\"\n", i, i, i, i, 10000+i, i%40)
	}
	dir := b.TempDir()
	files := merge(baseSite, map[string]string{"content/ecole/awards/ok.csv": csv.String()})
	for name, body := range files {
		writeBench(b, dir, name, body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := loadDir(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20000, "ns/row")
}

func writeBench(b *testing.B, dir, name, body string) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		b.Fatal(err)
	}
}
