package content

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHugeValuesFailFast: a 2 MB badge name and a 5 MB evidence text are
// reported at their file:line, quickly and without reading the files into
// hundreds of MB.
func TestHugeValuesFailFast(t *testing.T) {
	files := merge(baseSite, map[string]string{
		"content/ecole/badges/tutorat.md": "---\nname: " + strings.Repeat("N", 2_000_000) + "\ndescription: Un badge.\nimage: tutorat.svg\n---\nCritères.\n",
		"content/ecole/awards/ok.csv": "email,badge,date,evidence_narrative\nalice@example.org,tutorat,2025-01-10,ok\n" +
			"bob@example.org,tutorat,2025-01-10,\"" + strings.Repeat("é", 2_500_000) + "\"\n" + // 5 MB
			"carol@example.org,tutorat,2025-01-10,court\n",
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, _, err := loadFiles(t, files)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("accepted")
	}
	items, lines := diagLines(t, err)
	want := []string{
		"content/ecole/badges/tutorat.md:2: front matter longer than 64 KiB (at key name)",
		"content/ecole/awards/ok.csv:3: column evidence_narrative is 2,500,000 characters long, more than 5,000",
	}
	for _, w := range want {
		if !containsLine(lines, w) {
			t.Errorf("missing %q in:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	for _, d := range items {
		if d.Hint == "" || strings.Contains(d.Msg, "éé") {
			t.Errorf("no hint, or the value repeated: %v", d)
		}
	}
	t.Logf("load took %v, allocated %d MiB", took, (after.TotalAlloc-before.TotalAlloc)>>20)
	if took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
}

// TestOversizedFilesAreNotRead: files over their limit are refused after
// reading at most their limit (sparse files: nothing is on disk).
func TestOversizedFilesAreNotRead(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, merge(baseSite, map[string]string{
		"content/ecole/awards/ok.csv": "-",
		// an unclosed quote, then 64 MiB more: one row over MaxCSVRecord
		"content/ecole/revocations.csv": "award,date,reason\naaaaaaaaaaaaaaaaaaaaaaaaaa,2025-01-10,\"sans fin\n",
	}))
	sparse := func(name string, prefix string, size int64) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(prefix); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	sparse("content/ecole/awards/enorme.csv", "email,badge,date\n", MaxCSVFile+1)
	// An unclosed quote followed by 9 MiB of text (NUL bytes would stop
	// the decoder first).
	func() {
		f, err := os.OpenFile(filepath.Join(dir, "content/ecole/revocations.csv"), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		chunk := []byte(strings.Repeat("texte sans fin ", 4<<10))
		for n := 0; n < 9<<20; n += len(chunk) {
			if _, err := f.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
	}()
	sparse("content/ecole/badges/grand.svg", `<svg xmlns="http://www.w3.org/2000/svg">`, MaxImageFile+1)
	writeSite(t, dir, map[string]string{"content/ecole/badges/grand.md": "---\nname: Grand\ndescription: Un badge.\nimage: grand.svg\n---\nCritères.\n"})
	sparse("content/ecole/badges/long.md", "---\nname: Long\ndescription: Un badge.\nimage: tutorat.svg\n---\nCritères.\n", MaxPageFile+10)
	sparse("content/_frameworks/vaste.yaml", "name: Vaste\nupdated: 2025-09-01\n", MaxFrameworkFile+1)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := loadDir(dir)
	runtime.ReadMemStats(&after)
	t.Logf("allocated %d MiB", (after.TotalAlloc-before.TotalAlloc)>>20)
	if err == nil {
		t.Fatal("accepted")
	}
	_, lines := diagLines(t, err)
	for _, w := range []string{
		"content/ecole/awards/enorme.csv: file of 268,435,457 bytes, more than the 256 MiB a CSV file may hold",
		"content/ecole/revocations.csv:2: row longer than 8 MiB; the rest of the file is not read",
		`content/ecole/badges/grand.md:4: image "grand.svg" is 1,048,577 bytes, more than the 1 MiB an image may hold`,
		"content/ecole/badges/long.md:7: file longer than 256 KiB",
		"content/_frameworks/vaste.yaml:3: framework file longer than 256 KiB",
	} {
		if !containsLine(lines, w) {
			t.Errorf("missing %q in:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
}

// TestFieldLimits: each limit of the table is enforced at the value's line.
func TestFieldLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"badge name", map[string]string{"content/ecole/badges/tutorat.md": "---\nname: " + long(MaxName+1) + "\ndescription: Un badge.\nimage: tutorat.svg\n---\nCritères.\n"},
			"content/ecole/badges/tutorat.md:2: name is 201 characters long, more than 200"},
		{"name in characters, not bytes", map[string]string{"content/ecole/badges/tutorat.md": "---\nname: " + strings.Repeat("é", MaxName) + "\ndescription: Un badge.\nimage: tutorat.svg\n---\nCritères.\n"},
			""},
		{"description", map[string]string{"content/ecole/badges/tutorat.md": badgeWith("") + "", "content/ecole/badges/x.svg": svg,
			"content/ecole/badges/tutorat.svg": svg, "content/ecole/badges/niveaux.md": "---\nname: N\ndescription: " + long(MaxDescription+1) + "\nimage: x.svg\n---\nC.\n"},
			"content/ecole/badges/niveaux.md:3: description is 2,001 characters long, more than 2,000"},
		{"criteria body", map[string]string{"content/ecole/badges/tutorat.md": "---\nname: T\ndescription: D.\nimage: tutorat.svg\n---\n\n" + long(MaxBody+1) + "\n"},
			"content/ecole/badges/tutorat.md:7: the Markdown body is 20,001 characters long, more than 20,000"},
		{"level criteria and translated name", map[string]string{"content/ecole/badges/tutorat.md": badgeWith("levels:\n  - id: un\n    name: Un\n    criteria: " + long(MaxBody+1) + "\ntranslations:\n  en:\n    name: " + long(MaxName+1) + "\n")},
			"content/ecole/badges/tutorat.md:8: criteria is 20,001 characters long, more than 20,000"},
		{"alignment URL", map[string]string{"content/ecole/badges/tutorat.md": badgeWith("alignments:\n  - targetName: X\n    targetUrl: https://x.example/" + long(MaxURL) + "\n")},
			"content/ecole/badges/tutorat.md:7: targetUrl is 2,018 characters long, more than 2,000"},
		{"tag", map[string]string{"content/ecole/badges/tutorat.md": badgeWith("tags: [court, " + long(MaxTag+1) + "]\n")},
			"content/ecole/badges/tutorat.md:5: tags is 101 characters long, more than 100"},
		{"space contact", map[string]string{"content/ecole/_space.md": "---\nname: École\nurl: https://www.ecole.example/\nemail: badges@ecole.example\ncontact: " + long(MaxDescription+1) + "\n---\n"},
			"content/ecole/_space.md:5: contact is 2,001 characters long, more than 2,000"},
		{"framework descriptor", map[string]string{"content/_frameworks/ref.yaml": "name: R\nupdated: 2025-09-01\nlevels:\n  - {id: novice, name: Novice}\ncompetencies:\n  - id: c1\n    name: C\n    dimensions:\n      - id: d\n        name: D\n        descriptors:\n          novice: " + long(MaxDescription+1) + "\n"},
			"content/_frameworks/ref.yaml:12: descriptors is 2,001 characters long, more than 2,000"},
		{"evidence_url", map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,evidence_url\nalice@example.org,tutorat,2025-01-10,https://x.example/" + long(MaxURL) + "\n"},
			"content/ecole/awards/ok.csv:2: column evidence_url is 2,018 characters long, more than 2,000"},
		{"override", map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,override\n\nalice@example.org,tutorat,2025-01-10," + long(MaxEvidence+1) + "\n"},
			"content/ecole/awards/ok.csv:3: column override is 5,001 characters long, more than 5,000"},
		{"recipient name", map[string]string{"content/ecole/awards/ok.csv": "email,badge,date,name\nalice@example.org,tutorat,2025-01-10," + long(MaxName+1) + "\n"},
			"content/ecole/awards/ok.csv:2: column name is 201 characters long, more than 200"},
		{"revocation reason", map[string]string{"content/ecole/revocations.csv": "award,date,reason\naaaaaaaaaaaaaaaaaaaaaaaaaa,2025-01-10," + long(MaxEvidence+1) + "\n"},
			"content/ecole/revocations.csv:2: column reason is 5,001 characters long, more than 5,000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadFiles(t, merge(baseSite, tt.files))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			items, lines := diagLines(t, err)
			if !containsLine(lines, tt.want) {
				t.Errorf("missing %q in:\n%s", tt.want, strings.Join(lines, "\n"))
			}
			for _, d := range items {
				if strings.Contains(d.Msg, "characters long") && !strings.Contains(d.Hint, "docs/content.md") {
					t.Errorf("hint %q", d.Hint)
				}
			}
		})
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, want) {
			return true
		}
	}
	return false
}
