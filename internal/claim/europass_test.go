package claim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/elm/elmtest"
	"github.com/francebadge/blason/internal/ssptest"
)

// writeSite gives the unit's awards a credential and a badge image in its
// site folder.
func writeSite(t *testing.T, u *unit) []byte {
	t.Helper()
	cred, err := os.ReadFile(filepath.Join("..", "elm", "testdata", "ob3-competency.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range u.ix.Entries {
		e := &u.ix.Entries[i]
		e.Credential = e.Space + "/credentials/" + e.Award + ".json"
		for p, b := range map[string][]byte{e.Credential: cred, e.Image: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(u.srv.cfg.SiteDir, p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(u.srv.cfg.SiteDir, p), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Written and read back, the index can find awards by id.
	f := filepath.Join(t.TempDir(), "claim-index.json")
	if err := claimindex.Write(f, u.ix); err != nil {
		t.Fatal(err)
	}
	ix, err := claimindex.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	*u.ix = *ix
	return cred
}

// TestEuropassDownload: the "my badges" page links each valid award to its
// Europass export, which is the award's credential as an ELM 3 credential
// conforming to the official EDC shapes; revoked awards, other students'
// awards and anonymous visitors get none, and the access log hides the
// award id.
func TestEuropassDownload(t *testing.T) {
	u := newUnit(t, "http://claim.example.fr/", 1000)
	writeSite(t, u)
	s := u.login(t)

	page := u.do(t, "GET", "http://claim.example.fr/me?lang=fr", nil, &s).Body.String()
	if !strings.Contains(page, `href="/me/download/universite/aaaa/europass.json"`) || !strings.Contains(page, "Europass (ELM)") {
		t.Errorf("no Europass link for the valid award:\n%s", page)
	}
	if strings.Contains(page, "bbbb/europass.json") {
		t.Error("Europass link for the revoked award")
	}

	w := u.do(t, "GET", "http://claim.example.fr/me/download/universite/aaaa/europass.json", nil, &s)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/ld+json" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="tutorat-europass.json"` {
		t.Fatalf("download: %d %v\n%s", w.Code, w.Header(), w.Body)
	}
	var got struct {
		Type    []string `json:"type"`
		Subject struct {
			ID string `json:"id"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || strings.Join(got.Type, " ") != "VerifiableCredential EuropeanDigitalCredential" ||
		got.Subject.ID != "urn:uuid:1ee5eab5-8859-42d2-b524-bae6de720c8a" {
		t.Fatalf("not the award's ELM credential (%v): %s", err, w.Body)
	}
	if strings.Contains(w.Body.String(), "Camille") || strings.Contains(w.Body.String(), "e1@univ-test.fr") {
		t.Error("personal data in the export")
	}
	f := filepath.Join(t.TempDir(), "europass.json")
	if err := os.WriteFile(f, w.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	reports, err := elmtest.Validate(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reports[0].Conforms {
		t.Errorf("the download does not conform to the EDC shapes: %+v", reports[0].Results)
	}

	for _, tc := range []struct {
		name, target string
		sess         *Session
		code         int
	}{
		{"revoked", "/me/download/universite/bbbb/europass.json", &s, 410},
		{"not the student's", "/me/download/universite/cccc/europass.json", &s, 404},
		{"anonymous", "/me/download/universite/aaaa/europass.json", nil, 303},
	} {
		if w := u.do(t, "GET", "http://claim.example.fr"+tc.target, nil, tc.sess); w.Code != tc.code {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.code)
		}
	}
	if logs := u.logs.String(); strings.Contains(logs, "aaaa") || strings.Contains(logs, "bbbb") {
		t.Errorf("award ids in the access log: %s", logs)
	}
}

// TestEuropassDemo exports every award of a demo student, logged in through
// a real identity provider, and validates the files with the official shapes.
func TestEuropassDemo(t *testing.T) {
	w := setup(t)
	c := browser()
	status, page := post(t, c, ssptest.Login(t, c, w.loginURL(w.a), "etudiant1"))
	if status != 200 {
		t.Fatalf("login: %d", status)
	}
	dir := t.TempDir()
	var files []string
	for _, k := range awardsOn(page) {
		if !strings.Contains(page, "me/download/"+k+"/europass.json") {
			t.Errorf("no Europass link for %s", k)
			continue
		}
		body := get(t, c, w.url+"me/download/"+k+"/europass.json")
		var ob3, out struct {
			Issuer struct {
				ID string `json:"id"`
			} `json:"issuer"`
		}
		if err := json.Unmarshal(get(t, c, w.url+"me/download/"+k+"/credential.json"), &ob3); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &out); err != nil || out.Issuer.ID != ob3.Issuer.ID {
			t.Errorf("%s: issuer %q, want the credential's %q (%v)", k, out.Issuer.ID, ob3.Issuer.ID, err)
		}
		f := filepath.Join(dir, strings.ReplaceAll(k, "/", "-")+".json")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no award exported")
	}
	reports, err := elmtest.Validate(t, files...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if !r.Conforms {
			t.Errorf("%s does not conform to the EDC shapes: %+v", filepath.Base(r.File), r.Results)
		}
	}
}
