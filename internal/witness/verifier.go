// Package witness has a transparency log's checkpoint cosigned by witnesses
// and checks a policy of N of M witnesses.
//
// It speaks C2SP tlog-witness (POST <witness>/add-checkpoint with the size
// the witness last saw, a consistency proof and the signed checkpoint; the
// witness answers with its cosignature lines), merges the cosignatures into
// the checkpoint's signed note (C2SP signed-note), and verifies them: a
// witness key is a signed-note verifier key (vkey), of type 0x04 for a
// timestamped C2SP tlog-cosignature (cosignature/v1) or 0x01 for a plain
// Ed25519 note signature. Notes and checkpoints are read with
// golang.org/x/mod/sumdb/note and filippo.io/torchwood; the package holds no
// state and writes nothing.
package witness

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Key types of signed-note verifier keys (C2SP signed-note).
const (
	algEd25519       = 0x01
	algCosignatureV1 = 0x04
)

// Verifier is one witness: its name, its verifier key and, optionally, the
// URL prefix where it answers add-checkpoint requests.
type Verifier struct {
	Name string
	VKey string
	URL  string
	v    note.Verifier
}

// NewVerifier reads a witness's verifier key ("name+hash+base64 key",
// C2SP signed-note), of type cosignature/v1 (0x04) or Ed25519 (0x01).
func NewVerifier(vkey string) (Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	name, rest, ok1 := strings.Cut(vkey, "+")
	hash16, key64, ok2 := strings.Cut(rest, "+")
	hash, err1 := strconv.ParseUint(hash16, 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(key64)
	if !ok1 || !ok2 || len(hash16) != 8 || err1 != nil || err2 != nil || !validName(name) || len(key) == 0 {
		return Verifier{}, errors.New("malformed verifier key: want name+hash+base64 key, as the witness publishes it")
	}
	switch key[0] {
	case algEd25519:
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return Verifier{}, fmt.Errorf("malformed Ed25519 verifier key: %v", err)
		}
		return Verifier{Name: name, VKey: vkey, v: v}, nil
	case algCosignatureV1:
		pub := key[1:]
		if len(pub) != ed25519.PublicKeySize {
			return Verifier{}, errors.New("malformed cosignature/v1 verifier key: the public key is not 32 bytes")
		}
		if uint32(hash) != keyHash(name, key) {
			return Verifier{}, errors.New("malformed cosignature/v1 verifier key: its key hash does not match its name and key")
		}
		v := &cosignatureVerifier{name: name, hash: uint32(hash), key: ed25519.PublicKey(pub)}
		return Verifier{Name: name, VKey: vkey, v: v}, nil
	}
	return Verifier{}, fmt.Errorf("unsupported verifier key type %s: want 0x04 (cosignature/v1) or 0x01 (Ed25519)", fmt.Sprintf("0x%02x", key[0]))
}

// Note is the verifier as golang.org/x/mod/sumdb/note uses it.
func (v Verifier) Note() note.Verifier { return v.v }

// cosignatureVerifier verifies a C2SP tlog-cosignature cosignature/v1: the
// signature is an 8-byte big-endian UNIX time followed by the Ed25519
// signature of "cosignature/v1\ntime <t>\n" and the checkpoint.
// (filippo.io/torchwood v0.6.1 builds this verifier only from a private
// key; this is its verifying half, checked against torchwood's signer and a
// real litewitness in the tests.)
type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }

func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	m := fmt.Appendf(nil, "cosignature/v1\ntime %d\n", t)
	m = append(m, msg...)
	return ed25519.Verify(v.key, m, sig[8:])
}

// keyHash is the signed-note key hash: the first four bytes of
// SHA-256(name || "\n" || type || key).
func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validName is the signed-note rule for key names: not empty, valid UTF-8,
// no space and no plus.
func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}
