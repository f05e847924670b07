package render

import (
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/themes"
)

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestStatus(t *testing.T) {
	sp := &model.Space{Revocations: map[string]model.Revocation{"r": {}, "s": {Suspended: true}}}
	b := &model.Badge{Space: sp}
	at := day("2025-10-23")
	for _, tt := range []struct {
		a    *model.Award
		want string
	}{
		{&model.Award{ID: "v", Badge: b}, StatusValid},
		{&model.Award{ID: "v", Badge: b, Expires: day("2025-10-24")}, StatusValid},
		{&model.Award{ID: "e", Badge: b, Expires: day("2025-10-23")}, StatusExpired},
		{&model.Award{ID: "r", Badge: b, Expires: day("2024-01-01")}, StatusRevoked},
		{&model.Award{ID: "s", Badge: b}, StatusSuspended},
	} {
		if got := Status(tt.a, at); got != tt.want {
			t.Errorf("Status(%s, expires %v) = %s, want %s", tt.a.ID, tt.a.Expires, got, tt.want)
		}
	}
}

// hostileSet is a site whose student and content texts try to inject
// markup and script.
func hostileSet(t *testing.T) (*Renderer, *PassportSet, *passport.Passport) {
	t.Helper()
	l := layout.Layout{Base: "https://badges.example.fr/", DefaultLang: "fr"}
	r, err := New(l, themes.Default())
	if err != nil {
		t.Fatal(err)
	}
	sp := &model.Space{Slug: "universite", Name: `Univ "><script>alert(1)</script>`, Revocations: map[string]model.Revocation{}}
	b := &model.Badge{Space: sp, Slug: "tutorat", Name: `Tutorat <img src=x onerror=alert(2)>`, Description: `"><svg onload=alert(3)>`,
		Criteria: "Texte <script>alert(4)</script> et [lien](javascript:alert(5))", Image: &model.Asset{Ext: ".svg"}}
	a := &model.Award{ID: "abcdefghijklmnopqrstuvwxyz", Badge: b, Date: day("2024-06-03"), Expires: day("2027-06-03"),
		EvidenceURL: "javascript:alert(6)", EvidenceNarrative: "<b onmouseover=alert(7)>x</b>"}
	sp.Badges, sp.Awards = []*model.Badge{b}, []*model.Award{a}
	site := &model.Site{Title: "Badges", Languages: []string{"fr", "en"}, Spaces: []*model.Space{sp}}
	p := &passport.Passport{Slug: "camille", DisplayName: `Camille "><img src=x onerror=alert(8)> <script>alert(9)</script>`, Email: "camille@example.org",
		Awards: []passport.AwardRef{{Space: "universite", Award: a.ID}}}
	set := &PassportSet{Site: site, AsOf: day("2025-10-23"), Awards: map[string]*Public{a.ID: {Award: a, Owners: []*passport.Passport{p}, Baked: true}}, BakedPath: l.Baked}
	return r, set, p
}

var (
	scriptRE = regexp.MustCompile(`<script[^>]*>`)
	srcRE    = regexp.MustCompile(`src="([^"]*)"`)
)

func TestPublicPagesRenderHostileTextInert(t *testing.T) {
	r, set, p := hostileSet(t)
	pp, err := r.PassportPages(set, p, "digest")
	if err != nil {
		t.Fatal(err)
	}
	ap, err := r.AwardPages(set, set.Awards["abcdefghijklmnopqrstuvwxyz"], "digest")
	if err != nil {
		t.Fatal(err)
	}
	out := publish.Files{}
	if err := r.Render(pp, out); err != nil {
		t.Fatal(err)
	}
	if err := r.Render(ap, out); err != nil {
		t.Fatal(err)
	}
	want := []string{"passport/camille/index.html", "en/passport/camille/index.html",
		"universite/awards/ab/abcdefghijklmnopqrstuvwxyz/index.html", "en/universite/awards/ab/abcdefghijklmnopqrstuvwxyz/index.html"}
	if len(out) != len(want) {
		t.Fatalf("rendered %d pages, want %v", len(out), want)
	}
	for _, name := range want {
		page := string(out[name])
		if page == "" {
			t.Fatalf("no %s", name)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", "<b onmouseover", "javascript:"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s holds %q", name, bad)
			}
		}
		// The only scripts are the theme's own files: blason.js on every
		// page, reverify.js on award pages; none inline.
		want := []string{"blason.js"}
		if strings.Contains(name, "/awards/") {
			want = append(want, "reverify.js")
		}
		var got []string
		for _, tag := range scriptRE.FindAllString(page, -1) {
			src := srcRE.FindStringSubmatch(tag)
			if src == nil {
				t.Errorf("%s has an inline script: %s", name, tag)
				continue
			}
			got = append(got, path.Base(src[1]))
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s scripts %v, want the theme's %v", name, got, want)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(9)&lt;/script&gt;") && strings.Contains(name, "passport") {
			t.Errorf("%s does not show the display name as text", name)
		}
	}
}

func TestLinkedInURL(t *testing.T) {
	a := &model.Award{ID: "abcdefghijklmnopqrstuvwxyz", Date: day("2024-06-03"), Expires: day("2027-01-31"), Recipient: model.Identity{Email: "camille@example.org", Name: "Camille"}}
	for _, tc := range []struct {
		orgID  string
		issuer [2]string // the query parameter naming the issuer, and its value
	}{
		{"", [2]string{"organizationName", "Université & Co"}},
		{"1337", [2]string{"organizationId", "1337"}},
	} {
		u, err := url.Parse(linkedInURL("Tutorat — Niveau 2", "Université & Co", tc.orgID, a, "https://b.example/universite/awards/ab/abcdefghijklmnopqrstuvwxyz/"))
		if err != nil {
			t.Fatal(err)
		}
		want := url.Values{
			"startTask": {"CERTIFICATION_NAME"}, "name": {"Tutorat — Niveau 2"}, tc.issuer[0]: {tc.issuer[1]},
			"issueYear": {"2024"}, "issueMonth": {"6"}, "expirationYear": {"2027"}, "expirationMonth": {"1"},
			"certUrl": {"https://b.example/universite/awards/ab/abcdefghijklmnopqrstuvwxyz/"}, "certId": {"abcdefghijklmnopqrstuvwxyz"},
		}
		if u.Host != "www.linkedin.com" || u.Path != "/profile/add" || u.Query().Encode() != want.Encode() {
			t.Fatalf("got %s\nwant query %s", u, want.Encode())
		}
		if strings.Contains(u.String(), "camille") || strings.Contains(u.String(), "%40") {
			t.Fatal("the link carries the recipient")
		}
	}
}

func TestQRCode(t *testing.T) {
	a, err := qrSVG("https://badges.example.fr/passport/camille/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := qrSVG("https://badges.example.fr/passport/dominique/")
	if a == b || !strings.HasPrefix(string(a), `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 `) || strings.Count(string(a), "M") < 50 {
		t.Fatalf("QR code: %.200s", a)
	}
	if again, _ := qrSVG("https://badges.example.fr/passport/camille/"); again != a {
		t.Fatal("the QR code is not deterministic")
	}
}
