package claim

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// walletUnit is a unit claim server whose store also keeps wallet offers
// (a real SQLite store), with a clock the test moves, and signed
// credential files in its site folder.
type walletUnit struct {
	*unit
	mu  sync.Mutex
	now time.Time
}

// walletStoreOf adds a SQLite store's wallet side to the in-memory store.
type memWalletStore struct {
	*memStore
	WalletStore
}

const (
	testLDP = `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"id":"urn:test:aaaa","proof":{"cryptosuite":"eddsa-rdfc-2022"}}`
	testJWT = "eyJhbGciOiJFUzI1NiJ9.eyJ2YyI6e319.c2ln"
)

func newWalletUnit(t *testing.T, limit int) *walletUnit {
	return newWalletUnitAt(t, "https://claim.example.fr/", limit)
}

func newWalletUnitAt(t *testing.T, base string, limit int) *walletUnit {
	t.Helper()
	u := &walletUnit{unit: newUnit(t, base, limit), now: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "claim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u.srv.cfg.Store = memWalletStore{u.store, FromStore(st).(WalletStore)}
	u.srv.cfg.Now = u.clock
	// A second student, e2, holds the second award.
	u.ix.Recipients[claimindex.Hash(u.key, claimindex.KindEPPN, "e2@univ-test.fr")] = []int{1}
	for i, name := range []string{"aaaa", "bbbb"} {
		e := &u.ix.Entries[i]
		e.Credential, e.CredentialJWT = "universite/credentials/"+name+".json", "universite/credentials/"+name+".jwt"
		ldp := strings.Replace(testLDP, "aaaa", name, 1)
		for p, body := range map[string]string{e.Credential: ldp, e.CredentialJWT: testJWT + name + "\n"} {
			p = filepath.Join(u.srv.cfg.SiteDir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	u.h = u.srv.Handler()
	return u
}

func (u *walletUnit) clock() time.Time { u.mu.Lock(); defer u.mu.Unlock(); return u.now }
func (u *walletUnit) advance(d time.Duration) {
	u.mu.Lock()
	u.now = u.now.Add(d)
	u.mu.Unlock()
}

// student logs in a student by eppn.
func (u *walletUnit) student(t *testing.T, eppn string) *Session {
	t.Helper()
	s := Session{ID: randomID(32), Subject: "subj-" + eppn, IdP: "https://idp.univ-test.fr/idp",
		Keys: []string{claimindex.Hash(u.key, claimindex.KindEPPN, eppn)}, CSRF: randomID(32), Expires: u.clock().Add(time.Hour)}
	if _, err := u.store.CreateSession(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// offer is what the "Add to my wallet" page shows.
type offer struct {
	Code, TxCode, URI string
	Issuer            string
	Configs           []string
	TxLength          int
}

var (
	offerHref = regexp.MustCompile(`href="(openid-credential-offer://[^"]+)"`)
	txCodeRe  = regexp.MustCompile(`id="wallet-tx-code">([0-9]+)<`)
)

// parseOffer reads the credential offer from the wallet page, as a wallet
// scanning its QR code would.
func parseOffer(t *testing.T, page string) offer {
	t.Helper()
	m := offerHref.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no openid-credential-offer link on the page:\n%s", page)
	}
	var o offer
	o.URI = html.UnescapeString(m[1])
	u, err := url.Parse(o.URI)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Issuer  string   `json:"credential_issuer"`
		Configs []string `json:"credential_configuration_ids"`
		Grants  map[string]struct {
			Code string `json:"pre-authorized_code"`
			Tx   *struct {
				Mode   string `json:"input_mode"`
				Length int    `json:"length"`
			} `json:"tx_code"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &body); err != nil {
		t.Fatalf("credential_offer: %v", err)
	}
	g := body.Grants[preAuthGrant]
	o.Issuer, o.Configs, o.Code = body.Issuer, body.Configs, g.Code
	if g.Tx != nil {
		o.TxLength = g.Tx.Length
	}
	if m := txCodeRe.FindStringSubmatch(page); m != nil {
		o.TxCode = m[1]
	}
	return o
}

func (u *walletUnit) newOffer(t *testing.T, sess *Session, award string) offer {
	t.Helper()
	w := u.do(t, "POST", "https://claim.example.fr/me/wallet/universite/"+award+"?lang=en", url.Values{"csrf": {csrfToken(*sess)}}, sess)
	if w.Code != 200 {
		t.Fatalf("wallet offer: %d %s", w.Code, w.Body)
	}
	return parseOffer(t, w.Body.String())
}

func (u *walletUnit) token(t *testing.T, code, tx string) (int, map[string]any) {
	t.Helper()
	w := u.do(t, "POST", "https://claim.example.fr/token", url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {code}, "tx_code": {tx}}, nil)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("token response %d: %v: %s", w.Code, err, w.Body)
	}
	return w.Code, out
}

func (u *walletUnit) credential(t *testing.T, token string, req any) *httptest.ResponseRecorder {
	t.Helper()
	b, _ := json.Marshal(req)
	r := httptest.NewRequest("POST", "https://claim.example.fr/credential", strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	u.h.ServeHTTP(w, r)
	return w
}

func TestWalletMetadata(t *testing.T) {
	u := newWalletUnit(t, 100)
	w := u.do(t, "GET", "https://claim.example.fr/.well-known/openid-credential-issuer", nil, nil)
	var md struct {
		Issuer   string `json:"credential_issuer"`
		Endpoint string `json:"credential_endpoint"`
		Display  []struct{ Name, Locale string }
		Configs  map[string]struct {
			Format  string         `json:"format"`
			Binding []string       `json:"cryptographic_binding_methods_supported"`
			Def     map[string]any `json:"credential_definition"`
		} `json:"credential_configurations_supported"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &md); err != nil || w.Code != 200 {
		t.Fatalf("%d %v %s", w.Code, err, w.Body)
	}
	if md.Issuer != "https://claim.example.fr" || md.Endpoint != "https://claim.example.fr/credential" {
		t.Errorf("issuer %q, endpoint %q", md.Issuer, md.Endpoint)
	}
	if len(md.Display) != 2 || md.Display[0].Name != "Mes badges" || md.Display[1].Name != "My badges" || md.Display[0].Locale != "fr-FR" {
		t.Errorf("display %+v: want the organisation's French and English names", md.Display)
	}
	if md.Configs[ConfigLDP].Format != "ldp_vc" || md.Configs[ConfigJWT].Format != "jwt_vc_json" {
		t.Errorf("configurations %+v", md.Configs)
	}
	for id, c := range md.Configs {
		if c.Binding != nil {
			t.Errorf("%s declares holder binding %v; the claim tier has no key to bind with", id, c.Binding)
		}
	}
	if strings.Contains(w.Body.String(), `"logo"`) {
		t.Errorf("a logo without --wallet-logo: %s", w.Body)
	}
	// With a logo (--wallet-logo), each display names it, with the
	// organisation's name as its text alternative.
	u.srv.cfg.Wallet.LogoURL = "https://univ-test.fr/logo.png"
	w = u.do(t, "GET", "https://claim.example.fr/.well-known/openid-credential-issuer", nil, nil)
	var withLogo struct {
		Display []struct {
			Name string
			Logo struct {
				URI string `json:"uri"`
				Alt string `json:"alt_text"`
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &withLogo); err != nil || len(withLogo.Display) != 2 {
		t.Fatalf("%v %s", err, w.Body)
	}
	for _, d := range withLogo.Display {
		if d.Logo.URI != "https://univ-test.fr/logo.png" || d.Logo.Alt != d.Name {
			t.Errorf("display %+v: want the logo with the name as its alternative text", d)
		}
	}
	w = u.do(t, "GET", "https://claim.example.fr/.well-known/oauth-authorization-server", nil, nil)
	var as map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &as); err != nil || as["token_endpoint"] != "https://claim.example.fr/token" || as["issuer"] != md.Issuer {
		t.Errorf("authorization server metadata: %v %s", err, w.Body)
	}
}

func TestWalletFlow(t *testing.T) {
	u := newWalletUnit(t, 1000)
	camille := u.student(t, "e1@univ-test.fr")
	if page := u.do(t, "GET", "https://claim.example.fr/me?lang=en", nil, camille).Body.String(); !strings.Contains(page, "/me/wallet/universite/aaaa") || !strings.Contains(page, "Add to my wallet") {
		t.Fatalf("my badges has no Add to my wallet button:\n%s", page)
	}
	w := u.do(t, "POST", "https://claim.example.fr/me/wallet/universite/aaaa?lang=en", url.Values{"csrf": {csrfToken(*camille)}}, camille)
	page := w.Body.String()
	if !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Errorf("no QR code on the wallet page")
	}
	o := parseOffer(t, page)
	if o.Issuer != "https://claim.example.fr" || len(o.Configs) != 2 || len(o.Code) < 40 || o.TxLength != 6 || len(o.TxCode) != 6 {
		t.Fatalf("offer %+v", o)
	}
	if strings.Contains(u.logs.String(), o.Code) || strings.Contains(u.logs.String(), o.TxCode) {
		t.Errorf("the log holds the offer's code")
	}

	status, tok := u.token(t, o.Code, o.TxCode)
	if status != 200 || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", status, tok)
	}
	access := tok["access_token"].(string)
	// Both forms of the award, by configuration and by identifier.
	for _, tc := range []struct {
		req  map[string]string
		want any
	}{
		{map[string]string{"credential_configuration_id": ConfigLDP}, json.RawMessage(testLDP)},
		{map[string]string{"credential_configuration_id": ConfigJWT}, testJWT + "aaaa"},
		{map[string]string{"credential_identifier": credentialID(ConfigJWT, ref("universite", "aaaa"))}, testJWT + "aaaa"},
	} {
		w := u.credential(t, access, tc.req)
		var resp struct {
			Credentials []struct{ Credential json.RawMessage } `json:"credentials"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); w.Code != 200 || err != nil || len(resp.Credentials) != 1 {
			t.Fatalf("credential %v: %d %v %s", tc.req, w.Code, err, w.Body)
		}
		want, _ := json.Marshal(tc.want)
		if got := resp.Credentials[0].Credential; string(got) != string(want) {
			t.Errorf("credential %v: got %s, want the build's file %s", tc.req, got, want)
		}
	}
	// Draft 13 request and response shape.
	if w := u.credential(t, access, map[string]string{"format": "ldp_vc"}); w.Code != 200 || !strings.Contains(w.Body.String(), `"credential":{"@context"`) {
		t.Errorf("draft 13 request: %d %s", w.Code, w.Body)
	}
	claims, _ := u.store.Data(t.Context(), camille.Subject)
	if len(claims.Claims) == 0 {
		t.Errorf("the wallet delivery was not recorded as a claim")
	}
}

func TestWalletRefusals(t *testing.T) {
	u := newWalletUnit(t, 1000)
	camille, dominique := u.student(t, "e1@univ-test.fr"), u.student(t, "e2@univ-test.fr")
	tokenOf := func(o offer) string {
		t.Helper()
		status, tok := u.token(t, o.Code, o.TxCode)
		if status != 200 {
			t.Fatalf("token: %d %v", status, tok)
		}
		return tok["access_token"].(string)
	}
	wantGrantError := func(what string, status int, tok map[string]any) {
		t.Helper()
		if status != 400 || tok["error"] != "invalid_grant" {
			t.Errorf("%s: %d %v, want 400 invalid_grant", what, status, tok)
		}
	}

	t.Run("reused pre-authorized code", func(t *testing.T) {
		o := u.newOffer(t, camille, "aaaa")
		tokenOf(o)
		status, tok := u.token(t, o.Code, o.TxCode)
		wantGrantError("second use", status, tok)
	})
	t.Run("expired offer", func(t *testing.T) {
		o := u.newOffer(t, camille, "aaaa")
		u.advance(5*time.Minute + time.Second)
		status, tok := u.token(t, o.Code, o.TxCode)
		wantGrantError("expired", status, tok)
	})
	t.Run("wrong transaction code", func(t *testing.T) {
		o := u.newOffer(t, camille, "aaaa")
		wrong := "000000"
		if o.TxCode == wrong {
			wrong = "111111"
		}
		for i := 0; i < store.MaxTxCodeAttempts; i++ {
			status, tok := u.token(t, o.Code, wrong)
			if status != 400 || tok["error"] != "invalid_grant" || !strings.Contains(tok["error_description"].(string), "transaction code") {
				t.Errorf("wrong tx code %d: %d %v", i, status, tok)
			}
		}
		status, tok := u.token(t, o.Code, o.TxCode)
		wantGrantError("right code after too many wrong ones", status, tok)
	})
	t.Run("award of another student", func(t *testing.T) {
		w := u.do(t, "POST", "https://claim.example.fr/me/wallet/universite/aaaa", url.Values{"csrf": {csrfToken(*dominique)}}, dominique)
		if w.Code != 404 {
			t.Errorf("offer of another student's award: %d", w.Code)
		}
		if w := u.do(t, "POST", "https://claim.example.fr/me/wallet/universite/aaaa", url.Values{"csrf": {"forged"}}, camille); w.Code != 403 {
			t.Errorf("offer without the CSRF token: %d", w.Code)
		}
	})
	t.Run("token used for another credential", func(t *testing.T) {
		access := tokenOf(u.newOffer(t, dominique, "bbbb"))
		w := u.credential(t, access, map[string]string{"credential_identifier": credentialID(ConfigLDP, ref("universite", "aaaa"))})
		if w.Code != 400 || !strings.Contains(w.Body.String(), "unknown_credential_identifier") {
			t.Errorf("another award's identifier: %d %s", w.Code, w.Body)
		}
		w = u.credential(t, access, map[string]string{"credential_configuration_id": ConfigLDP})
		if w.Code != 200 || !strings.Contains(w.Body.String(), "urn:test:bbbb") || strings.Contains(w.Body.String(), "aaaa") {
			t.Errorf("the token of bbbb gave: %d %s", w.Code, w.Body)
		}
		if w := u.credential(t, access, map[string]string{"credential_configuration_id": "UniversityDegree"}); w.Code != 400 {
			t.Errorf("unknown configuration: %d %s", w.Code, w.Body)
		}
	})
	t.Run("bad and expired tokens", func(t *testing.T) {
		access := tokenOf(u.newOffer(t, camille, "aaaa"))
		if w := u.credential(t, "nope", map[string]string{"credential_configuration_id": ConfigLDP}); w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("unknown token: %d %v", w.Code, w.Header())
		}
		u.advance(5*time.Minute + time.Second)
		if w := u.credential(t, access, map[string]string{"credential_configuration_id": ConfigLDP}); w.Code != 401 {
			t.Errorf("expired token: %d %s", w.Code, w.Body)
		}
	})
	t.Run("grant type", func(t *testing.T) {
		w := u.do(t, "POST", "https://claim.example.fr/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, nil)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "unsupported_grant_type") {
			t.Errorf("authorization_code grant: %d %s", w.Code, w.Body)
		}
	})
}

func TestWalletTokenRateLimit(t *testing.T) {
	u := newWalletUnit(t, 3)
	for i := 0; i < 3; i++ {
		if status, _ := u.token(t, "guess", ""); status != 400 {
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	w := u.do(t, "POST", "https://claim.example.fr/token", url.Values{"grant_type": {preAuthGrant}, "pre-authorized_code": {"guess"}}, nil)
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("4th guess in a minute: %d, want 429", w.Code)
	}
}

func ref(space, award string) passport.AwardRef { return passport.AwardRef{Space: space, Award: award} }
