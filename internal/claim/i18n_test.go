package claim

import (
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/identity"
)

// TestRefusalReasonFromTheCatalogue: a refused login whose reason names no
// attribute value shows it in the page's language, taken from the same
// catalogue as the CLI's messages; any other reason is only logged.
func TestRefusalReasonFromTheCatalogue(t *testing.T) {
	u := newUnit(t, "https://claim.example.fr/", 0)
	for _, tc := range []struct {
		name, lang string
		err        error
		want       string // "" when no reason may be shown
	}{
		{"no identifier, fr", "fr-FR,fr;q=0.9", identity.ErrNoIdentifier, i18n.French.Translate(identity.ErrNoIdentifier.Error())},
		{"no identifier, en", "en-GB", identity.ErrNoIdentifier, identity.ErrNoIdentifier.Error()},
		{"outside its scopes, fr", "fr", &scopeError{2}, "le fournisseur d'identité a transmis 2 valeurs hors de ses domaines (scopes)"},
		{"outside its scopes, en", "en", &scopeError{2}, "identity provider asserted 2 values outside its scopes"},
		{"library reason", "fr", errors.New("assertion from alice@univ-test.fr expired"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://claim.example.fr/saml/acs", nil)
			r.Header.Set("Accept-Language", tc.lang)
			w := httptest.NewRecorder()
			u.srv.refuse(w, r, "identity", tc.err)
			page := html.UnescapeString(w.Body.String())
			if w.Code != http.StatusForbidden {
				t.Fatalf("status %d", w.Code)
			}
			l, _ := i18n.Parse(lang(r))
			if !strings.Contains(page, messages[string(l)]["errLogin"]) {
				t.Errorf("the page lacks the login refusal message:\n%s", page)
			}
			if tc.want == "" {
				if strings.Contains(page, "alice") || strings.Contains(page, "expired") {
					t.Errorf("a reason that may name a student is shown:\n%s", page)
				}
				return
			}
			if tc.lang[:2] == "fr" && tc.want == tc.err.Error() {
				t.Fatalf("no French entry for %q", tc.want)
			}
			if !strings.Contains(page, tc.want) {
				t.Errorf("the page lacks %q:\n%s", tc.want, page)
			}
		})
	}
}
