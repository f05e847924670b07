package notify_test

// Integration tests: the real blason binary (built once in TestMain) runs
// `blason notify` on a copy of the demo site against a real SMTP server,
// Mailpit, started by each test on free loopback ports; messages are read
// back through Mailpit's API. Mailpit missing skips them, or fails them
// under CI=true.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/demotest"
)

var (
	blasonBin string // the blason binary, built by TestMain
	tmpRoot   string

	fixtureOnce sync.Once
	fixtureDir  string // the demo, built and baselined, with newRows added and built again
	fixtureErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "blason-notify-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newRows are the awards added after the baseline: the ones notify sends.
// The row without an e-mail address is reported, not sent.
var newRows = []struct {
	email, name, badge, level, lang string
}{
	{"nouveau.1@example.org", "Nouvelle Recrue Un", "competences-numeriques", "", "fr"},
	{"new.2@example.org", "Newcomer Two", "competences-numeriques", "", "en"},
	{"nouveau.3@example.org", "Nouvelle Recrue Trois", "tutorat", "", ""},
	{"new.4@example.org", "Newcomer Four", "tutorat", "", "EN"},
	{"nouveau.5@example.org", "Nouvelle Recrue Cinq", "secourisme", "", "fr"},
	{"nouveau.6@example.org", "Nouvelle Recrue Six", "certification-langues", "b2", ""},
	{"new.7@example.org", "Newcomer Seven", "certification-langues", "b1", "en"},
	{"nouveau.8@example.org", "Nouvelle Recrue Huit", "ambassadeur", "", "fr"},
	{"nouveau.9@example.org", "Nouvelle Recrue Neuf", "competences-numeriques", "", ""},
	{"new.10@example.org", "Newcomer Ten", "secourisme", "", "en"},
	{"nouveau.11@example.org", "Nouvelle Recrue Onze", "ambassadeur", "", ""},
	{"", "Sans Adresse Douze", "tutorat", "", ""},
}

// wantSent is how many messages newRows make.
const wantSent = 11

func ciFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// binary builds the blason binary once.
var binOnce sync.Once
var binErr error

func binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		blasonBin = filepath.Join(tmpRoot, "blason")
		out, err := exec.Command("go", "build", "-o", blasonBin, "github.com/francebadge/blason/cmd/blason").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return blasonBin
}

// run runs blason with args in dir and the environment env.
func run(t testing.TB, dir string, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BLASON_LANG=en")
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// fixture returns a fresh copy of the prepared demo: built, baselined,
// then newRows added and built again.
func fixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() {
		root, err := demotest.ModuleRoot()
		if err != nil {
			fixtureErr = err
			return
		}
		dir := filepath.Join(tmpRoot, "fixture")
		if err := demotest.CopyDemo(root, dir); err != nil {
			fixtureErr = err
			return
		}
		env := mailEnv(0)
		if _, e, err := run(t, dir, env, "build", "-q"); err != nil {
			fixtureErr = fmt.Errorf("build: %v\n%s", err, e)
			return
		}
		if o, e, err := run(t, dir, env, "notify", "--baseline"); err != nil || !strings.Contains(o, "recorded as already announced") {
			fixtureErr = fmt.Errorf("notify --baseline: %v\n%s%s", err, o, e)
			return
		}
		var csv strings.Builder
		csv.WriteString("email,eppn,name,badge,level,date,Langue\n")
		for i, r := range newRows {
			fmt.Fprintf(&csv, "%s,e90%02d@universite-demo.example,%s,%s,%s,2025-09-01,%s\n", r.email, i, r.name, r.badge, r.level, r.lang)
		}
		if err := os.WriteFile(filepath.Join(dir, "content/universite/awards/rentree-2025.csv"), []byte(csv.String()), 0o644); err != nil {
			fixtureErr = err
			return
		}
		if _, e, err := run(t, dir, env, "build", "-q"); err != nil {
			fixtureErr = fmt.Errorf("build: %v\n%s", err, e)
			return
		}
		fixtureDir = dir
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	if fixtureDir == "" {
		// The test that prepared it stopped half-way (t.Fatal inside the
		// Once): never copy from "" — `cp -a /.` would copy the whole disk.
		t.Fatal("the notify fixture was not prepared (see the first failing test)")
	}
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-a", fixtureDir+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	return dst
}

// mailEnv configures notify for an SMTP server on 127.0.0.1:port.
func mailEnv(port int, extra ...string) []string {
	return append([]string{
		"BLASON_NOTIFY_HOST=127.0.0.1", "BLASON_NOTIFY_PORT=" + strconv.Itoa(port), "BLASON_NOTIFY_SECURITY=none",
		"BLASON_NOTIFY_FROM=badges@universite-demo.example", "BLASON_NOTIFY_FROMNAME=Badges",
		"BLASON_NOTIFY_CLAIMURL=https://claim.example.fr/claim/", "BLASON_NOTIFY_RATE=1000/s",
	}, extra...)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// mailpit is a running Mailpit.
type mailpit struct {
	smtp int
	api  string
}

// startMailpit starts Mailpit with extra flags, stopped at the test's end.
func startMailpit(t testing.TB, extra ...string) *mailpit {
	t.Helper()
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		ciFail(t, "mailpit not found: go install github.com/axllent/mailpit@v1.33.1 (.ci/run installs it)")
	}
	m := &mailpit{smtp: freePort(t)}
	httpPort := freePort(t)
	m.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	args := append([]string{"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort), "--smtp", fmt.Sprintf("127.0.0.1:%d", m.smtp),
		"--max", "50000", "--database", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-disable-rdns"}, extra...)
	cmd := exec.Command(bin, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(m.api + "/api/v1/messages?limit=1")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.smtp)); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type summary struct {
	ID        string
	MessageID string
	Subject   string
	To        []struct{ Name, Address string }
}

// messages lists every message Mailpit holds.
func (m *mailpit) messages(t testing.TB) []summary {
	t.Helper()
	var res struct {
		Total    int
		Messages []summary
	}
	getJSON(t, m.api+"/api/v1/messages?limit=100000", &res)
	return res.Messages
}

func (m *mailpit) count(t testing.TB) int {
	var res struct{ Total int }
	getJSON(t, m.api+"/api/v1/messages?limit=1", &res)
	return res.Total
}

type message struct {
	Subject   string
	MessageID string
	Text      string
	HTML      string
	To        []struct{ Name, Address string }
}

func (m *mailpit) message(t testing.TB, id string) message {
	var msg message
	getJSON(t, m.api+"/api/v1/message/"+id, &msg)
	return msg
}

func (m *mailpit) headers(t testing.TB, id string) map[string][]string {
	h := map[string][]string{}
	getJSON(t, m.api+"/api/v1/message/"+id+"/headers", &h)
	return h
}

func getJSON(t testing.TB, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// byAddress indexes messages by their single recipient, failing on a
// duplicate Message-ID.
func byAddress(t *testing.T, msgs []summary) map[string]summary {
	t.Helper()
	out := map[string]summary{}
	ids := map[string]bool{}
	for _, s := range msgs {
		if ids[s.MessageID] {
			t.Errorf("Message-ID %s delivered twice", s.MessageID)
		}
		ids[s.MessageID] = true
		if len(s.To) != 1 {
			t.Errorf("message %s has %d recipients", s.ID, len(s.To))
			continue
		}
		out[s.To[0].Address] = s
	}
	return out
}

// privacy fails when output names an address or a name of the award rows
// (the demo's and newRows).
func privacy(t *testing.T, dir, output string) {
	t.Helper()
	var people []string
	for _, r := range newRows {
		people = append(people, r.email, r.name)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "content/*/awards/*.csv"))
	addr := regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]+`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		people = append(people, addr.FindAllString(string(b), -1)...)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			for _, cell := range strings.Split(line, ",") {
				if strings.HasPrefix(cell, "Étudiant") || strings.HasPrefix(cell, "Nouvelle") || strings.HasPrefix(cell, "Newcomer") {
					people = append(people, cell)
				}
			}
		}
	}
	if len(people) < 100 {
		t.Fatalf("found only %d addresses and names to look for", len(people))
	}
	for _, p := range people {
		if p != "" && strings.Contains(output, p) {
			t.Errorf("the output names %q", p)
		}
	}
}

// TestNotifySendsNewAwards sends the new awards once, in each row's
// language, with working links, and nothing on a second run.
func TestNotifySendsNewAwards(t *testing.T) {
	mp := startMailpit(t)
	dir := fixture(t)
	env := mailEnv(mp.smtp)
	o, e, err := run(t, dir, env, "notify")
	if err != nil {
		t.Fatalf("notify: %v\n%s%s", err, o, e)
	}
	privacy(t, dir, o+e)
	if !strings.Contains(o, "sent 11 of 11 message(s)") || !strings.Contains(o, "rentree-2025.csv:13") {
		t.Errorf("output:\n%s%s", o, e)
	}
	got := byAddress(t, mp.messages(t))
	if len(got) != wantSent {
		t.Fatalf("%d messages, want %d", len(got), wantSent)
	}
	// Serve the built site at its base URL's path, to follow the links.
	site := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "site"))))
	defer site.Close()
	for _, r := range newRows {
		if r.email == "" {
			continue
		}
		s, ok := got[r.email]
		if !ok {
			t.Errorf("no message to row %s", r.name)
			continue
		}
		msg := mp.message(t, s.ID)
		h := mp.headers(t, s.ID)
		lang := strings.ToLower(r.lang)
		if lang == "" {
			lang = "fr" // the demo's first language
		}
		if got := strings.Join(h["Content-Language"], ","); got != lang {
			t.Errorf("%s: Content-Language %q, want %q", r.email, got, lang)
		}
		french := strings.HasPrefix(msg.Subject, "Vous avez obtenu")
		if french != (lang == "fr") {
			t.Errorf("%s: subject %q is not in %s", r.email, msg.Subject, lang)
		}
		if !strings.Contains(msg.HTML, `<html lang="`+lang+`">`) {
			t.Errorf("%s: the HTML part has no lang=%q", r.email, lang)
		}
		claim := "https://claim.example.fr/claim/?lang=" + lang
		if !strings.Contains(msg.Text, claim) || !strings.Contains(msg.HTML, `href="`+claim+`"`) {
			t.Errorf("%s: no claim link %s", r.email, claim)
		}
		if strings.Contains(msg.HTML, "<script") {
			t.Errorf("%s: a script in the HTML part", r.email)
		}
		img := regexp.MustCompile(`<img src="([^"]+)" alt="([^"]+)"`).FindStringSubmatch(msg.HTML)
		if img == nil {
			t.Errorf("%s: no image with alt text", r.email)
			continue
		}
		u, err := url.Parse(img[1])
		if err != nil || u.Scheme != "http" || u.Host != "localhost:1313" {
			t.Errorf("%s: image URL %q is not under the site's base URL", r.email, img[1])
			continue
		}
		resp, err := http.Get(site.URL + u.Path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: image %s does not resolve in the built site: %v %v", r.email, u.Path, err, resp.Status)
		} else {
			resp.Body.Close()
		}
		// Every link into the site (badge page, issuer, home) resolves.
		for _, m := range regexp.MustCompile(`href="http://localhost:1313(/[^"]*)"`).FindAllStringSubmatch(msg.HTML, -1) {
			resp, err := http.Get(site.URL + m[1])
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("%s: link %s does not resolve in the built site: %v", r.email, m[1], err)
				continue
			}
			resp.Body.Close()
		}
		if n := strings.Count(msg.HTML, `href="http://localhost:1313/`); n < 3 {
			t.Errorf("%s: %d links into the site, want the badge page, the issuer and the home page", r.email, n)
		}
		if r.name != "" && !strings.Contains(msg.Text, r.name) {
			t.Errorf("%s: the greeting does not name the recipient", r.email)
		}
	}
	// A second run sends nothing.
	o, e, err = run(t, dir, env, "notify")
	if err != nil || !strings.Contains(o, "nothing to send") {
		t.Errorf("second run: %v\n%s%s", err, o, e)
	}
	if n := mp.count(t); n != wantSent {
		t.Errorf("after a second run Mailpit holds %d messages, want %d", n, wantSent)
	}
}

// TestNotifyCrashAndRerun kills blason (SIGKILL) in the middle of a batch
// and runs it again: every message ends up delivered, none twice except
// the one the journal says may have gone (held back until
// --resend-uncertain, and then sent with the same Message-ID).
func TestNotifyCrashAndRerun(t *testing.T) {
	mp := startMailpit(t)
	dir := fixture(t)
	env := mailEnv(mp.smtp, "BLASON_NOTIFY_RATE=10/s", "BLASON_NOTIFY_BATCHSIZE=4")
	cmd := exec.Command(binary(t), "notify")
	cmd.Dir, cmd.Env = dir, append(append(os.Environ(), "BLASON_LANG=en"), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); mp.count(t) < 5; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("Mailpit never got 5 messages")
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	first := mp.count(t)
	if first >= wantSent {
		t.Fatalf("the run finished before it was killed (%d messages)", first)
	}
	// The rerun sends the rest and holds back what may have gone.
	o, e, err := run(t, dir, env, "notify")
	privacy(t, dir, o+e)
	uncertain := regexp.MustCompile(`universite/([a-z0-9]+):issued`).FindAllStringSubmatch(regexp.MustCompile(`held back: [^\n]*`).FindString(o), -1)
	if len(uncertain) > 1 {
		t.Errorf("%d uncertain events: a run has one message in flight at most", len(uncertain))
	}
	if (err != nil) != (len(uncertain) > 0) {
		t.Errorf("exit status %v with %d uncertain events\n%s%s", err, len(uncertain), o, e)
	}
	msgs := mp.messages(t)
	byAddress(t, msgs) // no duplicate so far
	delivered := map[string]bool{}
	for _, s := range msgs {
		delivered[s.MessageID] = true
	}
	for _, u := range uncertain {
		t.Logf("uncertain after the crash: %s (delivered: %v)", u[1], delivered[u[1]+".issued.universite@universite-demo.example"])
	}
	if got := len(msgs); got+len(uncertain) < wantSent || got > wantSent {
		t.Fatalf("after the rerun: %d delivered, %d uncertain, want %d in all", got, len(uncertain), wantSent)
	}
	// Resolve: --resend-uncertain sends the held-back one again, same id.
	o, e, err = run(t, dir, env, "notify", "--resend-uncertain")
	if err != nil {
		t.Fatalf("--resend-uncertain: %v\n%s%s", err, o, e)
	}
	msgs = mp.messages(t)
	ids := map[string]int{}
	for _, s := range msgs {
		ids[s.MessageID]++
	}
	if len(ids) != wantSent {
		t.Errorf("%d distinct messages delivered, want %d", len(ids), wantSent)
	}
	for id, n := range ids {
		if n > 1 && !(len(uncertain) == 1 && strings.HasPrefix(id, uncertain[0][1])) {
			t.Errorf("%s delivered %d times though it was not uncertain", id, n)
		}
	}
	o, _, _ = run(t, dir, env, "notify")
	if !strings.Contains(o, "nothing to send") || strings.Contains(o, "held back") {
		t.Errorf("a last run still has work:\n%s", o)
	}
}

// TestNotifyDryRunAndTest: --dry-run writes files and journals nothing;
// --to-test sends one message with a fictional name.
func TestNotifyDryRunAndTest(t *testing.T) {
	mp := startMailpit(t)
	dir := fixture(t)
	env := mailEnv(mp.smtp)
	journal := filepath.Join(dir, ".blason/notify/journal.log")
	before, _ := os.ReadFile(journal)
	o, e, err := run(t, dir, env, "notify", "--dry-run", "-o", "outbox")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, o, e)
	}
	emls, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	htmls, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.html"))
	if len(emls) != wantSent || len(htmls) != wantSent {
		t.Errorf("%d .eml and %d .html files, want %d", len(emls), len(htmls), wantSent)
	}
	for _, f := range emls {
		b, _ := os.ReadFile(f)
		if !bytes.Contains(b, []byte("multipart/alternative")) || !bytes.Contains(b, []byte("Message-ID:")) {
			t.Errorf("%s is not a multipart/alternative message", f)
		}
	}
	if _, _, err := run(t, dir, env, "notify", "--dry-run", "-o", "site/outbox"); err == nil {
		t.Error("--dry-run into the site folder was accepted")
	}
	o, e, err = run(t, dir, env, "notify", "--to-test", "officer@example.org")
	if err != nil {
		t.Fatalf("--to-test: %v\n%s%s", err, o, e)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 || msgs[0].To[0].Address != "officer@example.org" {
		t.Fatalf("--to-test delivered %+v", msgs)
	}
	if m := mp.message(t, msgs[0].ID); !strings.Contains(m.Text, "Camille Exemple") || strings.Contains(m.Text, "Nouvelle Recrue") {
		t.Errorf("the test message does not use a fictional name:\n%s", m.Text)
	}
	after, _ := os.ReadFile(journal)
	if !bytes.Equal(before, after) {
		t.Error("--dry-run or --to-test wrote to the journal")
	}
	// Nothing was journaled: the real run still sends everything.
	if o, e, err := run(t, dir, env, "notify"); err != nil || !strings.Contains(o, "sent 11 of 11") {
		t.Errorf("run after the dry run: %v\n%s%s", err, o, e)
	}
}

// TestNotifyRefusedRecipient: a permanent refusal of one recipient is
// journaled as failed, reported, not retried, and does not stop the others.
func TestNotifyRefusedRecipient(t *testing.T) {
	mp := startMailpit(t, "--smtp-allowed-recipients", `^(nouveau\.[0-9]+|new\.(2|4|7))@example\.org$`)
	dir := fixture(t)
	env := mailEnv(mp.smtp)
	o, e, err := run(t, dir, env, "notify")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, o, e)
	}
	privacy(t, dir, o+e)
	if !strings.Contains(o, "sent 10 of 11") || !strings.Contains(e, "refused for good") {
		t.Errorf("output:\n%s%s", o, e)
	}
	if n := mp.count(t); n != 10 {
		t.Errorf("%d delivered, want 10", n)
	}
	o, e, _ = run(t, dir, env, "notify")
	if !strings.Contains(o, "nothing to send") || !strings.Contains(o, "1 message(s) refused for good") {
		t.Errorf("second run:\n%s%s", o, e)
	}
}

// TestNotifyRevocation: a revocation notice goes to the recipient of a
// sent award once the space asks for it and the revocation is published;
// an award revoked before its notice is never announced.
func TestNotifyRevocation(t *testing.T) {
	mp := startMailpit(t)
	dir := fixture(t)
	env := mailEnv(mp.smtp)
	awards, e, err := run(t, dir, env, "awards")
	if err != nil {
		t.Fatal(err, e)
	}
	idOf := func(line int) string {
		m := regexp.MustCompile(`rentree-2025\.csv:` + strconv.Itoa(line) + ` ([a-z0-9]+)`).FindStringSubmatch(awards)
		if m == nil {
			t.Fatalf("no award at line %d:\n%s", line, awards)
		}
		return m[1]
	}
	told, never := idOf(2), idOf(3) // nouveau.1 (sent first), new.2 (revoked before its notice)
	revoke := func(ids ...string) {
		var b strings.Builder
		b.WriteString("award,date,reason\n")
		for _, id := range ids {
			fmt.Fprintf(&b, "%s,2025-10-01,Erreur de saisie du jury\n", id)
		}
		os.WriteFile(filepath.Join(dir, "content/universite/revocations.csv"), []byte(b.String()), 0o644)
		if _, e, err := run(t, dir, env, "build", "-q"); err != nil {
			t.Fatalf("build: %v\n%s", err, e)
		}
	}
	revoke(never)
	if o, e, err := run(t, dir, env, "notify"); err != nil || !strings.Contains(o, "sent 10 of 10") || !strings.Contains(o, "1 award(s) revoked or suspended before their notice") {
		t.Fatalf("%v\n%s%s", err, o, e)
	}
	if _, ok := byAddress(t, mp.messages(t))["new.2@example.org"]; ok {
		t.Error("an award revoked before its notice was announced")
	}
	// The space asks for revocation notices.
	sp := filepath.Join(dir, "content/universite/_space.md")
	b, _ := os.ReadFile(sp)
	os.WriteFile(sp, bytes.Replace(b, []byte("---\n"), []byte("---\nnotifyRevocations: true\n"), 1), 0o644)
	revoke(never, told)
	o, e, err := run(t, dir, env, "notify")
	if err != nil || !strings.Contains(o, "sent 1 of 1") {
		t.Fatalf("%v\n%s%s", err, o, e)
	}
	var revoked []summary
	for _, s := range mp.messages(t) {
		if strings.Contains(s.MessageID, ".revoked.") {
			revoked = append(revoked, s)
		}
	}
	if len(revoked) != 1 || revoked[0].To[0].Address != "nouveau.1@example.org" || !strings.Contains(revoked[0].Subject, "révoqué") {
		t.Fatalf("revocation notices: %+v", revoked)
	}
	if m := mp.message(t, revoked[0].ID); !strings.Contains(m.Text, "Erreur de saisie du jury") {
		t.Errorf("the notice does not give the reason:\n%s", m.Text)
	}
	if o, _, _ := run(t, dir, env, "notify"); !strings.Contains(o, "nothing to send") {
		t.Errorf("third run:\n%s", o)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// TestNotifyTLSAndAuth sends through STARTTLS and implicit TLS with
// authentication, trusting the server's certificate through caFile; an
// untrusted certificate stops the run before anything is journaled.
func TestNotifyTLSAndAuth(t *testing.T) {
	cert, key := selfSigned(t)
	for _, tc := range []struct {
		security string
		flag     string
	}{{"starttls", "--smtp-require-starttls"}, {"tls", "--smtp-require-tls"}} {
		t.Run(tc.security, func(t *testing.T) {
			mp := startMailpit(t, "--smtp-tls-cert", cert, "--smtp-tls-key", key, tc.flag, "--smtp-auth-accept-any")
			dir := fixture(t)
			env := mailEnv(mp.smtp, "BLASON_NOTIFY_SECURITY="+tc.security, "BLASON_NOTIFY_USERNAME=badges", "BLASON_SMTP_PASSWORD=s3cret")
			o, e, err := run(t, dir, env, "notify")
			if err == nil || !strings.Contains(o+e, "certificate") {
				t.Errorf("an untrusted certificate was accepted: %v\n%s%s", err, o, e)
			}
			if n := mp.count(t); n != 0 {
				t.Errorf("%d messages went through an untrusted connection", n)
			}
			o, e, err = run(t, dir, append(env, "BLASON_NOTIFY_CAFILE="+cert), "notify")
			if err != nil || !strings.Contains(o, "sent 11 of 11") {
				t.Fatalf("%v\n%s%s", err, o, e)
			}
			if strings.Contains(o+e, "s3cret") {
				t.Error("the password is printed")
			}
			if n := mp.count(t); n != wantSent {
				t.Errorf("%d messages, want %d", n, wantSent)
			}
		})
	}
}

// TestNotifyTemporaryFailure: an SMTP server that cannot be reached, or
// that refuses for now (4xx), stops the run with a non-zero status and
// nothing uncertain; the rerun sends everything once.
func TestNotifyTemporaryFailure(t *testing.T) {
	dir := fixture(t)
	down := freePort(t)
	o, e, err := run(t, dir, mailEnv(down), "notify")
	if err == nil || !strings.Contains(e, "cannot reach the SMTP server") {
		t.Fatalf("notify with the server down: %v\n%s%s", err, o, e)
	}
	// A server refusing every recipient for now (451): the run stops at
	// the first message, journals it to retry, names no one.
	busy := startMailpit(t, "--chaos-triggers", "Recipient:451:100")
	o, e, err = run(t, dir, mailEnv(busy.smtp), "notify")
	if err == nil || !strings.Contains(e, "refused a message for now (451") || !strings.Contains(o, "sent 0 of 11") {
		t.Fatalf("notify with a 451: %v\n%s%s", err, o, e)
	}
	privacy(t, dir, o+e)
	if b, _ := os.ReadFile(filepath.Join(dir, ".blason/notify/journal.log")); !regexp.MustCompile(`(?m)^retry\t\S+:issued\t\S+\t\S+\t451`).Match(b) {
		t.Errorf("no retry record in the journal:\n%s", b)
	}
	mp := startMailpit(t)
	o, e, err = run(t, dir, mailEnv(mp.smtp), "notify")
	if err != nil || !strings.Contains(o, "sent 11 of 11") || strings.Contains(o, "held back") {
		t.Fatalf("rerun: %v\n%s%s", err, o, e)
	}
	var ids []string
	for _, s := range mp.messages(t) {
		ids = append(ids, s.MessageID)
	}
	sort.Strings(ids)
	if len(ids) != wantSent {
		t.Errorf("%d messages, want %d", len(ids), wantSent)
	}
}
