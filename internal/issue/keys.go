package issue

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/publish"
)

// generator names this version of the issuing code in action keys: change
// it whenever the bytes issued for the same inputs change.
const generator = "blason-issue 4"

// keyWriter hashes length-prefixed fields, so that field boundaries count.
type keyWriter struct{ h hash.Hash }

func (w keyWriter) str(ss ...string) {
	var n [8]byte
	for _, s := range ss {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		w.h.Write(n[:])
		w.h.Write([]byte(s))
	}
}

func (w keyWriter) sum() []byte { return w.h.Sum(nil) }

func newKeyWriter() keyWriter { return keyWriter{sha256.New()} }

// Keys returns, for every award of the site, the group recording its files
// and its action key: a hash of everything its files are made from — the
// generator version and contexts, the base URL and settings, the space and
// badge class as published, the award row, its revocation, its status
// position and the keys that sign it. Equal keys mean equal files, so an
// award whose key has not changed is not issued again.
func (is *Issuer) Keys(site *model.Site, rings Keyrings, ledgers Ledgers) (map[string]publish.Group, error) {
	base := newKeyWriter()
	base.str(generator, jsonld.ContextsDigest(), is.Layout.Base, is.Layout.DefaultLang,
		site.Credentials.JWTAlg, strconv.FormatBool(site.Credentials.OB2Signed), site.Credentials.Status)
	baseSum := base.sum()
	flags := Flags(site.Credentials)
	n := 0
	for _, sp := range site.Spaces {
		n += len(sp.Awards)
	}
	out := make(map[string]publish.Group, n)
	for _, sp := range site.Spaces {
		j, err := is.job(site, sp, rings, ledgers)
		if err != nil {
			return nil, err
		}
		w := newKeyWriter()
		w.h.Write(baseSum)
		logo := ""
		if sp.Logo != nil {
			logo = sp.Logo.Ext
		}
		w.str(sp.Slug, sp.Name, sp.URL, sp.Email, sp.Telephone, sp.Description, logo)
		spaceSum := w.sum()
		badgeSums := map[*model.Badge][]byte{}
		for _, b := range sp.Badges {
			w := newKeyWriter()
			w.h.Write(spaceSum)
			w.str(b.Slug, b.Name, b.Description, b.Criteria, b.Image.Ext, b.AchievementType)
			w.str(b.Tags...)
			for _, al := range b.Alignments {
				w.str("alignment", al.TargetName, al.TargetURL, al.TargetDescription, al.TargetFramework, al.TargetCode)
				if c := al.Competency; c != nil {
					w.str(c.Framework.Slug, c.Framework.Name, c.ID, c.Code, c.Name)
				}
			}
			for _, lv := range b.Levels {
				w.str("level", lv.ID, lv.Name, lv.Description, lv.Criteria)
			}
			// What the credentials say of the badge's competency and template.
			if c := b.Competency; c != nil {
				w.str("competency", c.Framework.Slug, c.Framework.Name, c.ID, c.Code, c.Name, c.Description)
			}
			w.str("template", b.Template)
			if t := b.Shared; t != nil {
				w.str("shared", t.Slug, t.Name, t.Description, t.Criteria)
			}
			badgeSums[b] = w.sum()
		}
		keysOf := make([]string, len(sp.Awards))
		workers := runtime.GOMAXPROCS(0)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				signers := map[string]string{} // by award day: the keys that sign it
				for i := w; i < len(sp.Awards); i += workers {
					keysOf[i] = awardKey(j, badgeSums, signers, site.Credentials.JWTAlg, sp.Awards[i])
				}
			}()
		}
		wg.Wait()
		for i, a := range sp.Awards {
			out[a.ID] = publish.Group{Space: sp.Slug, Flags: flags, Key: keysOf[i]}
		}
	}
	return out, nil
}

func awardKey(j *spaceJob, badgeSums map[*model.Badge][]byte, signers map[string]string, jwtAlg string, a *model.Award) string {
	w := newKeyWriter()
	w.h.Write(badgeSums[a.Badge])
	lv := ""
	if a.Level != nil {
		lv = a.Level.ID
	}
	r := a.Recipient
	w.str(a.ID, lv, r.Email, r.EPPN, r.StudentID, a.Date.Format(time.RFC3339), a.Expires.Format(time.RFC3339), a.EvidenceURL, a.EvidenceNarrative)
	if rv, ok := j.sp.Revocations[a.ID]; ok {
		w.str("revoked", strconv.FormatBool(rv.Suspended), rv.Reason)
	}
	pos := j.ledger.Pos[a.ID]
	w.str(strconv.Itoa(pos.List), strconv.Itoa(pos.Index))
	day := a.Date.Format(time.DateOnly)
	s, ok := signers[day]
	if !ok {
		kw := newKeyWriter()
		for _, alg := range []string{keys.EdDSA, jwtAlg, keys.RS256} {
			if k := j.ring.Signing(alg, a.Date); k != nil {
				kw.str(k.Kid, k.Thumbprint())
			}
		}
		s = string(kw.sum())
		signers[day] = s
	}
	w.str(s)
	return hex.EncodeToString(w.sum()[:16])
}
