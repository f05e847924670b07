package claim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
)

// OpenID for Verifiable Credential Issuance 1.0 (OID4VCI), pre-authorized
// code flow. A logged-in student asks for an offer of one of their awards;
// the page shows it as a QR code and an openid-credential-offer:// link,
// with a short transaction code (PIN). The wallet exchanges the code (and
// PIN) for an access token at /token, then fetches the credential at
// /credential. The credential is the file the build signed, served as it
// is: the claim server holds no signing key, so there is no holder binding
// (no cryptographic_binding_methods_supported; the wallet's proof, if any,
// is ignored). Offers and tokens live in the claim store, so any replica
// answers any step.

// Credential configuration identifiers of the issuer metadata.
const (
	ConfigLDP = "OpenBadgeCredential_ldp_vc"
	ConfigJWT = "OpenBadgeCredential_jwt_vc_json"
)

// preAuthGrant is the OAuth grant type of the pre-authorized code flow.
const preAuthGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// DefaultWalletTTL is how long an OpenID4VCI offer, and its access token,
// last by default.
const DefaultWalletTTL = 5 * time.Minute

// Wallet parameterises OpenID4VCI delivery.
type Wallet struct {
	// OfferTTL is how long an offer may be redeemed (default 5 minutes);
	// TokenTTL how long its access token lasts (default 5 minutes).
	OfferTTL, TokenTTL time.Duration
	// NoTxCode offers without a transaction code (PIN). By default each
	// offer has a 6-digit PIN shown next to its QR code.
	NoTxCode bool
	// LogoURL is the issuer logo wallets show (default: none).
	LogoURL string
}

// WalletStore keeps the OpenID4VCI offers and access tokens. The store
// adapter (FromStore) implements it; a Store that does not turns wallet
// delivery off.
type WalletStore interface {
	CreateWalletOffer(ctx context.Context, o store.WalletOffer) (string, error)
	RedeemWalletOffer(ctx context.Context, code, txCode string, now, tokenExpires time.Time) (string, store.WalletOffer, error)
	WalletToken(ctx context.Context, token string, now time.Time) (store.WalletOffer, error)
}

func (a storeAdapter) CreateWalletOffer(ctx context.Context, o store.WalletOffer) (string, error) {
	return a.st.CreateWalletOffer(ctx, o)
}

func (a storeAdapter) RedeemWalletOffer(ctx context.Context, code, tx string, now, exp time.Time) (string, store.WalletOffer, error) {
	return a.st.RedeemWalletOffer(ctx, code, tx, now, exp)
}

func (a storeAdapter) WalletToken(ctx context.Context, token string, now time.Time) (store.WalletOffer, error) {
	return a.st.WalletToken(ctx, token, now)
}

// walletStore returns the store's wallet side, if it has one.
func (s *Server) walletStore() (WalletStore, bool) {
	ws, ok := s.cfg.Store.(WalletStore)
	return ws, ok
}

// walletRoutes adds the OpenID for Verifiable Credential Issuance routes.
func (s *Server) walletRoutes(mux *http.ServeMux) {
	if _, ok := s.walletStore(); !ok {
		return
	}
	if s.cfg.Wallet.OfferTTL == 0 {
		s.cfg.Wallet.OfferTTL = DefaultWalletTTL
	}
	if s.cfg.Wallet.TokenTTL == 0 {
		s.cfg.Wallet.TokenTTL = DefaultWalletTTL
	}
	files := &fileCache{dir: s.cfg.SiteDir, files: map[string]cachedFile{}}
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", s.issuerMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.authServerMetadata)
	mux.HandleFunc("POST /me/wallet/{space}/{award}", s.limited(s.authed(s.csrf(s.walletOffer))))
	mux.HandleFunc("POST /token", s.limited(s.walletTokenEndpoint))
	mux.HandleFunc("POST /credential", func(w http.ResponseWriter, r *http.Request) { s.credentialEndpoint(w, r, files) })
}

// issuer is the Credential Issuer Identifier: the claim URL without its
// final slash.
func (s *Server) issuer() string { return strings.TrimSuffix(s.cfg.URL, "/") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError is an OAuth 2.0 / OID4VCI error response.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func (s *Server) issuerMetadata(w http.ResponseWriter, r *http.Request) {
	iss := s.issuer()
	var display []map[string]any
	for _, l := range []struct{ lang, locale string }{{"fr", "fr-FR"}, {"en", "en-US"}} {
		name := s.cfg.Organization.Names[l.lang]
		if name == "" {
			name = messages[l.lang]["service"]
		}
		d := map[string]any{"name": name, "locale": l.locale}
		if s.cfg.Wallet.LogoURL != "" {
			d["logo"] = map[string]string{"uri": s.cfg.Wallet.LogoURL, "alt_text": name}
		}
		display = append(display, d)
	}
	credDisplay := []map[string]string{
		{"name": messages["fr"]["walletCredential"], "locale": "fr-FR"},
		{"name": messages["en"]["walletCredential"], "locale": "en-US"},
	}
	def := map[string]any{
		"@context": []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":     []string{"VerifiableCredential", "OpenBadgeCredential"},
	}
	jwtDef := map[string]any{"type": def["type"]}
	writeJSON(w, http.StatusOK, map[string]any{
		"credential_issuer":   iss,
		"credential_endpoint": iss + "/credential",
		"display":             display,
		"credential_configurations_supported": map[string]any{
			ConfigLDP: map[string]any{"format": "ldp_vc", "credential_definition": def,
				"credential_signing_alg_values_supported": []string{"eddsa-rdfc-2022"}, "display": credDisplay},
			ConfigJWT: map[string]any{"format": "jwt_vc_json", "credential_definition": jwtDef,
				"credential_signing_alg_values_supported": []string{"ES256", "RS256"}, "display": credDisplay},
		},
	})
}

func (s *Server) authServerMetadata(w http.ResponseWriter, r *http.Request) {
	iss := s.issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                iss,
		"token_endpoint":        iss + "/token",
		"grant_types_supported": []string{preAuthGrant},
		"pre-authorized_grant_anonymous_access_supported": true,
		"response_types_supported":                        []string{},
	})
}

// walletView is what the "Add to my wallet" page shows.
type walletView struct {
	Title    string
	OfferURI template.URL // openid-credential-offer: built here, safe
	QR       template.URL // data: URI of the QR code PNG
	TxCode   string
	Minutes  int
}

// walletOffer creates an offer of one of the student's awards and shows it.
func (s *Server) walletOffer(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.owned(sess, r.PathValue("space"), r.PathValue("award"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	ws, _ := s.walletStore()
	o := store.WalletOffer{Subject: sess.Subject, Award: passport.AwardRef{Space: e.Space, Award: e.Award},
		Expires: s.cfg.Now().Add(s.cfg.Wallet.OfferTTL)}
	if !s.cfg.Wallet.NoTxCode {
		o.TxCode = pin(6)
	}
	code, err := ws.CreateWalletOffer(r.Context(), o)
	if err != nil {
		s.internal(w, r, "wallet offer", err)
		return
	}
	_ = s.cfg.Store.Audit(r.Context(), sess.Subject, "wallet.offer", e.Space+"/"+e.Award, s.cfg.Now())
	uri := s.offerURI(code, o.TxCode != "", lang(r))
	png, err := qrcode.Encode(uri, qrcode.Medium, 320)
	if err != nil {
		s.internal(w, r, "wallet QR code", err)
		return
	}
	l := lang(r)
	v := &walletView{Title: pick(e.Name, l), OfferURI: template.URL(uri), TxCode: o.TxCode, Minutes: int(s.cfg.Wallet.OfferTTL / time.Minute),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	if lv := pick(e.LevelName, l); lv != "" {
		v.Title += " — " + lv
	}
	s.render(w, r, http.StatusOK, "wallet", pageData{Wallet: v})
}

// offerURI is the credential offer, by value, as an openid-credential-offer
// URI.
func (s *Server) offerURI(code string, withTx bool, l string) string {
	grant := map[string]any{"pre-authorized_code": code}
	if withTx {
		grant["tx_code"] = map[string]any{"input_mode": "numeric", "length": 6, "description": messages[l]["walletTxDescription"]}
	}
	offer, _ := json.Marshal(map[string]any{
		"credential_issuer":            s.issuer(),
		"credential_configuration_ids": []string{ConfigLDP, ConfigJWT},
		"grants":                       map[string]any{preAuthGrant: grant},
	})
	return "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(offer))
}

// pin is a random numeric code of n digits.
func pin(n int) string {
	v, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%09d", v)[:n]
}

// credentialID is the credential identifier a token grants for one
// configuration: it names the award, so a token cannot fetch another.
func credentialID(config string, ref passport.AwardRef) string {
	return config + ":" + ref.Space + "/" + ref.Award
}

func (s *Server) walletTokenEndpoint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "send a form-encoded token request")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != preAuthGrant {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only the pre-authorized code grant is supported")
		return
	}
	code := r.PostForm.Get("pre-authorized_code")
	tx := r.PostForm.Get("tx_code")
	if tx == "" {
		tx = r.PostForm.Get("user_pin") // drafts before 13
	}
	ws, _ := s.walletStore()
	now := s.cfg.Now()
	token, o, err := ws.RedeemWalletOffer(r.Context(), code, tx, now, now.Add(s.cfg.Wallet.TokenTTL))
	switch {
	case errors.Is(err, store.ErrTxCode):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "wrong transaction code")
		return
	case errors.Is(err, store.ErrNotFound):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired pre-authorized code")
		return
	case err != nil:
		s.cfg.Log.Error("wallet token", slog.String("err", err.Error()))
		oauthError(w, http.StatusInternalServerError, "server_error", "try again later")
		return
	}
	_ = s.cfg.Store.RecordWalletClaim(r.Context(), o.Subject, o.Award, now)
	var details []map[string]any
	for _, c := range []string{ConfigLDP, ConfigJWT} {
		details = append(details, map[string]any{"type": "openid_credential", "credential_configuration_id": c,
			"credential_identifiers": []string{credentialID(c, o.Award)}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token, "token_type": "Bearer", "expires_in": int(s.cfg.Wallet.TokenTTL / time.Second),
		"authorization_details": details,
	})
}

// credentialRequest is an OID4VCI 1.0 credential request; Format is the
// draft 13 form, still sent by some wallets.
type credentialRequest struct {
	ConfigurationID string `json:"credential_configuration_id"`
	Identifier      string `json:"credential_identifier"`
	Format          string `json:"format"`
}

func (s *Server) credentialEndpoint(w http.ResponseWriter, r *http.Request, files *fileCache) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	ws, _ := s.walletStore()
	var o store.WalletOffer
	var err error
	if ok {
		o, err = ws.WalletToken(r.Context(), token, s.cfg.Now())
	}
	if !ok || errors.Is(err, store.ErrNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown or expired access token")
		return
	}
	if err != nil {
		s.cfg.Log.Error("wallet credential", slog.String("err", err.Error()))
		oauthError(w, http.StatusInternalServerError, "server_error", "try again later")
		return
	}
	var req credentialRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_credential_request", "send a JSON credential request")
		return
	}
	config := req.ConfigurationID
	switch {
	case req.Identifier != "":
		config = ""
		for _, c := range []string{ConfigLDP, ConfigJWT} {
			if req.Identifier == credentialID(c, o.Award) {
				config = c
			}
		}
		if config == "" {
			oauthError(w, http.StatusBadRequest, "unknown_credential_identifier", "this access token does not grant that credential")
			return
		}
	case req.Format == "ldp_vc":
		config = ConfigLDP
	case req.Format == "jwt_vc_json":
		config = ConfigJWT
	}
	if config != ConfigLDP && config != ConfigJWT {
		oauthError(w, http.StatusBadRequest, "unknown_credential_configuration", "ask for "+ConfigLDP+" or "+ConfigJWT)
		return
	}
	e, found := findAward(s.cfg.Index(), o.Award)
	if !found {
		oauthError(w, http.StatusBadRequest, "invalid_credential_request", "this award is no longer published")
		return
	}
	// The credential goes out byte for byte as the build wrote it
	// (encoding/json would compact a RawMessage).
	var cred []byte
	if config == ConfigLDP {
		cred, err = files.read(e.Credential)
	} else {
		var b []byte
		if b, err = files.read(e.CredentialJWT); err == nil {
			cred, err = json.Marshal(strings.TrimSpace(string(b)))
		}
	}
	if err != nil {
		s.cfg.Log.Error("wallet credential", slog.String("err", err.Error()))
		oauthError(w, http.StatusInternalServerError, "server_error", "try again later")
		return
	}
	var body []byte
	if req.Format != "" && req.ConfigurationID == "" && req.Identifier == "" {
		format, _ := json.Marshal(req.Format) // draft 13 response
		body = append(append(append(append([]byte(`{"format":`), format...), `,"credential":`...), cred...), "}\n"...)
	} else {
		body = append(append([]byte(`{"credentials":[{"credential":`), cred...), "}]}\n"...)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// findAward looks an award up in the index (by its map when the index was
// loaded from a file, else by scanning it).
func findAward(ix *claimindex.Index, ref passport.AwardRef) (claimindex.Entry, bool) {
	if e, ok := ix.Find(ref.Space, ref.Award); ok {
		return e, true
	}
	for _, e := range ix.Entries {
		if e.Space == ref.Space && e.Award == ref.Award {
			return e, true
		}
	}
	return claimindex.Entry{}, false
}

// fileCache keeps the credentials read from the site folder, read again
// when a build replaced them (size or modification time changed).
type fileCache struct {
	dir   string
	mu    sync.RWMutex
	files map[string]cachedFile
}

type cachedFile struct {
	mod  time.Time
	size int64
	data []byte
}

func (c *fileCache) read(rel string) ([]byte, error) {
	if rel == "" {
		return nil, errors.New("no file for this credential in the claim index")
	}
	p := filepath.Join(c.dir, filepath.FromSlash(rel))
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	f, ok := c.files[p]
	c.mu.RUnlock()
	if ok && f.mod.Equal(fi.ModTime()) && f.size == fi.Size() {
		return f.data, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.files[p] = cachedFile{mod: fi.ModTime(), size: fi.Size(), data: data}
	c.mu.Unlock()
	return data, nil
}
