// Package storetest gives tests an empty PostgreSQL schema of the test
// database named by BLASON_TEST_POSTGRES (started by .ci/postgres.sh).
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// FreshPostgres returns a DSN for a new, empty schema, dropped when the test
// ends. Without BLASON_TEST_POSTGRES the test is skipped, or fails under
// CI=true.
func FreshPostgres(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv("BLASON_TEST_POSTGRES")
	if base == "" {
		msg := "BLASON_TEST_POSTGRES is not set; run `eval \"$(bash .ci/postgres.sh)\"` as root to start a local PostgreSQL"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var r [6]byte
	rand.Read(r[:])
	schema := prefix + "_" + hex.EncodeToString(r[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
