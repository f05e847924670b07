package claim

import (
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/demotest"
)

// TestWalletIndependentClient runs the pre-authorized code flow with an
// independent wallet library (@openid4vc/openid4vci, pinned in
// tools/oid4vci) against a claim server on loopback: the offer is read from
// the "Add to my wallet" page, and the credentials received must be the
// files the build signed.
func TestWalletIndependentClient(t *testing.T) {
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, dir := demotest.Node(t, root, "tools/oid4vci", "@openid4vc/openid4vci")
	ts := httptest.NewUnstartedServer(nil)
	u := newWalletUnitAt(t, "https://"+ts.Listener.Addr().String()+"/", 1000)
	u.now = time.Now() // the client's clock and the server's agree
	ts.Config.Handler = u.h
	ts.StartTLS() // the library wants an https issuer
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	var o offer
	wallet := func() *exec.Cmd {
		cmd := exec.Command(node, filepath.Join(dir, "client.mjs"), o.URI, o.TxCode)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+ca)
		return cmd
	}
	camille := u.student(t, "e1@univ-test.fr")

	w := u.do(t, "POST", ts.URL+"/me/wallet/universite/aaaa?lang=fr", url.Values{"csrf": {csrfToken(*camille)}}, camille)
	o = parseOffer(t, w.Body.String())
	out, err := wallet().Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	var got struct {
		Credentials map[string]json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("client output: %v\n%s", err, out)
	}
	e := u.ix.Entries[0]
	ldp, _ := os.ReadFile(filepath.Join(u.srv.cfg.SiteDir, e.Credential))
	jwt, _ := os.ReadFile(filepath.Join(u.srv.cfg.SiteDir, e.CredentialJWT))
	wantJWT, _ := json.Marshal(strings.TrimSpace(string(jwt)))
	if string(got.Credentials[ConfigLDP]) != string(ldp) {
		t.Errorf("ldp_vc credential: got %s, want the build's file %s", got.Credentials[ConfigLDP], ldp)
	}
	if string(got.Credentials[ConfigJWT]) != string(wantJWT) {
		t.Errorf("jwt_vc_json credential: got %s, want the build's file %s", got.Credentials[ConfigJWT], wantJWT)
	}
	// The code was used once: the same offer fails a second time.
	if out, err := wallet().Output(); err == nil {
		t.Errorf("second run of the same offer succeeded: %s", out)
	}
}
