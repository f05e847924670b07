package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteParams: WAL (readers never block the writer), a busy timeout so
// concurrent writers wait instead of failing, foreign keys, and write
// transactions that take the write lock when they begin (no deadlock when
// two transactions that read first both try to write).
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"

func openSQLite(ctx context.Context, file string) (Store, error) {
	if file == "" || file == ":memory:" {
		return nil, fmt.Errorf("store: SQLite needs a file path (an in-memory database would be lost and is not shared between connections)")
	}
	list, err := loadMigrations("sqlite")
	if err != nil {
		return nil, err
	}
	d := &dialect{
		name:      "sqlite",
		slugTaken: sqliteSlugTaken,
		migrations: migrations{
			list:        list,
			bookkeeping: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
			// BEGIN IMMEDIATE (_txlock) already excludes other writers.
		},
	}
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + sqliteParams
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open SQLite database %s: %w", file, err)
	}
	s := &sqlStore{db: db, d: d}
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open SQLite database %s: %w; check that its folder exists and is writable", file, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

// pingSQLite opens a first connection. Switching a new database to WAL
// needs the database to itself, and SQLite answers SQLITE_BUSY at once,
// without its busy handler, while another replica opening at the same
// moment holds it: such a refusal is tried again for as long as the busy
// timeout (10 s).
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.PingContext(ctx)
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func sqliteSlugTaken(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE && strings.Contains(e.Error(), "passports.slug")
}
