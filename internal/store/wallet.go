package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/francebadge/blason/internal/passport"
)

// ErrTxCode: RedeemWalletOffer was given a wrong transaction code; the
// attempt was counted.
var ErrTxCode = errors.New("store: wrong transaction code")

// MaxTxCodeAttempts is how many wrong transaction codes an offer takes
// before it is dead.
const MaxTxCodeAttempts = 3

// WalletOffer is an OpenID4VCI credential offer: one award of one subject,
// redeemable once before Expires with its pre-authorized code (and its
// transaction code when TxCode is not empty).
type WalletOffer struct {
	Subject string
	Award   passport.AwardRef
	TxCode  string // the PIN shown to the student; stored hashed, never returned
	Expires time.Time
}

// newToken is a random 256-bit token, base64url.
func newToken() (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("store: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// txHash binds a transaction code to its offer's code, so that the short
// PIN cannot be looked up on its own.
func txHash(code, tx string) []byte {
	h := sha256.Sum256([]byte("tx\x00" + code + "\x00" + tx))
	return h[:]
}

// CreateWalletOffer stores an offer and returns its pre-authorized code, a
// random 256-bit token of which only a hash is kept.
func (s *sqlStore) CreateWalletOffer(ctx context.Context, o WalletOffer) (string, error) {
	for _, f := range []struct{ name, v string }{{"subject", o.Subject}, {"space", o.Award.Space}, {"award", o.Award.Award}} {
		if err := checkField(f.name, f.v); err != nil {
			return "", err
		}
	}
	code, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO wallet_offers (code_hash, subject, space, award, tx_hash, expires_us) VALUES (?, ?, ?, ?, ?, ?)`),
		hashID(code), o.Subject, o.Award.Space, o.Award.Award, txHash(code, o.TxCode), us(o.Expires))
	if err != nil {
		return "", s.wrap(err)
	}
	return code, nil
}

// RedeemWalletOffer exchanges a pre-authorized code and its transaction
// code ("" when the offer has none) for an access token valid until
// tokenExpires. The exchange succeeds at most once per offer, across every
// process sharing the database (one conditional UPDATE). An unknown, used,
// expired or dead offer gives ErrNotFound; a wrong transaction code gives
// ErrTxCode and counts an attempt: after MaxTxCodeAttempts the offer is
// dead.
func (s *sqlStore) RedeemWalletOffer(ctx context.Context, code, tx string, now, tokenExpires time.Time) (string, WalletOffer, error) {
	if code == "" || len(code) > MaxFieldLen || len(tx) > MaxFieldLen {
		return "", WalletOffer{}, ErrNotFound
	}
	token, err := newToken()
	if err != nil {
		return "", WalletOffer{}, err
	}
	n, err := s.execCount(ctx, `UPDATE wallet_offers SET used = 1, token_hash = ?, token_expires_us = ?
		WHERE code_hash = ? AND used = 0 AND expires_us > ? AND attempts < ? AND tx_hash = ?`,
		hashID(token), us(tokenExpires), hashID(code), us(now), MaxTxCodeAttempts, txHash(code, tx))
	if err != nil {
		return "", WalletOffer{}, err
	}
	if n == 0 {
		n, err := s.execCount(ctx, `UPDATE wallet_offers SET attempts = attempts + 1
			WHERE code_hash = ? AND used = 0 AND expires_us > ? AND attempts < ?`,
			hashID(code), us(now), MaxTxCodeAttempts)
		switch {
		case err != nil:
			return "", WalletOffer{}, err
		case n == 1:
			return "", WalletOffer{}, ErrTxCode
		default:
			return "", WalletOffer{}, ErrNotFound
		}
	}
	o, err := s.WalletToken(ctx, token, now)
	return token, o, err
}

// WalletToken returns the offer an access token was issued for, or
// ErrNotFound when the token is unknown or expired at now.
func (s *sqlStore) WalletToken(ctx context.Context, token string, now time.Time) (WalletOffer, error) {
	if token == "" || len(token) > MaxFieldLen {
		return WalletOffer{}, ErrNotFound
	}
	st, err := s.prepared(ctx, `SELECT subject, space, award, token_expires_us FROM wallet_offers WHERE token_hash = ? AND token_expires_us > ?`)
	if err != nil {
		return WalletOffer{}, err
	}
	var o WalletOffer
	var exp int64
	err = st.QueryRowContext(ctx, hashID(token), us(now)).Scan(&o.Subject, &o.Award.Space, &o.Award.Award, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return WalletOffer{}, ErrNotFound
	}
	if err != nil {
		return WalletOffer{}, s.wrap(err)
	}
	o.Expires = fromUS(exp)
	return o, nil
}

// PurgeWalletOffers removes the offers whose code and token both expired
// at or before now.
func (s *sqlStore) PurgeWalletOffers(ctx context.Context, now time.Time) (int64, error) {
	return s.execCount(ctx, `DELETE FROM wallet_offers WHERE expires_us <= ? AND token_expires_us <= ?`, us(now), us(now))
}
