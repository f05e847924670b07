-- Blason claim store, PostgreSQL schema version 3: OpenID4VCI credential
-- offers (pre-authorized codes) and the access tokens they were exchanged
-- for. Codes, transaction codes and tokens are stored as SHA-256 hashes
-- only; a row is single use (used flips once, atomically) and short-lived.
CREATE TABLE wallet_offers (
	code_hash        BYTEA   PRIMARY KEY,
	subject          TEXT    NOT NULL,
	space            TEXT    NOT NULL,
	award            TEXT    NOT NULL,
	tx_hash          BYTEA   NOT NULL, -- empty: no transaction code
	expires_us       BIGINT  NOT NULL,
	attempts         BIGINT  NOT NULL DEFAULT 0,
	used             BIGINT  NOT NULL DEFAULT 0,
	token_hash       BYTEA   UNIQUE,
	token_expires_us BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX wallet_offers_subject ON wallet_offers (subject);
CREATE INDEX wallet_offers_expiry ON wallet_offers (expires_us);
