package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/jsonld"
)

// Formats a Verifier recognises.
const (
	FormatOB2Hosted = "OB 2.0 hosted"
	FormatOB2Signed = "OB 2.0 signed"
	FormatOB3DI     = "OB 3.0 Data Integrity"
	FormatOB3JWT    = "OB 3.0 VC-JWT"
	FormatUnknown   = "unknown"
)

// Verifier verifies any badge Blason publishes, recognising its format.
type Verifier struct {
	Fetcher Fetcher
	ob2     OB2
	ob3     *OB3
}

// New returns a verifier that fetches with f and judges dates against now.
func New(f Fetcher, now time.Time) *Verifier {
	l := jsonld.NewLoader()
	bf := budgetFetcher{f}
	return &Verifier{Fetcher: f, ob2: OB2{Fetcher: bf, Loader: l, Now: now}, ob3: &OB3{Fetcher: bf, Loader: l, Now: now}}
}

var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// Bytes verifies a badge given as bytes. At most MaxFetches resources are
// fetched for it, and verification stops when ctx is done (a deadline is
// reported as "verification timed out").
func (v *Verifier) Bytes(ctx context.Context, data []byte, rcpt *Recipient) (string, Report) {
	ctx = withBudget(ctx)
	format, rep := v.bytes(ctx, data, rcpt)
	timedOut(ctx, &rep)
	return format, rep
}

// timedOut reports an input whose context ended during its verification.
func timedOut(ctx context.Context, rep *Report) {
	if ctx.Err() != nil && !slices.Contains(rep.Problems, errTimedOut.Error()) {
		rep.fail("%v", errTimedOut)
	}
}

func (v *Verifier) bytes(ctx context.Context, data []byte, rcpt *Recipient) (string, Report) {
	if payload, version, ok := unbake(data); ok {
		format, rep := v.baked(ctx, payload, rcpt)
		return fmt.Sprintf("%s, baked in %s", format, version), rep
	}
	data = bytes.TrimSpace(data)
	if compactJWS.Match(data) {
		parts := strings.Split(string(data), ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		var m map[string]any
		if err == nil && json.Unmarshal(payload, &m) == nil {
			if _, ob2 := m["verification"]; ob2 {
				return FormatOB2Signed, v.ob2.Signed(ctx, data, rcpt)
			}
		}
		return FormatOB3JWT, v.ob3.JWT(ctx, data, rcpt)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		rep := Report{}
		rep.fail("neither JSON nor a compact JWS")
		return FormatUnknown, rep
	}
	ctxs := asStrings(m["@context"])
	switch {
	case slices.Contains(ctxs, jsonld.OpenBadgesV2):
		// For hosted badges the copy at the id URL is the source of truth.
		id, _ := m["id"].(string)
		return FormatOB2Hosted, v.ob2.Hosted(ctx, id, rcpt)
	case len(ctxs) > 0 && ctxs[0] == jsonld.CredentialsV2:
		return FormatOB3DI, v.ob3.DataIntegrity(ctx, data, rcpt)
	}
	rep := Report{}
	rep.fail("not an Open Badges 2.0 or 3.0 document")
	return FormatUnknown, rep
}

// Target verifies a file or an http(s) URL.
func (v *Verifier) Target(ctx context.Context, target string, rcpt *Recipient) (string, Report) {
	ctx = withBudget(ctx)
	var data []byte
	var err error
	if isHTTP(target) {
		data, _, err = budgetFetcher{v.Fetcher}.Fetch(ctx, target)
	} else {
		data, err = os.ReadFile(target)
	}
	if err != nil {
		rep := Report{URL: target}
		rep.fail("%v", err)
		timedOut(ctx, &rep)
		return FormatUnknown, rep
	}
	f, rep := v.Bytes(ctx, data, rcpt)
	if rep.URL == "" {
		rep.URL = target
	}
	return f, rep
}

// unbake extracts the badge baked in a PNG or SVG image, preferring an
// Open Badges 3.0 payload; ok is false for anything that is not an image.
func unbake(data []byte) (payload []byte, image string, ok bool) {
	var get func([]byte, bake.Version) (string, error)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		get, image = bake.UnbakePNG, "PNG"
	case looksLikeSVG(data):
		get, image = bake.UnbakeSVG, "SVG"
	default:
		return nil, "", false
	}
	for _, v := range []bake.Version{bake.OB3, bake.OB2} {
		if p, err := get(data, v); err == nil {
			return []byte(p), image, true
		}
	}
	return nil, image, true // an image without a badge
}

func looksLikeSVG(data []byte) bool {
	head := data[:min(len(data), 1024)]
	t := bytes.TrimSpace(head)
	return (bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<svg"))) && bytes.Contains(head, []byte("<svg"))
}

// baked verifies a payload read from an image: a JSON document, a compact
// JWS, or the URL of a hosted assertion.
func (v *Verifier) baked(ctx context.Context, payload []byte, rcpt *Recipient) (string, Report) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 {
		rep := Report{}
		rep.fail("the image holds no Open Badges payload")
		return FormatUnknown, rep
	}
	if isHTTP(string(p)) {
		return FormatOB2Hosted, v.ob2.Hosted(ctx, string(p), rcpt)
	}
	return v.bytes(ctx, p, rcpt)
}
