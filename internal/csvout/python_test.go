package csvout

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadByPython reads a written file with another implementation:
// Python's csv module, as a spreadsheet opens a file, sniffing the
// separator from the text and taking the BOM as the encoding's mark.
func TestReadByPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is needed to read the CSV with an independent reader (.ci/run installs it)")
		}
		t.Skip("no python3")
	}
	recs := [][]string{
		{"cohorte", "nom", "compétences manquantes"},
		{"promo 2025", "Élodie Lefèvre", "C1, C2"},
		{"promo 2025", "Dupont;Marie", `dit "oui"`},
		{"promo 2025", "deux\nlignes", "=1+1"},
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	file := filepath.Join(t.TempDir(), "rapport.csv")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `import csv, json, sys
text = open(sys.argv[1], encoding="utf-8-sig", newline="").read()
dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
import io
print(json.dumps({"sep": dialect.delimiter, "rows": list(csv.reader(io.StringIO(text), delimiter=dialect.delimiter))}))
`
	out, err := exec.Command(py, "-c", script, file).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got struct {
		Sep  string
		Rows [][]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Sep != string(Separator) {
		t.Errorf("Python sniffed the separator %q, want %q", got.Sep, string(Separator))
	}
	want := slices.Clone(recs)
	want[3] = []string{"promo 2025", "deux\nlignes", "'=1+1"} // neutralised formula
	if !slices.EqualFunc(got.Rows, want, slices.Equal) {
		t.Errorf("Python read\n%q\nwant\n%q", got.Rows, want)
	}
}
