package claim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/ssptest"
	"github.com/francebadge/blason/internal/verify"
)

var (
	deepLinkRE = regexp.MustCompile(`href="(dccrequest://request\?[^"]+)"`)
	qrRE       = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)
)

// vcapiURL reads the VC-API exchange URL out of the deep link of a DCC page,
// as the Learner Credential Wallet does (request= holds a JSON object with
// credentialRequestOrigin and protocols.vcapi).
func vcapiURL(t *testing.T, page, origin string) string {
	t.Helper()
	m := deepLinkRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no deep link in the page:\n%s", page)
	}
	link, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil || link.Scheme != "dccrequest" || link.Host != "request" {
		t.Fatalf("deep link %q: %v", m[1], err)
	}
	var req struct {
		Origin    string            `json:"credentialRequestOrigin"`
		Protocols map[string]string `json:"protocols"`
	}
	if err := json.Unmarshal([]byte(link.Query().Get("request")), &req); err != nil {
		t.Fatalf("request parameter %q: %v", link.Query().Get("request"), err)
	}
	if req.Origin != origin || !strings.HasPrefix(req.Protocols["vcapi"], origin+"/") {
		t.Fatalf("request %+v, want origin %s", req, origin)
	}
	return req.Protocols["vcapi"]
}

// exchange POSTs {} to a VC-API exchange URL, as a wallet does (no cookie).
func exchange(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// presented returns the credentials of an exchange's answer.
func presented(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var vp struct {
		VP struct {
			Type []string          `json:"type"`
			VCs  []json.RawMessage `json:"verifiableCredential"`
		} `json:"verifiablePresentation"`
	}
	if err := json.Unmarshal(body, &vp); err != nil || len(vp.VP.Type) != 1 || vp.VP.Type[0] != "VerifiablePresentation" {
		t.Fatalf("not a verifiable presentation (%v): %s", err, body)
	}
	return vp.VP.VCs
}

// TestDCCExchange runs the Learner Credential Wallet flow against the real
// handler over HTTP: the page's deep link and QR code, the exchange
// answering the wallet with the award's credential, and the refusals
// (another award, a forged or expired link, a revoked badge).
func TestDCCExchange(t *testing.T) {
	var u *unit
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { u.h.ServeHTTP(w, r) }))
	defer ts.Close()
	u = newUnit(t, ts.URL+"/", 1000)
	cred := writeSite(t, u)
	s := u.login(t)
	get := func(target string) (int, string) {
		req, _ := http.NewRequest("GET", ts.URL+target, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.ID})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if _, page := get("/me?lang=en"); !strings.Contains(page, `href="/me/download/universite/aaaa/dcc?lang=en"`) ||
		strings.Contains(page, "bbbb/dcc") {
		t.Errorf("the page does not link the valid award (only) to the wallet:\n%s", page)
	}
	status, page := get("/me/download/universite/aaaa/dcc?lang=en")
	if status != 200 || !strings.Contains(page, "Learner Credential Wallet") || !strings.Contains(page, "Peer tutoring") {
		t.Fatalf("wallet page: %d\n%s", status, page)
	}
	if m := qrRE.FindStringSubmatch(page); m == nil {
		t.Error("no QR code")
	} else if b, err := decodeB64(html.UnescapeString(m[1])); err != nil {
		t.Error(err)
	} else if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("QR code: %v", err)
	}
	vcapi := vcapiURL(t, page, ts.URL)

	code, body := exchange(t, vcapi)
	if code != 200 {
		t.Fatalf("exchange: %d %s", code, body)
	}
	vcs := presented(t, body)
	var want, got any
	json.Unmarshal(cred, &want)
	if len(vcs) != 1 || json.Unmarshal(vcs[0], &got) != nil || !jsonEqual(got, want) {
		t.Fatalf("the presentation does not hold the award's credential: %s", body)
	}

	token := vcapi[strings.LastIndex(vcapi, "/")+1:]
	for _, tc := range []struct {
		name, url string
		code      int
	}{
		{"token of another award", ts.URL + "/me/download/universite/cccc/dcc/" + token, 404},
		{"forged token", vcapi[:len(vcapi)-2] + "AA", 404},
		{"no token", ts.URL + "/me/download/universite/aaaa/dcc/", 404},
		{"revoked award", ts.URL + "/me/download/universite/bbbb/dcc/" + u.srv.dccToken("universite", "bbbb", time.Now()), 410},
	} {
		if code, body := exchange(t, tc.url); code != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.code)
		}
	}
	if status, _ := get("/me/download/universite/bbbb/dcc"); status != http.StatusGone {
		t.Errorf("wallet page of a revoked award: %d", status)
	}
	u.srv.cfg.Now = func() time.Time { return time.Now().Add(dccTTL + time.Minute) }
	if code, _ := exchange(t, vcapi); code != 404 {
		t.Errorf("expired exchange: %d", code)
	}
	if logs := u.logs.String(); strings.Contains(logs, token) || strings.Contains(logs, "aaaa") {
		t.Errorf("token or award id in the log: %s", logs)
	}
}

// TestDCCDemo: a demo student logged in through a real identity provider
// gets each badge through the exchange, and the credential verifies.
func TestDCCDemo(t *testing.T) {
	w := setup(t)
	c := browser()
	status, page := post(t, c, ssptest.Login(t, c, w.loginURL(w.a), "etudiant1"))
	if status != 200 {
		t.Fatalf("login: %d", status)
	}
	origin := strings.TrimSuffix(w.url, "/")
	v := verify.New(verify.DirFetcher{Base: w.siteURL, Dir: w.site}, time.Now())
	for _, k := range awardsOn(page) {
		dcc := string(get(t, c, w.url+"me/download/"+k+"/dcc"))
		code, body := exchange(t, vcapiURL(t, dcc, origin))
		if code != 200 {
			t.Fatalf("%s: exchange %d %s", k, code, body)
		}
		vcs := presented(t, body)
		if len(vcs) != 1 {
			t.Fatalf("%s: %d credentials", k, len(vcs))
		}
		if format, rep := v.Bytes(t.Context(), vcs[0], nil); rep.Status != verify.Valid {
			t.Errorf("%s (%s): %v %v", k, format, rep.Status, rep.Problems)
		}
	}
}

func decodeB64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// jsonEqual compares two decoded JSON values.
func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }
