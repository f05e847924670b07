package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJournal checks that records survive a reopening, that the last
// record of an event wins, and that a line cut short by a crash is
// dropped (and the file cut back) rather than misread.
func TestJournal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tail  string // appended by hand after the records, as a crash would leave it
		state map[string]State
	}{
		{name: "clean", state: map[string]State{"u/a:issued": Sent, "u/b:issued": Begin, "u/c:issued": Failed}},
		{name: "torn sent line", tail: "sent\tu/b:iss", state: map[string]State{"u/b:issued": Begin}},
		{name: "torn begin line", tail: "begin\tu/d:issued\t<x>", state: map[string]State{"u/d:issued": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := OpenJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Append(Record{State: Begin, Event: "u/a:issued", MessageID: "a@x"}, Record{State: Sent, Event: "u/a:issued", MessageID: "a@x"},
				Record{State: Begin, Event: "u/b:issued"}, Record{State: Failed, Event: "u/c:issued", Detail: "550\t5.1.1\nmore"}); err != nil {
				t.Fatal(err)
			}
			j.Close()
			if tc.tail != "" {
				f, _ := os.OpenFile(filepath.Join(dir, "journal.log"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString(tc.tail)
				f.Close()
			}
			j, err = OpenJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			for ev, want := range tc.state {
				r, ok := j.Get(ev)
				if want == "" && ok || want != "" && r.State != want {
					t.Errorf("%s: %q (known %v), want %q", ev, r.State, ok, want)
				}
			}
			if err := j.Append(Record{State: Sent, Event: "u/e:issued"}); err != nil {
				t.Fatal(err)
			}
			j.Close()
			b, _ := os.ReadFile(filepath.Join(dir, "journal.log"))
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(lines) != 5 || !strings.HasPrefix(lines[4], "sent\tu/e:issued\t") {
				t.Errorf("journal after reopening:\n%s", b)
			}
			if r, _ := func() (Record, bool) { j, _ := OpenJournal(dir); defer j.Close(); return j.Get("u/c:issued") }(); r.Detail != "550 5.1.1 more" {
				t.Errorf("detail %q", r.Detail)
			}
		})
	}
}

// TestJournalLock: a second notify on the same source fails at once.
func TestJournalLock(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := OpenJournal(dir); err == nil || !strings.Contains(err.Error(), "another blason notify is running") {
		t.Errorf("second open: %v", err)
	}
}

// TestJournalRefusesGarbage: a journal line that is not one stops the run
// instead of being taken for "nothing sent".
func TestJournalRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "journal.log"), []byte("sent u/a:issued\n"), 0o600)
	if _, err := OpenJournal(dir); err == nil || !strings.Contains(err.Error(), "journal.log:1: not a journal line") {
		t.Errorf("got %v", err)
	}
}
