-- Blason claim store, SQLite schema version 2: when a student first took
-- the VC-JWT form of an award (the form wallets import), for `blason
-- export`; 0 when never.
ALTER TABLE claims ADD COLUMN wallet_us INTEGER NOT NULL DEFAULT 0;
CREATE INDEX claims_award ON claims (space, award);
CREATE INDEX events_at ON events (at_us);
