package claim

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// Session is a logged-in browser. It holds no plaintext identifier: Subject
// is a keyed hash of (IdP, stable identifier) and Keys are the claim-index
// hashes of the student's identifiers.
type Session struct {
	ID          string
	Subject     string
	IdP         string
	Keys        []string
	DisplayName string // as released by the IdP; proposed for the passport
	CSRF        string
	Created     time.Time
	Expires     time.Time
}

// ErrNotFound is returned for a missing session or passport.
var ErrNotFound = store.ErrNotFound

// ErrSlugTaken is returned when another student holds a passport slug.
var ErrSlugTaken = store.ErrSlugTaken

// Store is the state of the claim server: sessions, the replay cache,
// claims, passports and the audit trail. Implementations must be safe for
// concurrent use and may be shared by several servers.
type Store interface {
	// CreateSession stores a session and returns its id (the cookie value).
	CreateSession(ctx context.Context, s Session) (string, error)
	Session(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	// ConsumeAssertion records a SAML assertion id until notOnOrAfter; it
	// reports false when the id was already recorded.
	ConsumeAssertion(ctx context.Context, id string, notOnOrAfter time.Time) (bool, error)
	RecordClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error
	// Passport returns the subject's passport, ErrNotFound when none.
	Passport(ctx context.Context, subject string) (passport.Passport, error)
	// SavePassport creates the subject's passport or changes its settings
	// (slug, name, indexing, e-mail, language, headline, links), keeping
	// its awards;
	// ErrSlugTaken when the slug is another subject's.
	SavePassport(ctx context.Context, subject string, p passport.Passport, at time.Time) error
	// SetPassportAwards sets the awards the passport shows, in order;
	// ErrNotFound without a passport.
	SetPassportAwards(ctx context.Context, subject string, awards []passport.AwardRef, at time.Time) error
	// SetPassportLayout sets the order of the passport's awards and the
	// group of each (see store.Store).
	SetPassportLayout(ctx context.Context, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, at time.Time) error
	DeletePassport(ctx context.Context, subject string, at time.Time) error
	Audit(ctx context.Context, subject, kind, detail string, at time.Time) error
	// RecordWalletClaim records that the student took an award's VC-JWT
	// form (the one wallets import): a claim, and when it went to a wallet.
	RecordWalletClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error
	// Data returns everything the store holds about the subject.
	Data(ctx context.Context, subject string) (store.SubjectData, error)
	// Erase removes everything the store holds about the subject
	// (sessions, claims, passport, audit events) in one transaction.
	Erase(ctx context.Context, subject string) (store.Erased, error)
	// Purge removes the sessions expired at now, the replay-cache entries
	// expired before assertionsBefore and the audit events older than
	// eventsBefore.
	Purge(ctx context.Context, now, assertionsBefore, eventsBefore time.Time) (Purged, error)
}

// Purged counts what a purge removed.
type Purged struct{ Sessions, Assertions, Events, WalletOffers int64 }

// FromStore adapts the persistent store (SQLite or PostgreSQL) to the claim
// server.
func FromStore(st store.Store) Store { return storeAdapter{st} }

type storeAdapter struct{ st store.Store }

// sessionData is what a session keeps beyond the store's own fields.
type sessionData struct {
	Keys        []string `json:"k"`
	DisplayName string   `json:"n,omitempty"`
}

func (a storeAdapter) CreateSession(ctx context.Context, s Session) (string, error) {
	data, err := json.Marshal(sessionData{Keys: s.Keys, DisplayName: s.DisplayName})
	if err != nil {
		return "", err
	}
	out, err := a.st.CreateSession(ctx, store.NewSession{Subject: s.Subject, IdP: s.IdP, Created: s.Created,
		Expires: s.Expires, CSRF: []byte(s.CSRF), Data: data})
	return out.ID, err
}

func (a storeAdapter) Session(ctx context.Context, id string) (Session, error) {
	// Expiry is checked by the server against its own clock.
	ss, err := a.st.Session(ctx, id, time.Time{})
	if err != nil {
		return Session{}, err
	}
	var d sessionData
	if err := json.Unmarshal(ss.Data, &d); err != nil {
		return Session{}, err
	}
	return Session{ID: ss.ID, Subject: ss.Subject, IdP: ss.IdP, Keys: d.Keys, DisplayName: d.DisplayName,
		CSRF: string(ss.CSRF), Created: ss.Created, Expires: ss.Expires}, nil
}

func (a storeAdapter) DeleteSession(ctx context.Context, id string) error {
	return a.st.DeleteSession(ctx, id)
}

func (a storeAdapter) ConsumeAssertion(ctx context.Context, id string, until time.Time) (bool, error) {
	return a.st.SeenAssertion(ctx, id, until)
}

func (a storeAdapter) RecordClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error {
	return a.st.AddClaim(ctx, subject, ref, at)
}

func (a storeAdapter) Passport(ctx context.Context, subject string) (passport.Passport, error) {
	return a.st.Passport(ctx, subject)
}

func (a storeAdapter) SavePassport(ctx context.Context, subject string, p passport.Passport, at time.Time) error {
	return a.st.SetPassport(ctx, subject, store.PassportSettings{Slug: p.Slug, DisplayName: p.DisplayName,
		Indexable: p.Indexable, Email: p.Email, Lang: p.Lang, Headline: p.Headline, Links: p.Links}, at)
}

func (a storeAdapter) SetPassportLayout(ctx context.Context, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, at time.Time) error {
	return a.st.SetPassportLayout(ctx, subject, awards, groups, at)
}

func (a storeAdapter) SetPassportAwards(ctx context.Context, subject string, awards []passport.AwardRef, at time.Time) error {
	return a.st.SetPassportAwards(ctx, subject, awards, at)
}

func (a storeAdapter) DeletePassport(ctx context.Context, subject string, at time.Time) error {
	return a.st.DeletePassport(ctx, subject, at)
}

func (a storeAdapter) Audit(ctx context.Context, subject, kind, detail string, at time.Time) error {
	return a.st.AppendEvent(ctx, store.Event{Subject: subject, Kind: kind, Detail: detail, At: at})
}

func (a storeAdapter) RecordWalletClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error {
	return a.st.AddWalletClaim(ctx, subject, ref, at)
}

func (a storeAdapter) Data(ctx context.Context, subject string) (store.SubjectData, error) {
	return a.st.SubjectData(ctx, subject)
}

func (a storeAdapter) Erase(ctx context.Context, subject string) (store.Erased, error) {
	return a.st.EraseSubject(ctx, subject)
}

func (a storeAdapter) Purge(ctx context.Context, now, assertionsBefore, eventsBefore time.Time) (Purged, error) {
	var p Purged
	var err1, err2, err3, err4 error
	p.Sessions, err1 = a.st.PurgeSessions(ctx, now)
	p.Assertions, err2 = a.st.PurgeAssertions(ctx, assertionsBefore)
	p.Events, err3 = a.st.PurgeEvents(ctx, eventsBefore)
	p.WalletOffers, err4 = a.st.PurgeWalletOffers(ctx, now)
	return p, errors.Join(err1, err2, err3, err4)
}
