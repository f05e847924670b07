// Package export is `blason export`: every award of a space, with where it
// is written (file:line), its id, its public URLs and its status as the
// build computes it (revocations.csv: revoked or suspended; expiry against
// a reference date), and, when the claim store is given, whether the
// recipient claimed it, took it for a wallet and shows it on a passport.
// It writes a CSV file for spreadsheets (package csvout: BOM, ";",
// formula-safe) and a JSON file for programs, both outside the site: this
// is a private report for the institution, never published.
//
// The export names no recipient: the row source points at the line of the
// institution's own award list, which holds the identity. Same inputs, same
// reference date and same store rows give byte-identical files.
package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/csvout"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
	"github.com/francebadge/blason/internal/safepath"
	"github.com/francebadge/blason/internal/store"
)

// Report is the export of one space.
type Report struct {
	Space string `json:"space"`
	// AsOf is the reference date of the statuses (YYYY-MM-DD).
	AsOf string `json:"asOf"`
	// WithStore is true when the claim store was read (the Store member
	// of each award is then present).
	WithStore bool  `json:"withStore"`
	Awards    []Row `json:"awards"`
}

// Row is one award.
type Row struct {
	// Source is where the award is written, "file:line" relative to the
	// source folder.
	Source string `json:"source"`
	Award  string `json:"award"`
	Badge  string `json:"badge"`
	Level  string `json:"level,omitempty"`
	// Awarded and Expires are dates (YYYY-MM-DD); Expires is empty when
	// the award does not expire.
	Awarded string `json:"awarded"`
	Expires string `json:"expires,omitempty"`
	// Status is valid, expired, suspended or revoked.
	Status string `json:"status"`
	// Public URLs: the badge's page, the Open Badges 3.0 credential (JSON
	// and VC-JWT) and the Open Badges 2.0 hosted assertion.
	BadgePage     string `json:"badgePage"`
	Credential    string `json:"credential"`
	CredentialJWT string `json:"credentialJwt"`
	Assertion     string `json:"assertion"`
	// Store is what the claim store knows, nil without it.
	Store *Use `json:"store,omitempty"`
}

// Use is an award's use as the claim store records it.
type Use struct {
	// Claimed is when the recipient first downloaded the award from the
	// claim server, Wallet when they first took its VC-JWT (the form
	// wallets import): RFC 3339 UTC, empty when never.
	Claimed string `json:"claimed"`
	Wallet  string `json:"wallet"`
	// OnPassport is true when the recipient's passport shows the award.
	OnPassport bool `json:"onPassport"`
}

// Build makes the report of a space. uses is the claim store's record by
// award id, nil when no store was given; asOf decides which awards have
// expired.
func Build(site *model.Site, space string, asOf time.Time, uses map[string]store.AwardUse) (*Report, error) {
	var sp *model.Space
	var names []string
	for _, s := range site.Spaces {
		names = append(names, s.Slug)
		if s.Slug == space {
			sp = s
		}
	}
	if sp == nil {
		return nil, fmt.Errorf("unknown space %q: the spaces are %s", space, strings.Join(names, ", "))
	}
	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	r := &Report{Space: sp.Slug, AsOf: asOf.Format(time.DateOnly), WithStore: uses != nil, Awards: []Row{}}
	for _, a := range sp.Awards {
		row := Row{
			Source: filepath.ToSlash(a.Source()), Award: a.ID, Badge: a.Badge.Slug,
			Awarded: a.Date.UTC().Format(time.DateOnly), Status: render.Status(a, asOf),
			BadgePage: l.URL(l.BadgePage(a.Badge, "")), Credential: l.URL(l.Credential(a)),
			CredentialJWT: l.URL(l.CredentialJWT(a)), Assertion: l.URL(l.Assertion(a)),
		}
		if a.Level != nil {
			row.Level = a.Level.ID
		}
		if !a.Expires.IsZero() {
			row.Expires = a.Expires.UTC().Format(time.DateOnly)
		}
		if uses != nil {
			u := uses[a.ID]
			row.Store = &Use{Claimed: rfc3339(u.Claimed), Wallet: rfc3339(u.Wallet), OnPassport: u.OnPassport}
		}
		r.Awards = append(r.Awards, row)
	}
	return r, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// yesNo is how the CSV says a boolean: the French badge officers' own words.
func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// CSV is the report as a spreadsheet: one line per award, columns named as
// the JSON members.
func (r *Report) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csvout.NewWriter(&b)
	head := []string{"source", "award", "badge", "level", "awarded", "expires", "status", "badge_page", "credential", "credential_jwt", "assertion"}
	if r.WithStore {
		head = append(head, "claimed", "wallet", "on_passport")
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	for _, a := range r.Awards {
		rec := []string{a.Source, a.Award, a.Badge, a.Level, a.Awarded, a.Expires, a.Status, a.BadgePage, a.Credential, a.CredentialJWT, a.Assertion}
		if a.Store != nil {
			rec = append(rec, a.Store.Claimed, a.Store.Wallet, yesNo(a.Store.OnPassport))
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// JSON is the report for programs (fields documented on Report and Row).
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	return append(b, '\n'), err
}

// Files returns the names of the files Write makes in dir.
func (r *Report) Files(dir string) (csvPath, jsonPath string) {
	base := filepath.Join(dir, r.Space+"-awards")
	return base + ".csv", base + ".json"
}

// Write writes the CSV and JSON files into dir (created private, 0700;
// files 0600), refusing a folder inside or holding one of forbidden (the
// site, the content, the keys): the export is never published. Both files
// are made before either is written.
func (r *Report) Write(dir string, forbidden []string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	dst, err := safepath.Real(abs)
	if err != nil {
		return nil, err
	}
	for _, f := range forbidden {
		if f, err = filepath.Abs(f); err != nil {
			return nil, err
		}
		p, err := safepath.Real(f)
		if err != nil {
			return nil, err
		}
		if safepath.Within(dst, p) || safepath.Within(p, dst) {
			return nil, fmt.Errorf("export folder %s overlaps %s: the export is a private report that must never be published; write it elsewhere (e.g. -o exports)", dir, f)
		}
	}
	c, err := r.CSV()
	if err != nil {
		return nil, err
	}
	j, err := r.JSON()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cp, jp := r.Files(dir)
	for _, f := range []struct {
		path string
		data []byte
	}{{cp, c}, {jp, j}} {
		if err := publish.WriteAtomic(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	out := []string{cp, jp}
	slices.Sort(out)
	return out, nil
}
