package claim

import (
	"context"
	"errors"
	"time"

	"github.com/francebadge/blason/internal/passport"
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
	Expires     time.Time
}

// ErrNotFound is returned for a missing session or passport.
var ErrNotFound = errors.New("not found")

// ErrSlugTaken is returned when another student holds a passport slug.
var ErrSlugTaken = errors.New("passport address already taken")

// Store is the state of the claim server: sessions, the replay cache,
// claims, passports and the audit trail. Implementations must be safe for
// concurrent use and may be shared by several servers.
type Store interface {
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	// ConsumeAssertion records a SAML assertion id until notOnOrAfter; it
	// reports false when the id was already recorded.
	ConsumeAssertion(ctx context.Context, id string, notOnOrAfter time.Time) (bool, error)
	RecordClaim(ctx context.Context, subject string, ref passport.AwardRef, at time.Time) error
	// Passport returns the subject's passport, ErrNotFound when none.
	Passport(ctx context.Context, subject string) (passport.Passport, error)
	// SavePassport creates or replaces the subject's passport; ErrSlugTaken
	// when another subject holds the slug.
	SavePassport(ctx context.Context, subject string, p passport.Passport, at time.Time) error
	DeletePassport(ctx context.Context, subject string, at time.Time) error
	Audit(ctx context.Context, subject, kind, detail string, at time.Time) error
}
