package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ProofFunc returns the consistency proof from the log's tree of size
// oldSize to its tree of size newSize (0 < oldSize < newSize), as
// tlog.ProveTree makes it.
type ProofFunc func(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error)

// Client asks witnesses to cosign checkpoints (C2SP tlog-witness).
type Client struct {
	// HTTP sends the requests; nil is a client with a 30-second timeout.
	HTTP *http.Client
	// Proof makes the consistency proof from the size a witness reports
	// (409 Conflict) to the checkpoint's; nil returns the conflict as an
	// error instead of asking again.
	Proof ProofFunc
}

// Sentinel errors a *StatusError matches with errors.Is, one per refusal
// of the tlog-witness protocol.
var (
	ErrConflict   = errors.New("witness: conflicting old size")         // 409
	ErrBadProof   = errors.New("witness: consistency proof refused")    // 422
	ErrForbidden  = errors.New("witness: checkpoint signature refused") // 403
	ErrUnknownLog = errors.New("witness: unknown log")                  // 404
	ErrBadRequest = errors.New("witness: malformed request")            // 400
)

// StatusError is a witness's refusal of an add-checkpoint request.
type StatusError struct {
	Witness string // the witness's URL prefix
	Status  int    // the HTTP status
	Old     int64  // the old size sent
	Size    int64  // the checkpoint's size
	Known   int64  // 409: the size the witness last cosigned
	Body    string // the start of the answer's body, on one line
}

func (e *StatusError) Error() string {
	switch e.Status {
	case http.StatusConflict:
		return fmt.Sprintf("witness %s last cosigned the log at size %d, not %d; ask again from size %d with a consistency proof from there", e.Witness, e.Known, e.Old, e.Known)
	case http.StatusUnprocessableEntity:
		return fmt.Sprintf("witness %s refused the consistency proof from size %d to %d: this checkpoint does not extend the tree it cosigned (a forked or rewritten log), or the proof is wrong", e.Witness, e.Old, e.Size)
	case http.StatusForbidden:
		return fmt.Sprintf("witness %s refused the checkpoint (%s): it does not trust the log's key or the signature does not verify; ask its operator to add the log's verifier key", e.Witness, e.Body)
	case http.StatusNotFound:
		return fmt.Sprintf("witness %s does not know this log, or the URL is not a witness's (%s); ask its operator to add the log's origin and verifier key", e.Witness, e.Body)
	case http.StatusBadRequest:
		return fmt.Sprintf("witness %s refused the request as malformed (%s)", e.Witness, e.Body)
	}
	return fmt.Sprintf("witness %s answered %d %s (%s)", e.Witness, e.Status, http.StatusText(e.Status), e.Body)
}

// Is matches the sentinel error of the status.
func (e *StatusError) Is(target error) bool {
	switch e.Status {
	case http.StatusConflict:
		return target == ErrConflict
	case http.StatusUnprocessableEntity:
		return target == ErrBadProof
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrUnknownLog
	case http.StatusBadRequest:
		return target == ErrBadRequest
	}
	return false
}

// RollbackError is a witness's answer that it has cosigned a larger tree
// of the log than the checkpoint: the log was rolled back (or forked under
// its origin). errors.Is matches ErrRollback.
type RollbackError struct {
	Witness     string // the witness's URL prefix
	Known, Size int64  // the size the witness cosigned, the checkpoint's
}

// ErrRollback matches a *RollbackError.
var ErrRollback = errors.New("witness: the log was rolled back")

func (e *RollbackError) Error() string {
	return fmt.Sprintf("witness %s has cosigned a larger tree (size %d) than this checkpoint (size %d): the log was rolled back, or another log uses its origin", e.Witness, e.Known, e.Size)
}

// Is matches ErrRollback.
func (e *RollbackError) Is(target error) bool { return target == ErrRollback }

// maxAnswer bounds what is read of a witness's answer.
const maxAnswer = 64 << 10

// AddCheckpoint asks the witness at witnessURL (the prefix of its
// /add-checkpoint endpoint) to cosign a signed checkpoint, telling it the
// size it last cosigned (oldSize, 0 the first time) and the consistency
// proof from there. It returns the witness's cosignature lines, to add to
// the checkpoint with Merge. When the witness answers 409 with the size it
// knows, AddCheckpoint asks once more from that size, with a proof from
// c.Proof (none is needed when the witness knows this very size).
// A refusal is a *StatusError (errors.Is: ErrConflict, ErrBadProof,
// ErrForbidden, ErrUnknownLog, ErrBadRequest).
func (c *Client) AddCheckpoint(ctx context.Context, witnessURL string, oldSize int64, proof tlog.TreeProof, signed []byte) ([]byte, error) {
	witnessURL = strings.TrimSuffix(witnessURL, "/")
	n, err := openUnverified(signed)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint is not a signed note: %v", err)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, fmt.Errorf("the signed note is not a checkpoint: %v", err)
	}
	if oldSize < 0 || oldSize > cp.N {
		return nil, fmt.Errorf("old size %d is not between 0 and the checkpoint's size %d", oldSize, cp.N)
	}
	lines, err := c.post(ctx, witnessURL, oldSize, proof, signed, cp.N)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusConflict {
		return lines, err
	}
	known := se.Known
	if known > cp.N {
		return nil, &RollbackError{Witness: witnessURL, Known: known, Size: cp.N}
	}
	proof = nil
	if 0 < known && known < cp.N {
		if c.Proof == nil {
			return nil, err
		}
		if proof, err = c.Proof(ctx, known, cp.N); err != nil {
			return nil, fmt.Errorf("consistency proof from size %d to %d for witness %s: %w", known, cp.N, witnessURL, err)
		}
	}
	return c.post(ctx, witnessURL, known, proof, signed, cp.N)
}

// post sends one add-checkpoint request and reads the answer.
func (c *Client) post(ctx context.Context, witnessURL string, oldSize int64, proof tlog.TreeProof, signed []byte, size int64) ([]byte, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", oldSize)
	for _, h := range proof {
		body.WriteString(h.String())
		body.WriteByte('\n')
	}
	body.WriteByte('\n')
	body.Write(signed)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, witnessURL+"/add-checkpoint", &body)
	if err != nil {
		return nil, fmt.Errorf("witness URL %q: %v", witnessURL, err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness %s cannot be reached: %w", witnessURL, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("witness %s: reading its answer: %w", witnessURL, err)
	}
	if resp.StatusCode == http.StatusOK {
		n, _ := openUnverified(signed)
		if _, err := parseLines(n.Text, answer); err != nil {
			return nil, fmt.Errorf("witness %s answered with no cosignature line: %v", witnessURL, err)
		}
		return answer, nil
	}
	se := &StatusError{Witness: witnessURL, Status: resp.StatusCode, Old: oldSize, Size: size, Body: oneLine(answer)}
	if resp.StatusCode == http.StatusConflict {
		known, err := strconv.ParseInt(strings.TrimSpace(string(answer)), 10, 64)
		if err != nil || known < 0 {
			return nil, fmt.Errorf("witness %s answered 409 Conflict without the size it knows (%s)", witnessURL, se.Body)
		}
		se.Known = known
	}
	return nil, se
}

// oneLine shortens a witness's answer for an error message.
func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "no message"
	}
	return s
}

// Cosign asks every witness of the policy that has a URL to cosign the
// signed checkpoint (from old size 0: a witness that knows the log answers
// 409 with its size and is asked again with c.Proof), checks each answer
// against the witness's key, and returns the checkpoint with the
// cosignatures that verify merged in (Merge). The error joins every
// witness's failure and, when fewer than the policy's quorum cosigned, the
// policy's refusal; the returned note is usable as far as it goes.
func (c *Client) Cosign(ctx context.Context, p Policy, signed []byte) ([]byte, error) {
	n, err := openUnverified(signed)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint is not a signed note: %v", err)
	}
	answers := make([][]byte, len(p.Witnesses))
	errs := make([]error, len(p.Witnesses))
	var wg sync.WaitGroup
	for i, w := range p.Witnesses {
		if w.URL == "" {
			continue
		}
		wg.Go(func() {
			lines, err := c.AddCheckpoint(ctx, w.URL, 0, nil, signed)
			if err != nil {
				errs[i] = err
				return
			}
			own, err := verifyLines(n.Text, lines, w)
			if err != nil {
				errs[i] = fmt.Errorf("witness %s (%s): %w", w.Name, w.URL, err)
				return
			}
			answers[i] = own
		})
	}
	wg.Wait()
	var keep [][]byte
	for _, a := range answers {
		if a != nil {
			keep = append(keep, a)
		}
	}
	merged, err := Merge(signed, keep...)
	if err != nil {
		return nil, err
	}
	if err := p.Check(merged); err != nil {
		errs = append(errs, err)
	}
	return merged, errors.Join(errs...)
}

// verifyLines checks that a witness's answer holds its cosignature of text
// and returns that line alone (any other line of the answer is dropped).
func verifyLines(text string, lines []byte, w Verifier) ([]byte, error) {
	msg := append([]byte(text+"\n"), lines...)
	n, err := note.Open(msg, note.VerifierList(w.v))
	if err != nil {
		return nil, errors.New("its answer holds no valid cosignature from its key; check the key the policy lists for it")
	}
	var b bytes.Buffer
	for _, s := range n.Sigs {
		fmt.Fprintf(&b, "— %s %s\n", s.Name, s.Base64)
	}
	return b.Bytes(), nil
}
