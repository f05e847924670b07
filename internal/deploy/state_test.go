package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadState: the journal's last line about a path wins, a removal
// forgets it, a line cut short by a killed deploy is ignored (and marks
// the file for rewriting), anything else unreadable is refused.
func TestReadState(t *testing.T) {
	const sha = "75f1a13ac2d55ca2473031d57fcbfcbc78394c3fdb99650577d244136f3a1dc9"
	for _, c := range []struct {
		name, text string
		want       map[string]int64 // path → size
		clean      bool
		err        string
	}{
		{"missing", "", map[string]int64{}, true, ""},
		{"uploads", stateMagic + "\nu " + sha + " 10 5 abc a.json\nu " + sha + " 11 6 abc b c.html\n", map[string]int64{"a.json": 10, "b c.html": 11}, true, ""},
		{"later line wins", stateMagic + "\nu " + sha + " 10 5 abc a.json\nu " + sha + " 12 7 abc a.json\n", map[string]int64{"a.json": 12}, true, ""},
		{"removal", stateMagic + "\nu " + sha + " 10 5 abc a.json\nr a.json\n", map[string]int64{}, true, ""},
		{"cut short", stateMagic + "\nu " + sha + " 10 5 abc a.json\nu " + sha[:20], map[string]int64{"a.json": 10}, false, ""},
		{"not a state", "hello\n", nil, false, "unreadable deploy state"},
		{"bad size", stateMagic + "\nu " + sha + " ten 5 abc a.json\n", nil, false, ":2: unreadable deploy state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "state")
			if c.name != "missing" {
				if err := os.WriteFile(name, []byte(c.text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			st, err := readState(name)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(st.objects) != len(c.want) || st.clean != c.clean {
				t.Fatalf("objects %v (clean %v), want %v (clean %v)", st.objects, st.clean, c.want, c.clean)
			}
			for p, size := range c.want {
				if st.objects[p].size != size || st.objects[p].sha != sha {
					t.Errorf("%s: %+v, want size %d", p, st.objects[p], size)
				}
			}
			// Written back compacted, it reads the same.
			if err := st.write(name); err != nil {
				t.Fatal(err)
			}
			again, err := readState(name)
			if err != nil || len(again.objects) != len(st.objects) || !again.clean || again.lines != len(st.objects)+1 {
				t.Errorf("rewritten: %+v, %v", again, err)
			}
		})
	}
}
