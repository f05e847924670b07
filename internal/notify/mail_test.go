package notify

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/browsertest"
	"github.com/francebadge/blason/internal/markdown"
	"github.com/francebadge/blason/internal/model"
)

// testSite is a one-award site for the template tests.
func testSite() (*model.Site, *model.Award) {
	sp := &model.Space{Slug: "ecole", Name: "École de test", Email: "badges@ecole.example",
		Translations: map[string]model.Text{"en": {Name: "Test School"}}}
	b := &model.Badge{Space: sp, Slug: "tutorat", Name: "Tutorat", Description: "Accompagner des étudiants.",
		Criteria: "Avoir **encadré** un groupe.", Image: &model.Asset{Ext: ".svg"},
		Translations: map[string]model.Text{"en": {Name: "Tutoring", Description: "Guiding students."}}}
	lv := &model.Level{ID: "b2", Name: "Avancé", Translations: map[string]model.Text{"en": {Name: "Advanced"}}}
	b.Levels = []*model.Level{lv}
	a := &model.Award{ID: "aaaabbbbccccddddeeeeffffgg", Badge: b, Level: lv, Date: time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC),
		Recipient: model.Identity{Email: "alice@example.org", Name: "Alice <Martin>"}, File: "content/ecole/awards/x.csv", Line: 2}
	sp.Badges, sp.Awards = []*model.Badge{b}, []*model.Award{a}
	site := &model.Site{Title: "Badges", BaseURL: "https://badges.example.fr/", Languages: []string{"fr", "en"},
		Translations: map[string]model.SiteText{"en": {Title: "Badges EN"}}, Spaces: []*model.Space{sp}}
	return site, a
}

// TestRender checks each message's language, its parts' content and the
// escaping of the recipient's name, and that a site's own template wins
// over the default theme's.
func TestRender(t *testing.T) {
	site, a := testSite()
	src := t.TempDir()
	tm, err := LoadTemplates(src, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, kind string
		want       []string // in the text part
		subject    string
	}{
		{"fr", KindIssued, []string{"Bonjour Alice <Martin>,", "École de test vous a décerné le badge numérique « Tutorat », niveau Avancé, le 13 juin 2025.", "Avoir encadré un groupe.", "https://claim.example.fr/?lang=fr", "https://badges.example.fr/ecole/badges/tutorat/", "1. Une fois connecté(e)"}, "Vous avez obtenu le badge « Tutorat »"},
		{"en", KindIssued, []string{"Hello Alice <Martin>,", "Test School has awarded you the digital badge “Tutoring”, level Advanced, on 13 June 2025.", "Guiding students.", "https://claim.example.fr/?lang=en", "https://badges.example.fr/en/ecole/badges/tutorat/", "3. Save:"}, "You have earned the badge “Tutoring”"},
		{"fr", KindRevoked, []string{"a révoqué le badge « Tutorat », niveau Avancé", "depuis le 1er octobre 2025", "Motif : Erreur de jury"}, "Votre badge « Tutorat » a été révoqué"},
		{"en", KindRevoked, []string{"has revoked the badge “Tutoring”", "Reason: Erreur de jury"}, "Your badge “Tutoring” has been revoked"},
	} {
		ev := &Event{Kind: tc.kind, Award: a, Lang: tc.lang, Revocation: model.Revocation{Date: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), Reason: "Erreur de jury"}}
		r, err := tm.Render(dataOf(site, Layout(site), ev, "https://claim.example.fr/", markdown.New()))
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != tc.subject {
			t.Errorf("%s %s: subject %q, want %q", tc.lang, tc.kind, r.Subject, tc.subject)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s %s: the text part lacks %q:\n%s", tc.lang, tc.kind, w, r.Text)
			}
		}
		if !strings.Contains(r.HTML, `<html lang="`+tc.lang+`">`) || !strings.Contains(r.HTML, "Alice &lt;Martin&gt;") || strings.Contains(r.HTML, "<Martin>") {
			t.Errorf("%s %s: HTML part without lang or with the name unescaped", tc.lang, tc.kind)
		}
		if tc.kind == KindIssued && !strings.Contains(r.HTML, `<img src="https://badges.example.fr/ecole/badges/tutorat/image.svg" alt="`) {
			t.Errorf("%s: no image with alt text", tc.lang)
		}
	}
	// A site's own mail/i18n/fr.yaml wins.
	os.MkdirAll(filepath.Join(src, "mail", "i18n"), 0o755)
	b, _ := os.ReadFile("../../themes/default/mail/i18n/fr.yaml")
	os.WriteFile(filepath.Join(src, "mail", "i18n", "fr.yaml"), []byte(strings.Replace(string(b), `hello: "Bonjour,"`, `hello: "Chère étudiante, cher étudiant,"`, 1)), 0o644)
	tm, err = LoadTemplates(src, "default")
	if err != nil {
		t.Fatal(err)
	}
	a2 := *a
	a2.Recipient.Name = ""
	r, err := tm.Render(dataOf(site, Layout(site), &Event{Kind: KindIssued, Award: &a2, Lang: "fr"}, "https://claim.example.fr/", markdown.New()))
	if err != nil || !strings.HasPrefix(r.Text, "Chère étudiante, cher étudiant,") {
		t.Errorf("site override not used: %v\n%.80s", err, r.Text)
	}
}

// TestMailAccessible runs axe-core in Chromium on the HTML part of each
// message kind in each language.
func TestMailAccessible(t *testing.T) {
	axe := browsertest.AxeSource(t)
	exe := browsertest.Chromium(t)
	site, a := testSite()
	tm, err := LoadTemplates(t.TempDir(), "default")
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, lang := range []string{"fr", "en"} {
		for _, kind := range []string{KindIssued, KindRevoked} {
			ev := &Event{Kind: kind, Award: a, Lang: lang, Revocation: model.Revocation{Date: a.Date.AddDate(0, 3, 0), Reason: "Erreur"}}
			r, err := tm.Render(dataOf(site, Layout(site), ev, "https://claim.example.fr/", markdown.New()))
			if err != nil {
				t.Fatal(err)
			}
			pages["/"+lang+"-"+kind+".html"] = r.HTML
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()
	ctx := browsertest.Context(t, exe, 60*time.Second)
	for p := range pages {
		browsertest.Navigate(t, ctx, srv.URL+p)
		vs, err := browsertest.Axe(ctx, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s (%s): %s", p, v.ID, v.Impact, strings.Join(v.Nodes, "; "))
		}
	}
}
