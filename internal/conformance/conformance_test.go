package conformance

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/model"
)

// Outcomes the verifiers report (tools/vcverify/verify.mjs).
const (
	valid     = "valid"
	expired   = "expired"
	revoked   = "revoked"
	suspended = "suspended"
	invalid   = "invalid"
)

// statusCases is what third-party verifiers must report for the revoked
// and the suspended award, in every form. reason is what the report must
// say (empty: it must name no set status bit).
var statusCases = []struct {
	name   string
	award  func(*fixture) *model.Award
	want   string
	reason string
}{
	{"revoked award", func(f *fixture) *model.Award { return f.revoked }, revoked, "status: revocation bit set"},
	// SUSPENSION — flip this entry to {suspended, "status: suspension bit
	// set"} when credentials expose suspension to other verifiers. Today a
	// credential references the revocation list only (the 1EdTech schema
	// allows one credentialStatus), so third-party status checks cannot
	// see a suspension: @digitalbazaar/vc-bitstring-status-list reports the
	// suspended award valid. Only `blason verify`, which also reads the
	// sibling suspension list, reports it suspended.
	{"suspended award", func(f *fixture) *model.Award { return f.suspended }, valid, ""},
}

// want is what the verifiers must report for an award at `now`.
func (f *fixture) want(a *model.Award) (outcome, reason string) {
	for _, c := range statusCases {
		if c.award(f) == a {
			return c.want, c.reason
		}
	}
	if !a.Expires.IsZero() && a.Expires.Before(now) {
		return expired, ""
	}
	return valid, ""
}

// mismatches collects the files whose outcome is not the expected one,
// grouped by what the verifiers said, so that one defect shared by a
// thousand files reads as one failure naming a few of them.
type mismatches struct {
	site   string // files under it are named relative to it
	groups map[string][]string
}

func (m *mismatches) add(r result, want string) {
	if m.groups == nil {
		m.groups = map[string][]string{}
	}
	why := "no reason given"
	if len(r.Reasons) > 0 {
		why = strings.Join(r.Reasons, "; ")
	}
	key := fmt.Sprintf("%s, want %s: %s", r.Outcome, want, why)
	file := r.File
	if rel, ok := strings.CutPrefix(file, m.site+string(filepath.Separator)); ok {
		file = filepath.ToSlash(rel)
	}
	m.groups[key] = append(m.groups[key], file)
}

func (m *mismatches) report(t *testing.T, what string) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(m.groups)) {
		files := m.groups[key]
		shown := files[:min(3, len(files))]
		t.Errorf("%d %s: %s\n\tfor example %s", len(files), what, key, strings.Join(shown, ", "))
	}
}

// TestOB3Forms checks the two published forms of every demo award: the
// credential with its Data Integrity proof (vc.verifyCredential with the
// eddsa-rdfc-2022 cryptosuite, Bitstring Status List checkStatus, 1EdTech
// JSON Schema; expired awards verify before validUntil and are reported
// expired at the reference date) and the VC-JWT (jose with the kid's key
// from the site, the OB 3.0 VC-JWT claims, the schema on the payload, its
// status).
func TestOB3Forms(t *testing.T) {
	f := shared(t)
	t.Logf("%d files checked by the third-party verifiers in %v", len(f.items), f.took.Round(1e7))
	for _, form := range []struct {
		name, kind string
		path       func(*model.Award) string
	}{
		{"Data Integrity credential", "credential", paths.Credential},
		{"VC-JWT", "jwt", paths.CredentialJWT},
	} {
		t.Run(form.name, func(t *testing.T) {
			bad := mismatches{site: f.dest}
			counts := map[string]int{}
			n := 0
			for _, sp := range f.site.Spaces {
				for _, a := range sp.Awards {
					n++
					r := f.results[form.kind+" "+form.path(a)]
					want, _ := f.want(a)
					if r.Outcome != want {
						bad.add(r, want)
						continue
					}
					counts[r.Outcome]++
				}
			}
			if n < 300 {
				t.Fatalf("only %d awards in the demo build", n)
			}
			ok := 0
			for _, c := range counts {
				ok += c
			}
			t.Logf("%s: %d of %d awards as expected %v", form.name, ok, n, counts)
			bad.report(t, form.name+" files")
		})
	}
}

// awardOf returns the award whose id names the file.
func (f *fixture) awardOf(file string) *model.Award {
	for _, sp := range f.site.Spaces {
		for _, a := range sp.Awards {
			if strings.Contains(file, "/"+a.ID+".") {
				return a
			}
		}
	}
	return nil
}

// TestBakedImages reads back, with independent PNG and XML readers, the
// credentials baked in the images the build publishes for passport awards
// and in PNGs baked here, and verifies them.
func TestBakedImages(t *testing.T) {
	f := shared(t)
	bad := mismatches{site: f.dest}
	published := 0
	for _, it := range f.items {
		if it.Kind != "image" || !strings.HasPrefix(it.File, f.dest) {
			continue
		}
		published++
		a := f.awardOf(it.File)
		if a == nil {
			t.Errorf("%s: no award of that id", it.File)
			continue
		}
		r := f.results[it.ID]
		if want, _ := f.want(a); r.Outcome != want {
			bad.add(r, want)
		}
	}
	if published == 0 {
		t.Error("the demo build published no baked OB 3.0 image (passport awards should have some)")
	}
	bad.report(t, "published baked images")
	t.Logf("%d baked images published by the build checked", published)
	for _, tt := range []struct {
		name string
		want string
	}{
		{"credential", valid},
		{"VC-JWT", valid},
		{"VC-JWT in SVG", valid},
		{"revoked credential", revoked},
		{"suspended credential", statusCases[1].want},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.results[f.pngs[tt.name]]
			if r.Outcome != tt.want {
				t.Errorf("%s: %s, want %s: %s", r.ID, r.Outcome, tt.want, strings.Join(r.Reasons, "; "))
			}
		})
	}
}

// TestStatusLists verifies the Data Integrity proof of every status list
// credential the build publishes.
func TestStatusLists(t *testing.T) {
	f := shared(t)
	n := 0
	for _, it := range f.items {
		if it.Kind != "statuslist" || !strings.HasPrefix(it.File, f.dest) {
			continue
		}
		n++
		if r := f.results[it.ID]; r.Outcome != valid {
			t.Errorf("%s: %s: %s", it.File, r.Outcome, strings.Join(r.Reasons, "; "))
		}
	}
	if n < 2 {
		t.Fatalf("only %d status lists published", n)
	}
	t.Logf("%d status list credentials verified", n)
}

// TestRevokedAndSuspended checks that the revoked award fails in every form
// for its status, and records what the verifiers say of the suspended one
// (see statusCases).
func TestRevokedAndSuspended(t *testing.T) {
	f := shared(t)
	for _, c := range statusCases {
		a := c.award(f)
		for _, form := range []struct{ name, id string }{
			{"Data Integrity credential", "credential " + paths.Credential(a)},
			{"VC-JWT", "jwt " + paths.CredentialJWT(a)},
			{"baked in a PNG", f.pngs[strings.TrimSuffix(c.name, " award")+" credential"]},
		} {
			t.Run(c.name+"/"+form.name, func(t *testing.T) {
				r := f.results[form.id]
				reasons := strings.Join(r.Reasons, "; ")
				t.Logf("%s: %s (%s)", r.File, r.Outcome, reasons)
				if c.reason == "" {
					if strings.Contains(reasons, "bit set") {
						t.Errorf("%s: %s; want no status bit set: %s", r.File, r.Outcome, reasons)
					}
					return
				}
				if r.Outcome == valid || r.Outcome == expired || !strings.Contains(reasons, c.reason) {
					t.Errorf("%s: %s (%s); want %s, the reason naming %q", r.File, r.Outcome, reasons, c.want, c.reason)
				}
			})
		}
	}
}

// TestTamperedCopiesFail changes one byte of a credential's subject, of a
// VC-JWT's payload, of a status list and of a DID document key: every
// check that reads the changed file must fail.
func TestTamperedCopiesFail(t *testing.T) {
	f := shared(t)
	for _, tt := range f.tampers() {
		t.Run(tt.name, func(t *testing.T) {
			r := f.results[f.tampered[tt.name]]
			reasons := strings.Join(r.Reasons, "; ")
			if r.Outcome != invalid || !strings.Contains(reasons, tt.reason) {
				t.Errorf("%s: %s (%s); want invalid, mentioning %q", r.ID, r.Outcome, reasons, tt.reason)
			}
		})
	}
}

// TestSuspensionVariants holds the measurement behind the choice of one
// revocation entry per credential (docs/credentials.md, "Why suspension is
// not in the credential"): what the 1EdTech JSON Schema and
// @digitalbazaar/vc-bitstring-status-list say of two ways a credential could
// expose suspension (see addVariants). It fails when a library or the schema
// changes its answer, so that the choice is made again.
func TestSuspensionVariants(t *testing.T) {
	f := shared(t)
	type status struct {
		Purpose string `json:"statusPurpose"`
		Status  bool   `json:"status"`
	}
	type detail struct {
		SchemaErrors []string `json:"schemaErrors"`
		CheckStatus  struct {
			Verified bool     `json:"verified"`
			Error    string   `json:"error"`
			Results  []status `json:"results"`
		} `json:"checkStatus"`
	}
	for _, tt := range []struct {
		name        string
		schemaError string   // "" when the schema accepts the variant
		statuses    []status // what checkStatus reads, entry by entry
	}{
		// An array: the schema refuses it; the library reads both lists.
		{"array, suspended award", "/credentialStatus must be object", []status{{"revocation", false}, {"suspension", true}}},
		{"array, revoked award", "/credentialStatus must be object", []status{{"revocation", true}, {"suspension", false}}},
		{"array, valid award", "/credentialStatus must be object", []status{{"revocation", false}, {"suspension", false}}},
		// One message entry of 2 bits: the schema accepts it; the library
		// ignores statusSize and reads one bit at the index, which is not
		// where the value is, so it sees neither suspension nor revocation.
		{"message, suspended award", "", []status{{"message", false}}},
		{"message, revoked award", "", []status{{"message", false}}},
		{"message, valid award", "", []status{{"message", false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.results[f.variants[tt.name]]
			if r.Outcome != "checked" {
				t.Fatalf("%s: not checked: %q", r.ID, r.Reasons)
			}
			var d detail
			if err := json.Unmarshal(r.Detail, &d); err != nil {
				t.Fatalf("%s: detail %s: %v", r.ID, r.Detail, err)
			}
			schema := strings.Join(d.SchemaErrors, "; ")
			if (tt.schemaError == "") != (schema == "") || !strings.Contains(schema, tt.schemaError) {
				t.Errorf("%s: 1EdTech schema says %q, measured %q", r.ID, schema, tt.schemaError)
			}
			if !d.CheckStatus.Verified || d.CheckStatus.Error != "" || !slices.Equal(d.CheckStatus.Results, tt.statuses) {
				t.Errorf("%s: checkStatus verified=%v error=%q results %+v, measured %+v", r.ID, d.CheckStatus.Verified, d.CheckStatus.Error, d.CheckStatus.Results, tt.statuses)
			}
			// Whatever the status, vc.verifyCredential alone passes a
			// schema-valid variant: a set bit is the caller's to act on.
			full := f.results[f.variants[tt.name+" (full)"]]
			if strings.Contains(tt.name, "valid award") && full.Outcome != valid && !strings.Contains(strings.Join(full.Reasons, ";"), "JSON Schema") {
				t.Errorf("%s: %s %q", full.ID, full.Outcome, full.Reasons)
			}
		})
	}
}
