package build

import (
	"bytes"
	"context"
	"encoding/xml"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/passportfile"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/verify"
)

// demoPassports returns the demo's declarations, resolved against site,
// and the awards they show by id.
func demoPassports(t testing.TB, src string, site *model.Site) ([]passport.Passport, map[string]*model.Award) {
	t.Helper()
	ps, err := passportfile.Load(src, site)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 3 {
		t.Fatalf("the demo declares %d passports, want at least 3", len(ps))
	}
	awards := map[string]*model.Award{}
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			awards[a.ID] = a
		}
	}
	shown := map[string]*model.Award{}
	for _, p := range ps {
		for _, r := range p.Awards {
			shown[r.Award] = awards[r.Award]
		}
	}
	return ps, shown
}

func passportPath(slug, lang string) string {
	if lang == "fr" {
		return "passport/" + slug + "/index.html"
	}
	return lang + "/passport/" + slug + "/index.html"
}

func awardPagePath(a *model.Award, lang string) string {
	p := a.Badge.Space.Slug + "/awards/" + a.ID[:2] + "/" + a.ID + "/index.html"
	if lang == "fr" {
		return p
	}
	return lang + "/" + p
}

var (
	hrefRE    = regexp.MustCompile(`(?:href|src|content)="([^"]*)"`)
	robotsRE  = regexp.MustCompile(`<meta name="robots" content="noindex">`)
	jsonURLRE = regexp.MustCompile(`"((?:https?|mailto):[^"]*)"`)
)

// TestPassportPages checks the demo's passport pages: only the chosen
// badges, statuses, noindex unless indexable, social meta, QR code,
// LinkedIn links and the award pages they link to.
func TestPassportPages(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	site := readTree(t, d.dest)
	ps, shown := demoPassports(t, d.src, d.site)
	l := layout.Layout{Base: d.base, DefaultLang: "fr"}
	indexable, expired := 0, 0
	for _, p := range ps {
		for _, lang := range []string{"fr", "en"} {
			page := string(site[passportPath(p.Slug, lang)])
			if page == "" {
				t.Fatalf("%s: no page", passportPath(p.Slug, lang))
			}
			if got := robotsRE.MatchString(page); got == p.Indexable {
				t.Errorf("%s: noindex %v, indexable %v", p.Slug, got, p.Indexable)
			}
			if !strings.Contains(page, `<meta property="og:title" content="`+html.EscapeString(p.DisplayName)+`">`) ||
				!strings.Contains(page, `<meta name="twitter:card" content="summary_large_image">`) || !strings.Contains(page, `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`) {
				t.Errorf("%s: Open Graph, Twitter meta or QR code missing", p.Slug)
			}
			if strings.Count(page, `<li class="passport-badge `) != len(p.Awards) {
				t.Errorf("%s: %d badges shown, %d chosen", p.Slug, strings.Count(page, `<li class="passport-badge `), len(p.Awards))
			}
			if (p.Email != "") != strings.Contains(page, "mailto:") {
				t.Errorf("%s: e-mail shown %v, declared %q", p.Slug, strings.Contains(page, "mailto:"), p.Email)
			}
			var linkedIn []string
			for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
				if u := html.UnescapeString(m[1]); strings.HasPrefix(u, "https://www.linkedin.com/") {
					linkedIn = append(linkedIn, u)
				}
			}
			valid := 0
			for _, r := range p.Awards {
				a := shown[r.Award]
				status := "valid"
				if !a.Expires.IsZero() && a.Expires.Before(time.Date(2025, 10, 23, 0, 0, 0, 1, time.UTC)) {
					status = "expired"
					expired++
				} else {
					valid++
				}
				if !strings.Contains(page, `<li class="passport-badge status-`+status+`" id="award-`+a.ID+`">`) {
					t.Errorf("%s: award %s not shown as %s", p.Slug, a.Source(), status)
				}
				for _, f := range []string{awardPagePath(a, lang)} {
					if site[f] == nil {
						t.Errorf("%s: no award page %s", p.Slug, f)
					}
				}
				if !strings.Contains(page, `href="`+l.URL(l.Credential(a))+`"`) {
					t.Errorf("%s: no link to the hosted credential of %s", p.Slug, a.Source())
				}
			}
			// LinkedIn: valid awards only, certification fields prefilled,
			// no e-mail address or personal identifier.
			if len(linkedIn) != valid {
				t.Errorf("%s: %d LinkedIn links for %d valid awards", p.Slug, len(linkedIn), valid)
			}
			for _, u := range linkedIn {
				pu, _ := url.Parse(u)
				q := pu.Query()
				a := shown[q.Get("certId")]
				if a == nil || pu.Path != "/profile/add" || q.Get("startTask") != "CERTIFICATION_NAME" {
					t.Errorf("%s: LinkedIn link %s", p.Slug, u)
					continue
				}
				want := map[string]string{
					"issueYear": strconv.Itoa(a.Date.Year()), "issueMonth": strconv.Itoa(int(a.Date.Month())),
					"certUrl": d.base + strings.TrimSuffix(awardPagePath(a, lang), "index.html"),
				}
				for k, v := range want {
					if q.Get(k) != v {
						t.Errorf("%s: LinkedIn %s = %q, want %q", p.Slug, k, q.Get(k), v)
					}
				}
				if !strings.HasPrefix(q.Get("name"), a.Badge.Name) && lang == "fr" || q.Get("organizationName") == "" {
					t.Errorf("%s: LinkedIn name %q, organization %q", p.Slug, q.Get("name"), q.Get("organizationName"))
				}
				if strings.Contains(u, "@") || strings.Contains(u, url.QueryEscape("@")) || strings.Contains(u, url.QueryEscape(p.DisplayName)) {
					t.Errorf("%s: LinkedIn link carries an address or the name: %s", p.Slug, u)
				}
			}
		}
		if p.Indexable {
			indexable++
		}
	}
	for _, p := range ps {
		inSitemap := bytes.Contains(site["sitemap.xml"], []byte("<loc>"+d.base+"passport/"+p.Slug+"/</loc>"))
		if inSitemap != p.Indexable {
			t.Errorf("%s: in the sitemap %v, indexable %v", p.Slug, inSitemap, p.Indexable)
		}
	}
	if indexable == 0 || indexable == len(ps) || expired == 0 {
		t.Fatalf("the demo should hold indexable and non-indexable passports and an expired badge: %d indexable of %d, %d expired", indexable, len(ps), expired)
	}
	// Award pages exist for the awards shown on passports only.
	var pages []string
	for p := range site {
		if strings.Contains(p, "/awards/") && strings.HasSuffix(p, "/index.html") {
			pages = append(pages, p)
		}
	}
	if len(pages) != 2*len(shown) {
		t.Errorf("%d award pages, want %d (2 languages × %d awards shown)", len(pages), 2*len(shown), len(shown))
	}
	// An award page: its status, the re-verify button wired to the hosted
	// credential (the suspension list is found next to the revocation list
	// it names, as blason verify finds it), noindex as its passport says.
	for _, a := range shown {
		page := string(site[awardPagePath(a, "en")])
		if !strings.Contains(page, `data-credential="`+l.URL(l.Credential(a))+`"`) ||
			!strings.Contains(page, `<script src="/assets/reverify.js" defer></script>`) {
			t.Errorf("%s: award page lacks the re-verify wiring", a.Source())
		}
	}
}

// TestNoEmailInURLs scans every URL of the demo site (links, sources, meta
// content, and URLs in JSON documents): none carries a recipient's e-mail
// address, eppn or student number; the only mailto: links are to the space
// contacts and to addresses students chose to show, on their passport pages.
func TestNoEmailInURLs(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	ps, _ := demoPassports(t, d.src, d.site)
	allowed := map[string]string{} // mailto address → the only pages it may be on
	for _, p := range ps {
		if p.Email != "" {
			allowed["mailto:"+p.Email] = "passport/" + p.Slug + "/"
		}
	}
	for _, sp := range d.site.Spaces {
		allowed["mailto:"+sp.Email] = ""
	}
	needles := recipientNeedles(t, d.src)
	n := 0
	for p, b := range readTree(t, d.dest) {
		var urls []string
		for _, m := range hrefRE.FindAllSubmatch(b, -1) {
			urls = append(urls, html.UnescapeString(string(m[1])))
		}
		for _, m := range jsonURLRE.FindAllSubmatch(b, -1) {
			urls = append(urls, string(m[1]))
		}
		for _, u := range urls {
			n++
			dec, err := url.QueryUnescape(u)
			if err != nil {
				dec = u
			}
			if strings.HasPrefix(u, "mailto:?") { // a share link: no address, only the page's title and URL
				if strings.Contains(dec, "@") {
					t.Errorf("%s: share link with an @: %q", p, u)
				}
				continue
			}
			if strings.HasPrefix(u, "mailto:") {
				where, ok := allowed[u]
				if !ok || where != "" && !strings.HasSuffix(strings.TrimPrefix(p, "en/"), where+"index.html") {
					t.Errorf("%s: mailto link %q not opted in here", p, u)
				}
				continue
			}
			if strings.Contains(dec, "@") {
				t.Errorf("%s: URL with an @: %q", p, u)
			}
			for v, from := range needles {
				if strings.Contains(dec, v) && !strings.Contains(v, " ") { // names are checked by TestNoPersonalDataInSite
					t.Errorf("%s: URL %q carries %s", p, u, from)
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d URLs scanned", n)
	}
}

// TestBakedImagesRoundTrip unbakes every baked image of a demo build: the
// OB 2.0 payload is the hosted assertion, the OB 3.0 payload the signed
// credential, byte for byte; SVG images still parse as XML, PNG images
// still decode; blason's verifier accepts each image. The demo's badges are
// SVG; a copy with a PNG badge and credentials.bake: all covers PNG.
func TestBakedImagesRoundTrip(t *testing.T) {
	t.Parallel()
	d := sharedDemo(t)
	_, shown := demoPassports(t, d.src, d.site)
	checkBaked(t, d.dest, d.base, shown, ".svg")

	src := copyDemo(t)
	pngImage := filepath.Join(src, "content", "association", "badges", "benevolat.png")
	if err := os.WriteFile(pngImage, testPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	mustReplace(t, filepath.Join(src, "content", "association", "badges", "benevolat.md"), "benevolat.svg", "benevolat.png")
	mustReplace(t, filepath.Join(src, "blason.yaml"), "credentials:\n", "credentials:\n  bake: all\n")
	dest := filepath.Join(t.TempDir(), "site")
	mustBuild(t, Options{Source: src, Destination: dest})
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]*model.Award{}
	pngs := map[string]*model.Award{}
	for _, sp := range site.Spaces {
		for _, a := range sp.Awards {
			all[a.ID] = a
			if a.Badge.Image.Ext == ".png" {
				pngs[a.ID] = a
			}
		}
	}
	if len(pngs) < 10 {
		t.Fatalf("only %d awards of the PNG badge", len(pngs))
	}
	checkBaked(t, dest, site.BaseURL, pngs, ".png")
	// bake: all bakes every award, two images each.
	baked := 0
	for p := range readTree(t, dest) {
		if (strings.Contains(p, "/assertions/") || strings.Contains(p, "/credentials/")) && (strings.HasSuffix(p, ".png") || strings.HasSuffix(p, ".svg")) {
			baked++
		}
	}
	if baked != 2*len(all) {
		t.Fatalf("%d baked images, want %d", baked, 2*len(all))
	}
}

func checkBaked(t *testing.T, dest, base string, awards map[string]*model.Award, ext string) {
	t.Helper()
	v := verify.New(verify.DirFetcher{Base: base, Dir: dest}, now)
	n := 0
	for _, a := range awards {
		ob2, ob3 := paths.Baked(a)
		for _, c := range []struct {
			img, hosted string
			v           bake.Version
		}{{ob2, paths.Assertion(a), bake.OB2}, {ob3, paths.Credential(a), bake.OB3}} {
			img, err := os.ReadFile(filepath.Join(dest, c.img))
			if err != nil {
				t.Errorf("%s: %v", a.Source(), err)
				continue
			}
			hosted, err := os.ReadFile(filepath.Join(dest, c.hosted))
			if err != nil {
				t.Fatal(err)
			}
			var payload string
			if ext == ".svg" {
				dec := xml.NewDecoder(bytes.NewReader(img))
				var xerr error
				for xerr == nil {
					_, xerr = dec.Token()
				}
				if xerr != io.EOF {
					t.Errorf("%s: not well-formed XML: %v", c.img, xerr)
				}
				payload, err = bake.UnbakeSVG(img, c.v)
			} else {
				payload, err = bake.UnbakePNG(img, c.v)
				if _, derr := png.Decode(bytes.NewReader(img)); derr != nil {
					t.Errorf("%s: does not decode as PNG: %v", c.img, derr)
				}
			}
			if err != nil || payload != strings.TrimRight(string(hosted), "\n") {
				t.Errorf("%s: unbaked payload differs from %s (%v)", c.img, c.hosted, err)
			}
			if other := map[bake.Version]bake.Version{bake.OB2: bake.OB3, bake.OB3: bake.OB2}[c.v]; ext == ".svg" {
				if _, err := bake.UnbakeSVG(img, other); err != bake.ErrNoPayload {
					t.Errorf("%s: holds a payload of the other version too", c.img)
				}
			}
			_, rep := v.Target(context.Background(), filepath.Join(dest, c.img), nil)
			want := verify.Valid
			if !a.Expires.IsZero() && a.Expires.Before(now) {
				want = verify.Expired
			}
			if rep.Status != want {
				t.Errorf("%s: verify says %v %v, want %v", c.img, rep.Status, rep.Problems, want)
			}
			n++
		}
	}
	if n < 2*len(awards) || n == 0 {
		t.Fatalf("checked %d images of %d awards", n, len(awards))
	}
}

// TestPassportIncremental edits declarations of a built demo: a changed
// declaration rewrites only its pages, a withdrawn one has its pages, award
// pages and baked images removed by the next build, and no credential is
// signed again.
func TestPassportIncremental(t *testing.T) {
	t.Parallel()
	src, dest := builtDemo(t)
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	_, shown := demoPassports(t, src, site)
	decl := func(slug string) string { return filepath.Join(src, "content", "_passports", slug+".yaml") }
	diff := func(before, after map[string][]byte) (changed, removed []string) {
		for p, b := range after {
			if !bytes.Equal(b, before[p]) {
				changed = append(changed, p)
			}
		}
		for p := range before {
			if after[p] == nil {
				removed = append(removed, p)
			}
		}
		slices.Sort(changed)
		slices.Sort(removed)
		return
	}

	// A changed e-mail address: that passport's two pages only.
	before := readTree(t, dest)
	mustReplace(t, decl("etudiante-fictive-1008"), "email: etudiant.1008@example.org", "email: etudiant.1008+cv@example.org")
	res := mustBuild(t, Options{Source: src, Destination: dest})
	changed, removed := diff(before, readTree(t, dest))
	want := []string{"en/passport/etudiante-fictive-1008/index.html", "passport/etudiante-fictive-1008/index.html"}
	if !slices.Equal(changed, want) || len(removed) > 0 || res.Issued != 0 || res.Written != 2 {
		t.Fatalf("after an e-mail change: changed %v, removed %v, %d issued, %d written; want %v", changed, removed, res.Issued, res.Written, want)
	}

	// A withdrawn passport: its pages, its awards' pages and baked images go.
	before = readTree(t, dest)
	withdrawn, err := passportfile.Load(src, site)
	if err != nil {
		t.Fatal(err)
	}
	var gone []string
	for _, p := range withdrawn {
		if p.Slug != "ef-0102" {
			continue
		}
		gone = append(gone, passportPath(p.Slug, "fr"), passportPath(p.Slug, "en"))
		for _, r := range p.Awards {
			a := shown[r.Award]
			ob2, ob3 := paths.Baked(a)
			gone = append(gone, awardPagePath(a, "fr"), awardPagePath(a, "en"), ob2, ob3)
		}
	}
	slices.Sort(gone)
	if len(gone) != 2+3*4 {
		t.Fatalf("ef-0102 should show 3 awards: %v", gone)
	}
	if err := os.Remove(decl("ef-0102")); err != nil {
		t.Fatal(err)
	}
	res = mustBuild(t, Options{Source: src, Destination: dest})
	changed, removed = diff(before, readTree(t, dest))
	if len(changed) > 0 || !slices.Equal(removed, gone) || res.Removed != len(gone) || res.Issued != 0 {
		t.Fatalf("after a withdrawal: changed %v, removed %v (%d), want removed %v", changed, removed, res.Removed, gone)
	}
	for _, p := range gone {
		if _, err := os.Stat(filepath.Dir(filepath.Join(dest, p))); strings.HasSuffix(p, "index.html") && err == nil {
			t.Errorf("folder of %s left behind", p)
		}
	}
	man, _ := os.ReadFile(manifestPath(src, dest))
	if bytes.Contains(man, []byte("ef-0102")) {
		t.Error("the manifest still lists the withdrawn passport")
	}

	// No baking: the baked images go, award pages lose their links.
	before = readTree(t, dest)
	mustReplace(t, filepath.Join(src, "blason.yaml"), "credentials:\n", "credentials:\n  bake: none\n")
	mustBuild(t, Options{Source: src, Destination: dest})
	changed, removed = diff(before, readTree(t, dest))
	for _, p := range removed {
		if !strings.HasSuffix(p, ".svg") {
			t.Errorf("bake: none removed %s", p)
		}
	}
	for _, p := range changed {
		if !strings.Contains(p, "/awards/") {
			t.Errorf("bake: none changed %s", p)
		}
	}
	if len(removed) != 2*(len(shown)-3) || len(changed) != 2*(len(shown)-3) {
		t.Errorf("bake: none removed %d and changed %d files", len(removed), len(changed))
	}
}

// TestPassportErrors: declarations naming unknown awards fail the build at
// their line and leave the site as it was; a slug declared by two sources
// too; a store's reference to an award the content no longer holds is left
// off with a warning.
func TestPassportErrors(t *testing.T) {
	src := copyDemo(t)
	dest := filepath.Join(t.TempDir(), "site")
	bad := filepath.Join(src, "content", "_passports", "x.yaml")
	os.WriteFile(bad, []byte("displayName: X\nawards:\n  - space: universite\n    award: zzzzzzzzzzzzzzzzzzzzzzzzzz\n"), 0o644)
	_, err := Run(Options{Source: src, Destination: dest, Now: now})
	if err == nil || !strings.Contains(err.Error(), "content/_passports/x.yaml:4: unknown award id") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("a failed build wrote the site")
	}
	os.Remove(bad)

	// A space named passport would share its folder with passport pages.
	if err := os.CopyFS(filepath.Join(src, "content", "passport"), os.DirFS(filepath.Join(src, "content", "association"))); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(Options{Source: src, Destination: dest, Now: now}); err == nil || !strings.Contains(err.Error(), "a space may not be named passport") {
		t.Fatalf("space named passport: err = %v", err)
	}
	os.RemoveAll(filepath.Join(src, "content", "passport"))
	os.RemoveAll(filepath.Join(src, "keys", "passport"))

	// A store passport taking a content file's slug is left off with a
	// warning: the build goes on, and the file's page stays the file's.
	store := passport.Static{{Slug: "ef-0102", DisplayName: "Usurper", Source: "store"}}
	clash, err := Run(Options{Source: src, Destination: dest, Now: now, Passports: []passport.Source{store}})
	if err != nil || !slices.ContainsFunc(clash.Warnings, func(w string) bool {
		return strings.Contains(w, `store: passport slug "ef-0102" is already declared by content/_passports/ef-0102.yaml`)
	}) {
		t.Fatalf("clash: err = %v, warnings %q", err, clash.Warnings)
	}
	if page, _ := os.ReadFile(filepath.Join(dest, passportPath("ef-0102", "fr"))); bytes.Contains(page, []byte("Usurper")) {
		t.Fatal("a store passport replaced a content file's page")
	}
	site, err := Load(Options{Source: src, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a := site.Spaces[0].Awards[0]
	store = passport.Static{{Slug: "from-store", DisplayName: "Z", Source: "store", Awards: []passport.AwardRef{{Space: a.Badge.Space.Slug, Award: a.ID}, {Space: "universite", Award: "gonegonegonegonegonegonego"}}}}
	res := mustBuild(t, Options{Source: src, Destination: dest, Passports: []passport.Source{store}})
	page, err := os.ReadFile(filepath.Join(dest, passportPath("from-store", "fr")))
	if err != nil || strings.Count(string(page), `<li class="passport-badge `) != 1 || !strings.Contains(string(page), a.ID) {
		t.Fatalf("store passport: %v", err)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool {
		return strings.Contains(w, "store: passport from-store lists an award that is not in space universite")
	}) {
		t.Fatalf("warnings: %v", res.Warnings)
	}
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			if (x-32)*(x-32)+(y-32)*(y-32) < 900 {
				img.Set(x, y, color.RGBA{0, 0, 145, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mustReplace replaces the first old in the file at path, failing the test
// when old is not there.
func mustReplace(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExtraGroupPaths(t *testing.T) {
	l := layout.Layout{Base: "https://b.example/", DefaultLang: "fr"}
	flags, err := langFlags([]string{"fr", "en"})
	if err != nil || flags != "Fe" {
		t.Fatalf("langFlags = %q, %v", flags, err)
	}
	if f, _ := langFlags([]string{"en"}); f != "E" {
		t.Fatalf("langFlags([en]) = %q", f)
	}
	if _, err := langFlags([]string{"de"}); err == nil {
		t.Fatal("no error for a language without a flag")
	}
	for _, tt := range []struct {
		id    string
		g     publish.Group
		paths []string
	}{
		{"passport:camille", publish.Group{Space: "_", Flags: "Fe"}, []string{"passport/camille/index.html", "en/passport/camille/index.html"}},
		{"passport:camille", publish.Group{Space: "_", Flags: "fE"}, []string{"fr/passport/camille/index.html", "passport/camille/index.html"}},
		{"page:abcdef", publish.Group{Space: "universite", Flags: "Fe"}, []string{"universite/awards/ab/abcdef/index.html", "en/universite/awards/ab/abcdef/index.html"}},
		{"bake:abcdef", publish.Group{Space: "universite", Flags: "pq"}, []string{"universite/assertions/ab/abcdef.png", "universite/credentials/ab/abcdef.png"}},
		{"bake:abcdef", publish.Group{Space: "universite", Flags: "vw"}, []string{"universite/assertions/ab/abcdef.svg", "universite/credentials/ab/abcdef.svg"}},
	} {
		got, ok := extraPaths(l, tt.id, tt.g)
		if !ok || !slices.Equal(got, tt.paths) {
			t.Errorf("extraPaths(%s, %s) = %v, want %v", tt.id, tt.g.Flags, got, tt.paths)
		}
		if len(got) != len(tt.g.Flags) {
			t.Errorf("%s: %d files for %d flags (publish counts files by flags)", tt.id, len(got), len(tt.g.Flags))
		}
	}
	if _, ok := extraPaths(l, "abcdefghijklmnopqrstuvwxyz", publish.Group{Flags: "hcj"}); ok {
		t.Error("an award group taken for a passport group")
	}
}
