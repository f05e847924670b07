package logwitness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/witness"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Options say which published log to have cosigned, and by whom.
type Options struct {
	// Source is the project's folder (holding blason.yaml): the cosigned
	// checkpoint is kept in Source/StateFile.
	Source string
	// Site is the published site's folder (holding log/), or the log's.
	Site string
	// Policy lists the witnesses and the quorum; without a log key, the
	// log's published key is used.
	Policy witness.Policy
	// HTTP sends the requests to the witnesses; nil is a client with a
	// 30-second timeout.
	HTTP *http.Client
}

// Kind classifies a witness's failure.
type Kind int

// The kinds of failure.
const (
	Unreachable    Kind = iota // no answer: down, wrong URL, network
	Forked                     // the checkpoint does not extend what it cosigned
	RolledBack                 // it cosigned a larger tree of this log
	Refused                    // it does not know the log or its key (403, 404)
	BadCosignature             // its answer does not verify with its key
	Other
)

// Failure is one witness that did not cosign.
type Failure struct {
	Witness string // its name
	URL     string
	Kind    Kind
	Err     error // a message for the user
}

// Outcome is what Cosign did.
type Outcome struct {
	Origin   string
	Size     int64
	Asked    []string // the witnesses asked (those with a URL), in policy order
	Cosigned []string // those that cosigned now
	Failures []Failure
	// Result is the policy's check of the cosigned checkpoint.
	Result witness.Result
	// Signed is the checkpoint with the cosignatures merged.
	Signed []byte
	// Written lists the files written (none when the quorum is not met or
	// a witness reports a fork or a rollback).
	Written []string
	// KeyFromLog is true when the log's key was read from the published
	// log, the policy naming none.
	KeyFromLog bool
}

// Cosign reads the published checkpoint of the log in o.Site, checks the
// log's signature and that the published tiles hold its tree, asks each
// witness of the policy with a URL to cosign it (with a consistency proof,
// from the published tiles, from the size the witness last cosigned),
// merges the cosignatures into the checkpoint (keeping those it already
// had, and those of o.Source/StateFile for the same checkpoint) and, when
// the policy's quorum is met and no witness reported a fork or a rollback,
// writes it to o.Source/StateFile and over the published checkpoint.
// Otherwise it writes nothing and says why; the outcome lists each
// witness's failure.
func Cosign(ctx context.Context, o Options) (*Outcome, error) {
	l, err := openDir(o.Site)
	if err != nil {
		return nil, err
	}
	logV, fromPolicy, err := l.Verifier(o.Policy.Log)
	if err != nil {
		return nil, err
	}
	if _, err := note.Open(l.Signed, note.VerifierList(logV)); err != nil {
		return nil, fmt.Errorf("the published checkpoint (%s) is not validly signed by the log's key %s; build the site again", filepath.Join(l.Dir, CheckpointFile), logV.Name())
	}
	if err := l.CheckTiles(ctx); err != nil {
		return nil, err
	}
	p := o.Policy
	p.Log = logV
	out := &Outcome{Origin: l.Checkpoint.Origin, Size: l.Checkpoint.N, KeyFromLog: !fromPolicy}

	// The cosignatures kept from a previous run, and the sizes witnesses
	// cosigned then.
	base := l.Signed
	var prev []byte
	statePath := filepath.Join(o.Source, filepath.FromSlash(StateFile))
	if b, err := os.ReadFile(statePath); err == nil {
		if n, err := openUnverified(b); err == nil {
			if n.Text == l.Text {
				if m, err := witness.Merge(l.Signed, sigLines(b)); err == nil {
					base = m
				}
			} else {
				prev = b
			}
		}
	}
	prevSize := int64(-1)
	if prev != nil {
		if n, _ := openUnverified(prev); n != nil {
			if cp, err := parseCheckpoint(n.Text); err == nil && cp.Origin == l.Checkpoint.Origin && cp.N <= l.Checkpoint.N {
				prevSize = cp.N
			}
		}
	}

	client := &witness.Client{HTTP: o.HTTP, Proof: l.Prove}
	answers := make([][]byte, len(p.Witnesses))
	fails := make([]*Failure, len(p.Witnesses))
	var wg sync.WaitGroup
	for i, w := range p.Witnesses {
		if w.URL == "" {
			continue
		}
		out.Asked = append(out.Asked, w.Name)
		one := witness.Policy{Log: logV, Witnesses: []witness.Verifier{w}, Quorum: 1}
		wg.Go(func() {
			old := int64(0)
			var proof tlog.TreeProof
			if prevSize > 0 && one.Check(prev) == nil {
				old = prevSize
				if old < l.Checkpoint.N {
					var perr error
					if proof, perr = l.Prove(ctx, old, l.Checkpoint.N); perr != nil {
						old, proof = 0, nil
					}
				}
			}
			lines, err := client.AddCheckpoint(ctx, w.URL, old, proof, l.Signed)
			if err != nil {
				fails[i] = classify(w, err)
				return
			}
			m, err := witness.Merge(l.Signed, lines)
			if err == nil {
				err = one.Check(m)
			}
			if err != nil {
				fails[i] = &Failure{Witness: w.Name, URL: w.URL, Kind: BadCosignature,
					Err: fmt.Errorf("witness %s answered with a cosignature that does not verify with its key in the policy; check the key the policy lists for it", w.Name)}
				return
			}
			answers[i] = lines
		})
	}
	wg.Wait()
	var keep [][]byte
	fork := false
	for i, w := range p.Witnesses {
		if answers[i] != nil {
			keep = append(keep, answers[i])
			out.Cosigned = append(out.Cosigned, w.Name)
		}
		if f := fails[i]; f != nil {
			out.Failures = append(out.Failures, *f)
			fork = fork || f.Kind == Forked || f.Kind == RolledBack
		}
	}
	merged, err := witness.Merge(base, keep...)
	if err != nil {
		return out, err
	}
	out.Signed = merged
	res, verr := p.Verify(merged)
	out.Result = res
	if fork {
		return out, fmt.Errorf("a witness refused the checkpoint of size %d as a fork or a rollback of the log; nothing was written", out.Size)
	}
	if verr != nil {
		// A cosignature kept from before that no longer verifies, or too
		// few cosignatures.
		return out, fmt.Errorf("the checkpoint of size %d does not meet the witness policy (%d of the %d cosignatures it requires); nothing was written", out.Size, len(res.Cosigned), p.Quorum)
	}
	for _, f := range []string{statePath, filepath.Join(l.Dir, CheckpointFile)} {
		if err := publish.WriteAtomic(f, merged, 0o644); err != nil {
			return out, fmt.Errorf("cannot write the cosigned checkpoint: %v", err)
		}
		out.Written = append(out.Written, f)
	}
	return out, nil
}

// classify explains a witness's failure to cosign.
func classify(w witness.Verifier, err error) *Failure {
	f := &Failure{Witness: w.Name, URL: w.URL, Kind: Other, Err: err}
	var se *witness.StatusError
	var re *witness.RollbackError
	var ue *url.Error
	switch {
	case errors.As(err, &re):
		f.Kind = RolledBack
		f.Err = fmt.Errorf("witness %s REFUSED the checkpoint: it has cosigned a larger tree of this log (size %d) than this checkpoint (size %d). The log was rewound (entries dropped, or an old copy restored) or another log uses its origin. Do not publish it: restore the log from its published tiles and build again", w.Name, re.Known, re.Size)
	case errors.As(err, &se) && se.Status == http.StatusUnprocessableEntity:
		f.Kind = Forked
		f.Err = fmt.Errorf("witness %s REFUSED the checkpoint: it does not extend the tree of size %d the witness cosigned before. The log was forked or rewritten: published entries were changed or dropped. Do not publish it: restore the log from its published tiles and build again", w.Name, se.Old)
	case errors.As(err, &se) && (se.Status == http.StatusConflict && se.Known == se.Size || se.Status == http.StatusUnprocessableEntity && se.Old == se.Size):
		f.Kind = Forked
		f.Err = fmt.Errorf("witness %s REFUSED the checkpoint: it has cosigned another tree of the same size %d. The log was forked or rewritten: published entries were changed. Do not publish it: restore the log from its published tiles and build again", w.Name, se.Size)
	case errors.As(err, &se) && (se.Status == http.StatusForbidden || se.Status == http.StatusNotFound):
		f.Kind = Refused
		f.Err = fmt.Errorf("witness %s refused the checkpoint: %v", w.Name, err)
	case errors.As(err, &ue):
		f.Kind = Unreachable
		f.Err = fmt.Errorf("witness %s at %s is unreachable (%v); check its URL in the policy, or ask again later", w.Name, w.URL, ue.Err)
	default:
		f.Err = fmt.Errorf("witness %s did not cosign: %v", w.Name, err)
	}
	return f
}
