package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/demotest"
)

// TestCompareWithPeer runs a small benchmark with --compare: Blason builds a
// synthetic site, then the pinned peer issuer signs copies of one of its
// credentials; both rates are printed.
func TestCompareWithPeer(t *testing.T) {
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	demotest.Node(t, root, "tools/vcverify", "@digitalbazaar/vc", "@digitalbazaar/eddsa-rdfc-2022-cryptosuite")
	var out strings.Builder
	f, err := Run(Options{Awards: 50, Dir: t.TempDir(), Compare: true, PeerCount: 6}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Peer == nil || f.Peer.Count != 6 || f.Peer.PerSecond <= 0 || f.Peer.Workers < 1 {
		t.Fatalf("peer figures %+v", f.Peer)
	}
	for _, want := range []string{"@digitalbazaar/vc@7.3.0", "@digitalbazaar/eddsa-rdfc-2022-cryptosuite@1.3.0", "Blason full build / peer issuer: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPeerRefusesUnknownContext: the peer's document loader never goes to
// the network; a credential naming a context Blason does not embed fails.
func TestPeerRefusesUnknownContext(t *testing.T) {
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	demotest.Node(t, root, "tools/vcverify", "@digitalbazaar/vc")
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "c.json")
	os.WriteFile(tmpl, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://example.org/unknown/v1"],"id":"urn:uuid:1","type":["VerifiableCredential"],"issuer":"did:example:1","credentialSubject":{"id":"did:example:2"}}`), 0o644)
	_, err = RunPeer(context.Background(), filepath.Join(root, PeerScript), tmpl, dir, 1, 1)
	if err == nil || !strings.Contains(err.Error(), "no network") {
		t.Fatalf("err = %v, want a refusal naming the network", err)
	}
}
