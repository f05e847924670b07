package keys

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

func TestBackupRestoreRoundTrip(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	if _, _, err := s.EnsureSecret("ecole"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("ecole", EdDSA); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(s.Dir, "ecole", "status.ledger"), []byte("blason-status-ledger 1\nsize 131072\n"), 0o644)
	os.WriteFile(filepath.Join(s.Dir, "ecole", ".ledger-123"), []byte("temporary"), 0o600)

	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	files, err := s.Backup(&buf, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("backed up %d files, want 3 (secret, key, ledger; no hidden file)", len(files))
	}
	if bytes.Contains(buf.Bytes(), []byte("blason-status-ledger")) {
		t.Fatal("the backup is not encrypted")
	}
	if _, err := ReadBackup(bytes.NewReader(buf.Bytes()), mustIdentity(t)); err == nil {
		t.Fatal("another identity decrypted the backup")
	}
	got, err := ReadBackup(bytes.NewReader(buf.Bytes()), id)
	if err != nil {
		t.Fatal(err)
	}

	// Restore into an empty folder: same bytes, same modes.
	r := Store{Dir: filepath.Join(t.TempDir(), "keys")}
	res, err := r.Restore(got, false)
	if err != nil || len(res.Written) != 3 {
		t.Fatalf("restore: %v, %+v", err, res)
	}
	for _, f := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(f.Name))
		b, err := os.ReadFile(p)
		fi, _ := os.Stat(p)
		if err != nil || !bytes.Equal(b, f.Data) || fi.Mode().Perm() != f.Mode {
			t.Errorf("%s: %v, mode %v want %v", f.Name, err, fi.Mode().Perm(), f.Mode)
		}
	}
	if fi, _ := os.Stat(filepath.Join(r.Dir, "ecole", "secret")); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret restored with mode %v", fi.Mode().Perm())
	}
	if ring, err := r.Keyring("ecole"); err != nil || len(ring.Keys) != 1 {
		t.Fatalf("restored keyring: %v", err)
	}

	// A differing file is a conflict: nothing is written without force.
	sec := filepath.Join(r.Dir, "ecole", "secret")
	os.WriteFile(sec, []byte("other\n"), 0o600)
	os.Remove(filepath.Join(r.Dir, "ecole", "status.ledger"))
	if _, err := r.Restore(got, false); err == nil || !strings.Contains(err.Error(), sec) {
		t.Fatalf("conflict: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "ecole", "status.ledger")); err == nil {
		t.Fatal("a refused restore wrote a file")
	}
	if res, err := r.Restore(got, true); err != nil || len(res.Written) != 2 || len(res.Same) != 1 {
		t.Fatalf("forced restore: %v, %+v", err, res)
	}
}

func mustIdentity(t *testing.T) *age.X25519Identity {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestReadBackupRefusesEscapes: entries outside the keys folder, links and
// folders are refused.
func TestReadBackupRefusesEscapes(t *testing.T) {
	id := mustIdentity(t)
	for _, hdr := range []tar.Header{
		{Name: "../evil", Typeflag: tar.TypeReg},
		{Name: "/etc/evil", Typeflag: tar.TypeReg},
		{Name: "a/../../evil", Typeflag: tar.TypeReg},
		{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
		{Name: "dir/", Typeflag: tar.TypeDir},
	} {
		var buf bytes.Buffer
		w, _ := age.Encrypt(&buf, id.Recipient())
		tw := tar.NewWriter(w)
		hdr.Mode = 0o600
		tw.WriteHeader(&hdr)
		tw.Close()
		w.Close()
		if _, err := ReadBackup(&buf, id); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%q: err = %v", hdr.Name, err)
		}
	}
}

func TestRetiredKey(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	old, err := s.Create("ecole", EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retire("ecole", old.Kid, time.Now()); err == nil || !strings.Contains(err.Error(), "last EdDSA key") {
		t.Fatalf("retiring the last key: %v", err)
	}
	newer, err := s.NewKey("ecole", EdDSA, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	oldBytes := mustRead(t, old.Path)
	r, err := s.Retire("ecole", old.Kid, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old.Path); err == nil {
		t.Fatal("the private key is still there")
	}
	if b, _ := os.ReadFile(r.Path); bytes.Contains(b, []byte(`"d"`)) || !bytes.Contains(b, []byte(`"blason:retired": "2026-01-02"`)) {
		t.Fatalf("retired file:\n%s", b)
	}
	ring, err := s.Keyring("ecole")
	if err != nil || len(ring.Keys) != 2 {
		t.Fatalf("keyring: %v", err)
	}
	var got *Key
	for _, k := range ring.Keys {
		if k.Kid == old.Kid {
			got = k
		}
	}
	if got == nil || !got.IsRetired() || got.Signer() != nil || got.Thumbprint() != old.Thumbprint() {
		t.Fatalf("retired key loaded as %+v", got)
	}
	// Retired keys sign nothing: the next key signs the older awards too.
	if k := ring.Signing(EdDSA, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)); k == nil || k.Kid != newer.Kid {
		t.Fatalf("signing key for 2024: %v", k)
	}
	if len(ring.All(EdDSA)) != 2 {
		t.Fatal("All leaves out the retired key, which stays published")
	}
	if pj, err := got.PublicJWK(); err != nil || pj.KeyID() != old.Kid {
		t.Fatalf("public JWK of the retired key: %v", err)
	}
	if _, err := s.Retire("ecole", old.Kid, time.Now()); err == nil || !strings.Contains(err.Error(), "already retired") {
		t.Fatalf("retiring twice: %v", err)
	}
	// A private key and its retired file side by side is an error.
	os.WriteFile(old.Path, oldBytes, 0o600)
	if _, err := s.Keyring("ecole"); err == nil || !strings.Contains(err.Error(), "hold the same key") {
		t.Fatalf("a key both private and retired: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
