// Package issue signs and assembles every credential document of a site:
// Open Badges 2.0 profiles, badge classes, hosted (and optionally signed)
// assertions and revocation lists; Open Badges 3.0 achievements and
// credentials, each with a Data Integrity proof and as a VC-JWT; Bitstring
// Status Lists and the 1EdTech revocation list; and the published public
// keys. Dates come from the content only; signatures are deterministic, so
// the same inputs give the same bytes.
package issue

import (
	"crypto/ed25519"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/dataintegrity"
	"github.com/francebadge/blason/internal/jsonout"
	"github.com/francebadge/blason/internal/keypub"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/ob2"
	"github.com/francebadge/blason/internal/ob3"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/statuslist"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/francebadge/blason/internal/vcjwt"
)

// Keyrings holds the key ring of every space, by slug.
type Keyrings map[string]*keys.Keyring

// Ledgers holds the status ledger of every space, by slug: the status
// positions of its awards and the dates its lists are published with.
type Ledgers map[string]*statuslist.Ledger

// Issuer issues the credentials of a site.
type Issuer struct {
	Layout  layout.Layout
	Suite   dataintegrity.Suite
	Workers int // parallel signers; 0 means GOMAXPROCS
}

// Site adds every credential document of site to out.
func (is *Issuer) Site(site *model.Site, rings Keyrings, ledgers Ledgers, out publish.Files) error {
	for _, sp := range site.Spaces {
		ring, ledger := rings[sp.Slug], ledgers[sp.Slug]
		if ring == nil || ledger == nil {
			return fmt.Errorf("space %s has no keys or no status ledger", sp.Slug)
		}
		if err := is.space(site.Credentials, sp, ring, ledger, out); err != nil {
			return fmt.Errorf("space %s: %w", sp.Slug, err)
		}
	}
	return nil
}

// spaceJob is the shared state of one space's issuance.
type spaceJob struct {
	is     *Issuer
	cfg    model.Credentials
	sp     *model.Space
	ring   *keys.Keyring
	pub    keypub.Publisher
	ob2    ob2.Issuer
	ob3    ob3.Issuer
	ledger *statuslist.Ledger
}

func (is *Issuer) space(cfg model.Credentials, sp *model.Space, ring *keys.Keyring, ledger *statuslist.Ledger, out publish.Files) error {
	l := is.Layout
	j := &spaceJob{is: is, cfg: cfg, sp: sp, ring: ring, ledger: ledger, pub: keypub.Publisher{Layout: l}, ob2: ob2.Issuer{Layout: l}, ob3: ob3.Issuer{Layout: l}}

	keyDocs, err := j.pub.Space(sp, ring)
	if err != nil {
		return err
	}
	for p, doc := range keyDocs {
		if err := put(out, p, doc); err != nil {
			return err
		}
	}
	profile := j.ob2.Profile(sp)
	if cfg.OB2Signed {
		for _, k := range ring.All(keys.RS256) {
			profile.PublicKey = append(profile.PublicKey, j.pub.OB2KeyURL(sp, k))
		}
	}
	out[l.Issuer(sp)] = ob2.Marshal(profile)
	out[l.RevocationList(sp)] = ob2.Marshal(j.ob2.RevocationList(sp, cfg.OB2Signed))
	for _, b := range sp.Badges {
		if len(b.Levels) == 0 {
			out[l.BadgeClass(b, nil)] = ob2.Marshal(j.ob2.BadgeClass(b, nil))
		}
		for _, lv := range b.Levels {
			out[l.BadgeClass(b, lv)] = ob2.Marshal(j.ob2.BadgeClass(b, lv))
		}
		ach := j.ob3.Achievement(b)
		ach.Context = []string{ob3.Context[0], ob3.Context[1]}
		if err := put(out, l.Achievement(b), ach); err != nil {
			return err
		}
	}

	for _, a := range sp.Awards {
		if _, ok := ledger.Pos[a.ID]; !ok {
			return fmt.Errorf("%s: award has no status position", a.Source)
		}
	}
	if err := j.awards(out); err != nil {
		return err
	}
	if len(sp.Awards) > 0 {
		if err := j.statusLists(out); err != nil {
			return err
		}
	}
	if cfg.Status == "1edtech" {
		// Published only when credentials point at it: it names revoked credentials.
		return put(out, l.RevokedCredentials(sp), j.ob3.RevokedList(sp))
	}
	return nil
}

// awards issues every award of the space on a pool of workers.
func (j *spaceJob) awards(out publish.Files) error {
	type result struct {
		files map[string][]byte
		err   error
	}
	results := make([]result, len(j.sp.Awards))
	workers := j.is.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f, err := j.award(j.sp.Awards[i])
				results[i] = result{f, err}
			}
		}()
	}
	for i := range j.sp.Awards {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			return fmt.Errorf("%s: %w", j.sp.Awards[i].Source, r.err)
		}
		for p, b := range r.files {
			out[p] = b
		}
	}
	return nil
}

// award returns the files of one award.
func (j *spaceJob) award(a *model.Award) (map[string][]byte, error) {
	l := j.is.Layout
	files := map[string][]byte{}
	rv, revoked := j.sp.Revocations[a.ID]
	if revoked {
		files[l.Assertion(a)] = ob2.Marshal(j.ob2.Tombstone(a, rv))
	} else {
		files[l.Assertion(a)] = ob2.Marshal(j.ob2.Assertion(a))
	}
	if j.cfg.OB2Signed {
		jwsb, err := j.signOB2(a)
		if err != nil {
			return nil, err
		}
		files[l.SignedAssertion(a)] = jwsb
	}

	pos := j.ledger.Pos[a.ID]
	status := j.ob3.BitstringEntry(j.sp, pos.List, pos.Index)
	if j.cfg.Status == "1edtech" {
		status = j.ob3.RevocationListEntry(j.sp)
	}
	cred := j.ob3.Credential(a, status)
	m, err := jsonout.ToMap(cred)
	if err != nil {
		return nil, err
	}
	edKey := j.ring.Signing(keys.EdDSA, a.Date)
	if edKey == nil {
		return nil, fmt.Errorf("no Ed25519 key")
	}
	proof, err := j.is.Suite.Sign(m, dataintegrity.Proof{
		Type: dataintegrity.ProofType, Cryptosuite: dataintegrity.Cryptosuite, Created: ob3.DateTime(a.Date),
		VerificationMethod: j.pub.VerificationMethod(j.sp, edKey), ProofPurpose: dataintegrity.AssertionMethod,
	}, edKey.Signer().(ed25519.PrivateKey))
	if err != nil {
		return nil, err
	}
	jwtKey := j.ring.Signing(j.cfg.JWTAlg, a.Date)
	if jwtKey == nil {
		return nil, fmt.Errorf("no %s key", j.cfg.JWTAlg)
	}
	token, err := vcjwt.Sign(m, jwtKey, j.pub.KidURL(j.sp, jwtKey))
	if err != nil {
		return nil, err
	}
	files[l.CredentialJWT(a)] = token
	cred.Proof = []dataintegrity.Proof{proof}
	if files[l.Credential(a)], err = jsonout.Marshal(cred); err != nil {
		return nil, err
	}
	return files, nil
}

// signOB2 returns the compact JWS of an award's signed OB 2.0 assertion.
func (j *spaceJob) signOB2(a *model.Award) ([]byte, error) {
	k := j.ring.Signing(keys.RS256, a.Date)
	if k == nil {
		return nil, fmt.Errorf("signed Open Badges 2.0 assertions need an RS256 key")
	}
	payload, err := jsonout.Marshal(j.ob2.SignedAssertion(a, j.pub.OB2KeyURL(j.sp, k)))
	if err != nil {
		return nil, err
	}
	tok, err := jws.Sign(payload, jws.WithKey(jwa.RS256, k.Signer()))
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// statusLists publishes the signed revocation and suspension lists, every
// list of the space, dated as the ledger says.
func (j *spaceJob) statusLists(out publish.Files) error {
	for _, purpose := range []string{ob3.PurposeRevocation, ob3.PurposeSuspension} {
		date := j.ledger.Dates[purpose]
		at, err := time.Parse(time.RFC3339, date)
		if err != nil {
			return fmt.Errorf("%s list date %q: %w", purpose, date, err)
		}
		lists := make([]*statuslist.Bitstring, j.ledger.Lists())
		for i := range lists {
			if lists[i], err = statuslist.New(j.ledger.Size); err != nil {
				return err
			}
		}
		for _, a := range j.sp.Awards {
			if rv, ok := j.sp.Revocations[a.ID]; ok && rv.Suspended == (purpose == ob3.PurposeSuspension) {
				p := j.ledger.Pos[a.ID]
				lists[p.List].Set(p.Index, true)
			}
		}
		k := j.ring.Signing(keys.EdDSA, at)
		for n, bits := range lists {
			enc, err := bits.Encode()
			if err != nil {
				return err
			}
			cred := j.ob3.StatusList(j.sp, purpose, n, enc, date)
			m, err := jsonout.ToMap(cred)
			if err != nil {
				return err
			}
			proof, err := j.is.Suite.Sign(m, dataintegrity.Proof{
				Type: dataintegrity.ProofType, Cryptosuite: dataintegrity.Cryptosuite, Created: date,
				VerificationMethod: j.pub.VerificationMethod(j.sp, k), ProofPurpose: dataintegrity.AssertionMethod,
			}, k.Signer().(ed25519.PrivateKey))
			if err != nil {
				return fmt.Errorf("%s list: %w", purpose, err)
			}
			cred.Proof = []dataintegrity.Proof{proof}
			if err := put(out, j.is.Layout.StatusList(j.sp, purpose, n), cred); err != nil {
				return err
			}
		}
	}
	return nil
}

func put(out publish.Files, path string, doc any) error {
	b, err := jsonout.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out[path] = b
	return nil
}
