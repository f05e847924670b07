package statuslist

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"
)

// domain separates status-index HMACs from the space secret's other uses.
const domain = "blason/status"

// maxProbes bounds the candidates tried for one item. At a load factor of
// at most 1/4 the chance of reaching it is below 4^-maxProbes.
const maxProbes = 1 << 16

// Item is one award to place in a status list.
type Item struct {
	// ID identifies the award; it must be non-empty and unique.
	ID string
	// Date orders placement: earlier items are placed first.
	Date time.Time
}

// Allocator assigns status list indices; see the package documentation for
// the rules.
type Allocator struct {
	// Secret keys the HMAC that derives candidate indices (the space
	// secret; 32 random bytes or more recommended). It must not be empty.
	Secret []byte
	// Size is the list length in bits: a multiple of 8, at least MinSize.
	Size int
}

// Allocate returns the index of every item, keyed by Item.ID. The result
// depends only on the set of items, not on their order in the slice.
func (a Allocator) Allocate(items []Item) (map[string]int, error) {
	if err := checkSize(a.Size); err != nil {
		return nil, err
	}
	if len(a.Secret) == 0 {
		return nil, errors.New("statuslist: allocator secret is empty")
	}
	if limit := a.Size / 4; len(items) > limit {
		suggest := (len(items)*4 + MinSize - 1) / MinSize * MinSize
		return nil, fmt.Errorf("statuslist: %d awards exceed the %d (one quarter) a status list of %d entries can hold; set a larger statusListSize, a multiple of %d (e.g. %d)",
			len(items), limit, a.Size, MinSize, suggest)
	}

	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		if c := items[x].Date.Compare(items[y].Date); c != 0 {
			return c
		}
		return strings.Compare(items[x].ID, items[y].ID)
	})

	p := newProber(a.Secret, a.Size)
	taken := make([]uint64, (a.Size+63)/64)
	out := make(map[string]int, len(items))
	for _, k := range order {
		id := items[k].ID
		if id == "" {
			return nil, errors.New("statuslist: item with empty ID")
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("statuslist: duplicate item ID %q", id)
		}
		p.start(id)
		placed := false
		for j := uint32(0); j < maxProbes; j++ {
			c := p.candidate(j)
			if w, m := c/64, uint64(1)<<(c%64); taken[w]&m == 0 {
				taken[w] |= m
				out[id] = c
				placed = true
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("statuslist: no free index found for %q after %d candidates", id, maxProbes)
		}
	}
	return out, nil
}

// prober computes candidate indices, reusing one HMAC and its buffers.
type prober struct {
	mac  hash.Hash
	size uint64
	msg  []byte // domain ‖ uint64be(len(ID)) ‖ ID ‖ uint32be(j)
	sum  []byte
}

func newProber(secret []byte, size int) *prober {
	return &prober{
		mac:  hmac.New(sha256.New, secret),
		size: uint64(size),
		msg:  make([]byte, 0, 128),
		sum:  make([]byte, 0, sha256.Size),
	}
}

// start prepares the message for item id; candidate then fills in j.
func (p *prober) start(id string) {
	p.msg = append(p.msg[:0], domain...)
	p.msg = binary.BigEndian.AppendUint64(p.msg, uint64(len(id)))
	p.msg = append(p.msg, id...)
	p.msg = append(p.msg, 0, 0, 0, 0)
}

// candidate returns candidate j of the item passed to start.
func (p *prober) candidate(j uint32) int {
	binary.BigEndian.PutUint32(p.msg[len(p.msg)-4:], j)
	p.mac.Reset()
	p.mac.Write(p.msg)
	p.sum = p.mac.Sum(p.sum[:0])
	return int(binary.BigEndian.Uint64(p.sum) % p.size)
}
