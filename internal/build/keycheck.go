package build

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/statuslist"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// CheckLine is one finding of CheckKeys.
type CheckLine struct {
	OK    bool
	Space string
	Text  string
}

func (c CheckLine) String() string {
	s := "ok  "
	if !c.OK {
		s = "FAIL"
	}
	return s + " " + c.Space + ": " + c.Text
}

// CheckKeys compares the private state under keys/ with what the output
// folder publishes, for every space of the content, of keys/ and of the
// record of published keys (or only space, when given): the secret is there
// and sound; every key published in did.json, jwks.json and keys/ has its
// private half under keys/ (or is retired) and the same public key; the
// ledger's list size, lists, dates and final revocations match the
// published status lists.
func CheckKeys(o Options, space string) ([]CheckLine, error) {
	o = o.withDefaults()
	store := keys.Store{Dir: KeysDir(o.Source)}
	rec, err := readPublishedRecord(PublishedRecordPath(o.Source))
	if err != nil {
		return nil, err
	}
	spaces := spaceFolders(o.Source)
	ks, err := store.Spaces()
	if err != nil {
		return nil, err
	}
	spaces = append(spaces, ks...)
	for sp := range rec {
		spaces = append(spaces, sp)
	}
	slices.Sort(spaces)
	spaces = slices.Compact(spaces)
	if space != "" {
		spaces = []string{space}
	}
	var out []CheckLine
	for _, sp := range spaces {
		out = append(out, checkSpace(o, store, rec, sp)...)
	}
	return out, nil
}

func checkSpace(o Options, store keys.Store, rec publishedRecord, sp string) []CheckLine {
	var out []CheckLine
	add := func(ok bool, format string, a ...any) {
		out = append(out, CheckLine{ok, sp, fmt.Sprintf(format, a...)})
	}
	pubDir := filepath.Join(o.Destination, sp)
	_, inRecord := rec[sp]
	published := inRecord || exists(filepath.Join(pubDir, "did.json"))

	if _, err := store.Secret(sp); err == nil {
		add(true, "secret %s", filepath.Join(store.Dir, sp, "secret"))
	} else if errors.Is(err, fs.ErrNotExist) {
		add(!published, "no secret %s%s", filepath.Join(store.Dir, sp, "secret"), restoreHint(published))
	} else {
		add(false, "%v", err)
	}

	ring, err := store.Keyring(sp)
	if err != nil {
		add(false, "%v", err)
		ring = &keys.Keyring{Space: sp}
	}
	byKid := map[string]*keys.Key{}
	for _, k := range ring.Keys {
		byKid[k.Kid] = k
	}
	// What the output folder publishes, per kid: the documents, and those
	// whose public key differs from the private key's.
	seen := map[string]bool{}
	var order []string
	docs, differ := map[string][]string{}, map[string][]string{}
	checkPub := func(doc, kid string, match func(*keys.Key) bool) {
		if !seen[kid] {
			order = append(order, kid)
		}
		seen[kid] = true
		docs[kid] = append(docs[kid], doc)
		if k := byKid[kid]; k != nil && !match(k) {
			differ[kid] = append(differ[kid], doc)
		}
	}
	jwkMatch := func(raw json.RawMessage) func(*keys.Key) bool {
		return func(k *keys.Key) bool {
			jk, err := jwk.ParseKey(raw)
			if err != nil {
				return false
			}
			return thumbOf(jk) == k.Thumbprint()
		}
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if b, err := os.ReadFile(filepath.Join(pubDir, "jwks.json")); err == nil {
		if err := json.Unmarshal(b, &set); err != nil {
			add(false, "%s: %v", filepath.Join(pubDir, "jwks.json"), err)
		}
		for _, raw := range set.Keys {
			var h struct {
				Kid string `json:"kid"`
			}
			json.Unmarshal(raw, &h)
			checkPub(filepath.Join(pubDir, "jwks.json"), h.Kid, jwkMatch(raw))
		}
	}
	var did struct {
		VerificationMethod []struct {
			ID                 string          `json:"id"`
			Type               string          `json:"type"`
			PublicKeyMultibase string          `json:"publicKeyMultibase"`
			PublicKeyJwk       json.RawMessage `json:"publicKeyJwk"`
		} `json:"verificationMethod"`
	}
	if b, err := os.ReadFile(filepath.Join(pubDir, "did.json")); err == nil {
		if err := json.Unmarshal(b, &did); err != nil {
			add(false, "%s: %v", filepath.Join(pubDir, "did.json"), err)
		}
		for _, vm := range did.VerificationMethod {
			_, kid, _ := strings.Cut(vm.ID, "#")
			match := jwkMatch(vm.PublicKeyJwk)
			if vm.Type == "Multikey" {
				match = func(k *keys.Key) bool {
					pk, err := dataintegrity.DecodeMultikey(vm.PublicKeyMultibase)
					kp, ok := k.Public().(ed25519.PublicKey)
					return err == nil && ok && bytes.Equal(pk, kp)
				}
			}
			checkPub(filepath.Join(pubDir, "did.json"), kid, match)
		}
	}
	if es, err := os.ReadDir(filepath.Join(pubDir, "keys")); err == nil {
		for _, e := range es {
			n := e.Name()
			if !strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".ob2.json") {
				continue
			}
			p := filepath.Join(pubDir, "keys", n)
			b, err := os.ReadFile(p)
			if err != nil {
				add(false, "%v", err)
				continue
			}
			checkPub(p, strings.TrimSuffix(n, ".json"), jwkMatch(b))
		}
	}
	for _, kid := range order {
		switch {
		case byKid[kid] == nil:
			add(false, "key %s is published (%s) but has no private key %s and is not retired%s", kid, strings.Join(docs[kid], ", "), filepath.Join(store.Dir, sp, keys.KeyFile(kid)), restoreHint(true))
		case len(differ[kid]) > 0:
			add(false, "key %s: %s publish another public key than %s", kid, strings.Join(differ[kid], ", "), byKid[kid].Path)
		}
	}
	for _, kid := range rec[sp] {
		if byKid[kid] == nil && !seen[kid] {
			add(false, "key %s was published (%s) but has no private key %s and is not retired%s", kid, PublishedRecordPath(o.Source), filepath.Join(store.Dir, sp, keys.KeyFile(kid)), restoreHint(true))
		}
	}
	for _, k := range ring.Keys {
		state := "private key"
		if k.IsRetired() {
			state = "retired " + k.Retired.Format("2006-01-02") + ", public half only"
		}
		if seen[k.Kid] && len(differ[k.Kid]) == 0 {
			add(true, "key %s (%s) matches what %s publishes", k.Kid, state, pubDir)
		} else if published && !seen[k.Kid] {
			add(true, "key %s (%s) is not published in %s yet: the next build publishes it", k.Kid, state, pubDir)
		}
	}

	// The ledger against the published status lists.
	lp := LedgerPath(o.Source, sp)
	if !exists(lp) {
		if published {
			add(false, "no status ledger %s; restore keys/ from your backup, or rebuild it: blason keys rebuild-ledger --space %s", lp, sp)
		}
		return out
	}
	l, err := statuslist.ReadLedger(lp, statuslist.MinSize)
	if err != nil {
		add(false, "%v", err)
		return out
	}
	lists, err := readStatusLists(pubDir)
	if err != nil {
		add(false, "%v", err)
		return out
	}
	if len(lists) == 0 {
		if published {
			add(true, "status ledger %s (%d positions, %d final revocations); no status list published in %s", lp, len(l.Pos), len(l.Revoked), pubDir)
		}
		return out
	}
	bad := len(out)
	at := map[statuslist.Position]string{}
	for id, p := range l.Pos {
		at[p] = id
	}
	for _, purpose := range []string{ob3.PurposeRevocation, ob3.PurposeSuspension} {
		ls := lists[purpose]
		if len(ls) != l.Lists() {
			add(false, "%s publishes %d %s list(s), the ledger %s has positions in %d", pubDir, len(ls), purpose, lp, l.Lists())
		}
		for n, sl := range ls {
			if sl.bits.Len() != l.Size {
				add(false, "%s holds %d entries, the ledger's lists %d", sl.path, sl.bits.Len(), l.Size)
				continue
			}
			if sl.validFrom != l.Dates[purpose] {
				add(false, "%s is dated %s, the ledger says %s", sl.path, sl.validFrom, l.Dates[purpose])
			}
			for i := range l.Size {
				if !sl.bits.Get(i) {
					continue
				}
				id, ok := at[statuslist.Position{List: n, Index: i}]
				switch {
				case !ok:
					add(false, "%s: index %d is set, but no award of the ledger has that position", sl.path, i)
				case purpose == ob3.PurposeRevocation && !l.Revoked[id]:
					add(false, "%s: award %s is revoked, but the ledger does not record its revocation", sl.path, id)
				}
			}
		}
	}
	for id := range l.Revoked {
		p, ok := l.Pos[id]
		ls := lists[ob3.PurposeRevocation]
		if ok && p.List < len(ls) && p.Index < ls[p.List].bits.Len() && !ls[p.List].bits.Get(p.Index) {
			add(false, "the ledger records award %s as revoked, but %s does not show it (build again to publish it)", id, ls[p.List].path)
		}
	}
	if len(out) == bad {
		add(true, "status ledger %s (%d positions, %d final revocations) matches the published status lists", lp, len(l.Pos), len(l.Revoked))
	}
	return out
}

func restoreHint(published bool) string {
	if !published {
		return ""
	}
	return "; restore keys/ from your backup (blason keys restore FILE)"
}

func thumbOf(k jwk.Key) string {
	pk, err := k.PublicKey()
	if err != nil {
		return ""
	}
	var raw any
	if err := pk.Raw(&raw); err != nil {
		return ""
	}
	fresh, err := jwk.FromRaw(raw)
	if err != nil {
		return ""
	}
	t, err := fresh.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(t)
}

// statusList is one published Bitstring Status List credential.
type statusList struct {
	path      string
	validFrom string
	bits      *statuslist.Bitstring
}

// readStatusLists reads the published status lists of a space folder, by
// purpose, in list order (status/<purpose>.json, then -1, -2, …).
func readStatusLists(pubDir string) (map[string][]statusList, error) {
	out := map[string][]statusList{}
	for _, purpose := range []string{ob3.PurposeRevocation, ob3.PurposeSuspension} {
		for n := 0; ; n++ {
			name := purpose + ".json"
			if n > 0 {
				name = purpose + "-" + strconv.Itoa(n) + ".json"
			}
			p := filepath.Join(pubDir, "status", name)
			b, err := os.ReadFile(p)
			if errors.Is(err, fs.ErrNotExist) {
				break
			}
			if err != nil {
				return nil, err
			}
			var c ob3.StatusListCredential
			if err := json.Unmarshal(b, &c); err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
			bits, err := statuslist.Decode(c.CredentialSubject.EncodedList)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
			out[purpose] = append(out[purpose], statusList{p, c.ValidFrom, bits})
		}
	}
	return out, nil
}

// RebuildLedger reads a lost status ledger of space back from the output
// folder, where that is exact, and writes it: the position of every award
// from its published credential (checked against the HMAC probe sequence of
// the space secret), final revocations from the published revocation lists,
// the list size and dates from the lists themselves. It refuses, writing
// nothing, when a part cannot be recovered exactly. It returns what it did.
func RebuildLedger(o Options, space string) (string, error) {
	o = o.withDefaults()
	path := LedgerPath(o.Source, space)
	if exists(path) {
		return "", fmt.Errorf("%s exists; rebuild-ledger only replaces a lost ledger (move it away first if it is damaged)", path)
	}
	site, err := Load(o)
	if err != nil {
		return "", err
	}
	if site.Credentials.Status == "1edtech" {
		return "", fmt.Errorf("credentials.status: 1edtech: credentials carry no status position, so the positions cannot be read back; restore the ledger from your backup of keys/")
	}
	var sp *model.Space
	for _, s := range site.Spaces {
		if s.Slug == space {
			sp = s
		}
	}
	if sp == nil {
		return "", fmt.Errorf("no space %q in content/", space)
	}
	l := layout.Layout{Base: site.BaseURL, DefaultLang: site.Languages[0]}
	pubDir := filepath.Join(o.Destination, space)
	lists, err := readStatusLists(pubDir)
	if err != nil {
		return "", err
	}
	if len(lists[ob3.PurposeRevocation]) == 0 {
		// Nothing of the ledger was published when no list and no
		// credential was: an empty ledger is then exact.
		for _, a := range sp.Awards {
			if exists(filepath.Join(o.Destination, filepath.FromSlash(l.Credential(a)))) {
				return "", fmt.Errorf("%s publishes credentials but no status list: nothing to read the ledger back from (give the output folder that was published, with -d)", pubDir)
			}
		}
		if !exists(filepath.Join(pubDir, "did.json")) {
			return "", fmt.Errorf("%s publishes nothing: give the output folder that was published, with -d", pubDir)
		}
		led, err := statuslist.NewLedger(site.Credentials.StatusListSize)
		if err == nil {
			err = led.Write(path)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("rebuilt %s: %s publishes no status list and no credential, so the ledger was empty", path, pubDir), nil
	}
	size := lists[ob3.PurposeRevocation][0].bits.Len()
	if size != site.Credentials.StatusListSize {
		return "", fmt.Errorf("the published lists hold %d entries, credentials.statusListSize says %d: set it back to %d first", size, site.Credentials.StatusListSize, size)
	}
	prev, err := publish.Target{Manifest: manifestPath(o.Source, o.Destination)}.ReadManifest()
	if err != nil {
		return "", err
	}
	var problems []string
	pos := map[string]statuslist.Position{}
	unpublished := 0
	for _, a := range sp.Awards {
		p := filepath.Join(o.Destination, filepath.FromSlash(l.Credential(a)))
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			if _, ok := prev.Groups[a.ID]; ok {
				problems = append(problems, fmt.Sprintf("%s: award %s (%s) was published, but its credential is gone: its position cannot be read back", p, a.ID, a.Source()))
			} else {
				unpublished++ // never published: the next build places it
			}
			continue
		}
		if err != nil {
			return "", err
		}
		var c struct {
			CredentialStatus struct {
				StatusListIndex      string `json:"statusListIndex"`
				StatusListCredential string `json:"statusListCredential"`
			} `json:"credentialStatus"`
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return "", fmt.Errorf("%s: %v", p, err)
		}
		idx, err := strconv.Atoi(c.CredentialStatus.StatusListIndex)
		list := -1
		for n := range len(lists[ob3.PurposeRevocation]) + 1 {
			// The base URL the site was built for may differ from blason.yaml's (-b).
			if strings.HasSuffix(c.CredentialStatus.StatusListCredential, "/"+l.StatusList(sp, ob3.PurposeRevocation, n)) {
				list = n
			}
		}
		if err != nil || list < 0 || idx < 0 || idx >= size {
			problems = append(problems, fmt.Sprintf("%s: status %q index %q is not one of this site's lists", p, c.CredentialStatus.StatusListCredential, c.CredentialStatus.StatusListIndex))
			continue
		}
		if !statuslist.IsCandidate(sp.Secret, size, a.ID, idx, 64) {
			problems = append(problems, fmt.Sprintf("%s: index %d is not a position the space secret gives award %s (another secret, or a changed file)", p, idx, a.ID))
			continue
		}
		pos[a.ID] = statuslist.Position{List: list, Index: idx}
	}
	at := map[statuslist.Position]string{}
	lastList := -1
	for id, p := range pos {
		if o, dup := at[p]; dup {
			problems = append(problems, fmt.Sprintf("awards %s and %s both carry list %d index %d", o, id, p.List, p.Index))
		}
		at[p] = id
		lastList = max(lastList, p.List)
	}
	var revoked []string
	dates := map[string]string{}
	for _, purpose := range []string{ob3.PurposeRevocation, ob3.PurposeSuspension} {
		ls := lists[purpose]
		if len(ls) != lastList+1 {
			problems = append(problems, fmt.Sprintf("%s publishes %d %s list(s), but published credentials have positions in %d: the positions of awards deleted from the content cannot be read back", pubDir, len(ls), purpose, lastList+1))
		}
		for n, sl := range ls {
			if sl.bits.Len() != size {
				problems = append(problems, fmt.Sprintf("%s holds %d entries, not %d", sl.path, sl.bits.Len(), size))
				continue
			}
			if n == 0 {
				dates[purpose] = sl.validFrom
			} else if sl.validFrom != dates[purpose] {
				problems = append(problems, fmt.Sprintf("%s is dated %s, %s list 0 %s", sl.path, sl.validFrom, purpose, dates[purpose]))
			}
			for i := range size {
				if !sl.bits.Get(i) {
					continue
				}
				id, ok := at[statuslist.Position{List: n, Index: i}]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s: index %d is set, but no published credential has that position (an award deleted from the content): its revocation cannot be tied to an award", sl.path, i))
					continue
				}
				if purpose == ob3.PurposeRevocation {
					revoked = append(revoked, id)
				}
			}
		}
	}
	if len(problems) > 0 {
		if n := len(problems); n > 20 {
			problems = append(problems[:20], fmt.Sprintf("… and %d more", n-20))
		}
		return "", fmt.Errorf("cannot rebuild %s exactly; nothing was written:\n  %s\nRestore keys/ from your backup of keys/ instead", path, strings.Join(problems, "\n  "))
	}
	led, err := statuslist.Restore(size, pos, revoked, dates)
	if err != nil {
		return "", err
	}
	if err := led.Write(path); err != nil {
		return "", err
	}
	return fmt.Sprintf("rebuilt %s from %s: %d positions read from published credentials, %d final revocations from the revocation lists, %d list(s) of %d entries; %d award(s) never published are placed by the next build.\n"+
		"Not recoverable from a site: the positions of awards deleted from the content before the ledger was lost (their credentials are gone); a new award could take one of them.",
		path, pubDir, len(pos), len(revoked), lastList+1, size, unpublished), nil
}
