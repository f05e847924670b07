package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/jsonld"
)

// ScriptPath is the glue script around the pinned third-party verifiers
// (tools/vcverify/package.json), relative to the module root.
const ScriptPath = "tools/vcverify/verify.mjs"

// requireNode returns the node executable and the module root, skipping the
// test when Node or the verifiers are missing (failing it under CI=true).
func requireNode(t testing.TB) (node, root string) {
	t.Helper()
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, _ = demotest.Node(t, root, "tools/vcverify", "@digitalbazaar/vc")
	return node, root
}

// contextFiles maps each JSON-LD context URL Blason knows to its embedded
// copy in internal/jsonld/contexts, matched by content: the verifiers read
// the very bytes Blason canonicalizes with.
func contextFiles(root string) (map[string]string, error) {
	dir := filepath.Join(root, "internal", "jsonld", "contexts")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	onDisk := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		onDisk[string(b)] = filepath.Join(dir, e.Name())
	}
	out := map[string]string{}
	for _, u := range []string{jsonld.CredentialsV2, jsonld.OpenBadgesV3, jsonld.OBExtensions, jsonld.DataIntegrityV2,
		jsonld.MultikeyV1, jsonld.JWKV1, jsonld.StatusListV1, jsonld.CIDV1, jsonld.DIDV1, jsonld.OpenBadgesV2} {
		b, ok := jsonld.Bytes(u)
		if !ok {
			return nil, fmt.Errorf("no embedded context for %s", u)
		}
		f, ok := onDisk[string(b)]
		if !ok {
			return nil, fmt.Errorf("the embedded context of %s is not a file of %s", u, dir)
		}
		out[u] = f
	}
	return out, nil
}

// item is one file for the script to check.
type item struct {
	ID          string            `json:"id"`
	Kind        string            `json:"kind"` // credential, jwt, image, statuslist, status-variant
	File        string            `json:"file"`
	Overrides   map[string]string `json:"overrides,omitempty"` // URL → file served in its place
	VerifyLists bool              `json:"verifyLists,omitempty"`
	Pair        string            `json:"pair,omitempty"` // jwt: the credential JSON it must carry
}

// result is the script's answer for one item.
type result struct {
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	File    string          `json:"file"`
	Outcome string          `json:"outcome"` // valid, expired, revoked, suspended, invalid; checked for status-variant
	Reasons []string        `json:"reasons"`
	Detail  json.RawMessage `json:"detail"`
}

type request struct {
	Base     string            `json:"base"`
	Site     string            `json:"site"`
	Contexts map[string]string `json:"contexts"`
	Schema   string            `json:"schema"`
	Now      string            `json:"now"`
	Items    []item            `json:"items"`
}

// runScript runs the verifiers once over every item. With $BLASON_ARTEFACTS
// set, their whole answer is saved there as conformance-results.json.
func runScript(node, root string, req request) (map[string]result, time.Duration, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, filepath.FromSlash(ScriptPath)))
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		return nil, took, fmt.Errorf("%s: %v\n%s", ScriptPath, err, strings.TrimSpace(stderr.String()))
	}
	var rs []result
	if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil {
		return nil, took, fmt.Errorf("%s output: %v\nstderr: %s", ScriptPath, err, stderr.String())
	}
	if dir := os.Getenv("BLASON_ARTEFACTS"); dir != "" {
		// Everything the verifiers said, for people to read.
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, "conformance-results.json"), stdout.Bytes(), 0o644)
		}
	}
	out := make(map[string]result, len(rs))
	for _, r := range rs {
		out[r.ID] = r
	}
	for _, it := range req.Items {
		if _, ok := out[it.ID]; !ok {
			return nil, took, fmt.Errorf("%s gave no result for %s", ScriptPath, it.ID)
		}
	}
	return out, took, nil
}
