-- Blason claim store, PostgreSQL schema version 1.
-- Times are Unix microseconds (UTC) in BIGINT columns named *_us, as in the
-- SQLite schema, so both backends round-trip times identically. Columns
-- that results are ordered by use the "C" collation: byte order, as in
-- SQLite and Go, whatever the database's locale.

-- Server-side sessions; id_hash is the SHA-256 of the session ID (the ID
-- itself, the cookie value, is never stored).
CREATE TABLE sessions (
	id_hash    BYTEA  PRIMARY KEY,
	subject    TEXT   NOT NULL,
	idp        TEXT   NOT NULL,
	created_us BIGINT NOT NULL,
	expires_us BIGINT NOT NULL,
	csrf       BYTEA  NOT NULL,
	data       BYTEA  NOT NULL
);
CREATE INDEX sessions_subject ON sessions (subject);
CREATE INDEX sessions_expires ON sessions (expires_us);

-- SAML assertion IDs already seen (replay cache shared by replicas).
CREATE TABLE assertions (
	id                 TEXT   PRIMARY KEY,
	not_on_or_after_us BIGINT NOT NULL
);
CREATE INDEX assertions_expiry ON assertions (not_on_or_after_us);

-- Awards claimed by a subject.
CREATE TABLE claims (
	subject    TEXT   NOT NULL,
	space      TEXT   COLLATE "C" NOT NULL,
	award      TEXT   COLLATE "C" NOT NULL,
	claimed_us BIGINT NOT NULL,
	PRIMARY KEY (subject, space, award)
);

-- Passport consents: one passport per subject, slugs unique site-wide.
CREATE TABLE passports (
	subject      TEXT    PRIMARY KEY,
	slug         TEXT    COLLATE "C" NOT NULL,
	display_name TEXT    NOT NULL,
	indexable    BOOLEAN NOT NULL,
	email        TEXT    NOT NULL DEFAULT '',
	lang         TEXT    NOT NULL DEFAULT '',
	created_us   BIGINT  NOT NULL,
	updated_us   BIGINT  NOT NULL,
	CONSTRAINT passports_slug_unique UNIQUE (slug)
);
CREATE TABLE passport_awards (
	subject  TEXT    NOT NULL REFERENCES passports (subject) ON DELETE CASCADE,
	space    TEXT    NOT NULL,
	award    TEXT    NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (subject, space, award)
);
CREATE UNIQUE INDEX passport_awards_order ON passport_awards (subject, position);

-- One row: a counter bumped by every passport change.
-- Every passport address ever used, kept by its first owner for good: a
-- deleted or renamed passport's old links (printed CVs, QR codes) never
-- show another student's page.
CREATE TABLE slugs (
	slug    TEXT PRIMARY KEY,
	subject TEXT NOT NULL
);

CREATE TABLE passports_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT  NOT NULL
);
INSERT INTO passports_version (id, version) VALUES (1, 0);

-- Audit trail; kind and detail hold no personal data.
CREATE TABLE events (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subject TEXT   NOT NULL,
	kind    TEXT   NOT NULL,
	detail  TEXT   NOT NULL,
	at_us   BIGINT NOT NULL
);
CREATE INDEX events_subject ON events (subject, at_us, id);
