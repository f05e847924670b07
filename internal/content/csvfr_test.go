package content

import (
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
)

// TestCSVMessagesInFrench: every problem of CSV reading (encodings,
// columns, import settings, dates, quotes, duplicates) has its message and
// its hint in the French catalogue (internal/i18n/fr/csv.yaml).
func TestCSVMessagesInFrench(t *testing.T) {
	files := map[string]string{
		"content/ecole/awards/a-xlsx.csv":    "PK\x03\x04rest",
		"content/ecole/awards/b-xls.csv":     "\xd0\xcf\x11\xe0",
		"content/ecole/awards/c-pdf.csv":     "%PDF-1.4",
		"content/ecole/awards/d-81.csv":      "email,badge,date\nx\x81\n",
		"content/ecole/awards/e-mix.csv":     "email,badge,date\né\n\xe9\n",
		"content/ecole/awards/f-fffd.csv":    "email,badge,date\n\ufffd\n",
		"content/ecole/awards/g-nul.csv":     "e\x00m",
		"content/ecole/awards/h-ctl.csv":     "email,badge,date\n\x07\n",
		"content/ecole/awards/i-cols.csv":    "Courriel;E-mail;name;Prénom;Groupe;badg\n",
		"content/ecole/awards/j-quote.csv":   "email,badge,date,evidence_narrative\na@example.org,tutorat,2025-01-10,\"x\nb,c,\"d\"\n",
		"content/ecole/awards/k-dates.csv":   "email;badge;date;expires\nb@example.org;tutorat;2025-02-30;\nc@example.org;tutorat;12/31/2025;\nd@example.org;tutorat;05/03/25;\ne@example.org;tutorat;demain;\nf@example.org;tutorat;;\ng@example.org;tutorat;2025-01-10;x,y\n",
		"content/ecole/awards/l-dup.csv":     "email,badge,date\nalice@example.org,tutorat,10/01/2025\n",
		"content/ecole/awards/m-missing.csv": "email\n",
		"content/ecole/awards/n-width.csv":   "email;badge;date\nh@example.org;tutorat;2025-01-10;x\n",
		"content/ecole/awards/o-unnamed.csv": "email;badge;date;;\nh2@example.org;tutorat;2025-01-10;;x\n",
		"content/autre/_space.md":            "---\nname: Autre\nurl: https://autre.example/\nemail: b@autre.example\nimport:\n  preset: x\n  columns:\n    \"!\": email\n    Groupe: groupe\n    A b: email\n    AB: email\n  date: 31/02/2025\n---\n",
		"content/revue/_space.md":            "---\nname: Revue\nurl: https://revue.example/\nemail: b@revue.example\nimport:\n  ignoreOtherColumns: true\n---\n",
		"content/revue/awards/a.csv":         "email;date\ni@example.org;2025-01-10\n",
		"content/ecole/revocations.csv":      "award;date;reson\n",
	}
	_, _, err := loadFiles(t, merge(baseSite, files))
	if err == nil {
		t.Fatal("loaded")
	}
	items, lines := diagLines(t, err)
	if len(items) < 30 {
		t.Errorf("only %d problems:\n%s", len(items), strings.Join(lines, "\n"))
	}
	for _, d := range items {
		en, fr := d.Localize(i18n.English), d.Localize(i18n.French)
		enMsg, enHint, _ := strings.Cut(en, "\n\thint: ")
		frMsg, frHint, _ := strings.Cut(fr, "\n\tconseil : ")
		if enMsg == frMsg {
			t.Errorf("message not translated: %s", enMsg)
		}
		if enHint != "" && enHint == frHint {
			t.Errorf("hint not translated: %s\n\thint: %s", enMsg, enHint)
		}
	}
}
