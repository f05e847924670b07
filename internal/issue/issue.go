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
	"path"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/francebadge/blason/internal/casejson"
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

// Output receives issued files. Put is called from several goroutines.
type Output interface {
	Put(path string, data []byte) error
}

// AwardOutput is an Output that is told which award the files it is given
// are of: Awards calls PutAward rather than Put for them.
type AwardOutput interface {
	Output
	PutAward(a *model.Award, path string, data []byte) error
}

// Site issues every document of site into out: Documents, then every award.
func (is *Issuer) Site(site *model.Site, rings Keyrings, ledgers Ledgers, out Output) error {
	docs, err := is.Documents(site, rings, ledgers)
	if err != nil {
		return err
	}
	for p, b := range docs {
		if err := out.Put(p, b); err != nil {
			return err
		}
	}
	return is.Awards(site, rings, ledgers, out, nil, nil)
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

func (is *Issuer) job(site *model.Site, sp *model.Space, rings Keyrings, ledgers Ledgers) (*spaceJob, error) {
	ring, ledger := rings[sp.Slug], ledgers[sp.Slug]
	if ring == nil || ledger == nil {
		return nil, fmt.Errorf("space %s has no keys or no status ledger", sp.Slug)
	}
	l := is.Layout
	return &spaceJob{is: is, cfg: site.Credentials, sp: sp, ring: ring, ledger: ledger,
		pub: keypub.Publisher{Layout: l}, ob2: ob2.Issuer{Layout: l}, ob3: ob3.Issuer{Layout: l}}, nil
}

// Documents returns every document of the site that is not an award's:
// profiles, badge classes, achievements, published keys, revocation and
// status lists. There are few; they are always made afresh.
func (is *Issuer) Documents(site *model.Site, rings Keyrings, ledgers Ledgers) (publish.Files, error) {
	out := publish.Files{}
	for _, sp := range site.Spaces {
		j, err := is.job(site, sp, rings, ledgers)
		if err != nil {
			return nil, err
		}
		if err := j.documents(out); err != nil {
			return nil, fmt.Errorf("space %s: %w", sp.Slug, err)
		}
	}
	// Competency frameworks (CASE) and the shared templates' achievements.
	cb := casejson.Builder{Layout: is.Layout, Spaces: map[string]*model.Space{}}
	for _, sp := range site.Spaces {
		cb.Spaces[sp.Slug] = sp
	}
	for _, f := range site.Frameworks {
		for p, doc := range cb.Files(f) {
			if err := put(out, p, doc); err != nil {
				return nil, err
			}
		}
	}
	o3 := ob3.Issuer{Layout: is.Layout}
	for _, t := range site.Templates {
		if err := put(out, is.Layout.TemplateAchievement(t), o3.TemplateAchievement(t)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (j *spaceJob) documents(out publish.Files) error {
	l, sp, cfg := j.is.Layout, j.sp, j.cfg
	keyDocs, err := j.pub.Space(sp, j.ring)
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
		for _, k := range j.ring.All(keys.RS256) {
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

// Flags name the files of an award, for AwardPaths: h hosted OB 2.0
// assertion, s signed OB 2.0 assertion, c OB 3.0 credential, j VC-JWT.
func Flags(cfg model.Credentials) string {
	if cfg.OB2Signed {
		return "hscj"
	}
	return "hcj"
}

// AwardPaths lists the files of an award of a space, given its flags.
func (is *Issuer) AwardPaths(space, id string, flags string) []string {
	a := &model.Award{ID: id, Badge: &model.Badge{Space: &model.Space{Slug: space}}}
	l := is.Layout
	var out []string
	for _, f := range flags {
		switch f {
		case 'h':
			out = append(out, l.Assertion(a))
		case 's':
			out = append(out, l.SignedAssertion(a))
		case 'c':
			out = append(out, l.Credential(a))
		case 'j':
			out = append(out, l.CredentialJWT(a))
		}
	}
	return out
}

// AwardDirs returns a function listing the folders of an award's files
// (what AwardPaths's paths are in), memoized: awards share few folders.
func (is *Issuer) AwardDirs() func(id string, g publish.Group) []string {
	type key struct{ space, flags, shard string }
	var memo sync.Map // key → []string: read a million times by several goroutines, written a few thousand
	return func(id string, g publish.Group) []string {
		k := key{g.Space, g.Flags, id[:min(2, len(id))]}
		if d, ok := memo.Load(k); ok {
			return d.([]string)
		}
		var dirs []string
		for _, p := range is.AwardPaths(g.Space, id, g.Flags) {
			if d := path.Dir(p); !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		d, _ := memo.LoadOrStore(k, dirs)
		return d.([]string)
	}
}

// Awards issues the awards of the site into out, on a pool of workers:
// every award, or only those for which want returns true. done, when not
// nil, is called after each award (for progress reports).
func (is *Issuer) Awards(site *model.Site, rings Keyrings, ledgers Ledgers, out Output, want func(*model.Award) bool, done func()) error {
	type task struct {
		j *spaceJob
		a *model.Award
	}
	workers := is.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	tasks := make(chan task, workers*4)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		failed   atomic.Bool
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				if failed.Load() {
					continue
				}
				err := t.j.issue(t.a, out)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: %w", t.a.Source(), err)
					}
					mu.Unlock()
					failed.Store(true)
				}
				if done != nil {
					done()
				}
			}
		}()
	}
	var jerr error
	for _, sp := range site.Spaces {
		j, err := is.job(site, sp, rings, ledgers)
		if err != nil {
			jerr = err
			break
		}
		for _, a := range sp.Awards {
			if want == nil || want(a) {
				tasks <- task{j, a}
			}
		}
	}
	close(tasks)
	wg.Wait()
	if jerr != nil {
		return jerr
	}
	return firstErr
}

// issue puts the files of one award.
func (j *spaceJob) issue(a *model.Award, out Output) error {
	files, err := j.award(a)
	if err != nil {
		return err
	}
	ao, _ := out.(AwardOutput)
	for p, b := range files {
		if ao != nil {
			err = ao.PutAward(a, p, b)
		} else {
			err = out.Put(p, b)
		}
		if err != nil {
			return err
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

	pos, ok := j.ledger.Pos[a.ID]
	if !ok {
		return nil, fmt.Errorf("award has no status position")
	}
	status := j.ob3.BitstringEntry(j.sp, pos.List, pos.Index)
	if j.cfg.Status == "1edtech" {
		status = j.ob3.RevocationListEntry(j.sp)
	}
	// The credential is encoded once; its signatures and its published
	// form are made from that encoding.
	compact, err := jsonout.Compact(j.ob3.Credential(a, status))
	if err != nil {
		return nil, err
	}
	m, err := jsonout.Decode(compact)
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
	token, err := vcjwt.Sign(compact, m, jwtKey, j.pub.KidURL(j.sp, jwtKey))
	if err != nil {
		return nil, err
	}
	files[l.CredentialJWT(a)] = token
	// proof is the last member of ob3.Credential.
	proofs, err := jsonout.Compact([]dataintegrity.Proof{proof})
	if err != nil {
		return nil, err
	}
	secured, err := jsonout.WithMembers(compact, jsonout.Member{Key: "proof", Value: proofs})
	if err != nil {
		return nil, err
	}
	files[l.Credential(a)] = jsonout.Indent(secured)
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
