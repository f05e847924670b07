package issue

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
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
const generator = "blason-issue 5"

// keyWriter hashes length-prefixed fields, so that field boundaries count.
type keyWriter struct{ h hash.Hash }

func (w keyWriter) str(ss ...string) {
	for _, s := range ss {
		w.bytes([]byte(s))
	}
}

func (w keyWriter) bytes(b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	w.h.Write(n[:])
	w.h.Write(b)
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
			if b.Credits > 0 || !b.Micro.Empty() { // what the credentials say of the EU micro-credential facts
				w.str("micro", strconv.FormatFloat(b.Credits, 'g', -1, 64), fmt.Sprintf("%+v", b.Micro))
			}
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
				k := newAwardKeys(j, badgeSums, site.Credentials.JWTAlg)
				for i := w; i < len(sp.Awards); i += workers {
					keysOf[i] = k.key(sp.Awards[i])
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

// awardKeys computes action keys of one worker: its hash and scratch
// space are reused from award to award, and the keys that sign each award
// day are hashed once.
type awardKeys struct {
	j         *spaceJob
	badgeSums map[*model.Badge][]byte
	jwtAlg    string
	w         keyWriter
	buf       []byte
	signers   map[civilDay]string // by award day: the hash of the keys that sign it
}

type civilDay struct {
	y int
	m time.Month
	d int
}

func newAwardKeys(j *spaceJob, badgeSums map[*model.Badge][]byte, jwtAlg string) *awardKeys {
	return &awardKeys{j: j, badgeSums: badgeSums, jwtAlg: jwtAlg, w: newKeyWriter(), signers: map[civilDay]string{}}
}

// date writes a time as RFC 3339, without allocating.
func (k *awardKeys) date(t time.Time) {
	k.buf = t.AppendFormat(k.buf[:0], time.RFC3339)
	k.w.bytes(k.buf)
}

func (k *awardKeys) int(i int) {
	k.buf = strconv.AppendInt(k.buf[:0], int64(i), 10)
	k.w.bytes(k.buf)
}

func (k *awardKeys) key(a *model.Award) string {
	w := k.w
	w.h.Reset()
	w.h.Write(k.badgeSums[a.Badge])
	lv := ""
	if a.Level != nil {
		lv = a.Level.ID
	}
	r := a.Recipient
	w.str(a.ID, lv, r.Email, r.EPPN, r.StudentID)
	k.date(a.Date)
	k.date(a.Expires)
	w.str(a.EvidenceURL, a.EvidenceNarrative)
	if rv, ok := k.j.sp.Revocations[a.ID]; ok {
		w.str("revoked", strconv.FormatBool(rv.Suspended), rv.Reason)
	}
	pos := k.j.ledger.Pos[a.ID]
	k.int(pos.List)
	k.int(pos.Index)
	y, m, d := a.Date.Date()
	s, ok := k.signers[civilDay{y, m, d}]
	if !ok {
		kw := newKeyWriter()
		for _, alg := range []string{keys.EdDSA, k.jwtAlg, keys.RS256} {
			if key := k.j.ring.Signing(alg, a.Date); key != nil {
				kw.str(key.Kid, key.Thumbprint())
			}
		}
		s = string(kw.sum())
		k.signers[civilDay{y, m, d}] = s
	}
	w.str(s)
	var sum [sha256.Size]byte
	return hex.EncodeToString(w.h.Sum(sum[:0])[:16])
}
