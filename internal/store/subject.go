package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// SubjectData is everything the store holds about one subject, with the
// dates it was recorded: what a student downloads from "my data".
type SubjectData struct {
	Sessions []SessionInfo
	Claims   []Claim
	// Passport is nil when the subject has none.
	Passport *PassportRecord
	// Slugs are the passport addresses reserved for the subject (kept
	// after a passport is deleted, so old links never show someone else).
	Slugs  []string
	Events []Event
}

// SessionInfo is a session as the subject may see it: no ID, no secret.
type SessionInfo struct {
	IdP     string
	Created time.Time
	Expires time.Time
	Data    []byte // the claim server's own state (NewSession.Data)
}

// PassportRecord is a passport with its dates.
type PassportRecord struct {
	PassportSettings
	Awards  []passport.AwardRef
	Groups  []string // the group of each award ("" for none)
	Created time.Time
	Updated time.Time
}

// Erased counts the rows EraseSubject removed.
type Erased struct {
	Sessions, Claims, Passports, PassportAwards, Events, Slugs int64
}

// AwardUse is what the store knows of one award, whoever its recipient:
// for `blason export`.
type AwardUse struct {
	// Claimed is when the award was first downloaded from the claim
	// server (zero: never); Wallet when its VC-JWT form was first taken
	// (the form wallets import).
	Claimed, Wallet time.Time
	// OnPassport is true when a passport shows the award.
	OnPassport bool
}

func (s *sqlStore) AddWalletClaim(ctx context.Context, subject string, award passport.AwardRef, at time.Time) error {
	if err := checkField("subject", subject); err != nil {
		return err
	}
	if err := checkAward(award); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO claims (subject, space, award, claimed_us, wallet_us) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (subject, space, award) DO UPDATE SET wallet_us = excluded.wallet_us WHERE claims.wallet_us = 0`),
		subject, award.Space, award.Award, us(at), us(at))
	return s.wrap(err)
}

func (s *sqlStore) SubjectData(ctx context.Context, subject string) (SubjectData, error) {
	out := SubjectData{Sessions: []SessionInfo{}, Claims: []Claim{}, Slugs: []string{}, Events: []Event{}}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT idp, created_us, expires_us, data FROM sessions WHERE subject = ? ORDER BY created_us, expires_us`), subject)
		if err != nil {
			return s.wrap(err)
		}
		for rows.Next() {
			var si SessionInfo
			var c, e int64
			if err := rows.Scan(&si.IdP, &c, &e, &si.Data); err != nil {
				rows.Close()
				return s.wrap(err)
			}
			si.Created, si.Expires = fromUS(c), fromUS(e)
			out.Sessions = append(out.Sessions, si)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err)
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT space, award, claimed_us, wallet_us FROM claims WHERE subject = ? ORDER BY claimed_us, space, award`), subject)
		if err != nil {
			return s.wrap(err)
		}
		for rows.Next() {
			var c Claim
			var at, wallet int64
			if err := rows.Scan(&c.Award.Space, &c.Award.Award, &at, &wallet); err != nil {
				rows.Close()
				return s.wrap(err)
			}
			c.ClaimedAt = fromUS(at)
			if wallet != 0 {
				c.WalletAt = fromUS(wallet)
			}
			out.Claims = append(out.Claims, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err)
		}
		var p PassportRecord
		var created, updated int64
		var links string
		err = tx.QueryRowContext(ctx, s.q(`SELECT slug, display_name, indexable, email, lang, headline, links, created_us, updated_us FROM passports WHERE subject = ?`), subject).
			Scan(&p.Slug, &p.DisplayName, &p.Indexable, &p.Email, &p.Lang, &p.Headline, &links, &created, &updated)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return s.wrap(err)
		default:
			p.Created, p.Updated = fromUS(created), fromUS(updated)
			if p.Links, err = decodeLinks(links); err != nil {
				return err
			}
			p.Awards = []passport.AwardRef{}
			rows, err = tx.QueryContext(ctx, s.q(`SELECT space, award, group_name FROM passport_awards WHERE subject = ? ORDER BY position`), subject)
			if err != nil {
				return s.wrap(err)
			}
			for rows.Next() {
				var a passport.AwardRef
				var g string
				if err := rows.Scan(&a.Space, &a.Award, &g); err != nil {
					rows.Close()
					return s.wrap(err)
				}
				p.Awards = append(p.Awards, a)
				p.Groups = append(p.Groups, g)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.wrap(err)
			}
			out.Passport = &p
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT slug FROM slugs WHERE subject = ? ORDER BY slug`), subject)
		if err != nil {
			return s.wrap(err)
		}
		for rows.Next() {
			var slug string
			if err := rows.Scan(&slug); err != nil {
				rows.Close()
				return s.wrap(err)
			}
			out.Slugs = append(out.Slugs, slug)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err)
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT kind, detail, at_us FROM events WHERE subject = ? ORDER BY at_us, id`), subject)
		if err != nil {
			return s.wrap(err)
		}
		defer rows.Close()
		for rows.Next() {
			e := Event{Subject: subject}
			var at int64
			if err := rows.Scan(&e.Kind, &e.Detail, &at); err != nil {
				return s.wrap(err)
			}
			e.At = fromUS(at)
			out.Events = append(out.Events, e)
		}
		return s.wrap(rows.Err())
	})
	return out, err
}

func (s *sqlStore) EraseSubject(ctx context.Context, subject string) (Erased, error) {
	var out Erased
	if err := checkField("subject", subject); err != nil {
		return out, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = Erased{}
		var offers int64 // pending wallet offers: short-lived, not reported
		del := func(n *int64, query string) error {
			res, err := tx.ExecContext(ctx, s.q(query), subject)
			if err != nil {
				return s.wrap(err)
			}
			*n, err = res.RowsAffected()
			return s.wrap(err)
		}
		for _, step := range []struct {
			n     *int64
			query string
		}{
			{&out.Sessions, `DELETE FROM sessions WHERE subject = ?`},
			{&out.Claims, `DELETE FROM claims WHERE subject = ?`},
			{&out.PassportAwards, `DELETE FROM passport_awards WHERE subject = ?`},
			{&out.Passports, `DELETE FROM passports WHERE subject = ?`},
			{&out.Events, `DELETE FROM events WHERE subject = ?`},
			// The addresses stay reserved, held by nobody: an old link
			// never shows another student's page.
			{&out.Slugs, `UPDATE slugs SET subject = '' WHERE subject = ?`},
			{&offers, `DELETE FROM wallet_offers WHERE subject = ?`},
		} {
			if err := del(step.n, step.query); err != nil {
				return err
			}
		}
		if out.Passports > 0 {
			return s.bumpVersion(ctx, tx)
		}
		return nil
	})
	return out, err
}

func (s *sqlStore) PurgeEvents(ctx context.Context, before time.Time) (int64, error) {
	return s.execCount(ctx, `DELETE FROM events WHERE at_us < ?`, us(before))
}

func (s *sqlStore) AwardUses(ctx context.Context, space string) (map[string]AwardUse, error) {
	out := map[string]AwardUse{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT award, MIN(claimed_us), MIN(CASE WHEN wallet_us = 0 THEN NULL ELSE wallet_us END) FROM claims WHERE space = ? GROUP BY award`), space)
		if err != nil {
			return s.wrap(err)
		}
		for rows.Next() {
			var award string
			var claimed int64
			var wallet sql.NullInt64
			if err := rows.Scan(&award, &claimed, &wallet); err != nil {
				rows.Close()
				return s.wrap(err)
			}
			u := AwardUse{Claimed: fromUS(claimed)}
			if wallet.Valid {
				u.Wallet = fromUS(wallet.Int64)
			}
			out[award] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err)
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT DISTINCT award FROM passport_awards WHERE space = ?`), space)
		if err != nil {
			return s.wrap(err)
		}
		defer rows.Close()
		for rows.Next() {
			var award string
			if err := rows.Scan(&award); err != nil {
				return s.wrap(err)
			}
			u := out[award]
			u.OnPassport = true
			out[award] = u
		}
		return s.wrap(rows.Err())
	})
	return out, err
}
