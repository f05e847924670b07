package claim

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/demotest"
	"github.com/francebadge/blason/internal/jsonld"
	"github.com/francebadge/blason/internal/verify"
)

// TestBrowserWallet logs in with SimpleSAMLphp in headless Chromium, asks
// for a wallet offer on "my badges", reads the offer and its transaction
// code from the page, and has the independent OpenID4VCI client
// (tools/oid4vci) take the credential from the running claim server: it
// must be the demo build's signed file, and verify. "My badges" and the
// offer page pass axe-core, with no console error.
func TestBrowserWallet(t *testing.T) {
	root, err := demotest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, dir := demotest.Node(t, root, "tools/oid4vci", "@openid4vc/openid4vci")
	exe := browsertest.Chromium(t)
	w := setup(t)
	ctx := browsertest.Context(t, exe, 2*time.Minute)
	out := browsertest.Artefacts(t)
	// Each page is saved and audited: axe-core, console errors.
	shot := pageAudit(t, ctx, browsertest.Record(ctx), browsertest.AxeSource(t), out, w.a.URL)
	err = chromedp.Do(ctx,
		chromedp.Navigate(w.loginURL(w.a)+"&lang=fr"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "etudiant1"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "etudiant1pw"),
		chromedp.Click(chromedp.CSS(`#submit_button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.wallet button`)),
	)
	if err != nil {
		t.Fatalf("login in Chromium: %v\nIdP log:\n%s", err, w.a.Log())
	}
	shot("wallet-1-my-badges")
	action, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form.wallet').getAttribute('action')`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form.wallet button`)),
		chromedp.WaitVisible(chromedp.CSS(`#wallet-qr`)),
	)
	if err != nil {
		t.Fatalf("Add to my wallet: %v\n%s", err, w.logText())
	}
	shot("wallet-2-offer")
	uri, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#wallet-offer').getAttribute('href')`))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#wallet-tx-code`)))
	if err != nil || !strings.HasPrefix(uri, "openid-credential-offer://?credential_offer=") {
		t.Fatalf("offer %q, tx code %q: %v", uri, tx, err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "client.mjs"), "--allow-http", uri, strings.TrimSpace(tx))
	cmd.Dir = dir
	res, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("OpenID4VCI client: %v\n%s\n%s", err, stderr, w.logText())
	}
	var got struct {
		Credentials map[string]json.RawMessage `json:"credentials"`
	}
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatal(err)
	}
	// The form's action names the award: /me/wallet/{space}/{award}.
	parts := strings.Split(strings.Split(action, "?")[0], "/")
	e, ok := w.ix.Find(parts[len(parts)-2], parts[len(parts)-1])
	if !ok {
		t.Fatalf("award of %s not in the index", action)
	}
	file, _ := os.ReadFile(filepath.Join(w.site, filepath.FromSlash(e.Credential)))
	// The client prints what it parsed: compare as JSON values.
	var a, b any
	if json.Unmarshal(got.Credentials[ConfigLDP], &a) != nil || json.Unmarshal(file, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("ldp_vc credential is not the build's file %s", e.Credential)
	}
	jwtFile, _ := os.ReadFile(filepath.Join(w.site, filepath.FromSlash(e.CredentialJWT)))
	var jwt string
	if json.Unmarshal(got.Credentials[ConfigJWT], &jwt) != nil || jwt != strings.TrimSpace(string(jwtFile)) {
		t.Fatalf("jwt_vc_json credential is not the build's file %s", e.CredentialJWT)
	}
	v := verify.New(verify.DirFetcher{Base: w.siteURL, Dir: w.site}, time.Now())
	for id, c := range map[string][]byte{ConfigLDP: got.Credentials[ConfigLDP], ConfigJWT: []byte(jwt)} {
		if _, rep := v.Bytes(context.Background(), c, nil); rep.Status != verify.Valid {
			t.Errorf("%s credential received by the wallet: %v %v", id, rep.Status, rep.Problems)
		}
	}
	thirdPartyVerify(t, root, w, got.Credentials[ConfigLDP], jwt)
}

// thirdPartyVerify checks the credentials a wallet received with the
// independent verifiers of the conformance tests (tools/vcverify: Digital
// Bazaar's vc with eddsa-rdfc-2022, jose for the VC-JWT, ajv for the
// 1EdTech schema).
func thirdPartyVerify(t *testing.T, root string, w *world, ldp []byte, jwt string) {
	t.Helper()
	node, dir := demotest.Node(t, root, "tools/vcverify", "@digitalbazaar/vc")
	tmp := t.TempDir()
	ldpFile, jwtFile := filepath.Join(tmp, "wallet.json"), filepath.Join(tmp, "wallet.jwt")
	os.WriteFile(ldpFile, ldp, 0o644)
	os.WriteFile(jwtFile, []byte(jwt), 0o644)
	contexts := map[string]string{}
	onDisk := map[string]string{}
	cdir := filepath.Join(root, "internal", "jsonld", "contexts")
	entries, err := os.ReadDir(cdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(cdir, e.Name()))
		onDisk[string(b)] = filepath.Join(cdir, e.Name())
	}
	for _, u := range []string{jsonld.CredentialsV2, jsonld.OpenBadgesV3, jsonld.OBExtensions, jsonld.DataIntegrityV2,
		jsonld.MultikeyV1, jsonld.JWKV1, jsonld.StatusListV1, jsonld.CIDV1, jsonld.DIDV1} {
		b, _ := jsonld.Bytes(u)
		if f, ok := onDisk[string(b)]; ok {
			contexts[u] = f
		}
	}
	in, _ := json.Marshal(map[string]any{
		"base": w.siteURL, "site": w.site, "contexts": contexts, "now": time.Now().UTC().Format(time.RFC3339),
		"schema": filepath.Join(root, "internal", "verify", "schema", "ob_v3p0_achievementcredential.json"),
		"items": []map[string]string{
			{"id": "ldp", "kind": "credential", "file": ldpFile},
			{"id": "jwt", "kind": "jwt", "file": jwtFile, "pair": ldpFile},
		},
	})
	cmd := exec.Command(node, filepath.Join(dir, "verify.mjs"))
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("tools/vcverify: %v\n%s", err, stderr)
	}
	var rs []struct {
		ID, Outcome string
		Reasons     []string
	}
	if err := json.Unmarshal(out, &rs); err != nil || len(rs) != 2 {
		t.Fatalf("tools/vcverify output: %v\n%s", err, out)
	}
	for _, r := range rs {
		if r.Outcome != "valid" {
			t.Errorf("third-party verifiers on the %s credential the wallet received: %s %v", r.ID, r.Outcome, r.Reasons)
		}
	}
}
