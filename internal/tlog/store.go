package tlog

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"filippo.io/torchwood"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// store holds a log's entries and the tree's stored hashes. A log with a
// state folder keeps them in two append-only files and reads them back by
// offset, so that memory does not grow with the log: the entries file is
// a sequence of C2SP entry-bundle records (2-byte length, bytes), so a
// bundle is one slice of it; the hashes file is the stored hashes, 32
// bytes each. A log without a folder (a mirror) keeps both in memory.
type store struct {
	n int64 // entries

	// In memory: every entry of a log without a folder.
	mem [][]byte

	// On disk.
	ef, hf *os.File
	ew     *bufio.Writer // appends to ef, from offset esize
	esize  int64         // bytes of entries in ef (written or buffered)
	tiles  []int64       // offset in ef of entry k*TileWidth, for every k ≤ n/TileWidth
	onDisk int64         // stored hashes in hf
	fresh  []sumtlog.Hash
}

// openStore opens the files of a log of n entries whose entries take
// esize bytes, cutting any tail a killed build left after them.
func openStore(entries, hashes string, n, esize int64, tiles []int64) (*store, error) {
	ef, err := os.OpenFile(entries, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	hf, err := os.OpenFile(hashes, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		ef.Close()
		return nil, err
	}
	s := &store{n: n, ef: ef, hf: hf, esize: esize, tiles: tiles, onDisk: sumtlog.StoredHashCount(n)}
	if len(s.tiles) == 0 {
		s.tiles = []int64{0}
	}
	for _, f := range []struct {
		f    *os.File
		size int64
	}{{ef, esize}, {hf, s.onDisk * sumtlog.HashSize}} {
		st, err := f.f.Stat()
		if err == nil && st.Size() < f.size {
			err = fmt.Errorf("%s: %d bytes, shorter than the %d its checkpoint needs; run %s", f.f.Name(), st.Size(), f.size, RecoverHint)
		}
		if err == nil {
			err = f.f.Truncate(f.size)
		}
		if err != nil {
			s.close()
			return nil, err
		}
	}
	if _, err := ef.Seek(esize, io.SeekStart); err != nil {
		s.close()
		return nil, err
	}
	s.ew = bufio.NewWriterSize(ef, 1<<16)
	return s, nil
}

func (s *store) close() {
	if s.ef != nil {
		s.ef.Close()
		s.hf.Close()
	}
}

// ReadHashes makes store a tlog.HashReader: the hashes of this build from
// memory, the others from the file (one read per run of consecutive
// indexes).
func (s *store) ReadHashes(indexes []int64) ([]sumtlog.Hash, error) {
	out := make([]sumtlog.Hash, len(indexes))
	total := s.onDisk + int64(len(s.fresh))
	for i := 0; i < len(indexes); {
		x := indexes[i]
		if x < 0 || x >= total {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		if x >= s.onDisk {
			out[i] = s.fresh[x-s.onDisk]
			i++
			continue
		}
		j := i + 1
		for j < len(indexes) && indexes[j] == indexes[j-1]+1 && indexes[j] < s.onDisk {
			j++
		}
		buf := make([]byte, (j-i)*sumtlog.HashSize)
		if _, err := s.hf.ReadAt(buf, x*sumtlog.HashSize); err != nil {
			return nil, fmt.Errorf("%s: %w", s.hf.Name(), err)
		}
		for k := i; k < j; k++ {
			copy(out[k][:], buf[(k-i)*sumtlog.HashSize:])
		}
		i = j
	}
	return out, nil
}

// append adds one entry.
func (s *store) append(b []byte) error {
	if len(b) > 0xFFFF {
		return fmt.Errorf("log entry too long: %d bytes", len(b))
	}
	hs, err := sumtlog.StoredHashes(s.n, b, s)
	if err != nil {
		return err
	}
	s.fresh = append(s.fresh, hs...)
	if s.ef == nil {
		s.mem = append(s.mem, bytes.Clone(b))
	} else {
		var l [2]byte
		binary.BigEndian.PutUint16(l[:], uint16(len(b)))
		s.ew.Write(l[:])
		if _, err := s.ew.Write(b); err != nil {
			return err
		}
		s.esize += 2 + int64(len(b))
	}
	s.n++
	if s.n%torchwood.TileWidth == 0 && s.ef != nil {
		s.tiles = append(s.tiles, s.esize)
	}
	return nil
}

// bundle appends to dst the entries k*TileWidth … k*TileWidth+w-1, as a
// C2SP entry bundle.
func (s *store) bundle(dst []byte, k int64, w int) ([]byte, error) {
	first := k * torchwood.TileWidth
	if first+int64(w) > s.n {
		return nil, fmt.Errorf("no entry %d", first+int64(w)-1)
	}
	if s.ef == nil {
		b := dst
		for _, e := range s.mem[first : first+int64(w)] {
			var err error
			if b, err = torchwood.AppendTileEntry(b, e); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	if err := s.ew.Flush(); err != nil {
		return nil, err
	}
	// Entries from the start of the tile, as many as asked.
	end := s.esize
	if k+1 < int64(len(s.tiles)) {
		end = s.tiles[k+1]
	}
	start := len(dst)
	dst = slices.Grow(dst, int(end-s.tiles[k]))[:start+int(end-s.tiles[k])]
	buf := dst[start:]
	if _, err := s.ef.ReadAt(buf, s.tiles[k]); err != nil {
		return nil, fmt.Errorf("%s: %w", s.ef.Name(), err)
	}
	rest := buf
	for range w {
		var err error
		if _, rest, err = torchwood.ReadTileEntry(rest); err != nil {
			return nil, fmt.Errorf("%s: %w", s.ef.Name(), err)
		}
	}
	return dst[:len(dst)-len(rest)], nil
}

// entry returns entry i's bytes.
func (s *store) entry(i int64) ([]byte, error) {
	if i < 0 || i >= s.n {
		return nil, fmt.Errorf("no entry %d", i)
	}
	if s.ef == nil {
		return s.mem[i], nil
	}
	k := i / torchwood.TileWidth
	b, err := s.bundle(nil, k, int(min(s.n-k*torchwood.TileWidth, torchwood.TileWidth)))
	if err != nil {
		return nil, err
	}
	for range i % torchwood.TileWidth {
		if _, b, err = torchwood.ReadTileEntry(b); err != nil {
			return nil, err
		}
	}
	e, _, err := torchwood.ReadTileEntry(b)
	return e, err
}

// sync writes what this build appended to the files and makes it durable.
func (s *store) sync() error {
	if err := s.ew.Flush(); err != nil {
		return err
	}
	if err := s.ef.Sync(); err != nil {
		return err
	}
	buf := make([]byte, 0, len(s.fresh)*sumtlog.HashSize)
	for _, h := range s.fresh {
		buf = append(buf, h[:]...)
	}
	if _, err := s.hf.WriteAt(buf, s.onDisk*sumtlog.HashSize); err != nil {
		return err
	}
	if err := s.hf.Sync(); err != nil {
		return err
	}
	s.onDisk += int64(len(s.fresh))
	s.fresh = nil
	return nil
}
