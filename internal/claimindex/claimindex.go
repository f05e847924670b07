// Package claimindex is the private index a build writes for the claim
// server: every award, with the keyed HMAC of each of its recipient's
// identifiers, so that a server can find a logged-in student's awards without
// holding any plaintext roster. The index lives outside the published site
// (under .blason/) and its key under keys/, never published.
package claimindex

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/francebadge/blason/internal/publish"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// KeySpace is the name under keys/ of the secret keying the index
// (keys/_claim/secret). Space slugs cannot start with "_", so it never
// collides with a space.
const KeySpace = "_claim"

// Version is the format version of the index file.
const Version = 1

// Identifier kinds an award can be matched on.
const (
	KindEPPN  = "eppn"
	KindEmail = "email"
)

// Status of an award when the index was written.
const (
	StatusValid     = "valid"
	StatusExpired   = "expired"
	StatusRevoked   = "revoked"
	StatusSuspended = "suspended"
)

// Entry is one award as the claim server shows it. Paths are relative to the
// site root.
type Entry struct {
	Space     string            `json:"space"`
	SpaceName map[string]string `json:"spaceName"`
	Award     string            `json:"award"`
	Badge     string            `json:"badge"`
	Name      map[string]string `json:"name"`
	Level     string            `json:"level,omitempty"`
	LevelName map[string]string `json:"levelName,omitempty"`
	Date      string            `json:"date"`
	Expires   string            `json:"expires,omitempty"`
	Status    string            `json:"status"`
	Image     string            `json:"image"`
	BadgePage string            `json:"badgePage"`
	// Credential is the Open Badges 3.0 Data Integrity credential;
	// CredentialJWT its VC-JWT form; Assertion the Open Badges 2.0 hosted
	// assertion.
	Credential    string `json:"credential"`
	CredentialJWT string `json:"credentialJwt"`
	Assertion     string `json:"assertion"`
}

// Index is the whole file.
type Index struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
	// Recipients maps the keyed hash of an identifier (see Hash) to the
	// positions of its awards in Entries.
	Recipients map[string][]int `json:"recipients"`

	byAward map[string]int // space/award → position in Entries
}

// Hash is the keyed hash of an identifier of the given kind. Values are
// compared case-insensitively (trimmed, lower-cased) as the build and the
// identity providers may differ in case.
func Hash(key []byte, kind, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToLower(strings.TrimSpace(value))))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Build makes the index of a site. now decides which awards are expired.
func Build(site *model.Site, l layout.Layout, key []byte, now time.Time) *Index {
	ix := &Index{Version: Version, Recipients: map[string][]int{}}
	add := func(kind, value string, i int) {
		if value == "" {
			return
		}
		h := Hash(key, kind, value)
		if s := ix.Recipients[h]; len(s) == 0 || s[len(s)-1] != i {
			ix.Recipients[h] = append(s, i)
		}
	}
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			b := a.Badge
			e := Entry{
				Space:      sp.Slug,
				SpaceName:  texts(sp.Name, sp.Translations, func(t model.Text) string { return t.Name }),
				Award:      a.ID,
				Badge:      b.Slug,
				Name:       texts(b.Name, b.Translations, func(t model.Text) string { return t.Name }),
				Date:       a.Date.UTC().Format(time.DateOnly),
				Status:     StatusValid,
				Image:      l.BadgeImage(b),
				BadgePage:  l.BadgePage(b, ""),
				Credential: l.Credential(a), CredentialJWT: l.CredentialJWT(a), Assertion: l.Assertion(a),
			}
			if a.Level != nil {
				e.Level = a.Level.ID
				e.LevelName = texts(a.Level.Name, a.Level.Translations, func(t model.Text) string { return t.Name })
			}
			if !a.Expires.IsZero() {
				e.Expires = a.Expires.UTC().Format(time.DateOnly)
				if !a.Expires.After(now) {
					e.Status = StatusExpired
				}
			}
			if rv, ok := sp.Revocations[a.ID]; ok {
				e.Status = StatusRevoked
				if rv.Suspended {
					e.Status = StatusSuspended
				}
			}
			i := len(ix.Entries)
			ix.Entries = append(ix.Entries, e)
			add(KindEPPN, a.Recipient.EPPN, i)
			add(KindEmail, a.Recipient.Email, i)
		}
	}
	ix.reindex()
	return ix
}

func texts(fr string, tr map[string]model.Text, get func(model.Text) string) map[string]string {
	out := map[string]string{"fr": fr}
	for lang, t := range tr {
		if v := get(t); v != "" {
			out[lang] = v
		}
	}
	return out
}

// Lookup returns the awards of an identifier, in index order.
func (ix *Index) Lookup(key []byte, kind, value string) []Entry {
	if value == "" {
		return nil
	}
	return ix.ByHash(Hash(key, kind, value))
}

// ByHash returns the awards of an identifier given by its keyed hash (what
// a claim server keeps instead of the identifier), in index order.
func (ix *Index) ByHash(h string) []Entry {
	var out []Entry
	for _, i := range ix.Recipients[h] {
		out = append(out, ix.Entries[i])
	}
	return out
}

// Find returns the award of a space by id.
func (ix *Index) Find(space, award string) (Entry, bool) {
	i, ok := ix.byAward[space+"/"+award]
	if !ok {
		return Entry{}, false
	}
	return ix.Entries[i], true
}

func (ix *Index) reindex() {
	ix.byAward = make(map[string]int, len(ix.Entries))
	for i, e := range ix.Entries {
		ix.byAward[e.Space+"/"+e.Award] = i
	}
}

// Write saves the index at path (atomically, and only when its bytes
// changed). The file is private: mode 0600.
func Write(path string, ix *Index) error {
	data, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return publish.WriteAtomic(path, data, 0o600)
}

// Read loads an index file.
func Read(path string) (*Index, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no claim index; run `blason build --claim-index` first", path)
	}
	if err != nil {
		return nil, err
	}
	var ix Index
	if err := json.Unmarshal(data, &ix); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if ix.Version != Version {
		return nil, fmt.Errorf("%s: claim index version %d, this program reads version %d; rebuild the site", path, ix.Version, Version)
	}
	for _, list := range ix.Recipients {
		for _, i := range list {
			if i < 0 || i >= len(ix.Entries) {
				return nil, fmt.Errorf("%s: damaged claim index (entry %d of %d); rebuild the site", path, i, len(ix.Entries))
			}
		}
	}
	ix.reindex()
	return &ix, nil
}
