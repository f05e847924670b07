package claim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/store/storetest"
)

// TestPassportRichForm: the student sets a headline and links in the
// passport form and the order and groups of the badges shown, on the
// server's test store and on SQLite and PostgreSQL through the persistent
// store; refused input is shown again with each error next to its field,
// in French and English, and nothing is saved.
func TestPassportRichForm(t *testing.T) {
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string // "" for the test store
	}{
		{"memory", nil},
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "claim.db") }},
		{"postgres", func(t *testing.T) string { return storetest.FreshPostgres(t, "claim_rich") }},
	} {
		t.Run(b.name, func(t *testing.T) {
			u := newUnit(t, "http://claim.example.fr/", 1000)
			var st Store = u.store
			if b.dsn != nil {
				db, err := store.Open(context.Background(), b.dsn(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				st = FromStore(db)
				u.srv.cfg.Store = st
			}
			s := u.login(t)
			if b.dsn != nil {
				id, err := st.CreateSession(t.Context(), s)
				if err != nil {
					t.Fatal(err)
				}
				s.ID = id
			}
			richFormFlow(t, u, st, s)
		})
	}
}

func richFormFlow(t *testing.T, u *unit, st Store, s Session) {
	get := func(lang string) string {
		t.Helper()
		w := u.do(t, "GET", "http://claim.example.fr/me?lang="+lang, nil, &s)
		if w.Code != 200 {
			t.Fatalf("me: %d", w.Code)
		}
		return w.Body.String()
	}
	page := get("fr")
	tok := csrfFrom(t, page)
	post := func(path string, f url.Values) *httptest.ResponseRecorder {
		t.Helper()
		f.Set("csrf", tok)
		return u.do(t, "POST", "http://claim.example.fr"+path, f, &s)
	}
	for _, want := range []string{`<label for="headline">Accroche (facultative)</label>`, `<label for="link-url-1">Adresse du lien 1</label>`, `name="link_url_5"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(page, `action="/me/passport/layout`) {
		t.Error("a layout form without a passport")
	}

	// Refused: a headline with markup, an http:// link, a link without
	// text, a duplicate address. The page comes back with what was typed.
	bad := url.Values{"slug": {"camille-m"}, "name": {"Camille M."}, "headline": {"<b>Hire me</b>"},
		"link_label_1": {"Blog"}, "link_url_1": {"http://blog.example.org/"},
		"link_label_2": {""}, "link_url_2": {"https://a.example.org/"},
		"link_label_3": {"A"}, "link_url_3": {"https://b.example.org/"},
		"link_label_4": {"B"}, "link_url_4": {"https://b.example.org/"}}
	for lang, want := range map[string][]string{
		"fr": {"Le formulaire n&#39;a pas été enregistré", `<a href="#headline">L&#39;accroche doit tenir`, `<a href="#link-url-1">Seules les adresses https://`,
			`<a href="#link-label-2">Donnez à ce lien un texte`, `<a href="#link-url-4">Cette adresse est déjà celle d&#39;un autre lien.`,
			`value="&lt;b&gt;Hire me&lt;/b&gt;" aria-describedby="headline-help headline-error" aria-invalid="true"`,
			`id="link-url-1" name="link_url_1" type="url" inputmode="url" maxlength="300" placeholder="https://" value="http://blog.example.org/" aria-invalid="true" aria-describedby="link-url-1-error"`,
			`value="camille-m"`, `value="Camille M."`},
		"en": {"The form was not saved:", "Only https:// addresses are published", "Another link already has this address."},
	} {
		u2 := u.do(t, "POST", "http://claim.example.fr/me/passport?lang="+lang, withCSRF(bad, tok), &s)
		if u2.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: refused form: %d", lang, u2.Code)
		}
		body := u2.Body.String()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the refused form lacks %s", lang, w)
			}
		}
		if strings.Contains(body, "<b>Hire me") {
			t.Errorf("%s: the headline is echoed as markup", lang)
		}
	}
	if _, err := st.Passport(t.Context(), "subj-1"); err == nil {
		t.Fatal("a refused form saved a passport")
	}

	// Accepted: empty rows are no links (the saved ones come first when
	// the form is shown again); spaces are trimmed.
	good := url.Values{"slug": {"camille-m"}, "name": {"Camille M."}, "headline": {"  Étudiante en L3, cherche une alternance  "},
		"link_label_1": {"Portfolio"}, "link_url_1": {"https://portfolio.example.org/c"},
		"link_label_3": {"GitLab"}, "link_url_3": {" https://gitlab.example.org/c "}}
	if w := post("/me/passport?lang=fr", good); w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "saved") {
		t.Fatalf("save: %d %s", w.Code, w.Header().Get("Location"))
	}
	p, err := st.Passport(t.Context(), "subj-1")
	wantLinks := []passport.Link{{Label: "Portfolio", URL: "https://portfolio.example.org/c"}, {Label: "GitLab", URL: "https://gitlab.example.org/c"}}
	if err != nil || p.Headline != "Étudiante en L3, cherche une alternance" || !reflect.DeepEqual(p.Links, wantLinks) {
		t.Fatalf("saved passport %+v, %v", p, err)
	}
	page = get("fr")
	for _, want := range []string{`value="Étudiante en L3, cherche une alternance"`, `id="link-url-2" name="link_url_2" type="url" inputmode="url" maxlength="300" placeholder="https://" value="https://gitlab.example.org/c"`,
		`id="link-url-3" name="link_url_3" type="url" inputmode="url" maxlength="300" placeholder="https://" value=""`} {
		if !strings.Contains(page, want) {
			t.Errorf("the saved form lacks %s", want)
		}
	}

	// Layout: both awards on the passport, then reversed and grouped.
	for _, a := range []string{"aaaa", "bbbb"} {
		post("/me/passport/badges?lang=fr", url.Values{"toggle": {"add:universite:" + a}})
	}
	page = get("en")
	for _, want := range []string{`<h3 id="layout">Order and groups of my badges</h3>`, `<th scope="row" id="row-1">Peer tutoring<input type="hidden" name="award_1" value="universite:aaaa">`,
		`aria-labelledby="col-pos row-2"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the layout form lacks %s", want)
		}
	}
	layout := url.Values{"award_1": {"universite:aaaa"}, "pos_1": {"2"}, "group_1": {"Engagement"},
		"award_2": {"universite:bbbb"}, "pos_2": {"1"}, "group_2": {"  "}}
	if w := post("/me/passport/layout?lang=fr", layout); w.Code != http.StatusSeeOther {
		t.Fatalf("layout: %d\n%s", w.Code, w.Body)
	}
	p, _ = st.Passport(t.Context(), "subj-1")
	aaaa, bbbb := passport.AwardRef{Space: "universite", Award: "aaaa"}, passport.AwardRef{Space: "universite", Award: "bbbb"}
	if !reflect.DeepEqual(p.Awards, []passport.AwardRef{bbbb, aaaa}) || !reflect.DeepEqual(p.GroupOf, map[passport.AwardRef]string{aaaa: "Engagement"}) {
		t.Fatalf("after the layout: %v %v", p.Awards, p.GroupOf)
	}
	if !strings.Contains(get("fr"), `<datalist id="passport-groups"><option value="Engagement"></datalist>`) {
		t.Error("the group is not offered again")
	}
	// The settings form keeps the layout; the layout keeps the settings.
	post("/me/passport?lang=fr", good)
	if p2, _ := st.Passport(t.Context(), "subj-1"); !reflect.DeepEqual(p2.GroupOf, p.GroupOf) || p2.Headline != p.Headline {
		t.Fatalf("settings then layout: %+v", p2)
	}
	// A refused group name: shown next to its field, nothing saved. An
	// award that is not the student's is ignored.
	w := post("/me/passport/layout?lang=fr", url.Values{"award_1": {"universite:bbbb"}, "pos_1": {"1"}, "group_1": {"<script>"},
		"award_2": {"universite:zzzz"}, "pos_2": {"1"}, "group_2": {"X"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `<a href="#group-1">Le nom du groupe doit tenir`) ||
		!strings.Contains(w.Body.String(), `aria-invalid="true" aria-describedby="group-1-error"`) {
		t.Fatalf("refused group: %d\n%s", w.Code, w.Body)
	}
	if p3, _ := st.Passport(t.Context(), "subj-1"); !reflect.DeepEqual(p3.GroupOf, p.GroupOf) {
		t.Fatalf("a refused layout changed the groups: %v", p3.GroupOf)
	}
	// The build reads what the form saved.
	if ps, ok := st.(interface {
		Passports(context.Context) ([]passport.Passport, error)
	}); ok {
		all, err := ps.Passports(t.Context())
		if err != nil || len(all) != 1 || all[0].Headline == "" || all[0].Grouped()[0].Name != "Engagement" {
			t.Fatalf("Passports: %+v %v", all, err)
		}
	}
}

func withCSRF(f url.Values, tok string) url.Values {
	out := url.Values{"csrf": {tok}}
	for k, v := range f {
		out[k] = v
	}
	return out
}
