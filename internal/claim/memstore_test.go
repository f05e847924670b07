package claim

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// memStore is an in-memory Store for the tests of this package; the real
// stores (SQLite, PostgreSQL) are in internal/store and run the same flows
// in the integration tests.
type memStore struct {
	mu        sync.Mutex
	sessions  map[string]Session
	seen      map[string]time.Time
	passports map[string]passport.Passport
	claims    map[string][]passport.AwardRef
	audit     []string
}

func newMemStore() *memStore {
	return &memStore{sessions: map[string]Session{}, seen: map[string]time.Time{},
		passports: map[string]passport.Passport{}, claims: map[string][]passport.AwardRef{}}
}

func (m *memStore) CreateSession(_ context.Context, s Session) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ID == "" {
		s.ID = randomID(32)
	}
	m.sessions[s.ID] = s
	return s.ID, nil
}

func (m *memStore) Session(_ context.Context, id string) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return Session{}, ErrNotFound
	}
	return s, nil
}

func (m *memStore) DeleteSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
	return nil
}

func (m *memStore) ConsumeAssertion(_ context.Context, id string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.seen[id]; ok {
		return false, nil
	}
	m.seen[id] = until
	return true, nil
}

func (m *memStore) RecordClaim(_ context.Context, subject string, ref passport.AwardRef, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.claims[subject], ref) {
		m.claims[subject] = append(m.claims[subject], ref)
	}
	return nil
}

func (m *memStore) Passport(_ context.Context, subject string) (passport.Passport, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.passports[subject]
	if !ok {
		return passport.Passport{}, ErrNotFound
	}
	p.Awards = slices.Clone(p.Awards)
	return p, nil
}

func (m *memStore) SavePassport(_ context.Context, subject string, p passport.Passport, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s, o := range m.passports {
		if s != subject && o.Slug == p.Slug {
			return ErrSlugTaken
		}
	}
	p.Awards, p.GroupOf = m.passports[subject].Awards, m.passports[subject].GroupOf // settings only: the awards stay
	m.passports[subject] = p
	return nil
}

func (m *memStore) SetPassportAwards(_ context.Context, subject string, awards []passport.AwardRef, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.passports[subject]
	if !ok {
		return ErrNotFound
	}
	p.Awards = slices.Clone(awards)
	m.passports[subject] = p
	return nil
}

func (m *memStore) SetPassportLayout(_ context.Context, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.passports[subject]
	if !ok {
		return ErrNotFound
	}
	p.Awards, p.GroupOf = slices.Clone(awards), nil
	for a, g := range groups {
		if g != "" {
			if p.GroupOf == nil {
				p.GroupOf = map[passport.AwardRef]string{}
			}
			p.GroupOf[a] = g
		}
	}
	m.passports[subject] = p
	return nil
}

func (m *memStore) DeletePassport(_ context.Context, subject string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.passports, subject)
	return nil
}

func (m *memStore) Audit(_ context.Context, subject, kind, detail string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, kind+" "+detail)
	return nil
}

func (m *memStore) sessionCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

func (m *memStore) RecordWalletClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error {
	return m.RecordClaim(ctx, subject, ref, at)
}

func (m *memStore) Data(_ context.Context, subject string) (store.SubjectData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var d store.SubjectData
	for _, s := range m.sessions {
		if s.Subject == subject {
			data, _ := json.Marshal(sessionData{Keys: s.Keys, DisplayName: s.DisplayName})
			d.Sessions = append(d.Sessions, store.SessionInfo{IdP: s.IdP, Created: s.Created, Expires: s.Expires, Data: data})
		}
	}
	for _, c := range m.claims[subject] {
		d.Claims = append(d.Claims, store.Claim{Award: c})
	}
	if p, ok := m.passports[subject]; ok {
		d.Passport = &store.PassportRecord{PassportSettings: store.PassportSettings{Slug: p.Slug, DisplayName: p.DisplayName,
			Indexable: p.Indexable, Email: p.Email, Lang: p.Lang, Headline: p.Headline, Links: p.Links}, Awards: slices.Clone(p.Awards)}
		d.Slugs = []string{p.Slug}
	}
	return d, nil
}

func (m *memStore) Erase(_ context.Context, subject string) (store.Erased, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n store.Erased
	for id, s := range m.sessions {
		if s.Subject == subject {
			delete(m.sessions, id)
			n.Sessions++
		}
	}
	n.Claims = int64(len(m.claims[subject]))
	delete(m.claims, subject)
	if _, ok := m.passports[subject]; ok {
		delete(m.passports, subject)
		n.Passports++
	}
	return n, nil
}

func (m *memStore) Purge(_ context.Context, now, assertionsBefore, _ time.Time) (Purged, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p Purged
	for id, s := range m.sessions {
		if !now.Before(s.Expires) {
			delete(m.sessions, id)
			p.Sessions++
		}
	}
	for id, until := range m.seen {
		if !until.After(assertionsBefore) {
			delete(m.seen, id)
			p.Assertions++
		}
	}
	return p, nil
}
