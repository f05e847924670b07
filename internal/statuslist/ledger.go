package statuslist

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/francebadge/blason/internal/publish"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Position is where an award's status lives: a list number (0 for the
// space's first list) and an index in it.
type Position struct {
	List, Index int
}

// Ledger records every status position a space ever handed out, so that a
// position never moves once published: a credential carries its position,
// signed, for life. New awards are placed in the last list while it is at
// most a quarter full, then a new list starts. A ledger also remembers
// final revocations (so that deleting a revocation line cannot undo one)
// and the date each list was last published with (so that it never goes
// back). It is private state kept beside the space's keys.
type Ledger struct {
	Size    int                 // entries per list, fixed when the ledger is created
	Pos     map[string]Position // award id → position
	Revoked map[string]bool     // award ids revoked for good
	Dates   map[string]string   // status purpose → latest validFrom published

	used    []usage // per list, the indexes in use
	changed bool    // since it was read
	path    string  // the file it was read from, if any
}

const ledgerMagic = "blason-status-ledger 1"

// NewLedger returns an empty ledger for lists of size entries.
func NewLedger(size int) (*Ledger, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	return &Ledger{Size: size, Pos: map[string]Position{}, Revoked: map[string]bool{}, Dates: map[string]string{}}, nil
}

// ReadLedger reads a ledger file, or returns a new ledger of the given
// size when the file does not exist.
func ReadLedger(path string, size int) (*Ledger, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewLedger(size)
	}
	if err != nil {
		return nil, err
	}
	l := &Ledger{Pos: map[string]Position{}, Revoked: map[string]bool{}, Dates: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	bad := func(msg string) error {
		return fmt.Errorf("%s:%d: %s; restore the file from your backup of keys/ (published status positions depend on it)", path, line, msg)
	}
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		switch {
		case line == 1:
			if sc.Text() != ledgerMagic {
				return nil, bad("not a status ledger")
			}
		case len(f) == 2 && f[0] == "size":
			n, err := strconv.Atoi(f[1])
			if err != nil || checkSize(n) != nil {
				return nil, bad("bad list size")
			}
			l.Size = n
		case len(f) == 3 && f[0] == "date":
			l.Dates[f[1]] = f[2]
		case len(f) == 2 && f[0] == "revoked":
			l.Revoked[f[1]] = true
		case len(f) == 3:
			list, err1 := strconv.Atoi(f[1])
			idx, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || list < 0 || idx < 0 {
				return nil, bad("bad position")
			}
			l.Pos[f[0]] = Position{list, idx}
		default:
			return nil, bad("unreadable line")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if l.Size == 0 {
		return nil, bad("no list size")
	}
	l.path = path
	// List k starts once lists 0 to k-1 each hold a quarter of their size,
	// so a list number beyond what the positions can fill is damage (and
	// would make room for that many lists).
	maxList := len(l.Pos) / (l.Size / 4)
	for id, p := range l.Pos {
		if p.List > maxList {
			return nil, fmt.Errorf("%s: award %s in list %d, beyond the %d list(s) that %d positions fill; restore the file from your backup of keys/", path, id, p.List, maxList+1, len(l.Pos))
		}
		if p.Index >= l.Size {
			return nil, fmt.Errorf("%s: award %s at index %d beyond the list size %d", path, id, p.Index, l.Size)
		}
		if l.mark(p) {
			return nil, fmt.Errorf("%s: two awards share list %d index %d", path, p.List, p.Index)
		}
	}
	return l, nil
}

// usage is the set of indexes in use in one list, as a bitset.
type usage struct {
	bits []uint64
	n    int // indexes in use
}

func (u *usage) has(i int) bool { return i/64 < len(u.bits) && u.bits[i/64]&(1<<(i%64)) != 0 }

func (u *usage) add(i int) {
	for len(u.bits) <= i/64 {
		u.bits = append(u.bits, 0)
	}
	u.bits[i/64] |= 1 << (i % 64)
	u.n++
}

// list returns the usage of list n, making room for it.
func (l *Ledger) list(n int) *usage {
	for len(l.used) <= n {
		l.used = append(l.used, usage{bits: make([]uint64, (l.Size+63)/64)})
	}
	return &l.used[n]
}

// mark records p as used and reports whether it already was.
func (l *Ledger) mark(p Position) bool {
	u := l.list(p.List)
	if u.has(p.Index) {
		return true
	}
	u.add(p.Index)
	return false
}

// Lists is the number of lists in use (at least one).
func (l *Ledger) Lists() int {
	n := 1
	for _, p := range l.Pos {
		if p.List+1 > n {
			n = p.List + 1
		}
	}
	return n
}

// Place gives a position to every item that has none, in date then id
// order, each at the first free candidate of its HMAC probe sequence in
// the last list, starting a new list when the last one holds a quarter of
// its size. Existing positions never change. It returns how many items
// were placed.
func (l *Ledger) Place(secret []byte, items []Item) (int, error) {
	if len(secret) == 0 {
		return 0, errors.New("statuslist: ledger secret is empty")
	}
	var todo []Item
	for _, it := range items {
		if it.ID == "" {
			return 0, errors.New("statuslist: item with empty ID")
		}
		if _, ok := l.Pos[it.ID]; !ok {
			todo = append(todo, it)
		}
	}
	slices.SortFunc(todo, func(a, b Item) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for i := 1; i < len(todo); i++ {
		if todo[i].ID == todo[i-1].ID {
			return 0, fmt.Errorf("statuslist: duplicate item ID %q", todo[i].ID)
		}
	}
	p := newProber(secret, l.Size)
	list := l.Lists() - 1
	u := l.list(list)
	for _, it := range todo {
		if u.n >= l.Size/4 {
			list++
			u = l.list(list)
		}
		p.start(it.ID)
		placed := false
		for j := uint32(0); j < maxProbes; j++ {
			pos := Position{list, p.candidate(j)}
			if !u.has(pos.Index) {
				u.add(pos.Index)
				l.Pos[it.ID] = pos
				placed = true
				break
			}
		}
		if !placed {
			return 0, fmt.Errorf("statuslist: no free index for %q", it.ID)
		}
		l.changed = true
	}
	return len(todo), nil
}

// Date returns the date a list should be published with: the later of
// candidate and the date it was last published with, so it never goes back.
func (l *Ledger) Date(purpose string, candidate time.Time) string {
	c := candidate.UTC().Format(time.RFC3339)
	if prev := l.Dates[purpose]; prev > c {
		c = prev
	}
	if l.Dates[purpose] != c {
		l.Dates[purpose] = c
		l.changed = true
	}
	return c
}

// Revoke records a final revocation.
func (l *Ledger) Revoke(id string) {
	if !l.Revoked[id] {
		l.Revoked[id] = true
		l.changed = true
	}
}

// Write saves the ledger atomically, sorted, so equal ledgers are equal
// files. A ledger read from path and unchanged since is not rewritten.
func (l *Ledger) Write(path string) error {
	if !l.changed && l.path == path {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nsize %d\n", ledgerMagic, l.Size)
	for _, k := range sortedKeys(l.Dates) {
		fmt.Fprintf(&b, "date %s %s\n", k, l.Dates[k])
	}
	for _, k := range sortedKeys(l.Revoked) {
		fmt.Fprintf(&b, "revoked %s\n", k)
	}
	for _, k := range sortedKeys(l.Pos) {
		p := l.Pos[k]
		fmt.Fprintf(&b, "%s %d %d\n", k, p.List, p.Index)
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b.Bytes()) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return publish.WriteAtomic(path, b.Bytes(), 0o600)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
