// Package store keeps the persistent state of `blason claim`: server-side
// sessions, the SAML assertion replay cache shared by replicas, the awards
// each student claimed, passport consents and an audit trail. It has one
// interface, Store, and two backends chosen by the DSN given to Open:
//
//   - SQLite (the default; a file path or a sqlite: / file: DSN), embedded
//     through a pure Go driver, no cgo. WAL mode, a busy timeout and
//     immediate write transactions let several processes on one host share
//     the file.
//   - PostgreSQL (postgres:// or postgresql:// URL), for several claim
//     servers behind a load balancer.
//
// Schema migrations are versioned SQL files embedded per dialect, applied on
// Open in one transaction and recorded in schema_migrations; on PostgreSQL a
// transaction-scoped advisory lock keeps replicas starting together from
// racing. A database whose schema is newer than the binary is refused with
// ErrSchemaTooNew.
//
// Personal data. A student is known here only by a subject: an opaque
// string the claim server computes (a keyed HMAC of the IdP's entityID and
// the student's stable identifier). The store never sees e-mail addresses,
// eppn, student numbers or names, except the passport display name and the
// optional e-mail address a student chose to publish on their passport
// page. Audit event kinds and details must carry no personal data either:
// callers write facts such as "passport.slug" or an award reference, never
// an attribute received from the IdP.
//
// Time. The store never reads the clock: every time is passed in by the
// caller, so tests and replicas agree on what "now" is. Times are kept with
// microsecond precision, in UTC.
//
// The store is the only copy of students' consents and claims; it must be
// backed up (see docs/claim-store.md).
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// Errors returned by Store methods; test with errors.Is.
var (
	// ErrNotFound: no such session, passport or passport award.
	ErrNotFound = errors.New("store: not found")
	// ErrSlugTaken: another subject's passport already uses the slug.
	ErrSlugTaken = errors.New("store: passport slug already taken")
	// ErrInvalid: an argument is malformed (empty subject, bad slug...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchemaTooNew: the database was migrated by a newer blason.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this binary")
)

// Store is the persistent state of the claim server. Implementations are
// safe for concurrent use by many goroutines and, on the same database, by
// several processes.
type Store interface {
	// CreateSession stores a new session and returns it with its ID, a
	// random 256-bit token (base64url). Only a hash of the ID is stored.
	CreateSession(ctx context.Context, s NewSession) (Session, error)
	// Session returns the session with that ID, or ErrNotFound when there
	// is none or it expired at or before now.
	Session(ctx context.Context, id string, now time.Time) (Session, error)
	// DeleteSession removes one session (logout); no error if it is gone.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSubjectSessions removes every session of a subject (logout
	// everywhere) and reports how many there were.
	DeleteSubjectSessions(ctx context.Context, subject string) (int64, error)
	// PurgeSessions removes sessions that expired at or before now.
	PurgeSessions(ctx context.Context, now time.Time) (int64, error)

	// SeenAssertion records a SAML assertion ID and reports whether it was
	// fresh: true exactly once per ID across every process sharing the
	// database. notOnOrAfter is the assertion's expiry; the ID is kept at
	// least until PurgeAssertions is called with a later time.
	SeenAssertion(ctx context.Context, id string, notOnOrAfter time.Time) (fresh bool, err error)
	// PurgeAssertions forgets assertion IDs whose notOnOrAfter is at or
	// before before. Pass now minus the clock skew the SAML validation
	// allows, so that an ID is never forgotten while it could be accepted.
	PurgeAssertions(ctx context.Context, before time.Time) (int64, error)

	// AddClaim records that subject claimed an award. Claiming again keeps
	// the first time and is not an error.
	AddClaim(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error
	// Claims lists a subject's claims, oldest first.
	Claims(ctx context.Context, subject string) ([]Claim, error)
	// AddWalletClaim records that subject took the VC-JWT form of an
	// award (the form wallets import): a claim as AddClaim, and the first
	// such time as its WalletAt.
	AddWalletClaim(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error
	// AwardUses reports, for each award of a space the store knows of
	// (keyed by award id), when it was first claimed and taken for a
	// wallet, and whether a passport shows it.
	AwardUses(ctx context.Context, space string) (map[string]AwardUse, error)

	// SetPassport creates the subject's passport or updates its settings,
	// keeping its awards. A slug used by another subject's passport gives
	// ErrSlugTaken; a malformed slug, display name, e-mail or lang gives
	// ErrInvalid.
	SetPassport(ctx context.Context, subject string, s PassportSettings, at time.Time) error
	// Passport returns the subject's passport (Source "store"), or
	// ErrNotFound.
	Passport(ctx context.Context, subject string) (passport.Passport, error)
	// AddPassportAward appends an award to the subject's passport; adding
	// one already there changes nothing. ErrNotFound when the subject has
	// no passport.
	AddPassportAward(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error
	// RemovePassportAward removes an award from the subject's passport;
	// ErrNotFound when the passport or the award is not there.
	RemovePassportAward(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error
	// SetPassportAwards replaces the passport's awards with awards, in
	// that order (reordering); duplicates give ErrInvalid.
	SetPassportAwards(ctx context.Context, subject string, awards []passport.AwardRef, at time.Time) error
	// SetPassportLayout sets the order of the passport's awards and the
	// group each is in (groups names them; an award not in groups is in
	// none), in one transaction. awards must be the passport's awards,
	// each once; a malformed group name, more than passport.MaxGroups
	// groups or another list of awards gives ErrInvalid; ErrNotFound
	// without a passport.
	SetPassportLayout(ctx context.Context, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, at time.Time) error
	// DeletePassport removes the subject's passport and its awards. Its
	// slug stays the subject's (a slug belongs for good to the first
	// subject that used it, so old links never show someone else).
	// ErrNotFound when there is none.
	DeletePassport(ctx context.Context, subject string, at time.Time) error
	// Passports returns every passport ordered by slug, each with Source
	// "store": the store is a passport.Source.
	Passports(ctx context.Context) ([]passport.Passport, error)
	// PassportsVersion is a counter that grows with every passport change
	// (settings, awards, deletion): a build compares it with the value it
	// last rendered to skip reading the passports when nothing changed.
	// Compare for equality, not order: a restored backup goes back. After
	// a restore, render the passports in full once (the counter may come
	// back to a value already rendered, with other contents).
	PassportsVersion(ctx context.Context) (int64, error)

	// AppendEvent adds an audit event. Kind and Detail must hold no
	// personal data.
	AppendEvent(ctx context.Context, e Event) error
	// Events lists a subject's audit events, oldest first.
	Events(ctx context.Context, subject string) ([]Event, error)
	// PurgeEvents removes the audit events recorded before before (the
	// audit trail's retention).
	PurgeEvents(ctx context.Context, before time.Time) (int64, error)

	// SubjectData returns everything held about a subject, read in one
	// transaction (the student's copy of their data).
	SubjectData(ctx context.Context, subject string) (SubjectData, error)
	// EraseSubject removes, in one transaction, the subject's sessions,
	// claims, passport and its awards and audit events; the passport
	// addresses it used stay reserved but are held by nobody. It reports
	// what it removed; a subject with nothing stored is not an error.
	EraseSubject(ctx context.Context, subject string) (Erased, error)

	// CreateWalletOffer, RedeemWalletOffer, WalletToken and
	// PurgeWalletOffers keep the OpenID4VCI credential offers and their
	// access tokens (wallet.go).
	CreateWalletOffer(ctx context.Context, o WalletOffer) (code string, err error)
	RedeemWalletOffer(ctx context.Context, code, txCode string, now, tokenExpires time.Time) (token string, o WalletOffer, err error)
	WalletToken(ctx context.Context, token string, now time.Time) (WalletOffer, error)
	PurgeWalletOffers(ctx context.Context, now time.Time) (int64, error)

	// Ping checks that the database answers (readiness endpoint).
	Ping(ctx context.Context) error
	// Close releases the database connections.
	Close() error
}

// The store is a passport source for the build.
var _ passport.Source = Store(nil)

// NewSession is what CreateSession stores.
type NewSession struct {
	Subject string    // opaque subject (HMAC), never an attribute value
	IdP     string    // entityID of the IdP the student logged in with
	Created time.Time // login time
	Expires time.Time // the session is invalid at and after this time
	CSRF    []byte    // per-session secret for CSRF tokens
	// Data is the claim server's own per-session state, opaque to the
	// store: the claim-index hashes of the student's identifiers and the
	// display name the IdP released (proposed for the passport). It holds
	// no plaintext identifier and goes with the session at logout or expiry.
	Data []byte
}

// Session is a stored session.
type Session struct {
	ID string
	NewSession
}

// Claim is one award a subject claimed.
type Claim struct {
	Award     passport.AwardRef
	ClaimedAt time.Time
	// WalletAt is when the subject first took the award's VC-JWT form,
	// zero when never (filled by SubjectData only).
	WalletAt time.Time
}

// PassportSettings are the settings of a passport the student chooses.
type PassportSettings struct {
	Slug        string // a-z, 0-9 and single dashes, at most MaxSlugLen bytes
	DisplayName string // shown on the page; not empty
	Indexable   bool   // let search engines index the page
	Email       string // published address, or empty
	Lang        string // "fr", "en" or empty (site default)
	// Headline is one line the student wrote (passport.CheckHeadline), or
	// empty; Links are links they chose to show (passport.CheckLink).
	Headline string
	Links    []passport.Link
}

// Event is an audit event.
type Event struct {
	Subject string
	Kind    string // e.g. "login", "passport.create", "claim"
	Detail  string // no personal data: award refs, slugs, entityIDs
	At      time.Time
}

// Limits on stored strings.
const (
	MaxSlugLen        = 64
	MaxDisplayNameLen = 200
	MaxEmailLen       = 254
	MaxFieldLen       = 2048 // subjects, entityIDs, award refs, event fields
)

// Open opens (creating it if needed) and migrates the store named by dsn:
// a postgres:// or postgresql:// URL selects PostgreSQL; a file path, or a
// sqlite: or file: DSN, selects SQLite. Other schemes are refused.
func Open(ctx context.Context, dsn string) (Store, error) {
	scheme, rest, hasScheme := strings.Cut(dsn, "://")
	switch {
	case dsn == "":
		return nil, fmt.Errorf("store: empty database name; give a file path (e.g. blason.db) or a postgres:// URL")
	case hasScheme && (scheme == "postgres" || scheme == "postgresql"):
		return openPostgres(ctx, dsn)
	case hasScheme && scheme == "sqlite":
		return openSQLite(ctx, rest)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "file:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "file:"))
	case hasScheme && !strings.ContainsAny(scheme, `/\`):
		return nil, fmt.Errorf("store: unsupported database %q: use a file path for SQLite or a postgres:// URL", scheme+"://")
	default:
		return openSQLite(ctx, dsn)
	}
}
