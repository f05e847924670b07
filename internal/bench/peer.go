package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/francebadge/blason/internal/jsonld"
)

// PeerScript is the peer issuer run by --compare, relative to the
// repository root: Digital Bazaar's @digitalbazaar/vc with the
// eddsa-rdfc-2022 cryptosuite, pinned in tools/vcverify/package-lock.json.
const PeerScript = "tools/vcverify/issue.mjs"

// Peer is one run of the peer issuer.
type Peer struct {
	Libraries string // names and versions of the libraries that signed
	Count     int
	Workers   int
	Seconds   float64
	PerSecond float64
}

// FindPeer returns the peer script above the working folder (the
// repository checkout `blason bench --compare` is run from), or says how to
// install it.
func FindPeer() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(PeerScript))
		if _, err := os.Stat(p); err == nil {
			mod := filepath.Join(filepath.Dir(p), "node_modules", "@digitalbazaar", "vc", "package.json")
			if _, err := os.Stat(mod); err != nil {
				return "", fmt.Errorf("the peer issuer's libraries are not installed: run npm ci --prefix %s", filepath.Dir(p))
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("--compare runs the peer issuer %s of a Blason source checkout: run it from one", PeerScript)
		}
		dir = parent
	}
}

// RunPeer issues count copies of the credential file template (its proof
// removed) with the peer issuer script on workers threads. The contexts
// the script needs are written under dir from Blason's embedded copies.
func RunPeer(ctx context.Context, script, template, dir string, count, workers int) (*Peer, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("--compare needs Node.js (node) on PATH")
	}
	files := map[string]string{}
	for i, u := range []string{jsonld.CredentialsV2, jsonld.OpenBadgesV3, jsonld.OBExtensions,
		jsonld.DataIntegrityV2, jsonld.MultikeyV1, jsonld.StatusListV1} {
		b, ok := jsonld.Bytes(u)
		if !ok {
			return nil, fmt.Errorf("no embedded context for %s", u)
		}
		f := filepath.Join(dir, fmt.Sprintf("context-%d.json", i))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return nil, err
		}
		files[u] = f
	}
	in, err := json.Marshal(map[string]any{"contexts": files, "template": template, "count": count, "workers": workers})
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("peer issuer: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	p := &Peer{Libraries: peerLibraries(filepath.Dir(script))}
	if err := json.Unmarshal(stdout.Bytes(), p); err != nil {
		return nil, fmt.Errorf("peer issuer output %q: %v", stdout.String(), err)
	}
	if p.Count != count {
		return nil, fmt.Errorf("peer issuer signed %d credentials, want %d", p.Count, count)
	}
	return p, nil
}

// peerLibraries names the installed versions of the libraries that sign.
func peerLibraries(tool string) string {
	var out []string
	for _, name := range []string{"@digitalbazaar/vc", "@digitalbazaar/eddsa-rdfc-2022-cryptosuite", "@digitalbazaar/data-integrity"} {
		var pkg struct{ Version string }
		b, err := os.ReadFile(filepath.Join(tool, "node_modules", filepath.FromSlash(name), "package.json"))
		if err == nil && json.Unmarshal(b, &pkg) == nil {
			out = append(out, name+"@"+pkg.Version)
		}
	}
	return strings.Join(out, ", ")
}

// firstCredential returns an OB 3.0 credential file of the site at dest.
func firstCredential(dest string) (string, error) {
	var found string
	stop := errors.New("found")
	err := filepath.WalkDir(dest, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(p, ".json") && strings.Contains(filepath.ToSlash(p), "/credentials/") {
			found = p
			return stop
		}
		return nil
	})
	if found != "" {
		return found, nil
	}
	if err == nil {
		err = fmt.Errorf("no credential under %s", dest)
	}
	return "", err
}

// printPeer prints the peer's figures beside Blason's full build rate.
func printPeer(w io.Writer, p *Peer, blasonRate float64) {
	fmt.Fprintf(w, "peer issuer (%s): %d credentials in %.2fs on %d threads, %.0f credentials/s\n",
		p.Libraries, p.Count, p.Seconds, p.Workers, p.PerSecond)
	fmt.Fprintf(w, "Blason full build / peer issuer: %.1f×\n", blasonRate/p.PerSecond)
}
