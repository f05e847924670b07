// Package keys manages the private material kept under keys/: per space, the
// space secret and the signing keys as JWK files. Nothing in this package ever
// writes under the site output folder.
//
// Layout: keys/<space>/secret (hex, used for award ids and recipient salts)
// and keys/<space>/<kid>.jwk (one private JWK per signing key, see Keyring).
package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretSize is the size in bytes of a space secret.
const SecretSize = 32

// Store is the keys folder.
type Store struct {
	Dir  string    // the keys/ folder
	Rand io.Reader // entropy for new secrets
}

func (s Store) secretPath(space string) string {
	return filepath.Join(s.Dir, space, "secret")
}

// Secret reads the secret of space. It returns fs.ErrNotExist when there is none.
func (s Store) Secret(space string) ([]byte, error) {
	b, err := os.ReadFile(s.secretPath(space))
	if err != nil {
		return nil, err
	}
	sec, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(sec) != SecretSize {
		return nil, fmt.Errorf("%s: not a %d-byte hex secret; restore it from your backup (award ids and salts depend on it)", s.secretPath(space), SecretSize)
	}
	return sec, nil
}

// EnsureSecret returns the secret of space, creating it when missing. The
// boolean reports whether it was created.
func (s Store) EnsureSecret(space string) ([]byte, bool, error) {
	sec, err := s.Secret(space)
	if err == nil {
		return sec, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	sec = make([]byte, SecretSize)
	if _, err := io.ReadFull(s.Rand, sec); err != nil {
		return nil, false, fmt.Errorf("generating secret for %s: %w", space, err)
	}
	p := s.secretPath(space)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, err
	}
	if _, err := f.WriteString(hex.EncodeToString(sec) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	return sec, true, nil
}
