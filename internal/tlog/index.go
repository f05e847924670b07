package tlog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"slices"

	"filippo.io/torchwood"
)

// Cred is what the log last said about a credential.
type Cred struct {
	First     int64  // index of its first issued entry
	ValidFrom string // of its latest issued entry
	action    [16]byte
}

// Same says whether the credential was last logged from the inputs of
// action key key; known is false when the log does not know (a state
// rebuilt from the published entries, which do not hold action keys).
func (c Cred) Same(key string) (same, known bool) {
	if c.action == ([16]byte{}) {
		return false, false
	}
	return c.action == actionSum(key), true
}

// actionSum is how the index keeps an action key (private: action keys
// are never published): 16 bytes of its SHA-256, never all zero.
func actionSum(key string) [16]byte {
	s := sha256.Sum256([]byte(key))
	var a [16]byte
	copy(a[:], s[:])
	a[0] |= 1
	return a
}

// credState is one credential in the index: 32 bytes, the date interned.
type credState struct {
	first  int64
	date   uint32 // in index.dates
	action [16]byte
}

// index is the log replayed: what the next build needs to know of every
// credential, status and key, in compact form.
type index struct {
	creds  map[string]credState
	dates  []string
	dateOf map[string]uint32
	status map[string]string // award id → revoked or suspended
	keys   map[string]string // space/key id → key-added or key-retired
}

func newIndex() *index {
	return &index{creds: map[string]credState{}, dateOf: map[string]uint32{}, status: map[string]string{}, keys: map[string]string{}}
}

func (x *index) date(s string) uint32 {
	if d, ok := x.dateOf[s]; ok {
		return d
	}
	x.dates = append(x.dates, s)
	x.dateOf[s] = uint32(len(x.dates) - 1)
	return uint32(len(x.dates) - 1)
}

// add replays entry i, with the action key it was issued from ("" when
// unknown).
func (x *index) add(i int64, e *Entry, action string) error {
	switch e.Event {
	case Issued:
		c, ok := x.creds[e.ID]
		if !ok {
			c.first = i
		}
		c.date = x.date(e.ValidFrom)
		c.action = [16]byte{}
		if action != "" {
			c.action = actionSum(action)
		}
		x.creds[e.ID] = c
	case Revoked, Suspended:
		x.status[e.ID] = e.Event
	case Lifted:
		delete(x.status, e.ID)
	case KeyAdded, KeyRetired:
		x.keys[e.Space+"/"+e.ID] = e.Event
	default:
		return fmt.Errorf("entry %d: unknown event %q", i, e.Event)
	}
	return nil
}

// Cred returns what the log says of a credential.
func (l *Log) Cred(id string) (Cred, bool) {
	c, ok := l.idx.creds[id]
	if !ok {
		return Cred{}, false
	}
	return l.idx.cred(c), true
}

func (x *index) cred(c credState) Cred {
	return Cred{First: c.first, ValidFrom: x.dates[c.date], action: c.action}
}

// Creds lists the logged credentials, in no order.
func (l *Log) Creds() iter.Seq2[string, Cred] {
	return func(yield func(string, Cred) bool) {
		for id, c := range l.idx.creds {
			if !yield(id, l.idx.cred(c)) {
				return
			}
		}
	}
}

// Status returns a credential's logged status: revoked, suspended or "".
func (l *Log) Status(id string) string { return l.idx.status[id] }

// KeyEvent returns the last event logged of a space's key: key-added,
// key-retired or "".
func (l *Log) KeyEvent(space, kid string) string { return l.idx.keys[space+"/"+kid] }

// The index file: what index holds at a checkpoint's size, with the
// layout of the entries file, so that a build reads neither the entries
// nor the hashes. Written before the checkpoint; one of another size is
// ignored and the index replayed from the entries.
const indexMagic = "blason transparency log index 1\n"

// writeIndex writes the index of a log of n entries whose entries take
// esize bytes, tile offsets tiles.
func (x *index) write(name string, n, esize int64, tiles []int64) error {
	b := make([]byte, 0, 1024+len(tiles)*5+len(x.creds)*64)
	b = append(b, indexMagic...)
	b = binary.AppendUvarint(b, uint64(n))
	b = binary.AppendUvarint(b, uint64(esize))
	b = binary.AppendUvarint(b, uint64(len(tiles)))
	for _, t := range tiles {
		b = binary.AppendUvarint(b, uint64(t))
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(x.dates)))
	for _, d := range x.dates {
		str(d)
	}
	// In the map's order: the file is private state, read back whole, and
	// sorting a million ids would cost a second a build.
	b = binary.AppendUvarint(b, uint64(len(x.creds)))
	for id, c := range x.creds {
		str(id)
		b = binary.AppendUvarint(b, uint64(c.first))
		b = binary.AppendUvarint(b, uint64(c.date))
		b = append(b, c.action[:]...)
	}
	for _, m := range []map[string]string{x.status, x.keys} {
		ks := slices.Sorted(maps.Keys(m))
		b = binary.AppendUvarint(b, uint64(len(ks)))
		for _, k := range ks {
			str(k)
			str(m[k])
		}
	}
	sum := sha256.Sum256(b)
	b = append(b, sum[:]...)
	return writeFile(name, b)
}

var errStaleIndex = errors.New("stale index")

// readIndex reads the index file of a log of n entries; errStaleIndex
// when there is none of that size, or it is damaged.
func readIndex(name string, n int64) (x *index, esize int64, tiles []int64, err error) {
	b, err := os.ReadFile(name)
	if err != nil || len(b) < len(indexMagic)+sha256.Size || !bytes.HasPrefix(b, []byte(indexMagic)) {
		return nil, 0, nil, errStaleIndex
	}
	body := b[:len(b)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], b[len(body):]) {
		return nil, 0, nil, errStaleIndex
	}
	r := &reader{b: body[len(indexMagic):]}
	if int64(r.uint()) != n {
		return nil, 0, nil, errStaleIndex
	}
	esize = int64(r.uint())
	tiles = make([]int64, r.uint())
	for i := range tiles {
		tiles[i] = int64(r.uint())
	}
	x = newIndex()
	x.dates = make([]string, r.uint())
	for i := range x.dates {
		x.dates[i] = r.str()
		x.dateOf[x.dates[i]] = uint32(i)
	}
	nc := r.uint()
	x.creds = make(map[string]credState, nc)
	// The ids share one allocation.
	all := string(r.b)
	for range nc {
		id := r.strIn(all)
		c := credState{first: int64(r.uint()), date: uint32(r.uint())}
		copy(c.action[:], r.next(16))
		if int(c.date) >= len(x.dates) {
			r.err = io.ErrUnexpectedEOF
		}
		x.creds[id] = c
	}
	for _, m := range []map[string]string{x.status, x.keys} {
		for range r.uint() {
			k := r.str()
			m[k] = r.str()
		}
	}
	if r.err != nil || len(r.b) != 0 || int64(len(tiles)) != n/torchwood.TileWidth+1 {
		return nil, 0, nil, errStaleIndex
	}
	return x, esize, tiles, nil
}

// reader reads the index file's fields; its first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uint() uint64 {
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	r.next(k)
	return v
}

func (r *reader) str() string { return string(r.next(int(r.uint()))) }

// strIn reads a string as a slice of all, the rest of the buffer as one
// string when strIn was first called.
func (r *reader) strIn(all string) string {
	n := int(r.uint())
	start := len(all) - len(r.b)
	r.next(n)
	if r.err != nil {
		return ""
	}
	return all[start : start+n]
}

// replay rebuilds the index and the entries file's layout from the first
// n entries of the entries file (a state from before the index file, or
// cut by a killed build).
func replay(name string, n int64) (x *index, esize int64, tiles []int64, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	x = newIndex()
	tiles = []int64{0}
	var l [2]byte
	for i := int64(0); i < n; i++ {
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return nil, 0, nil, fmt.Errorf("%s: %d entries for a checkpoint of %d; run %s", name, i, n, RecoverHint)
		}
		b := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, 0, nil, fmt.Errorf("%s: %d entries for a checkpoint of %d; run %s", name, i, n, RecoverHint)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%s: entry %d: %w", name, i, err)
		}
		if err := x.add(i, &e, ""); err != nil {
			return nil, 0, nil, err
		}
		esize += 2 + int64(len(b))
		if (i+1)%torchwood.TileWidth == 0 {
			tiles = append(tiles, esize)
		}
	}
	return x, esize, tiles, nil
}
