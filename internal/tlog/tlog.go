// Package tlog keeps a site's transparency log: an append-only Merkle tree
// (golang.org/x/mod/sumdb/tlog) of every credential issued, every status
// change and every key added or retired, published as C2SP tlog-tiles with
// a C2SP signed-note checkpoint (docs/transparency.md). Its state — the
// entries and the tree's stored hashes — lives outside the output folder
// (.blason/tlog/); its signing key lives with the other keys.
package tlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// Events of the log's entries.
const (
	Issued     = "issued"
	Revoked    = "revoked"
	Suspended  = "suspended"
	Lifted     = "lifted"
	KeyAdded   = "key-added"
	KeyRetired = "key-retired"
)

// Entry is one event of the log, published as one line of JSON. It never
// carries personal data: awards are named by their opaque id.
type Entry struct {
	Event     string `json:"event"`
	Space     string `json:"space"`
	ID        string `json:"id"`                  // award id, or key id for key events
	SHA256    string `json:"sha256,omitempty"`    // of the signed credential's bytes
	Key       string `json:"key,omitempty"`       // id of the key that signed it
	ValidFrom string `json:"validFrom,omitempty"` // the credential's validFrom; the date of a key or status event
}

// Marshal returns the entry's bytes as logged: compact JSON, fixed member
// order, ending with a newline.
func (e Entry) Marshal() []byte {
	b, _ := json.Marshal(e)
	return append(b, '\n')
}

// ParseEntry reads an entry's bytes.
func ParseEntry(b []byte) (Entry, error) {
	var e Entry
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return e, fmt.Errorf("malformed log entry: %w", err)
	}
	return e, nil
}

// Hash returns the SHA-256 of a credential's bytes, as entries carry it.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Cred is what the log last said about a credential.
type Cred struct {
	First     int64 // index of its first issued entry
	Last      int64 // index of its latest issued entry
	SHA256    string
	ValidFrom string
	Key       string
}

// Files of the state folder.
const (
	entriesFile  = "entries"    // entry bundles' encoding: 2-byte length, bytes; append-only
	hashesFile   = "hashes"     // the tree's stored hashes, 32 bytes each; append-only
	treeFile     = "checkpoint" // the last checkpoint this build signed
	actionsFile  = "actions"    // award id and action key of its logged bytes, one pair a line
	CosignedFile = "cosigned-checkpoint"
)

// KeyFile is the log's signing key, in keys/.
const KeyFile = "transparency.keys"

// Log is a loaded log.
type Log struct {
	Dir     string // state folder
	Origin  string
	signer  note.Signer
	Verify  note.Verifier
	VKey    string
	entries [][]byte
	hashes  []sumtlog.Hash
	// Index of the entries, replayed from the log.
	Creds   map[string]*Cred
	Status  map[string]string // award id → revoked or suspended
	Keys    map[string]string // space/key id → key-added or key-retired
	Actions map[string]string // award id → action key of its logged bytes (private)
	saved   int64             // entries already on disk
}

// ErrNoState and ErrNoKey are wrapped by the refusals of Open.
var (
	ErrNoState = errors.New("the log's state is missing")
	ErrNoKey   = errors.New("the log's signing key is missing")
)

// RecoverHint is the command that rebuilds a lost state.
const RecoverHint = "blason log recover --from SITE-FOLDER-OR-URL"

// Origin returns the log's origin for a site's base URL: its host and
// path, then "log".
func Origin(baseURL string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	return strings.TrimSuffix(s, "/") + "/log"
}

// NewKey creates the log's signing key file; it refuses to replace one.
func NewKey(keyPath, origin string, r io.Reader) error {
	if r == nil {
		r = rand.Reader
	}
	skey, _, err := note.GenerateKey(r, origin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadKey reads the signing key file: its signer, verifier and vkey.
func ReadKey(keyPath string) (note.Signer, note.Verifier, string, error) {
	b, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, "", err
	}
	skey := strings.TrimSpace(string(b))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: not a signed-note key: %w", keyPath, err)
	}
	v, err := torchwood.NewVerifierFromSigner(skey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: %w", keyPath, err)
	}
	vkey, err := vkeyOf(skey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: %w", keyPath, err)
	}
	return s, v, vkey, nil
}

// vkeyOf derives the verifier key text from a signer key
// ("PRIVATE+KEY+name+hash+b64(alg|seed)").
func vkeyOf(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", fmt.Errorf("malformed signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return "", fmt.Errorf("malformed signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// Open loads the log of state folder dir signed with the key at keyPath,
// creating both when neither exists and nothing was published (published
// says whether the output folder already holds a checkpoint). It refuses
// to start a new log over a published one, or to sign with a new key a log
// that exists.
func Open(dir, keyPath, origin string, published bool, r io.Reader) (*Log, error) {
	_, kerr := os.Stat(keyPath)
	_, serr := os.Stat(filepath.Join(dir, treeFile))
	haveKey, haveState := kerr == nil, serr == nil
	switch {
	case !haveKey && haveState:
		return nil, fmt.Errorf("%w: %s holds a log but %s is gone; restore keys/ from your backup (blason keys restore)", ErrNoKey, dir, keyPath)
	case !haveKey && published:
		return nil, fmt.Errorf("%w: the output folder publishes a log but %s is gone; restore keys/ from your backup (blason keys restore), then run %s", ErrNoKey, keyPath, RecoverHint)
	case haveKey && !haveState && published:
		return nil, fmt.Errorf("%w: the output folder publishes a log but %s is gone; rebuild it from the published tiles with %s", ErrNoState, dir, RecoverHint)
	case !haveKey:
		if err := NewKey(keyPath, origin, r); err != nil {
			return nil, err
		}
	}
	s, v, vkey, err := ReadKey(keyPath)
	if err != nil {
		return nil, err
	}
	l := &Log{Dir: dir, Origin: s.Name(), signer: s, Verify: v, VKey: vkey}
	l.reset()
	if !haveState {
		return l, nil
	}
	if err := l.load(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Log) reset() {
	l.entries, l.hashes = nil, nil
	l.Creds, l.Status, l.Keys, l.Actions = map[string]*Cred{}, map[string]string{}, map[string]string{}, map[string]string{}
}

// load reads the state folder: the checkpoint it signed last, then as many
// entries and hashes as that checkpoint covers (a build killed after
// appending but before signing leaves a longer tail, dropped here).
func (l *Log) load() error {
	cp, err := os.ReadFile(filepath.Join(l.Dir, treeFile))
	if err != nil {
		return err
	}
	c, err := OpenCheckpoint(cp, l.Verify)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(l.Dir, treeFile), err)
	}
	eb, err := os.ReadFile(filepath.Join(l.Dir, entriesFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for int64(len(l.entries)) < c.N {
		e, rest, err := torchwood.ReadTileEntry(eb)
		if err != nil {
			return fmt.Errorf("%s: %d entries for a checkpoint of %d; run %s", filepath.Join(l.Dir, entriesFile), len(l.entries), c.N, RecoverHint)
		}
		l.entries = append(l.entries, e)
		eb = rest
	}
	hb, err := os.ReadFile(filepath.Join(l.Dir, hashesFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	need := sumtlog.StoredHashCount(c.N)
	if int64(len(hb)) < need*sumtlog.HashSize {
		return fmt.Errorf("%s: too short for a checkpoint of %d; run %s", filepath.Join(l.Dir, hashesFile), c.N, RecoverHint)
	}
	l.hashes = make([]sumtlog.Hash, need)
	for i := range l.hashes {
		copy(l.hashes[i][:], hb[i*sumtlog.HashSize:])
	}
	root, err := sumtlog.TreeHash(c.N, l)
	if err != nil {
		return err
	}
	if root != c.Hash {
		return fmt.Errorf("%s: the stored tree does not match its checkpoint; run %s", l.Dir, RecoverHint)
	}
	for i, e := range l.entries {
		if err := l.index(int64(i), e); err != nil {
			return err
		}
	}
	l.saved = c.N
	if err := l.readActions(); err != nil {
		return err
	}
	return nil
}

func (l *Log) readActions() error {
	b, err := os.ReadFile(filepath.Join(l.Dir, actionsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if id, key, ok := strings.Cut(line, " "); ok {
			l.Actions[id] = key
		}
	}
	return nil
}

// quickEntry reads an entry as Marshal writes it (one flat object of
// strings without escapes) an order of magnitude faster than
// encoding/json; ok is false for anything else.
func quickEntry(b []byte) (e Entry, ok bool) {
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || bytes.IndexByte(b, '\\') >= 0 {
		return e, false
	}
	b = b[1 : len(b)-1]
	for len(b) > 0 {
		if b[0] != '"' {
			return e, false
		}
		k := bytes.IndexByte(b[1:], '"')
		if k < 0 || len(b) < k+4 || b[k+2] != ':' || b[k+3] != '"' {
			return e, false
		}
		key := b[1 : k+1]
		b = b[k+4:]
		v := bytes.IndexByte(b, '"')
		if v < 0 {
			return e, false
		}
		val := string(b[:v])
		b = b[v+1:]
		switch string(key) {
		case "event":
			e.Event = val
		case "space":
			e.Space = val
		case "id":
			e.ID = val
		case "sha256":
			e.SHA256 = val
		case "key":
			e.Key = val
		case "validFrom":
			e.ValidFrom = val
		default:
			return e, false
		}
		if len(b) > 0 {
			if b[0] != ',' {
				return e, false
			}
			b = b[1:]
		}
	}
	return e, true
}

// index replays entry i into the index.
func (l *Log) index(i int64, b []byte) error {
	e, ok := quickEntry(b)
	if !ok {
		var err error
		if e, err = ParseEntry(b); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	switch e.Event {
	case Issued:
		c := l.Creds[e.ID]
		if c == nil {
			c = &Cred{First: i}
			l.Creds[e.ID] = c
		}
		c.Last, c.SHA256, c.ValidFrom, c.Key = i, e.SHA256, e.ValidFrom, e.Key
	case Revoked, Suspended:
		l.Status[e.ID] = e.Event
	case Lifted:
		delete(l.Status, e.ID)
	case KeyAdded, KeyRetired:
		l.Keys[e.Space+"/"+e.ID] = e.Event
	default:
		return fmt.Errorf("entry %d: unknown event %q", i, e.Event)
	}
	return nil
}

// ReadHashes makes Log a tlog.HashReader.
func (l *Log) ReadHashes(indexes []int64) ([]sumtlog.Hash, error) {
	out := make([]sumtlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// Size is the number of entries.
func (l *Log) Size() int64 { return int64(len(l.entries)) }

// Entry returns entry i's bytes.
func (l *Log) Entry(i int64) []byte { return l.entries[i] }

// Root is the tree's hash.
func (l *Log) Root() sumtlog.Hash {
	h, _ := sumtlog.TreeHash(l.Size(), l)
	return h
}

// Append adds entries at the end of the log.
func (l *Log) Append(es ...[]byte) error {
	for _, b := range es {
		if len(b) > 0xFFFF {
			return fmt.Errorf("log entry too long: %d bytes", len(b))
		}
		n := l.Size()
		hs, err := sumtlog.StoredHashes(n, b, l)
		if err != nil {
			return err
		}
		if err := l.index(n, b); err != nil {
			return err
		}
		l.entries = append(l.entries, b)
		l.hashes = append(l.hashes, hs...)
	}
	return nil
}

// Checkpoint returns the log's checkpoint signed by its key.
func (l *Log) Checkpoint() ([]byte, error) {
	body := torchwood.Checkpoint{Origin: l.Origin, Tree: sumtlog.Tree{N: l.Size(), Hash: l.Root()}}.String()
	return note.Sign(&note.Note{Text: body}, l.signer)
}

// Published returns the checkpoint to publish: the witnesses' cosigned
// copy (CosignedFile in the state folder) when it is of this very tree,
// the log's own otherwise.
func (l *Log) Published() ([]byte, error) {
	own, err := l.Checkpoint()
	if err != nil {
		return nil, err
	}
	co, err := os.ReadFile(filepath.Join(l.Dir, CosignedFile))
	if err != nil {
		return own, nil
	}
	if body, _, ok := strings.Cut(string(co), "\n\n"); ok {
		if ob, _, _ := strings.Cut(string(own), "\n\n"); ob == body {
			if _, err := note.Open(co, note.VerifierList(l.Verify)); err == nil {
				return co, nil
			}
		}
	}
	return own, nil
}

// Save writes the new entries and hashes, the action keys, then the
// checkpoint (last: it is what load trusts).
func (l *Log) Save() error {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return err
	}
	if err := l.appendTail(); err != nil {
		return err
	}
	ids := make([]string, 0, len(l.Actions))
	for id := range l.Actions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var ab bytes.Buffer
	for _, id := range ids {
		fmt.Fprintf(&ab, "%s %s\n", id, l.Actions[id])
	}
	if err := writeFile(filepath.Join(l.Dir, actionsFile), ab.Bytes()); err != nil {
		return err
	}
	cp, err := l.Checkpoint()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(l.Dir, treeFile), cp); err != nil {
		return err
	}
	l.saved = l.Size()
	return nil
}

// appendTail appends the entries and hashes not yet on disk, first
// cutting the files to what the last checkpoint covers.
func (l *Log) appendTail() error {
	var eb, hb []byte
	var eoff int64
	for i := int64(0); i < l.saved; i++ {
		eoff += 2 + int64(len(l.entries[i]))
	}
	for i := l.saved; i < l.Size(); i++ {
		eb = binary.BigEndian.AppendUint16(eb, uint16(len(l.entries[i])))
		eb = append(eb, l.entries[i]...)
	}
	hoff := sumtlog.StoredHashCount(l.saved)
	for _, h := range l.hashes[hoff:] {
		hb = append(hb, h[:]...)
	}
	if err := appendAt(filepath.Join(l.Dir, entriesFile), eoff, eb); err != nil {
		return err
	}
	return appendAt(filepath.Join(l.Dir, hashesFile), hoff*sumtlog.HashSize, hb)
}

func appendAt(name string, off int64, b []byte) error {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := f.Truncate(off); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteAt(b, off); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeFile(name string, b []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
