package keys

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

func TestEnsureSecretCreatesOnceAndKeeps(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	a, created, err := s.EnsureSecret("ecole")
	if err != nil || !created || len(a) != SecretSize {
		t.Fatalf("first EnsureSecret = %x, %v, %v", a, created, err)
	}
	b, created, err := s.EnsureSecret("ecole")
	if err != nil || created || !bytes.Equal(a, b) {
		t.Fatalf("second EnsureSecret = %x, %v, %v; want the same secret, not created", b, created, err)
	}
	fi, err := os.Stat(filepath.Join(s.Dir, "ecole", "secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

func TestSecretRejectsCorruptFile(t *testing.T) {
	s := Store{Dir: t.TempDir(), Rand: rand.Reader}
	os.MkdirAll(filepath.Join(s.Dir, "x"), 0o700)
	os.WriteFile(filepath.Join(s.Dir, "x", "secret"), []byte("zz\n"), 0o600)
	if _, _, err := s.EnsureSecret("x"); err == nil {
		t.Fatal("a corrupt secret was accepted")
	}
}
