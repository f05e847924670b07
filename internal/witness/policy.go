package witness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Policy says which witnesses must have cosigned a log's checkpoint: at
// least Quorum of the Witnesses, and the log itself (Log).
type Policy struct {
	Log       note.Verifier
	Witnesses []Verifier
	Quorum    int
}

// Result is what Check found: the witnesses whose cosignature verifies,
// and those the note has no cosignature from. Times has, for each
// cosignature/v1 that verifies, the time the witness says it cosigned
// (the checkpoint existed then); a plain Ed25519 cosignature has none.
type Result struct {
	Cosigned []string
	Missing  []string
	Times    map[string]time.Time
}

// Check accepts a signed checkpoint when the log's signature verifies and
// at least Quorum of the listed witnesses' cosignatures verify. A
// cosignature that is present but does not verify (an altered checkpoint
// or signature line) refuses the checkpoint, even with a quorum: the note
// was tampered with.
func (p Policy) Check(signed []byte) error {
	_, err := p.Verify(signed)
	return err
}

// Verify is Check that also tells which witnesses cosigned.
func (p Policy) Verify(signed []byte) (Result, error) {
	var r Result
	if p.Log == nil {
		return r, errors.New("the witness policy names no log key; add a line: log <vkey>")
	}
	n, err := note.Open(signed, note.VerifierList(p.Log))
	var invalid *note.InvalidSignatureError
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &invalid):
		return r, errors.New("the log's signature does not verify: the checkpoint was altered")
	case errors.As(err, &unverified):
		return r, fmt.Errorf("the checkpoint is not signed by the log's key %s", p.Log.Name())
	case err != nil:
		return r, fmt.Errorf("the checkpoint is not a signed note: %v", err)
	}
	if _, err := torchwood.ParseCheckpoint(n.Text); err != nil {
		return r, fmt.Errorf("the signed note is not a checkpoint: %v", err)
	}
	var bad []string
	for _, w := range p.Witnesses {
		if w.v == nil {
			return r, fmt.Errorf("witness %q has no verifier key; make it with NewVerifier", w.Name)
		}
		wn, err := note.Open(signed, note.VerifierList(w.v))
		switch {
		case err == nil:
			r.Cosigned = append(r.Cosigned, w.Name)
			if _, ok := w.v.(*cosignatureVerifier); ok {
				if ts, err := torchwood.CosignatureTimestamp(wn.Sigs[0]); err == nil {
					if r.Times == nil {
						r.Times = map[string]time.Time{}
					}
					r.Times[w.Name] = time.Unix(ts, 0).UTC()
				}
			}
		case errors.As(err, &invalid):
			bad = append(bad, w.Name)
		default:
			r.Missing = append(r.Missing, w.Name)
		}
	}
	if len(bad) > 0 {
		return r, fmt.Errorf("the cosignature of %s does not verify: the checkpoint or the cosignature line was altered", strings.Join(bad, ", "))
	}
	if len(r.Cosigned) < p.Quorum {
		return r, fmt.Errorf("only %d of the %d witness cosignatures the policy requires verify (missing: %s); ask the policy's witnesses to cosign this checkpoint", len(r.Cosigned), p.Quorum, strings.Join(r.Missing, ", "))
	}
	return r, nil
}

// ParsePolicy reads a witness policy, a text file of lines:
//
//	# a comment
//	log <log vkey>
//	witness <witness vkey> [<URL of the witness>]
//	quorum <N>
//
// The log line may be left out when the caller knows the log's key (its
// own log); quorum is required, between 1 and the number of witnesses.
// Errors name the file and line and say how to fix them.
func ParsePolicy(file string, data []byte) (Policy, error) {
	var p Policy
	var errs []error
	seen := map[string]int{}
	logLine, quorumLine := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		switch f[0] {
		case "log":
			if len(f) != 2 {
				errs = append(errs, fmt.Errorf("%s:%d: want: log <vkey> (the log's verifier key, one line)", file, n))
				continue
			}
			if logLine > 0 {
				errs = append(errs, fmt.Errorf("%s:%d: a second log line (the first is on line %d); a policy checks one log", file, n, logLine))
				continue
			}
			logLine = n
			v, err := note.NewVerifier(f[1])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: the log key is not a signed-note verifier key (%v); copy the log's vkey as the log publishes it", file, n, err))
				continue
			}
			p.Log = v
		case "witness":
			if len(f) != 2 && len(f) != 3 {
				errs = append(errs, fmt.Errorf("%s:%d: want: witness <vkey> [<URL>] (the witness's verifier key, then where it answers)", file, n))
				continue
			}
			v, err := NewVerifier(f[1])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: the witness key is not valid: %v", file, n, err))
				continue
			}
			// By name: two keys of one witness must not count twice.
			if first, ok := seen[v.Name]; ok {
				errs = append(errs, fmt.Errorf("%s:%d: witness %s is already listed on line %d; list each witness once", file, n, v.Name, first))
				continue
			}
			seen[v.Name] = n
			if len(f) == 3 {
				u, err := url.Parse(f[2])
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					errs = append(errs, fmt.Errorf("%s:%d: %q is not the URL of a witness; write its https:// address (the prefix of /add-checkpoint)", file, n, f[2]))
					continue
				}
				v.URL = strings.TrimSuffix(f[2], "/")
			}
			p.Witnesses = append(p.Witnesses, v)
		case "quorum":
			if quorumLine > 0 {
				errs = append(errs, fmt.Errorf("%s:%d: a second quorum line (the first is on line %d)", file, n, quorumLine))
				continue
			}
			quorumLine = n
			q, err := strconv.Atoi(strings.Join(f[1:], " "))
			if len(f) != 2 || err != nil || q < 1 {
				errs = append(errs, fmt.Errorf("%s:%d: want: quorum <N>, the number of witnesses that must cosign (at least 1)", file, n))
				continue
			}
			p.Quorum = q
		default:
			errs = append(errs, fmt.Errorf("%s:%d: unknown line %q; a policy has log, witness and quorum lines, and # comments", file, n, f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: cannot read the witness policy: %v", file, err))
	}
	switch {
	case quorumLine == 0 && len(errs) == 0:
		errs = append(errs, fmt.Errorf("%s: no quorum line; add one: quorum <N>, the number of witnesses that must cosign", file))
	case p.Quorum > len(p.Witnesses):
		errs = append(errs, fmt.Errorf("%s:%d: quorum %d is more than the %d witnesses listed; list more witnesses or lower the quorum", file, quorumLine, p.Quorum, len(p.Witnesses)))
	}
	if len(errs) > 0 {
		return Policy{}, errors.Join(errs...)
	}
	return p, nil
}
