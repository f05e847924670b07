package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// dialect is what differs between the SQL backends; the queries are
// written once, with ? placeholders.
type dialect struct {
	name string
	// dollar rewrites ? placeholders as $1, $2... (PostgreSQL).
	dollar bool
	// forUpdate is appended to a SELECT that must lock the rows it reads
	// until the transaction ends (SQLite write transactions are already
	// exclusive).
	forUpdate string
	// slugTaken tells whether err is the violation of the unique slug
	// constraint.
	slugTaken func(err error) bool
	migrations
}

// sqlStore implements Store over database/sql.
type sqlStore struct {
	db    *sql.DB
	d     *dialect
	stmts sync.Map // query text → *sql.Stmt, for the reads of every request
}

// prepared returns the prepared statement of a read the claim server makes
// on every request (session, passport): parsing the SQL each time was a
// tenth of the page's cost.
func (s *sqlStore) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, s.wrap(err)
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// q adapts a query to the dialect's placeholders.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// inTx runs fn in a transaction, committed when fn returns nil.
func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return s.wrap(tx.Commit())
}

func (s *sqlStore) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store (%s): %w", s.d.name, err)
}

func (s *sqlStore) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

func (s *sqlStore) Ping(ctx context.Context) error { return s.wrap(s.db.PingContext(ctx)) }

func us(t time.Time) int64     { return t.UnixMicro() }
func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }
func hashID(id string) []byte  { h := sha256.Sum256([]byte(id)); return h[:] }
func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

// --- sessions ---

// sessionIDLen is the length of a session ID: 32 random bytes, base64url.
const sessionIDLen = 43

func (s *sqlStore) CreateSession(ctx context.Context, n NewSession) (Session, error) {
	if err := checkField("subject", n.Subject); err != nil {
		return Session{}, err
	}
	if err := checkField("IdP entityID", n.IdP); err != nil {
		return Session{}, err
	}
	if len(n.CSRF) == 0 {
		return Session{}, invalid("empty CSRF secret")
	}
	if !n.Expires.After(n.Created) {
		return Session{}, invalid("session expires (%s) before it is created (%s)", n.Expires.UTC().Format(time.RFC3339), n.Created.UTC().Format(time.RFC3339))
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Session{}, fmt.Errorf("store: session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO sessions (id_hash, subject, idp, created_us, expires_us, csrf, data) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		hashID(id), n.Subject, n.IdP, us(n.Created), us(n.Expires), n.CSRF, append([]byte{}, n.Data...))
	if err != nil {
		return Session{}, s.wrap(err)
	}
	n.Created, n.Expires = fromUS(us(n.Created)), fromUS(us(n.Expires))
	n.CSRF = append([]byte(nil), n.CSRF...)
	n.Data = append([]byte(nil), n.Data...)
	return Session{ID: id, NewSession: n}, nil
}

func (s *sqlStore) Session(ctx context.Context, id string, now time.Time) (Session, error) {
	if len(id) != sessionIDLen {
		return Session{}, ErrNotFound
	}
	var (
		out              = Session{ID: id}
		created, expires int64
	)
	st, err := s.prepared(ctx, `SELECT subject, idp, created_us, expires_us, csrf, data FROM sessions WHERE id_hash = ? AND expires_us > ?`)
	if err != nil {
		return Session{}, err
	}
	err = st.QueryRowContext(ctx, hashID(id), us(now)).Scan(&out.Subject, &out.IdP, &created, &expires, &out.CSRF, &out.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, s.wrap(err)
	}
	out.Created, out.Expires = fromUS(created), fromUS(expires)
	return out, nil
}

func (s *sqlStore) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE id_hash = ?`), hashID(id))
	return s.wrap(err)
}

func (s *sqlStore) DeleteSubjectSessions(ctx context.Context, subject string) (int64, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE subject = ?`, subject)
}

func (s *sqlStore) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	return s.execCount(ctx, `DELETE FROM sessions WHERE expires_us <= ?`, us(now))
}

func (s *sqlStore) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return n, s.wrap(err)
}

// --- replay cache ---

func (s *sqlStore) SeenAssertion(ctx context.Context, id string, notOnOrAfter time.Time) (bool, error) {
	if err := checkField("assertion ID", id); err != nil {
		return false, err
	}
	n, err := s.execCount(ctx, `INSERT INTO assertions (id, not_on_or_after_us) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, us(notOnOrAfter))
	return n == 1, err
}

func (s *sqlStore) PurgeAssertions(ctx context.Context, before time.Time) (int64, error) {
	return s.execCount(ctx, `DELETE FROM assertions WHERE not_on_or_after_us <= ?`, us(before))
}

// --- claims ---

func (s *sqlStore) AddClaim(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error {
	if err := checkField("subject", subject); err != nil {
		return err
	}
	if err := checkAward(award); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO claims (subject, space, award, claimed_us) VALUES (?, ?, ?, ?) ON CONFLICT (subject, space, award) DO NOTHING`),
		subject, award.Space, award.Award, us(at))
	return s.wrap(err)
}

func (s *sqlStore) Claims(ctx context.Context, subject string) ([]Claim, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT space, award, claimed_us FROM claims WHERE subject = ? ORDER BY claimed_us, space, award`), subject)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []Claim
	for rows.Next() {
		var c Claim
		var at int64
		if err := rows.Scan(&c.Award.Space, &c.Award.Award, &at); err != nil {
			return nil, s.wrap(err)
		}
		c.ClaimedAt = fromUS(at)
		out = append(out, c)
	}
	return out, s.wrap(rows.Err())
}

// --- passports ---

func (s *sqlStore) SetPassport(ctx context.Context, subject string, p PassportSettings, at time.Time) error {
	if err := checkField("subject", subject); err != nil {
		return err
	}
	if err := checkSettings(p); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// A slug belongs for good to the first subject that used it.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO slugs (slug, subject) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING`), p.Slug, subject); err != nil {
			return s.wrap(err)
		}
		var owner string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT subject FROM slugs WHERE slug = ?`), p.Slug).Scan(&owner); err != nil {
			return s.wrap(err)
		}
		if owner != subject {
			return fmt.Errorf("%w: %q; choose another", ErrSlugTaken, p.Slug)
		}
		links, err := encodeLinks(p.Links)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO passports (subject, slug, display_name, indexable, email, lang, headline, links, created_us, updated_us)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (subject) DO UPDATE SET slug = excluded.slug, display_name = excluded.display_name,
	indexable = excluded.indexable, email = excluded.email, lang = excluded.lang,
	headline = excluded.headline, links = excluded.links, updated_us = excluded.updated_us`),
			subject, p.Slug, p.DisplayName, p.Indexable, p.Email, p.Lang, p.Headline, links, us(at), us(at))
		if err != nil {
			if s.d.slugTaken(err) {
				return fmt.Errorf("%w: %q; choose another", ErrSlugTaken, p.Slug)
			}
			return s.wrap(err)
		}
		return s.bumpVersion(ctx, tx)
	})
}

func (s *sqlStore) bumpVersion(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE passports_version SET version = version + 1 WHERE id = 1`)
	return s.wrap(err)
}

// lockPassport locks the subject's passport row for the transaction, or
// returns ErrNotFound.
func (s *sqlStore) lockPassport(ctx context.Context, tx *sql.Tx, subject string) error {
	var one int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM passports WHERE subject = ?`+s.d.forUpdate), subject).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: no passport for this subject", ErrNotFound)
	}
	return s.wrap(err)
}

func (s *sqlStore) touch(ctx context.Context, tx *sql.Tx, subject string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE passports SET updated_us = ? WHERE subject = ?`), us(at), subject); err != nil {
		return s.wrap(err)
	}
	return s.bumpVersion(ctx, tx)
}

func (s *sqlStore) AddPassportAward(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error {
	if err := checkAward(award); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockPassport(ctx, tx, subject); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO passport_awards (subject, space, award, position)
SELECT ?, ?, ?, COALESCE(MAX(position), 0) + 1 FROM passport_awards WHERE subject = ?
ON CONFLICT (subject, space, award) DO NOTHING`), subject, award.Space, award.Award, subject)
		if err != nil {
			return s.wrap(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return s.wrap(err) // already there: nothing changed
		}
		return s.touch(ctx, tx, subject, at)
	})
}

func (s *sqlStore) RemovePassportAward(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockPassport(ctx, tx, subject); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM passport_awards WHERE subject = ? AND space = ? AND award = ?`), subject, award.Space, award.Award)
		if err != nil {
			return s.wrap(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return s.wrap(err)
		} else if n == 0 {
			return fmt.Errorf("%w: award %s/%s is not on the passport", ErrNotFound, award.Space, award.Award)
		}
		return s.touch(ctx, tx, subject, at)
	})
}

func (s *sqlStore) SetPassportAwards(ctx context.Context, subject string, awards []passport.AwardRef, at time.Time) error {
	seen := make(map[passport.AwardRef]bool, len(awards))
	for _, a := range awards {
		if err := checkAward(a); err != nil {
			return err
		}
		if seen[a] {
			return invalid("award %s/%s listed twice", a.Space, a.Award)
		}
		seen[a] = true
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockPassport(ctx, tx, subject); err != nil {
			return err
		}
		// An award kept on the passport keeps its group.
		groups, err := s.groups(ctx, tx, subject)
		if err != nil {
			return err
		}
		return s.writeAwards(ctx, tx, subject, awards, groups, at)
	})
}

// groups reads the group of each award on the subject's passport.
func (s *sqlStore) groups(ctx context.Context, tx *sql.Tx, subject string) (map[passport.AwardRef]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT space, award, group_name FROM passport_awards WHERE subject = ?`), subject)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := map[passport.AwardRef]string{}
	for rows.Next() {
		var a passport.AwardRef
		var g string
		if err := rows.Scan(&a.Space, &a.Award, &g); err != nil {
			return nil, s.wrap(err)
		}
		out[a] = g
	}
	return out, s.wrap(rows.Err())
}

// writeAwards replaces the passport's award rows, in order, with their
// groups.
func (s *sqlStore) writeAwards(ctx context.Context, tx *sql.Tx, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM passport_awards WHERE subject = ?`), subject); err != nil {
		return s.wrap(err)
	}
	for i, a := range awards {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO passport_awards (subject, space, award, position, group_name) VALUES (?, ?, ?, ?, ?)`),
			subject, a.Space, a.Award, i+1, groups[a]); err != nil {
			return s.wrap(err)
		}
	}
	return s.touch(ctx, tx, subject, at)
}

func (s *sqlStore) SetPassportLayout(ctx context.Context, subject string, awards []passport.AwardRef, groups map[passport.AwardRef]string, at time.Time) error {
	if err := checkGroups(groups); err != nil {
		return err
	}
	want := make(map[passport.AwardRef]bool, len(awards))
	for _, a := range awards {
		if want[a] {
			return invalid("award %s/%s listed twice", a.Space, a.Award)
		}
		want[a] = true
	}
	for a, g := range groups {
		if g != "" && !want[a] {
			return invalid("group of award %s/%s, which is not listed", a.Space, a.Award)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockPassport(ctx, tx, subject); err != nil {
			return err
		}
		have, err := s.groups(ctx, tx, subject)
		if err != nil {
			return err
		}
		if len(have) != len(want) {
			return invalid("the layout lists %d awards, the passport holds %d", len(want), len(have))
		}
		for a := range want {
			if _, ok := have[a]; !ok {
				return invalid("award %s/%s is not on the passport", a.Space, a.Award)
			}
		}
		return s.writeAwards(ctx, tx, subject, awards, groups, at)
	})
}

// encodeLinks is the links column: a JSON array, ” for none.
func encodeLinks(ls []passport.Link) (string, error) {
	if len(ls) == 0 {
		return "", nil
	}
	type link struct {
		Label string `json:"label"`
		URL   string `json:"url"`
	}
	out := make([]link, len(ls))
	for i, l := range ls {
		out[i] = link{l.Label, l.URL}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeLinks(s string) ([]passport.Link, error) {
	if s == "" {
		return nil, nil
	}
	var in []struct {
		Label string `json:"label"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("store: passport links: %w", err)
	}
	out := make([]passport.Link, len(in))
	for i, l := range in {
		out[i] = passport.Link{Label: l.Label, URL: l.URL}
	}
	return out, nil
}

func (s *sqlStore) DeletePassport(ctx context.Context, subject string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockPassport(ctx, tx, subject); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM passport_awards WHERE subject = ?`), subject); err != nil {
			return s.wrap(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM passports WHERE subject = ?`), subject); err != nil {
			return s.wrap(err)
		}
		return s.bumpVersion(ctx, tx)
	})
}

const passportSelect = `SELECT p.subject, p.slug, p.display_name, p.indexable, p.email, p.lang, p.headline, p.links, a.space, a.award, a.group_name
FROM passports p LEFT JOIN passport_awards a ON a.subject = p.subject`

func (s *sqlStore) Passport(ctx context.Context, subject string) (passport.Passport, error) {
	ps, err := s.passports(ctx, passportSelect+` WHERE p.subject = ? ORDER BY a.position`, subject)
	if err != nil {
		return passport.Passport{}, err
	}
	if len(ps) == 0 {
		return passport.Passport{}, fmt.Errorf("%w: no passport for this subject", ErrNotFound)
	}
	return ps[0], nil
}

func (s *sqlStore) Passports(ctx context.Context) ([]passport.Passport, error) {
	return s.passports(ctx, passportSelect+` ORDER BY p.slug, a.position`)
}

// passports reads passports and their awards in one statement (one
// consistent snapshot); rows come grouped by passport.
func (s *sqlStore) passports(ctx context.Context, query string, args ...any) ([]passport.Passport, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var (
		out  []passport.Passport
		last string
	)
	for rows.Next() {
		var (
			subject      string
			p            passport.Passport
			space, award sql.NullString
			group        sql.NullString
			links        string
		)
		if err := rows.Scan(&subject, &p.Slug, &p.DisplayName, &p.Indexable, &p.Email, &p.Lang, &p.Headline, &links, &space, &award, &group); err != nil {
			return nil, s.wrap(err)
		}
		if len(out) == 0 || subject != last {
			p.Source = "store"
			var err error
			if p.Links, err = decodeLinks(links); err != nil {
				return nil, err
			}
			out = append(out, p)
			last = subject
		}
		if space.Valid {
			cur := &out[len(out)-1]
			ref := passport.AwardRef{Space: space.String, Award: award.String}
			cur.Awards = append(cur.Awards, ref)
			if group.String != "" {
				if cur.GroupOf == nil {
					cur.GroupOf = map[passport.AwardRef]string{}
				}
				cur.GroupOf[ref] = group.String
			}
		}
	}
	return out, s.wrap(rows.Err())
}

func (s *sqlStore) PassportsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM passports_version WHERE id = 1`).Scan(&v)
	return v, s.wrap(err)
}

// --- audit ---

func (s *sqlStore) AppendEvent(ctx context.Context, e Event) error {
	if err := checkField("event kind", e.Kind); err != nil {
		return err
	}
	if len(e.Subject) > MaxFieldLen || len(e.Detail) > MaxFieldLen {
		return invalid("event subject or detail longer than %d bytes", MaxFieldLen)
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO events (subject, kind, detail, at_us) VALUES (?, ?, ?, ?)`), e.Subject, e.Kind, e.Detail, us(e.At))
	return s.wrap(err)
}

func (s *sqlStore) Events(ctx context.Context, subject string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT kind, detail, at_us FROM events WHERE subject = ? ORDER BY at_us, id`), subject)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e := Event{Subject: subject}
		var at int64
		if err := rows.Scan(&e.Kind, &e.Detail, &at); err != nil {
			return nil, s.wrap(err)
		}
		e.At = fromUS(at)
		out = append(out, e)
	}
	return out, s.wrap(rows.Err())
}
