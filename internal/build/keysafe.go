package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/content"
	"github.com/francebadge/blason/internal/issue"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/publish"
)

// Keys, secrets and ledgers are state a build never recreates on its own
// once a space has published: new ones would make every credential it issued
// stop verifying (new keys, new award ids) or verify again once revoked (a
// new ledger). A build knows a space has published from
//
//   - the record of published keys, .blason/published (written by every
//     build before it publishes, for every output folder),
//   - the output folder: <dest>/<space>/did.json,
//   - the space's status ledger, which only a build writes,
//   - the build manifest of the output folder (sites built before the
//     record existed), looked at only when nothing else tells.
//
// A space none of these knows is new: its first build creates what it needs,
// so that a fresh copy of content built into an empty folder just works.

// PublishedRecordPath is the record of the keys each space published.
func PublishedRecordPath(source string) string {
	return filepath.Join(source, ".blason", "published")
}

const recordMagic = "blason-published 1"

// publishedRecord maps a space to the kids its last build published.
type publishedRecord map[string][]string

func readPublishedRecord(path string) (publishedRecord, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return publishedRecord{}, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != recordMagic {
		return nil, fmt.Errorf("%s: not a record of published keys; restore it from your backup of .blason/, or delete it (the output folder and the status ledgers still tell which spaces published)", path)
	}
	r := publishedRecord{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		r[f[0]] = f[1:]
	}
	return r, nil
}

func (r publishedRecord) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(recordMagic + "\n")
	spaces := make([]string, 0, len(r))
	for sp := range r {
		spaces = append(spaces, sp)
	}
	slices.Sort(spaces)
	for _, sp := range spaces {
		b.WriteString(strings.Join(append([]string{sp}, r[sp]...), " ") + "\n")
	}
	return b.Bytes()
}

// recordPublished notes, before anything is published, the keys each space
// of this build publishes. Spaces of other builds are kept. The file is
// rewritten only when it changes.
func recordPublished(source string, rings issue.Keyrings) error {
	path := PublishedRecordPath(source)
	r, err := readPublishedRecord(path)
	if err != nil {
		return err
	}
	old := r.bytes()
	for sp, ring := range rings {
		kids := make([]string, 0, len(ring.Keys))
		for _, k := range ring.Keys {
			kids = append(kids, k.Kid)
		}
		slices.Sort(kids)
		r[sp] = kids
	}
	b := r.bytes()
	if bytes.Equal(b, old) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return publish.WriteAtomic(path, b, 0o600)
}

// MissingKeysError is returned when spaces that have published lack private
// state a build will not recreate. Nothing was written.
type MissingKeysError struct {
	Spaces []MissingSpace
}

// MissingSpace is what one space lacks.
type MissingSpace struct {
	Space    string
	Evidence string   // how the build knows the space published
	Missing  []string // one line per missing file: path: what it is
	Ledger   bool     // the status ledger is among them
	Others   bool     // something besides the ledger is missing
}

func (e *MissingKeysError) Error() string {
	var b strings.Builder
	for _, sp := range e.Spaces {
		fmt.Fprintf(&b, "space %s has published credentials (%s), but its private state is missing:\n", sp.Space, sp.Evidence)
		for _, m := range sp.Missing {
			fmt.Fprintf(&b, "  %s\n", m)
		}
	}
	b.WriteString("A build never recreates these once a space has published: new keys or a new secret would make every\n" +
		"credential it issued stop verifying, and a new ledger would let revoked ones verify again. Nothing was written.\n" +
		"Fix: restore keys/ from your backup (blason keys restore FILE), then build again.\n")
	for _, sp := range e.Spaces {
		if sp.Ledger && !sp.Others {
			fmt.Fprintf(&b, "Without a backup of the ledger: blason keys rebuild-ledger --space %s (reads it back from the published site where that is exact).\n", sp.Space)
		}
	}
	var names []string
	for _, sp := range e.Spaces {
		names = append(names, sp.Space)
	}
	fmt.Fprintf(&b, "Only for a genuinely new start, abandoning every credential the space issued: blason build --start-over %s", strings.Join(names, ","))
	return b.String()
}

// spaceFolders lists the space folders of content/ (as the content loader
// finds them: folders that are not special); an unreadable folder gives none
// (the content loader reports it).
func spaceFolders(source string) []string {
	entries, _ := os.ReadDir(filepath.Join(source, "content"))
	var out []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || strings.HasPrefix(n, "_") || strings.HasPrefix(n, ".") || n == content.FrameworksDir || n == content.TemplatesDir {
			continue
		}
		out = append(out, n)
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// publishedKids reads the kids a published JWK Set lists (nil when there is none).
func publishedKids(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if json.Unmarshal(b, &set) != nil {
		return nil
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Kid != "" {
			kids = append(kids, k.Kid)
		}
	}
	return kids
}

// manifestKids lists the kids and tells whether a manifest holds any file of space.
func manifestKids(m *publish.Manifest, space string) (kids []string, published bool) {
	if m == nil {
		return nil, false
	}
	prefix := space + "/keys/"
	for p := range m.Files {
		if !strings.HasPrefix(p, space+"/") {
			continue
		}
		published = true
		if rest, ok := strings.CutPrefix(p, prefix); ok && strings.HasSuffix(rest, ".json") && !strings.HasSuffix(rest, ".ob2.json") && !strings.Contains(rest, "/") {
			kids = append(kids, strings.TrimSuffix(rest, ".json"))
		}
	}
	return kids, published
}

// preflight refuses the build when a space that has published lacks its
// secret, the private half of a key it publishes (a retired key counts), or
// its status ledger. It only reads: a few stat calls per space, the small
// record of published keys, and, for a space the record does not know,
// the published JWK Set and the manifest. manifest waits for the manifest.
func preflight(o Options, manifest func() *publish.Manifest) error {
	rec, err := readPublishedRecord(PublishedRecordPath(o.Source))
	if err != nil {
		return err
	}
	kdir := KeysDir(o.Source)
	var errs []MissingSpace
	for _, sp := range spaceFolders(o.Source) {
		if slices.Contains(o.StartOver, sp) {
			continue
		}
		dir := filepath.Join(kdir, sp)
		secret := exists(filepath.Join(dir, "secret"))
		ledger := exists(LedgerPath(o.Source, sp))
		did := filepath.Join(o.Destination, sp, "did.json")
		kids, inRecord := rec[sp]
		var evidence string
		switch {
		case inRecord:
			evidence = "recorded in " + PublishedRecordPath(o.Source)
		case exists(did):
			evidence = did + " exists"
			kids = publishedKids(filepath.Join(o.Destination, sp, "jwks.json"))
		case ledger:
			evidence = "it has a status ledger"
		case o.ExistingKeys:
			evidence = "--existing-keys: every space is taken as published"
		}
		if !inRecord && manifest != nil && (evidence == "" || len(kids) == 0) {
			mk, pub := manifestKids(manifest(), sp)
			if pub && evidence == "" {
				evidence = "listed in the build manifest of " + o.Destination
			}
			kids = append(kids, mk...)
		}
		if evidence == "" {
			continue // a new space: its first build creates what it needs
		}
		m := MissingSpace{Space: sp, Evidence: evidence}
		slices.Sort(kids)
		kids = slices.Compact(kids)
		if !exists(dir) {
			what := "the space secret, the status ledger"
			if len(kids) > 0 {
				what += " and the private keys " + strings.Join(kids, ", ")
			}
			m.Missing = append(m.Missing, dir+string(filepath.Separator)+": the whole folder is missing ("+what+")")
			m.Ledger, m.Others = true, true
			errs = append(errs, m)
			continue
		}
		if !secret {
			m.Missing = append(m.Missing, filepath.Join(dir, "secret")+": the space secret (award ids and recipient salts derive from it)")
			m.Others = true
		}
		for _, kid := range kids {
			if exists(filepath.Join(dir, keys.KeyFile(kid))) || exists(filepath.Join(dir, keys.RetiredFile(kid))) {
				continue
			}
			m.Missing = append(m.Missing, filepath.Join(dir, keys.KeyFile(kid))+": the private key "+kid+", whose public key the site publishes (credentials it signed depend on it)")
			m.Others = true
		}
		if !ledger {
			m.Missing = append(m.Missing, LedgerPath(o.Source, sp)+": the status ledger (status positions and final revocations)")
			m.Ledger = true
		}
		if len(m.Missing) > 0 {
			errs = append(errs, m)
		}
	}
	if len(errs) > 0 {
		return &MissingKeysError{Spaces: errs}
	}
	return nil
}

// staleLedgers lists the ledgers of o.StartOver spaces kept without their
// secret: their award ids belong to the lost secret. Once the content is
// known to be valid, abandonLedgers moves them aside, never deleting them.
func staleLedgers(o Options) []string {
	var out []string
	for _, sp := range o.StartOver {
		if l := LedgerPath(o.Source, sp); !exists(filepath.Join(KeysDir(o.Source), sp, "secret")) && exists(l) {
			out = append(out, l)
		}
	}
	return out
}

func abandonLedgers(paths []string) error {
	for _, l := range paths {
		if err := os.Rename(l, l+".abandoned-"+time.Now().UTC().Format("20060102T150405Z")); err != nil {
			return err
		}
	}
	return nil
}

// secretGuard is the secret callback of the content loader: it reads a
// space's secret, and creates it only for a space that never published
// (the full check is preflight's; this keeps `blason awards` and the other
// commands that load content from creating one).
func secretGuard(o Options, store keys.Store) func(string) ([]byte, error) {
	return func(space string) ([]byte, error) {
		s, err := store.Secret(space)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return s, err
		}
		if !slices.Contains(o.StartOver, space) {
			rec, err := readPublishedRecord(PublishedRecordPath(o.Source))
			if err != nil {
				return nil, err
			}
			_, inRecord := rec[space]
			if inRecord || o.ExistingKeys || exists(filepath.Join(o.Destination, space, "did.json")) || exists(LedgerPath(o.Source, space)) {
				return nil, fmt.Errorf("%s is missing, and the space has published: restore keys/ from your backup (blason keys restore FILE); a build never makes a new secret for a space that has published", filepath.Join(store.Dir, space, "secret"))
			}
		}
		s, _, err = store.EnsureSecret(space)
		return s, err
	}
}
