package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/fileid"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/safefs"
)

// The roster cache keeps, for each award list that was read without a
// problem, the awards its rows gave: a rebuild after one jury's list changed
// reads and checks that list only, and takes the others' rows from the
// cache. An entry is used only when
//
//   - the list's bytes are those the entry was made from (SHA-256), and
//   - so is everything a row's reading depends on besides its own cells
//     (the context digest): the program, the space and the list's path, the
//     space's import settings, the slugs, levels and validity of its badge
//     classes, and which badge files could not be read;
//   - no cached award is dated after the build's reference time (a build
//     at an earlier time reads the list again, to report it).
//
// Nothing is cached where the system gives no change time (anything but
// Linux): a list saved while it was read could not be told apart.
// The list is read and hashed only when its identity (size, modification
// and change times, inode: package fileid) is not the one recorded. An
// entry ends with the CRC-32C of what precedes it, and is written through a
// temporary file and a rename: a damaged or half-written entry
// is never used, only read again from its list. Entries are private data
// (recipients' identifiers), kept under the source's .blason/ folder like
// the lists themselves.

// rosterMagic starts every entry; its last digit changes with the format.
const rosterMagic = "blason roster cache 2\n"

// rosterCache is the cache folder and what every entry's context digest
// starts from.
type rosterCache struct {
	dir     string
	program []byte
}

// entryPath is where the entry of the award list rel is kept.
func (c *rosterCache) entryPath(rel string) string {
	sum := sha256.Sum256([]byte(rel))
	return filepath.Join(c.dir, fmt.Sprintf("%x", sum[:12]))
}

// context returns the context digest of the award list rel of space sp
// (see the top of this file).
func (c *rosterCache) context(l *loader, sp *model.Space, rel string) []byte {
	h := sha256.New()
	h.Write(c.program)
	fmt.Fprintf(h, "%s\x00%s\x00", sp.Slug, rel)
	if imp := l.imports[sp.Slug]; imp != nil {
		fmt.Fprintf(h, "import %v %v %v\x00", imp.columns, imp.ignoreOthers, imp.fixed) // maps print sorted
	}
	for _, b := range sp.Badges {
		fmt.Fprintf(h, "badge %s %q", b.Slug, b.Expires)
		for _, lv := range b.Levels {
			fmt.Fprintf(h, " %s", lv.ID)
		}
		h.Write([]byte{0})
	}
	var broken []string
	for k := range l.broken {
		if strings.HasPrefix(k, sp.Slug+"/") {
			broken = append(broken, k)
		}
	}
	slices.Sort(broken)
	fmt.Fprintf(h, "broken %q\x00", broken)
	return h.Sum(nil)
}

// identity returns the identity of the list at path (see package fileid),
// known false when it tells nothing.
func (l *loader) identity(path string) (fileid.ID, bool) {
	fi, err := safefs.Lstat(l.src, path)
	if err != nil {
		return fileid.ID{}, false
	}
	return fileid.Of(fi)
}

// get returns the awards of the list at path from the cache, or false.
// Nothing is cached where the system gives no change time (anything but
// Linux): a list saved while it was read could not be told apart.
// The list is read and hashed only when its identity is not the one the
// entry records.
func (c *rosterCache) get(l *loader, sp *model.Space, path string, badges map[string]*model.Badge) ([]*model.Award, bool) {
	rel := l.rel(path)
	b, err := os.ReadFile(c.entryPath(rel))
	const head = len(rosterMagic) + 2*sha256.Size
	if err != nil || len(b) < head+1+crc32.Size || string(b[:len(rosterMagic)]) != rosterMagic {
		return nil, false
	}
	body, trailer := b[:len(b)-crc32.Size], b[len(b)-crc32.Size:]
	if binary.BigEndian.Uint32(trailer) != crc32.Checksum(body, castagnoli) {
		return nil, false
	}
	d := body[len(rosterMagic):]
	ctx, content := d[:sha256.Size], d[sha256.Size:2*sha256.Size]
	if !bytes.Equal(ctx, c.context(l, sp, rel)) {
		return nil, false
	}
	d = d[2*sha256.Size:]
	recorded, known, n := readID(d)
	if n <= 0 {
		return nil, false
	}
	d = d[n:]
	if id, ok := l.identity(path); !known || !ok || id != recorded {
		data, err := safefs.ReadFile(l.src, path)
		if err != nil {
			return nil, false
		}
		if sum := sha256.Sum256(data); !bytes.Equal(content, sum[:]) {
			return nil, false
		}
	}
	awards, err := decodeAwards(d, rel, badges)
	if err != nil {
		return nil, false
	}
	for _, a := range awards {
		if !l.now.IsZero() && a.Date.After(l.now) {
			return nil, false
		}
	}
	return awards, true
}

// put records the awards read from the list at path, which gave no
// problem; before is the list's identity before it was read. Nothing is
// recorded if the list changed since (the awards may be of its old bytes).
func (c *rosterCache) put(l *loader, sp *model.Space, path string, before fileid.ID, known bool, awards []*model.Award) error {
	rel := l.rel(path)
	data, err := safefs.ReadFile(l.src, path)
	if err != nil {
		return err
	}
	if after, ok := l.identity(path); !known || !ok || after != before {
		return nil // changed since it was read, or no way to tell (no change time on this system)
	}
	sum := sha256.Sum256(data)
	b := append([]byte(rosterMagic), c.context(l, sp, rel)...)
	b = append(b, sum[:]...)
	b = appendID(b, before, known)
	b = encodeAwards(b, awards)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return writeEntry(c.entryPath(rel), b)
}

// castagnoli is the CRC-32C table (hardware-accelerated) of the entries'
// trailers, which catch a damaged or cut entry.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendID appends a list's identity: a byte telling whether it is known,
// then its fields.
func appendID(b []byte, id fileid.ID, known bool) []byte {
	if !known {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, id.Size)
	b = binary.AppendVarint(b, id.Mtime)
	b = binary.AppendVarint(b, id.Ctime)
	return binary.AppendUvarint(b, id.Ino)
}

// readID reads what appendID wrote, and how many bytes it took (0 when b
// does not hold one).
func readID(b []byte) (id fileid.ID, known bool, n int) {
	if len(b) == 0 {
		return id, false, 0
	}
	if b[0] == 0 {
		return id, false, 1
	}
	n = 1
	for _, f := range []*int64{&id.Size, &id.Mtime, &id.Ctime} {
		v, k := binary.Varint(b[n:])
		if k <= 0 {
			return id, false, 0
		}
		*f, n = v, n+k
	}
	v, k := binary.Uvarint(b[n:])
	if k <= 0 {
		return id, false, 0
	}
	id.Ino, n = v, n+k
	return id, true, n
}

// prune removes the entries of lists that are gone (keep: the entry paths
// of the lists read).
func (c *rosterCache) prune(keep map[string]bool) {
	es, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range es {
		if p := filepath.Join(c.dir, e.Name()); !keep[p] {
			os.Remove(p)
		}
	}
}

// writeEntry writes b to name through a temporary file and a rename, in a
// private folder.
func writeEntry(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	return publish.WriteAtomic(name, b, 0o600)
}

// encodeAwards appends the awards of one list to b: a count, then per
// award its line, badge and level, recipient, dates and evidence.
func encodeAwards(b []byte, awards []*model.Award) []byte {
	b = binary.AppendUvarint(b, uint64(len(awards)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	date := func(t time.Time) {
		switch {
		case t.IsZero():
			b = append(b, 0)
			return
		case t.Location() == time.UTC:
			b = append(b, 1)
		default:
			// A fixed offset, also for a date the parser put in the local
			// zone (its offset was the local one): the entry must mean the
			// same instant and offset to a process in another zone.
			name, off := t.Zone()
			b = append(b, 3)
			str(name)
			b = binary.AppendVarint(b, int64(off))
		}
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	for _, a := range awards {
		b = binary.AppendUvarint(b, uint64(a.Line))
		str(a.Badge.Slug)
		lv := ""
		if a.Level != nil {
			lv = a.Level.ID
		}
		str(lv)
		r := a.Recipient
		for _, s := range [...]string{r.Email, r.EPPN, r.StudentID, r.Name, a.EvidenceURL, a.EvidenceNarrative, a.Override, a.Lang} {
			str(s)
		}
		date(a.Date)
		date(a.Expires)
	}
	return b
}

var errEntry = errors.New("damaged roster cache entry")

// decodeAwards reads what encodeAwards wrote. The strings of all awards
// share one allocation.
func decodeAwards(b []byte, file string, badges map[string]*model.Badge) ([]*model.Award, error) {
	all := string(b)
	pos := 0
	uv := func() uint64 {
		v, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			panic(errEntry)
		}
		pos += n
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(b[pos:])
		if n <= 0 {
			panic(errEntry)
		}
		pos += n
		return v
	}
	str := func() string {
		n := uv()
		if n > uint64(len(b)-pos) {
			panic(errEntry)
		}
		s := all[pos : pos+int(n)]
		pos += int(n)
		return s
	}
	date := func() time.Time {
		if pos >= len(b) {
			panic(errEntry)
		}
		kind := b[pos]
		pos++
		var loc *time.Location
		switch kind {
		case 0:
			return time.Time{}
		case 1:
			loc = time.UTC
		case 3:
			name := str()
			loc = time.FixedZone(name, int(sv()))
		default:
			panic(errEntry)
		}
		sec := sv()
		return time.Unix(sec, int64(uv())).In(loc)
	}
	var out []*model.Award
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r != errEntry {
					panic(r)
				}
				err = errEntry
			}
		}()
		n := uv()
		if n > uint64(len(b)) {
			return errEntry
		}
		out = make([]*model.Award, n)
		store := make([]model.Award, n)
		for i := range out {
			a := &store[i]
			a.File = file
			a.Line = int(uv())
			a.Badge = badges[str()]
			if a.Badge == nil {
				return errEntry
			}
			if lv := str(); lv != "" {
				for _, x := range a.Badge.Levels {
					if x.ID == lv {
						a.Level = x
					}
				}
				if a.Level == nil {
					return errEntry
				}
			}
			a.Recipient.Email, a.Recipient.EPPN, a.Recipient.StudentID, a.Recipient.Name = str(), str(), str(), str()
			a.EvidenceURL, a.EvidenceNarrative, a.Override, a.Lang = str(), str(), str(), str()
			a.Date, a.Expires = date(), date()
			out[i] = a
		}
		if pos != len(b) {
			return errEntry
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// programDigest identifies the running program (fileid.Program): an entry
// made by another version of it is not used. ok is false when the program
// cannot be identified: then nothing is cached.
func programDigest() (digest []byte, ok bool) {
	p, err := fileid.Program()
	if err != nil {
		return nil, false
	}
	h := sha256.New()
	h.Write([]byte(rosterMagic))
	h.Write(p)
	return h.Sum(nil), true
}
