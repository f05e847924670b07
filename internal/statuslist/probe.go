package statuslist

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
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
