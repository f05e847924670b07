package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"github.com/francebadge/blason/internal/tlog"
)

func logSite(rows int) map[string]string {
	var csv strings.Builder
	csv.WriteString("email,badge,date\n")
	for i := range rows {
		fmt.Fprintf(&csv, "p%d@example.org,tutorat,2025-%02d-%02d\n", i, 1+i%12, 1+i%28)
	}
	return map[string]string{
		"blason.yaml":                      "title: Test\nbaseURL: https://badges.example.fr/\n",
		"content/ecole/_space.md":          "---\nname: École\nurl: https://ecole.example/\nemail: badges@ecole.example\n---\n",
		"content/ecole/badges/tutorat.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>`,
		"content/ecole/badges/tutorat.md":  "---\nname: Tutorat\ndescription: Accompagner.\nimage: tutorat.svg\n---\nUn semestre.\n",
		"content/ecole/awards/jury.csv":    csv.String(),
	}
}

// readLog reads and checks the log a build published.
func readLog(t *testing.T, dest string, prev *torchwood.Checkpoint) *tlog.Mirror {
	t.Helper()
	vkey, err := os.ReadFile(filepath.Join(dest, "log", "key"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := tlog.ParseVKey(string(vkey))
	if err != nil {
		t.Fatal(err)
	}
	m, err := tlog.Fetch(context.Background(), tlog.Dir(filepath.Join(dest, "log")), v, prev)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLogAcrossBuilds grows a site build after build: each published log
// is consistent with every earlier checkpoint (the library's consistency
// proof), every entry's inclusion proof verifies, every issued entry
// names the hash of the credential file published, and a rebuild with
// unchanged inputs adds nothing.
func TestLogAcrossBuilds(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	dest := filepath.Join(src, "site")
	var seen []torchwood.Checkpoint
	for _, rows := range []int{1, 3, 10, 40, 300} {
		writeFiles(t, src, logSite(rows))
		mustBuild(t, Options{Source: src})
		m := readLog(t, dest, nil)
		for _, prev := range seen {
			if err := m.Extends(prev); err != nil {
				t.Fatalf("%d rows: %v", rows, err)
			}
		}
		issued := 0
		for i := range m.Entries {
			if _, err := m.Prove(int64(i)); err != nil {
				t.Fatal(err)
			}
			e, err := tlog.ParseEntry(m.Entries[i])
			if err != nil {
				t.Fatal(err)
			}
			if e.Event != tlog.Issued {
				continue
			}
			issued++
			files, _ := filepath.Glob(filepath.Join(dest, "ecole", "credentials", "*", e.ID+".json"))
			if len(files) != 1 {
				t.Fatalf("entry %d: no credential %s", i, e.ID)
			}
			b, _ := os.ReadFile(files[0])
			if tlog.Hash(b) != e.SHA256 {
				t.Fatalf("entry %d: hash of %s differs", i, files[0])
			}
			if bytes.Contains(m.Entries[i], []byte("example.org")) {
				t.Fatalf("entry %d names a recipient: %s", i, m.Entries[i])
			}
		}
		if issued != rows {
			t.Fatalf("%d rows, %d issued entries", rows, issued)
		}
		if _, err := os.Stat(filepath.Join(LogDir(src), sumsFile)); err == nil {
			t.Fatalf("%d rows: the build left its scratch file of hashes", rows)
		}
		seen = append(seen, m.Checkpoint)
		before, _ := os.ReadFile(filepath.Join(dest, "log", "checkpoint"))
		mustBuild(t, Options{Source: src})
		after, _ := os.ReadFile(filepath.Join(dest, "log", "checkpoint"))
		if !bytes.Equal(before, after) {
			t.Fatalf("%d rows: a rebuild with unchanged inputs changed the checkpoint", rows)
		}
	}
	if seen[len(seen)-1].N <= 256 {
		t.Fatal("the log never filled a tile")
	}
}

// TestLogRefusesBackdating: re-issuing a logged credential with an earlier
// validFrom than it was logged with is refused, and the log is unchanged.
func TestLogRefusesBackdating(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeFiles(t, src, logSite(2))
	mustBuild(t, Options{Source: src})
	l, err := tlog.Open(LogDir(src), LogKeyPath(src), "", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for k := range l.Creds() {
		id = k
	}
	// As if the credential had been logged valid from a later date, and its
	// inputs had changed since.
	if err := l.Add(tlog.Entry{Event: tlog.Issued, Space: "ecole", ID: id, SHA256: tlog.Hash([]byte("x")), ValidFrom: "2025-12-31T00:00:00Z"}, "changed"); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	_, err = Run(Options{Source: src, Now: now})
	if err == nil || !strings.Contains(err.Error(), "would back-date it") {
		t.Fatalf("build: %v", err)
	}
	// The monitor reports such an entry in a published log too.
	if p := tlog.Audit([][]byte{
		tlog.Entry{Event: tlog.Issued, Space: "s", ID: "a", ValidFrom: "2025-03-01T00:00:00Z"}.Marshal(),
		tlog.Entry{Event: tlog.Issued, Space: "s", ID: "a", ValidFrom: "2025-01-01T00:00:00Z"}.Marshal(),
	}); len(p) != 1 || !strings.Contains(p[0], "back-dated") {
		t.Fatalf("audit: %q", p)
	}
}
