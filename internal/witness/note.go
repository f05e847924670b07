package witness

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// openUnverified parses a signed note without checking any signature.
func openUnverified(signed []byte) (*note.Note, error) {
	n, err := note.Open(signed, note.VerifierList())
	var u *note.UnverifiedNoteError
	if errors.As(err, &u) {
		return u.Note, nil
	}
	if err == nil {
		return n, nil
	}
	return nil, err
}

// parseLines reads cosignature lines ("— name base64", one per line, as a
// witness answers) given the note text they sign.
func parseLines(text string, lines []byte) ([]note.Signature, error) {
	if len(bytes.TrimSpace(lines)) == 0 {
		return nil, errors.New("no signature line")
	}
	if !bytes.HasSuffix(lines, []byte("\n")) {
		lines = append(slices.Clip(lines), '\n')
	}
	n, err := openUnverified(append([]byte(text+"\n"), lines...))
	if err != nil {
		return nil, fmt.Errorf("malformed signature lines: %v", err)
	}
	return n.UnverifiedSigs, nil
}

// Merge adds cosignature lines (as witnesses answer them) to a signed
// checkpoint. The note's first signature, the log's, stays first; the
// others follow sorted by name, key hash and signature, one per key: a new
// cosignature from a key replaces the one the note had. The same inputs
// always give the same bytes, whatever the order the witnesses answered in.
func Merge(signed []byte, cosignatures ...[]byte) ([]byte, error) {
	n, err := openUnverified(signed)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint is not a signed note: %v", err)
	}
	if len(n.UnverifiedSigs) == 0 {
		return nil, errors.New("the checkpoint has no signature")
	}
	first := n.UnverifiedSigs[0]
	type key struct {
		name string
		hash uint32
	}
	byKey := map[key]note.Signature{}
	for _, s := range n.UnverifiedSigs[1:] {
		byKey[key{s.Name, s.Hash}] = s
	}
	for _, lines := range cosignatures {
		sigs, err := parseLines(n.Text, lines)
		if err != nil {
			return nil, err
		}
		for _, s := range sigs {
			if s.Name == first.Name && s.Hash == first.Hash {
				continue // the log's own key: keep the log's signature
			}
			byKey[key{s.Name, s.Hash}] = s
		}
	}
	rest := make([]note.Signature, 0, len(byKey))
	for _, s := range byKey {
		rest = append(rest, s)
	}
	slices.SortFunc(rest, func(a, b note.Signature) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if a.Hash != b.Hash {
			if a.Hash < b.Hash {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Base64, b.Base64)
	})
	out := &note.Note{Text: n.Text, UnverifiedSigs: append([]note.Signature{first}, rest...)}
	return note.Sign(out)
}
