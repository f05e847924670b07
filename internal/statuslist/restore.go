package statuslist

import (
	"fmt"
)

// Restore returns a ledger made of parts read back from a published site
// (see `blason keys rebuild-ledger`): the positions credentials carry, the
// final revocations the revocation lists show and the dates the lists were
// published with. It checks the positions as ReadLedger does; Write saves it.
func Restore(size int, pos map[string]Position, revoked []string, dates map[string]string) (*Ledger, error) {
	l, err := NewLedger(size)
	if err != nil {
		return nil, err
	}
	for id, p := range pos {
		if p.List < 0 || p.Index < 0 || p.Index >= size {
			return nil, fmt.Errorf("award %s at list %d index %d: outside lists of %d entries", id, p.List, p.Index, size)
		}
		if l.mark(p) {
			return nil, fmt.Errorf("two awards share list %d index %d", p.List, p.Index)
		}
		l.Pos[id] = p
	}
	for _, id := range revoked {
		if _, ok := l.Pos[id]; !ok {
			return nil, fmt.Errorf("revoked award %s has no position", id)
		}
		l.Revoked[id] = true
	}
	for k, v := range dates {
		l.Dates[k] = v
	}
	l.changed = true
	return l, nil
}

// IsCandidate reports whether index is among the first n candidates of the
// probe sequence of id under secret in lists of size entries: a position read
// back from a credential that is not cannot come from this secret.
func IsCandidate(secret []byte, size int, id string, index, n int) bool {
	p := newProber(secret, size)
	p.start(id)
	for j := uint32(0); j < uint32(n) && j < maxProbes; j++ {
		if p.candidate(j) == index {
			return true
		}
	}
	return false
}
