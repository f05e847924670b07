package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// migrationLockKey is the PostgreSQL advisory lock taken while migrating
// ("blason" and 1 in hexadecimal ASCII).
const migrationLockKey int64 = 0x626c61736f6e0001

func openPostgres(ctx context.Context, dsn string) (Store, error) {
	list, err := loadMigrations("postgres")
	if err != nil {
		return nil, err
	}
	d := &dialect{
		name:      "postgres",
		dollar:    true,
		forUpdate: " FOR UPDATE",
		slugTaken: postgresSlugTaken,
		migrations: migrations{
			list:        list,
			bookkeeping: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
			lock: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey)
				return err
			},
		},
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL URL: %w", err) // pgx errors never repeat the password
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &sqlStore{db: db, d: d}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w; check the URL, that the server runs and that it accepts this role", err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func postgresSlugTaken(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" && e.ConstraintName == "passports_slug_unique"
}
