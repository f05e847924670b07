package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one embedded SQL file, migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is what a dialect needs to migrate its schema.
type migrations struct {
	list []migration
	// bookkeeping creates schema_migrations if missing.
	bookkeeping string
	// lock serialises migrations between processes for the transaction
	// (nil when beginning the transaction already does).
	lock func(ctx context.Context, tx *sql.Tx) error
}

// loadMigrations reads migrations/<dir>: files NNNN_name.sql numbered from
// 1 without gaps.
func loadMigrations(dir string) ([]migration, error) {
	root := path.Join("migrations", dir)
	entries, err := fs.ReadDir(migrationFiles, root)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration %s/%s: name it NNNN_what.sql", root, e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(root, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations in %s: version %d found where %d was expected; number them 1, 2, 3... without gaps", root, m.version, i+1)
		}
	}
	return out, nil
}

// latest is the newest schema version the binary knows.
func (m *migrations) latest() int { return len(m.list) }

// migrate brings the schema to the latest version in one transaction.
func (s *sqlStore) migrate(ctx context.Context) error {
	m := &s.d.migrations
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if m.lock != nil {
			if err := m.lock(ctx, tx); err != nil {
				return s.wrap(fmt.Errorf("migration lock: %w", err))
			}
		}
		if _, err := tx.ExecContext(ctx, m.bookkeeping); err != nil {
			return s.wrap(err)
		}
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&cur); err != nil {
			return s.wrap(err)
		}
		if int(cur.Int64) > m.latest() {
			return fmt.Errorf("%w: the database is at schema version %d, this blason knows versions up to %d; run a newer blason, or restore a backup taken before the upgrade",
				ErrSchemaTooNew, cur.Int64, m.latest())
		}
		for _, mg := range m.list[cur.Int64:] {
			if _, err := tx.ExecContext(ctx, mg.sql); err != nil {
				return s.wrap(fmt.Errorf("migration %d (%s): %w", mg.version, mg.name, err))
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`), mg.version, mg.name); err != nil {
				return s.wrap(err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the schema version recorded in the database.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return int(v.Int64), nil
}
