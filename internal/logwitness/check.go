package logwitness

import (
	"context"
	"fmt"
	"net/http"

	"filippo.io/torchwood"
	"github.com/francebadge/blason/internal/witness"
)

// Checked is what Check found.
type Checked struct {
	Log *Log
	// Result names the witnesses whose cosignature verifies, those
	// missing, and when each cosigned.
	Result witness.Result
	// KeyFromLog is true when the log's key was read from the published
	// log, the policy naming none.
	KeyFromLog bool
}

// Check reads the published log at loc (a site or log folder, or an
// http(s) URL) and checks that its checkpoint carries the log's valid
// signature and at least the policy's quorum of valid witness
// cosignatures (none altered), and that its published tiles hold the tree
// it signs.
func Check(ctx context.Context, loc string, p witness.Policy, hc *http.Client) (*Checked, error) {
	l, err := Open(ctx, loc, hc)
	if err != nil {
		return nil, err
	}
	v, fromPolicy, err := l.Verifier(p.Log)
	if err != nil {
		return nil, err
	}
	c := &Checked{Log: l, KeyFromLog: !fromPolicy}
	p.Log = v
	res, err := p.Verify(l.Signed)
	c.Result = res
	if err != nil {
		return c, fmt.Errorf("the checkpoint of %s (size %d) fails the witness policy: %w", l.Checkpoint.Origin, l.Checkpoint.N, err)
	}
	if err := l.CheckTiles(ctx); err != nil {
		return c, err
	}
	return c, nil
}

// parseCheckpoint reads a checkpoint's text.
func parseCheckpoint(text string) (torchwood.Checkpoint, error) {
	return torchwood.ParseCheckpoint(text)
}
