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
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// Files of the state folder.
const (
	entriesFile  = "entries"    // C2SP entry-bundle records (2-byte length, bytes); append-only
	hashesFile   = "hashes"     // the tree's stored hashes, 32 bytes each; append-only
	indexFile    = "index"      // the index at the checkpoint's size (index.go)
	treeFile     = "checkpoint" // the last checkpoint this build signed
	CosignedFile = "cosigned-checkpoint"
)

// KeyFile is the log's signing key, in keys/.
const KeyFile = "transparency.keys"

// Log is a loaded log. Its entries and hashes stay on disk (store.go);
// what builds need of them is in a compact index (index.go).
type Log struct {
	Dir    string // state folder; "" for a log held in memory
	Origin string
	signer note.Signer
	Verify note.Verifier
	VKey   string
	s      *store
	idx    *index
	saved  int64 // entries covered by the state folder's checkpoint
	stale  bool  // the index file is not of the saved size
	enc    *json.Encoder
	buf    bytes.Buffer
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
	l := &Log{Dir: dir, Origin: s.Name(), signer: s, Verify: v, VKey: vkey, idx: newIndex()}
	if !haveState {
		return l, l.startEmpty()
	}
	if err := l.load(); err != nil {
		return nil, err
	}
	return l, nil
}

// load reads the state folder: the checkpoint it signed last, the index of
// that size (or the entries replayed, when it is missing or of another
// size), and checks the stored hashes against the checkpoint. A build
// killed after appending but before signing leaves a longer tail, cut here.
func (l *Log) load() error {
	cp, err := os.ReadFile(filepath.Join(l.Dir, treeFile))
	if err != nil {
		return err
	}
	c, err := OpenCheckpoint(cp, l.Verify)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(l.Dir, treeFile), err)
	}
	idx, esize, tiles, err := readIndex(filepath.Join(l.Dir, indexFile), c.N)
	if errors.Is(err, errStaleIndex) {
		l.stale = true
		idx, esize, tiles, err = replay(filepath.Join(l.Dir, entriesFile), c.N)
	}
	if err != nil {
		return err
	}
	l.idx = idx
	if l.s, err = openStore(filepath.Join(l.Dir, entriesFile), filepath.Join(l.Dir, hashesFile), c.N, esize, tiles); err != nil {
		return err
	}
	root, err := sumtlog.TreeHash(c.N, l.s)
	if err != nil {
		return fmt.Errorf("%s: %w; run %s", l.Dir, err, RecoverHint)
	}
	if root != c.Hash {
		return fmt.Errorf("%s: the stored tree does not match its checkpoint; run %s", l.Dir, RecoverHint)
	}
	l.saved = c.N
	return nil
}

// startEmpty opens an empty state in l.Dir, its files created (what a
// folder without checkpoint holds is a leftover, truncated).
func (l *Log) startEmpty() error {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return err
	}
	l.stale = true
	var err error
	l.s, err = openStore(filepath.Join(l.Dir, entriesFile), filepath.Join(l.Dir, hashesFile), 0, 0, nil)
	return err
}

// memLog is a log held in memory, without index: a mirror's.
func memLog() *Log { return &Log{s: &store{}} }

// Close releases the state folder's files.
func (l *Log) Close() { l.s.close() }

// ReadHashes makes Log a tlog.HashReader.
func (l *Log) ReadHashes(indexes []int64) ([]sumtlog.Hash, error) { return l.s.ReadHashes(indexes) }

// Size is the number of entries.
func (l *Log) Size() int64 { return l.s.n }

// Entry returns entry i's bytes.
func (l *Log) Entry(i int64) ([]byte, error) { return l.s.entry(i) }

// Root is the tree's hash.
func (l *Log) Root() sumtlog.Hash {
	h, _ := sumtlog.TreeHash(l.Size(), l)
	return h
}

// Add appends an entry; action is the private action key of the inputs a
// credential was issued from (for issued entries; "" otherwise).
func (l *Log) Add(e Entry, action string) error {
	n := l.Size()
	if l.idx != nil {
		if err := l.idx.add(n, &e, action); err != nil {
			return err
		}
	}
	// As Marshal, into one buffer for every entry.
	if l.enc == nil {
		l.enc = json.NewEncoder(&l.buf)
	}
	l.buf.Reset()
	if err := l.enc.Encode(e); err != nil {
		return err
	}
	return l.s.append(l.buf.Bytes())
}

// Expect says that about n credentials will be logged: a log that holds
// none sizes its index for them at once.
func (l *Log) Expect(n int) {
	if l.idx != nil && len(l.idx.creds) == 0 && n > 0 {
		l.idx.creds = make(map[string]credState, n)
	}
}

// Append adds entries as bytes (a log recovered from its published copy,
// tests).
func (l *Log) Append(es ...[]byte) error {
	for _, b := range es {
		if l.idx != nil {
			e, err := ParseEntry(b)
			if err != nil {
				return fmt.Errorf("entry %d: %w", l.Size(), err)
			}
			if err := l.idx.add(l.Size(), &e, ""); err != nil {
				return err
			}
		}
		if err := l.s.append(b); err != nil {
			return err
		}
	}
	return nil
}

// SetAction records the action key a logged credential's inputs have now
// (they changed without changing its logged bytes).
func (l *Log) SetAction(id, action string) {
	if c, ok := l.idx.creds[id]; ok && c.action != actionSum(action) {
		c.action = actionSum(action)
		l.idx.creds[id] = c
		l.stale = true
	}
}

// Unsaved says whether the state folder is behind the log.
func (l *Log) Unsaved() bool { return l.Size() > l.saved || l.stale }

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

// Save writes the new entries and hashes, the index, then the checkpoint
// (last: it is what load trusts).
func (l *Log) Save() error {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return err
	}
	if err := l.s.sync(); err != nil {
		return err
	}
	if err := l.idx.write(filepath.Join(l.Dir, indexFile), l.Size(), l.s.esize, l.s.tiles); err != nil {
		return err
	}
	cp, err := l.Checkpoint()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(l.Dir, treeFile), cp); err != nil {
		return err
	}
	l.saved, l.stale = l.Size(), false
	return nil
}

func writeFile(name string, b []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
