package conformance

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// base is the origin the demo is built for. Nothing listens there: the
// verifiers' document loader reads the site folder for URLs under it.
const base = "http://127.0.0.1:8413/"

// now is the reference time of these tests, after every demo award date
// (the same as the build tests').
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

var paths = layout.Layout{Base: base}

// fixture is one build of the demo content — with one award revoked and
// one suspended — and the verifiers' answers for every file checked, shared
// by the tests of this package.
type fixture struct {
	dir, src, dest     string
	site               *model.Site
	revoked, suspended *model.Award
	results            map[string]result
	items              []item
	took               time.Duration
	// extra checks, by name: baked PNGs, tampered copies, status variants
	pngs, tampered, variants map[string]string // name → item id
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	fixDir  string // removed after the tests
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

// shared builds the demo and runs the verifiers once for the package.
func shared(t *testing.T) *fixture {
	t.Helper()
	node, root := requireNode(t)
	fixOnce.Do(func() {
		fix, fixErr = newFixture(node, root)
	})
	if fixErr != nil {
		t.Fatalf("conformance fixture: %v", fixErr)
	}
	return fix
}

func newFixture(node, root string) (*fixture, error) {
	dir, err := os.MkdirTemp("", "blason-conformance-")
	if err != nil {
		return nil, err
	}
	fixDir = dir
	f := &fixture{dir: dir, src: filepath.Join(dir, "src"), dest: filepath.Join(dir, "site"),
		pngs: map[string]string{}, tampered: map[string]string{}, variants: map[string]string{}}
	if err := demotest.CopyDemo(root, f.src); err != nil {
		return nil, err
	}
	if f.site, err = build.Load(build.Options{Source: f.src, BaseURL: base, Now: now}); err != nil {
		return nil, err
	}
	// Revoke one award and suspend another (neither expired, so that the
	// status is the only reason), as a jury's revocations.csv does.
	var candidates []*model.Award
	for _, a := range space(f.site, "universite").Awards {
		if a.Expires.IsZero() || a.Expires.After(now) {
			candidates = append(candidates, a)
		}
	}
	if len(candidates) < 2 {
		return nil, fmt.Errorf("the demo's universite space has %d unexpired awards", len(candidates))
	}
	f.revoked, f.suspended = candidates[0], candidates[1]
	csvText := "award,date,reason,action\n" +
		f.revoked.ID + ",2025-11-03,Attribution faite par erreur,revoke\n" +
		f.suspended.ID + ",2025-11-04,Enquête en cours,suspend\n"
	if err := os.WriteFile(filepath.Join(f.src, "content", "universite", "revocations.csv"), []byte(csvText), 0o644); err != nil {
		return nil, err
	}
	res, err := build.Run(build.Options{Source: f.src, Destination: f.dest, BaseURL: base, Now: now})
	if err != nil {
		return nil, fmt.Errorf("demo build: %w", err)
	}
	if res.Revoked != 2 {
		return nil, fmt.Errorf("the build reports %d revoked or suspended awards, want 2", res.Revoked)
	}
	if err := f.addItems(); err != nil {
		return nil, err
	}
	ctxs, err := contextFiles(root)
	if err != nil {
		return nil, err
	}
	req := request{
		Base: base, Site: f.dest, Contexts: ctxs, Now: now.Format(time.RFC3339), Items: f.items,
		Schema: filepath.Join(root, "internal", "verify", "schema", "ob_v3p0_achievementcredential.json"),
	}
	f.results, f.took, err = runScript(node, root, req)
	return f, err
}

func space(site *model.Site, slug string) *model.Space {
	for _, sp := range site.Spaces {
		if sp.Slug == slug {
			return sp
		}
	}
	return nil
}

func (f *fixture) add(it item) string {
	f.items = append(f.items, it)
	return it.ID
}

func (f *fixture) sitePath(p string) string { return filepath.Join(f.dest, filepath.FromSlash(p)) }

// addItems lists every file to check: the two OB 3.0 forms of every award,
// the baked images the build published, every status list, then PNGs baked
// here (the demo's badge images are SVG), tampered copies and the status
// variants.
func (f *fixture) addItems() error {
	for _, sp := range f.site.Spaces {
		for _, a := range sp.Awards {
			f.add(item{ID: "credential " + paths.Credential(a), Kind: "credential", File: f.sitePath(paths.Credential(a))})
			f.add(item{ID: "jwt " + paths.CredentialJWT(a), Kind: "jwt", File: f.sitePath(paths.CredentialJWT(a)), Pair: f.sitePath(paths.Credential(a))})
		}
	}
	for _, pattern := range []string{"*/credentials/*/*.png", "*/credentials/*/*.svg", "*/status/*.json"} {
		matches, err := filepath.Glob(filepath.Join(f.dest, filepath.FromSlash(pattern)))
		if err != nil {
			return err
		}
		kind := "image"
		if strings.HasSuffix(pattern, ".json") {
			kind = "statuslist"
		}
		for _, m := range matches {
			rel, _ := filepath.Rel(f.dest, m)
			f.add(item{ID: kind + " " + filepath.ToSlash(rel), Kind: kind, File: m})
		}
	}
	if err := f.addBaked(); err != nil {
		return err
	}
	if err := f.addTampered(); err != nil {
		return err
	}
	return f.addVariants()
}

// valid returns an award of the space that is neither expired, revoked nor
// suspended.
func (f *fixture) valid(slug string) *model.Award {
	for _, a := range space(f.site, slug).Awards {
		if (a.Expires.IsZero() || a.Expires.After(now)) && a != f.revoked && a != f.suspended {
			return a
		}
	}
	return nil
}

func (f *fixture) write(name string, b []byte) (string, error) {
	p := filepath.Join(f.dir, "extra", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	return p, os.WriteFile(p, b, 0o644)
}

func (f *fixture) read(p string) ([]byte, error) { return os.ReadFile(f.sitePath(p)) }

// addBaked bakes credentials into a small PNG with internal/bake; the
// script reads them back with its own PNG chunk reader.
func (f *fixture) addBaked() error {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		return err
	}
	a := f.valid("ecole-ingenieurs")
	for _, c := range []struct {
		name string
		a    *model.Award
		file string
	}{
		{"credential", a, paths.Credential(a)},
		{"VC-JWT", a, paths.CredentialJWT(a)},
		{"revoked credential", f.revoked, paths.Credential(f.revoked)},
		{"suspended credential", f.suspended, paths.Credential(f.suspended)},
	} {
		payload, err := f.read(c.file)
		if err != nil {
			return err
		}
		baked, err := bake.PNG(img.Bytes(), bake.OB3, strings.TrimSpace(string(payload)))
		if err != nil {
			return err
		}
		p, err := f.write("baked/"+strings.ReplaceAll(c.name, " ", "-")+".png", baked)
		if err != nil {
			return err
		}
		f.pngs[c.name] = f.add(item{ID: "image " + c.name + " baked in a PNG (" + c.file + ")", Kind: "image", File: p})
	}
	// A VC-JWT baked in the badge's SVG image: the verify attribute.
	svg, err := f.read(paths.BadgeImage(a.Badge))
	if err != nil {
		return err
	}
	jwt, err := f.read(paths.CredentialJWT(a))
	if err != nil {
		return err
	}
	baked, err := bake.SVG(svg, bake.OB3, strings.TrimSpace(string(jwt)), "")
	if err != nil {
		return err
	}
	p, err := f.write("baked/VC-JWT.svg", baked)
	if err != nil {
		return err
	}
	f.pngs["VC-JWT in SVG"] = f.add(item{ID: "image VC-JWT baked in an SVG (" + paths.CredentialJWT(a) + ")", Kind: "image", File: p})
	return nil
}

// tamper is one tampered copy: the file changed, what is checked, and the
// URL the changed file replaces, if any.
type tamper struct {
	name, file, kind string
	target           string // the site file checked; the changed file itself when empty
	edit             func([]byte) ([]byte, error)
	reason           string // what the failure must mention
}

func (f *fixture) tampers() []tamper {
	a := f.valid("ecole-ingenieurs")
	sp := a.Badge.Space.Slug
	cred, jwt := paths.Credential(a), paths.CredentialJWT(a)
	var svg string
	if m, _ := filepath.Glob(filepath.Join(f.dest, "*", "credentials", "*", "*.svg")); len(m) > 0 {
		rel, _ := filepath.Rel(f.dest, m[0])
		svg = filepath.ToSlash(rel)
	}
	return []tamper{
		{"credential subject", cred, "credential", "", replaceOnce(`"identityHash": "sha256$`, 1), "Invalid signature"},
		{"credential subject in a baked SVG", svg, "image", "", replaceOnce(`"identityHash": "sha256$`, 1), "Invalid signature"},
		{"VC-JWT payload", jwt, "jwt", "", jwtPayloadByte, "signature verification failed"},
		{"revocation list", sp + "/status/revocation.json", "statuslist", "", replaceOnce(`"encodedList": "uH4sI`, 10), "Invalid signature"},
		{"revocation list behind a credential", sp + "/status/revocation.json", "credential", cred, replaceOnce(`"encodedList": "uH4sI`, 10), "BitstringStatusListCredential\" not verified"},
		{"revocation list behind a VC-JWT", sp + "/status/revocation.json", "jwt", jwt, replaceOnce(`"encodedList": "uH4sI`, 10), "BitstringStatusListCredential\" not verified"},
		// Another valid Ed25519 key in place of the issuer's: a byte flipped
		// in the key could make it undecodable, failing for another reason.
		{"DID document key", sp + "/did.json", "credential", cred, otherKey, "Invalid signature"},
	}
}

// replaceOnce changes the byte n bytes after the first occurrence of
// marker.
func replaceOnce(marker string, n int) func([]byte) ([]byte, error) {
	return func(b []byte) ([]byte, error) {
		i := bytes.Index(b, []byte(marker))
		if i < 0 {
			return nil, fmt.Errorf("%q not found", marker)
		}
		return flip(b, i+len(marker)+n-1), nil
	}
}

// otherKey replaces the first Ed25519 Multikey of a DID document with
// another valid one (fixed, so the test is the same in every run).
func otherKey(b []byte) ([]byte, error) {
	re := regexp.MustCompile(`"publicKeyMultibase": "(z6Mk[1-9A-HJ-NP-Za-km-z]+)"`)
	m := re.FindSubmatchIndex(b)
	if m == nil {
		return nil, fmt.Errorf("no Ed25519 publicKeyMultibase")
	}
	other := dataintegrity.EncodeMultikey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	if other == string(b[m[2]:m[3]]) {
		return nil, fmt.Errorf("the issuer's key is the test's other key")
	}
	return append(append(append([]byte{}, b[:m[2]]...), other...), b[m[3]:]...), nil
}

// jwtPayloadByte changes a byte in the middle of a VC-JWT's payload.
func jwtPayloadByte(b []byte) ([]byte, error) {
	parts := bytes.Split(bytes.TrimSpace(b), []byte("."))
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS")
	}
	return flip(b, len(parts[0])+1+len(parts[1])/2), nil
}

// flip changes one base64url or hex character for another of the same
// alphabet, so that the file still parses.
func flip(b []byte, i int) []byte {
	out := slices.Clone(b)
	switch c := out[i]; {
	case c == 'a':
		out[i] = 'b'
	case c >= '0' && c <= '8', c >= 'b' && c <= 'y', c >= 'A' && c <= 'Y':
		out[i] = c + 1
	default:
		out[i] = 'a'
	}
	return out
}

func (f *fixture) addTampered() error {
	for _, tt := range f.tampers() {
		if tt.file == "" {
			return fmt.Errorf("tampered copy %q: no file", tt.name)
		}
		b, err := f.read(tt.file)
		if err != nil {
			return err
		}
		changed, err := tt.edit(b)
		if err != nil {
			return fmt.Errorf("tampered copy %q of %s: %v", tt.name, tt.file, err)
		}
		if bytes.Equal(changed, b) {
			return fmt.Errorf("tampered copy %q of %s: the edit changed nothing", tt.name, tt.file)
		}
		p, err := f.write("tampered/"+strings.ReplaceAll(tt.name, " ", "-")+filepath.Ext(tt.file), changed)
		if err != nil {
			return err
		}
		it := item{ID: "tampered " + tt.name + " (" + tt.file + ")", Kind: tt.kind, File: p}
		if tt.target != "" {
			it.File = f.sitePath(tt.target)
			it.Overrides = map[string]string{paths.URL(tt.file): p}
		}
		f.tampered[tt.name] = f.add(it)
	}
	return nil
}

// Status variants: how a credential could expose suspension to third-party
// verifiers, re-signed with the space's key so that the libraries check them
// in full.
//
//   - "array": credentialStatus as an array of two BitstringStatusListEntry,
//     revocation and suspension, same index, the suspension list being the
//     published sibling status/suspension.json;
//   - "message": one entry with statusPurpose "message", statusSize 2 and
//     four statusMessage values, pointing at a list with statusPurpose
//     "message" (status/message.json, made and signed here) in which the
//     suspended award's value is 0x1 and the revoked award's 0x2.
func (f *fixture) addVariants() error {
	sp := space(f.site, "universite")
	ring, err := keys.Store{Dir: build.KeysDir(f.src)}.Keyring(sp.Slug)
	if err != nil {
		return err
	}
	suite := dataintegrity.Suite{Loader: jsonld.NewLoader()}
	did := paths.DID(sp)
	sign := func(doc map[string]any, date time.Time) error {
		delete(doc, "proof")
		k := ring.Signing(keys.EdDSA, date)
		if k == nil {
			return fmt.Errorf("no Ed25519 key of %s signs on %s", sp.Slug, date.Format(time.DateOnly))
		}
		priv, ok := k.Signer().(ed25519.PrivateKey)
		if !ok {
			return fmt.Errorf("key %s is not Ed25519", k.Kid)
		}
		p, err := suite.Sign(doc, dataintegrity.Proof{Type: dataintegrity.ProofType, Cryptosuite: dataintegrity.Cryptosuite,
			Created: date.Format(time.RFC3339), VerificationMethod: did + "#" + k.Kid, ProofPurpose: dataintegrity.AssertionMethod}, priv)
		if err != nil {
			return err
		}
		doc["proof"] = []any{p}
		return nil
	}
	load := func(p string) (map[string]any, error) {
		b, err := f.read(p)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	index := func(cred map[string]any) (int, error) {
		cs, _ := cred["credentialStatus"].(map[string]any)
		s, _ := cs["statusListIndex"].(string)
		return strconv.Atoi(s)
	}

	// The message list: 2 bits per entry, as many entries as the
	// revocation list holds.
	revList, err := load(sp.Slug + "/status/revocation.json")
	if err != nil {
		return err
	}
	entries, err := listLength(revList)
	if err != nil {
		return err
	}
	msgURL := paths.URL(sp.Slug + "/status/message.json")
	values := map[*model.Award]byte{f.suspended: 1, f.revoked: 2}
	bits := make([]byte, entries*2/8)
	for a, v := range values {
		c, err := load(paths.Credential(a))
		if err != nil {
			return err
		}
		i, err := index(c)
		if err != nil {
			return err
		}
		for b := range 2 { // most significant bit first
			if v>>(1-b)&1 == 1 {
				pos := 2*i + b
				bits[pos/8] |= 0x80 >> (pos % 8)
			}
		}
	}
	msgList := map[string]any{}
	for k, v := range revList {
		msgList[k] = v
	}
	msgList["id"] = msgURL
	enc, err := encodeList(bits)
	if err != nil {
		return err
	}
	msgList["credentialSubject"] = map[string]any{"id": msgURL + "#list", "type": "BitstringStatusList", "statusPurpose": "message", "encodedList": enc}
	listDate, err := time.Parse(time.RFC3339, revList["validFrom"].(string))
	if err != nil {
		return err
	}
	if err := sign(msgList, listDate); err != nil {
		return err
	}
	msgBytes, _ := json.MarshalIndent(msgList, "", "  ")
	msgFile, err := f.write("variants/message.json", msgBytes)
	if err != nil {
		return err
	}

	for _, v := range []struct {
		name string
		a    *model.Award
		make func(cred map[string]any, i int) any
	}{
		{"array, suspended award", f.suspended, arrayStatus},
		{"array, revoked award", f.revoked, arrayStatus},
		{"array, valid award", f.valid(sp.Slug), arrayStatus},
		{"message, suspended award", f.suspended, messageStatus(msgURL)},
		{"message, revoked award", f.revoked, messageStatus(msgURL)},
		{"message, valid award", f.valid(sp.Slug), messageStatus(msgURL)},
	} {
		cred, err := load(paths.Credential(v.a))
		if err != nil {
			return err
		}
		i, err := index(cred)
		if err != nil {
			return err
		}
		cred["credentialStatus"] = v.make(cred, i)
		if err := sign(cred, v.a.Date); err != nil {
			return fmt.Errorf("signing the %s variant: %w", v.name, err)
		}
		b, _ := json.MarshalIndent(cred, "", "  ")
		p, err := f.write("variants/"+strings.NewReplacer(" ", "-", ",", "").Replace(v.name)+".json", b)
		if err != nil {
			return err
		}
		over := map[string]string{msgURL: msgFile}
		f.variants[v.name] = f.add(item{ID: "variant " + v.name, Kind: "status-variant", File: p, Overrides: over, VerifyLists: true})
		f.variants[v.name+" (full)"] = f.add(item{ID: "variant " + v.name + " (vc.verifyCredential)", Kind: "credential", File: p, Overrides: over})
	}
	return nil
}

func arrayStatus(cred map[string]any, i int) any {
	rev := cred["credentialStatus"].(map[string]any)
	list := rev["statusListCredential"].(string)
	susp := strings.TrimSuffix(list, "revocation.json") + "suspension.json"
	return []any{rev, map[string]any{
		"id": susp + "#" + strconv.Itoa(i), "type": "BitstringStatusListEntry", "statusPurpose": "suspension",
		"statusListIndex": strconv.Itoa(i), "statusListCredential": susp,
	}}
}

func messageStatus(listURL string) func(map[string]any, int) any {
	return func(_ map[string]any, i int) any {
		return map[string]any{
			"id": listURL + "#" + strconv.Itoa(i), "type": "BitstringStatusListEntry", "statusPurpose": "message",
			"statusListIndex": strconv.Itoa(i), "statusListCredential": listURL, "statusSize": float64(2), // json-gold takes JSON numbers as float64
			"statusMessage": []any{
				map[string]any{"status": "0x0", "message": "valid"},
				map[string]any{"status": "0x1", "message": "suspended"},
				map[string]any{"status": "0x2", "message": "revoked"},
				map[string]any{"status": "0x3", "message": "unused"},
			},
		}
	}
}

// listLength returns the number of entries of a published status list.
func listLength(list map[string]any) (int, error) {
	subj, _ := list["credentialSubject"].(map[string]any)
	enc, _ := subj["encodedList"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(enc, "u"))
	if err != nil {
		return 0, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		return 0, err
	}
	return buf.Len() * 8, nil
}

// encodeList is the Bitstring Status List encoding: GZIP, then multibase
// base64url without padding.
func encodeList(bits []byte) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}
