package claim

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/francebadge/blason/internal/bake"
	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/store"
	"github.com/francebadge/blason/internal/verify"
)

// staticDirectory trusts the identity providers whose metadata it was given.
type staticDirectory map[string]*IdP

func (d staticDirectory) Lookup(id string) (*IdP, bool) { idp, ok := d[id]; return idp, ok }

func (d staticDirectory) Search(q, lang string, limit int) []*IdP {
	var out []*IdP
	for _, idp := range d {
		if q == "" || strings.Contains(strings.ToLower(idpName(idp, lang)), strings.ToLower(q)) {
			out = append(out, idp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EntityID < out[j].EntityID })
	return out
}

func trust(t *testing.T, d staticDirectory, idp *ssptest.IdP) {
	t.Helper()
	md, err := samlsp.ParseMetadata(idp.Metadata(t))
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, r := range md.IDPSSODescriptors {
		if r.Extensions != nil {
			for _, s := range r.Extensions.ShibbolethScopes {
				scopes = append(scopes, strings.ToLower(s.Value))
			}
		}
	}
	d[md.EntityID] = &IdP{EntityID: md.EntityID, Metadata: md, Names: map[string]string{"fr": "IdP " + idp.URL},
		OwnsScope: func(s string) bool {
			for _, sc := range scopes {
				if strings.EqualFold(sc, s) {
					return true
				}
			}
			return false
		}}
}

// world is a demo site built with its claim index and served over HTTP, two
// trusted SimpleSAMLphp IdPs (A owns univ-test.fr; B owns univ-autre.fr but
// asserts univ-test.fr values), one untrusted IdP C, and a claim server.
type world struct {
	site, siteURL, index string
	srv                  *Server
	url                  string
	st                   store.Store
	db                   *sql.DB // the same database, for counting sessions
	a, b, c              *ssptest.IdP
	skew                 atomic.Int64 // added to the server's clock, ns
	logs                 *bytes.Buffer
	logMu                *sync.Mutex
	ix                   *claimindex.Index
	key                  []byte
	opts                 build.Options // the demo build, rerun after passport changes
	buildMu              sync.Mutex
	rebuilt              atomic.Int64 // rebuilds after passport changes
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  string
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// setup is shared by the tests of the package (one demo build, three IdPs).
func setup(t *testing.T) *world {
	t.Helper()
	ssptest.Require(t)
	worldOnce.Do(func() {
		defer func() {
			if theWorld == nil && worldErr == "" {
				worldErr = "setup failed"
			}
		}()
		w := &world{logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
		dir, err := os.MkdirTemp("", "blason-claim-")
		if err != nil {
			worldErr = err.Error()
			return
		}
		dbPath := filepath.Join(dir, "claim.db")
		if w.st, err = store.Open(context.Background(), dbPath); err != nil {
			worldErr = err.Error()
			return
		}
		if w.db, err = sql.Open("sqlite", dbPath); err != nil {
			worldErr = err.Error()
			return
		}
		src := filepath.Join(dir, "src")
		if err := os.CopyFS(filepath.Join(src, "content"), os.DirFS(filepath.Join(repoRoot(), "content"))); err != nil {
			worldErr = err.Error()
			return
		}
		cfg, _ := os.ReadFile(filepath.Join(repoRoot(), "blason.yaml"))
		os.WriteFile(filepath.Join(src, "blason.yaml"), cfg, 0o644)
		siteLn, _ := net.Listen("tcp", "127.0.0.1:0")
		w.siteURL = "http://" + siteLn.Addr().String() + "/"
		w.site = filepath.Join(dir, "site")
		w.index = build.ClaimIndexPath(src)
		opts := build.Options{Source: src, Destination: w.site, BaseURL: w.siteURL, ClaimIndex: w.index, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := build.Run(opts); err != nil {
			worldErr = "demo build: " + err.Error()
			return
		}
		go http.Serve(siteLn, http.FileServer(http.Dir(w.site)))
		ix, err := claimindex.Read(w.index)
		if err != nil {
			worldErr = err.Error()
			return
		}
		key, err := build.ClaimKey(opts)
		if err != nil {
			worldErr = err.Error()
			return
		}
		theWorld = w
		w.ix, w.key, w.opts = ix, key, opts
	})
	if worldErr != "" {
		t.Fatal(worldErr)
	}
	w := theWorld
	if w.srv == nil {
		w.a = ssptest.Start(t, ssptest.Options{})
		w.b = ssptest.Start(t, ssptest.Options{Scope: "univ-autre.fr"})
		w.c = ssptest.Start(t, ssptest.Options{})
		dirIdP := staticDirectory{}
		trust(t, dirIdP, w.a)
		trust(t, dirIdP, w.b)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		w.url = "http://" + ln.Addr().String() + "/"
		key, cert := ssptest.SelfSigned(t, "claim test SP")
		w.srv, err = New(Config{
			URL: w.url, SiteURL: w.siteURL, SiteDir: w.site,
			Index: func() *claimindex.Index { return w.ix }, IndexKey: w.key,
			Secret: bytes.Repeat([]byte{7}, 32), SPKey: key, SPCert: cert,
			Organization: Organization{Names: map[string]string{"fr": "Blason — récupérer mes badges", "en": "Blason — claim my badges"},
				Descriptions:   map[string]string{"fr": "Badges ouverts des établissements", "en": "Open Badges of the institutions"},
				InformationURL: w.siteURL, PrivacyURL: w.siteURL + "privacy/",
				TechnicalEmail: "tech@example.org", SupportEmail: "support@example.org", SecurityEmail: "security@example.org"},
			Directory: dirIdP, Store: FromStore(w.st),
			Log:       slog.New(slog.NewJSONHandler(lockedWriter{w.logMu, w.logs}, nil)),
			Now:       func() time.Time { return time.Now().Add(time.Duration(w.skew.Load())) },
			RateLimit: 10000,
			// As a single host does: publish the passports of the store.
			OnPassportChange: func() {
				w.buildMu.Lock()
				defer w.buildMu.Unlock()
				o := w.opts
				o.Passports = []passport.Source{w.st}
				if _, err := build.Run(o); err != nil {
					w.logMu.Lock()
					fmt.Fprintf(w.logs, "rebuild: %v\n", err)
					w.logMu.Unlock()
					return
				}
				w.rebuilt.Add(1)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{Handler: w.srv.Handler()}
		go hs.Serve(ln)
		t.Cleanup(func() { hs.Close(); w.srv = nil })
		md := get(t, http.DefaultClient, w.url+"saml/metadata")
		for _, idp := range []*ssptest.IdP{w.a, w.b, w.c} {
			if err := os.WriteFile(idp.SPMetadata, md, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

func get(t *testing.T, c *http.Client, u string) []byte {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s\nlog: %s", u, resp.StatusCode, b, theWorld.logText())
	}
	return b
}

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (w *world) loginURL(idp *ssptest.IdP) string {
	return w.url + "login?entityID=" + url.QueryEscape(idp.EntityID)
}

// post submits the ACS form and returns the final response body and status.
func post(t *testing.T, c *http.Client, f ssptest.Form) (int, string) {
	t.Helper()
	resp, err := c.PostForm(f.Action, f.Fields)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var cardRE = regexp.MustCompile(`me/download/([a-z0-9-]+)/([a-z0-9]+)/credential\.json`)

// awardsOn lists the space/award pairs a "my badges" page offers.
func awardsOn(page string) []string {
	var out []string
	for _, m := range cardRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1]+"/"+m[2])
	}
	sort.Strings(out)
	return out
}

// expected lists the demo awards of an identity from the build's index.
func (w *world) expected(eppn, mail string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range append(w.ix.Lookup(w.key, claimindex.KindEPPN, eppn), w.ix.Lookup(w.key, claimindex.KindEmail, mail)...) {
		if k := e.Space + "/" + e.Award; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestLoginShowsExactlyTheStudentsAwards(t *testing.T) {
	w := setup(t)
	c := browser()
	f := ssptest.Login(t, c, w.loginURL(w.a), "etudiant1")
	status, page := post(t, c, f)
	if status != 200 || !strings.Contains(page, "Mes badges") {
		t.Fatalf("after login: %d\n%s\n%s", status, page, w.logs)
	}
	got := awardsOn(page)
	want := w.expected("etudiant1@univ-test.fr", "camille.martin@etu.univ-test.fr")
	if len(want) != 3 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("awards shown %v, want %v", got, want)
	}
	for _, name := range []string{"Premiers secours", "Tuteur ou tutrice pair", "Bénévole solidaire"} {
		if !strings.Contains(page, name) {
			t.Errorf("page lacks %q", name)
		}
	}
	// Nobody else's awards: etudiant2's badge is not there.
	for _, k := range w.expected("etudiant2@univ-test.fr", "") {
		if strings.Contains(page, strings.Split(k, "/")[1]) {
			t.Errorf("etudiant1 sees etudiant2's award %s", k)
		}
	}

	// Downloads verify with the verifier of `blason verify`.
	v := verify.New(verify.DirFetcher{Base: w.siteURL, Dir: w.site}, time.Now())
	for _, k := range got {
		for _, file := range []string{"credential.json", "credential.jwt"} {
			body := get(t, c, w.url+"me/download/"+k+"/"+file)
			format, rep := v.Bytes(context.Background(), body, nil)
			if rep.Status != verify.Valid {
				t.Errorf("%s %s (%s): %v %v", k, file, format, rep.Status, rep.Problems)
			}
		}
	}
	// The baked image carries the credential and is still an image.
	e, _ := w.ix.Find(strings.Split(got[0], "/")[0], strings.Split(got[0], "/")[1])
	img := get(t, c, w.url+"me/download/"+got[0]+"/badge"+filepath.Ext(e.Image))
	cred := get(t, c, w.url+"me/download/"+got[0]+"/credential.json")
	switch filepath.Ext(e.Image) {
	case ".png":
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Fatal(err)
		}
		payload, err := bake.UnbakePNG(img, bake.OB3)
		if err != nil || payload != string(cred) {
			t.Fatalf("unbaked PNG payload differs from the credential (%v)", err)
		}
	case ".svg":
		if err := xml.Unmarshal(img, new(struct{})); err != nil {
			t.Fatal(err)
		}
		payload, err := bake.UnbakeSVG(img, bake.OB3) // the text content, trimmed
		if err != nil || payload != strings.TrimSpace(string(cred)) {
			t.Fatalf("unbaked SVG payload differs from the credential (%v)", err)
		}
	}
	// Another student's award cannot be downloaded.
	other := w.expected("etudiant2@univ-test.fr", "")[0]
	resp, err := c.Get(w.url + "me/download/" + other + "/credential.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("download of another student's award: %d", resp.StatusCode)
	}
	// No personal data in the logs.
	w.logMu.Lock()
	logs := w.logs.String()
	w.logMu.Unlock()
	for _, pii := range []string{"etudiant1", "camille", "Camille", "Martin", "21001234"} {
		if strings.Contains(logs, pii) {
			t.Errorf("logs contain %q", pii)
		}
	}
}

func TestForeignScopeIdPCannotClaim(t *testing.T) {
	w := setup(t)
	before := w.sessionCount(t)
	c := browser()
	f := ssptest.Login(t, c, w.loginURL(w.b), "etudiant1")
	status, page := post(t, c, f)
	if status != http.StatusForbidden || strings.Contains(page, "me/download/") {
		t.Fatalf("IdP B asserting univ-test.fr: status %d\n%s", status, page)
	}
	if n := w.sessionCount(t); n != before {
		t.Fatalf("a session was created (%d → %d)", before, n)
	}
	if !strings.Contains(w.logText(), "outside its scopes") {
		t.Fatalf("refusal reason not logged: %s", w.logText())
	}
}

func (w *world) sessionCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := w.db.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) logText() string {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.logs.String()
}

// attack runs one tampering of a genuine login and checks that it is
// refused, that no session exists afterwards and that the log says why.
func TestAttacksAreRefused(t *testing.T) {
	w := setup(t)
	type tc struct {
		name   string
		reason string // expected in the log
		run    func(t *testing.T, c *http.Client) (int, string)
	}
	// genuine is a fresh login's ACS form for etudiant1 at IdP A.
	genuine := func(t *testing.T, c *http.Client) ssptest.Form {
		return ssptest.Login(t, c, w.loginURL(w.a), "etudiant1")
	}
	tamper := func(f ssptest.Form, edit func(string) string) ssptest.Form {
		doc := ssptest.Decode(t, f.Fields.Get("SAMLResponse"))
		b, _ := doc.WriteToString()
		g := ssptest.Form{Action: f.Action, Fields: url.Values{}}
		for k, v := range f.Fields {
			g.Fields[k] = v
		}
		g.Fields.Set("SAMLResponse", b64(edit(b)))
		return g
	}
	cases := []tc{
		{"replayed response", "already been used", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			u, _ := url.Parse(w.url)
			saved := c.Jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/saml/acs"})
			if s, _ := post(t, c, f); s != 200 {
				t.Fatalf("genuine login failed: %d", s)
			}
			// Log out, put the request-tracking cookie back, and replay.
			c2 := browser()
			c2.Jar.SetCookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/saml/acs"}, saved)
			*c = *c2
			return post(t, c, f)
		}},
		{"stripped signature", "signature element not present", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			doc := ssptest.Decode(t, f.Fields.Get("SAMLResponse"))
			ssptest.StripSignatures(doc)
			f.Fields.Set("SAMLResponse", ssptest.Encode(t, doc))
			return post(t, c, f)
		}},
		{"altered attribute", "Signature could not be verified", func(t *testing.T, c *http.Client) (int, string) {
			f := tamper(genuine(t, c), func(s string) string {
				return strings.ReplaceAll(s, "etudiant1@univ-test.fr", "etudiant2@univ-test.fr")
			})
			return post(t, c, f)
		}},
		{"injected second assertion (XSW)", "exactly one Assertion", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			doc := ssptest.Decode(t, f.Fields.Get("SAMLResponse"))
			root := doc.Root()
			// Drop the Response signature (keep the assertion's) and put a
			// forged, unsigned copy before the genuine assertion.
			for _, s := range root.ChildElements() {
				if s.Tag == "Signature" {
					root.RemoveChild(s)
				}
			}
			a := root.FindElement("./Assertion")
			forged := a.Copy()
			for _, s := range forged.ChildElements() {
				if s.Tag == "Signature" {
					forged.RemoveChild(s)
				}
			}
			forged.CreateAttr("ID", "_forged")
			fb := etree2string(forged)
			fb = strings.ReplaceAll(fb, "etudiant1@univ-test.fr", "etudiant2@univ-test.fr")
			fe := parseElement(t, fb)
			root.InsertChildAt(a.Index(), fe)
			f.Fields.Set("SAMLResponse", ssptest.Encode(t, doc))
			return post(t, c, f)
		}},
		{"wrong audience", "AudienceRestriction", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			doc := ssptest.Decode(t, f.Fields.Get("SAMLResponse"))
			for _, a := range doc.FindElements("//Audience") {
				a.SetText("https://another-sp.example.org/shibboleth")
			}
			w.a.Resign(t, doc, dsig.RSASHA256SignatureMethod)
			f.Fields.Set("SAMLResponse", ssptest.Encode(t, doc))
			return post(t, c, f)
		}},
		{"expired assertion", "expired", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			w.skew.Store(int64(4 * time.Minute))
			defer w.skew.Store(0)
			return post(t, c, f)
		}},
		{"SHA-1 signature", "SHA-1", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			doc := ssptest.Decode(t, f.Fields.Get("SAMLResponse"))
			w.a.Resign(t, doc, dsig.RSASHA1SignatureMethod)
			f.Fields.Set("SAMLResponse", ssptest.Encode(t, doc))
			return post(t, c, f)
		}},
		{"IdP-initiated response", "RelayState", func(t *testing.T, c *http.Client) (int, string) {
			f := ssptest.Login(t, c, w.a.URL+"saml2/idp/SSOService.php?spentityid="+url.QueryEscape(w.srv.cfg.EntityID), "etudiant1")
			return post(t, c, f)
		}},
		{"unknown IdP", "outside the federation", func(t *testing.T, c *http.Client) (int, string) {
			// Start a login at A (so a request is tracked), but answer it
			// with a genuine response of C, which the federation does not list.
			resp, err := noRedirect(c).Get(w.loginURL(w.a))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			relay := loc.Query().Get("RelayState")
			f := ssptest.Login(t, c, w.c.URL+"saml2/idp/SSOService.php?spentityid="+url.QueryEscape(w.srv.cfg.EntityID), "etudiant1")
			f.Fields.Set("RelayState", relay)
			return post(t, c, f)
		}},
		{"unknown IdP at login", "", func(t *testing.T, c *http.Client) (int, string) {
			resp, err := c.Get(w.loginURL(w.c))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}},
		{"tampered RelayState", "RelayState", func(t *testing.T, c *http.Client) (int, string) {
			f := genuine(t, c)
			f.Fields.Set("RelayState", f.Fields.Get("RelayState")+"x")
			return post(t, c, f)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.sessionCount(t)
			mark := len(w.logText())
			c := browser()
			status, page := tc.run(t, c)
			if status == 200 || strings.Contains(page, "me/download/") {
				t.Fatalf("accepted: %d\n%s", status, page)
			}
			if n := w.sessionCount(t); n != before+boolInt(tc.name == "replayed response") {
				t.Fatalf("sessions %d → %d", before, n)
			}
			for _, ck := range c.Jar.Cookies(mustURL(w.url)) {
				if ck.Name == sessionCookie && tc.name != "replayed response" {
					t.Fatalf("session cookie set")
				}
			}
			if tc.reason != "" && !strings.Contains(w.logText()[mark:], tc.reason) {
				t.Fatalf("log lacks %q: %s", tc.reason, w.logText()[mark:])
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func noRedirect(c *http.Client) *http.Client {
	n := *c
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func etree2string(el *etree.Element) string {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	s, _ := doc.WriteToString()
	return s
}

func parseElement(t *testing.T, s string) *etree.Element {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}
