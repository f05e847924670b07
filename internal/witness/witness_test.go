package witness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/logwitness/logtest"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The cosignature/v1 verifier accepts torchwood's cosignatures, with and
// without checkpoint extension lines, and nothing else.
func TestCosignatureVerifier(t *testing.T) {
	w := newFakeWitness(t, "witness.example/a")
	other := newFakeWitness(t, "witness.example/a")
	for _, ext := range []string{"", "extension line\n"} {
		text := torchwood.Checkpoint{Origin: "log.example/x", Tree: tlog.Tree{N: 3, Hash: tlog.Hash{1}}, Extension: ext}.String()
		signed, err := note.Sign(&note.Note{Text: text}, w.signer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := note.Open(signed, note.VerifierList(w.v.Note())); err != nil {
			t.Errorf("extension %q: torchwood's cosignature does not verify: %v", ext, err)
		}
		tampered := bytes.Replace(signed, []byte("\n3\n"), []byte("\n4\n"), 1)
		if _, err := note.Open(tampered, note.VerifierList(w.v.Note())); err == nil {
			t.Errorf("extension %q: a cosignature of another checkpoint verifies", ext)
		}
		if _, err := note.Open(signed, note.VerifierList(other.v.Note())); err == nil {
			t.Errorf("extension %q: another key of the same name verifies", ext)
		}
	}
	if w.v.Name != "witness.example/a" || w.v.VKey != w.signer.Verifier().String() {
		t.Errorf("verifier = %q %q", w.v.Name, w.v.VKey)
	}
}

func TestNewVerifierRefuses(t *testing.T) {
	good := newFakeWitness(t, "w.example").v.VKey
	name, rest, _ := strings.Cut(good, "+")
	hash, key64, _ := strings.Cut(rest, "+")
	key, _ := base64.StdEncoding.DecodeString(key64)
	withType := func(b byte) string {
		k := append([]byte{b}, key[1:]...)
		return name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(k)
	}
	for _, tc := range []struct{ vkey, want string }{
		{"", "malformed verifier key"},
		{"w.example", "malformed verifier key"},
		{name + "+zzzzzzzz+" + key64, "malformed verifier key"},
		{"other.example+" + hash + "+" + key64, "key hash does not match"},
		{name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(key[:20]), "not 32 bytes"},
		{withType(0x02), "unsupported verifier key type 0x02"},
		{withType(0x01), "malformed Ed25519 verifier key"},
	} {
		_, err := NewVerifier(tc.vkey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewVerifier(%q) = %v, want an error containing %q", tc.vkey, err, tc.want)
		}
	}
	// A plain Ed25519 note key (type 0x01) is a valid witness key too.
	_, vkey, err := note.GenerateKey(rand.Reader, "ed25519.example")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := NewVerifier(vkey); err != nil || v.Name != "ed25519.example" {
		t.Errorf("NewVerifier(Ed25519) = %v, %v", v, err)
	}
}

func TestMerge(t *testing.T) {
	l := logtest.New(t, "log.example/merge")
	l.Grow(t, 4)
	cp := l.SignedAt(t, 4)
	a, b, c := newFakeWitness(t, "a.example"), newFakeWitness(t, "b.example"), newFakeWitness(t, "c.example")
	la, lb, lc := a.cosign(t, cp), b.cosign(t, cp), c.cosign(t, cp)

	m1, err := Merge(cp, lc, la, lb)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Merge(cp, lb, lc, la)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m1, m2) {
		t.Errorf("Merge depends on the order of the answers:\n%s\n%s", m1, m2)
	}
	// Merging in steps gives the same note.
	step, err := Merge(cp, lb)
	if err != nil {
		t.Fatal(err)
	}
	if step, err = Merge(step, la, lc); err != nil || !bytes.Equal(step, m1) {
		t.Errorf("Merge in two steps = %s (%v), want %s", step, err, m1)
	}
	_, sigs, _ := strings.Cut(string(m1), "\n\n")
	lines := strings.Split(strings.TrimSuffix(sigs, "\n"), "\n")
	wantPrefix := []string{"— log.example/merge ", "— a.example ", "— b.example ", "— c.example "}
	if len(lines) != len(wantPrefix) {
		t.Fatalf("merged note has %d signature lines, want %d:\n%s", len(lines), len(wantPrefix), m1)
	}
	for i, p := range wantPrefix {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("signature line %d = %q, want it to start with %q", i, lines[i], p)
		}
	}
	// A witness's new cosignature replaces its old one (Merge does not
	// verify; Policy.Check does).
	again := tamper(la)
	m3, err := Merge(m1, again)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(m3), "— a.example ") != 1 || !strings.Contains(string(m3), strings.TrimSpace(string(again))) {
		t.Errorf("a new cosignature does not replace the old one:\n%s", m3)
	}

	for _, tc := range []struct {
		name   string
		signed []byte
		lines  []byte
		want   string
	}{
		{"not a note", []byte("hello\n"), la, "not a signed note"},
		{"garbage lines", cp, []byte("not a signature\n"), "malformed signature lines"},
		{"no line", cp, []byte("\n"), "no signature line"},
	} {
		if _, err := Merge(tc.signed, tc.lines); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Merge = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	l := logtest.New(t, "log.example/policy")
	l.Grow(t, 7)
	cp := l.SignedAt(t, 7)
	a, b, c := newFakeWitness(t, "a.example"), newFakeWitness(t, "b.example"), newFakeWitness(t, "c.example")
	p := Policy{Log: l.Verifier(t), Witnesses: []Verifier{a.v, b.v, c.v}, Quorum: 2}
	merge := func(lines ...[]byte) []byte {
		m, err := Merge(cp, lines...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	two := merge(a.cosign(t, cp), c.cosign(t, cp))
	stranger := newFakeWitness(t, "d.example")
	tamperedB := tamper(b.cosign(t, cp))
	otherLog := logtest.New(t, "log.example/policy")
	otherLog.Grow(t, 7)

	for _, tc := range []struct {
		name     string
		signed   []byte
		policy   Policy
		want     string // "" accepts
		cosigned string
	}{
		{"2 of 3", two, p, "", "a.example c.example"},
		{"3 of 3", merge(a.cosign(t, cp), b.cosign(t, cp), c.cosign(t, cp)), p, "", "a.example b.example c.example"},
		{"1 of 3", merge(b.cosign(t, cp)), p, "only 1 of the 2 witness cosignatures the policy requires verify (missing: a.example, c.example)", ""},
		{"1 of 3 and a stranger", merge(b.cosign(t, cp), stranger.cosign(t, cp)), p, "only 1 of the 2", ""},
		{"tampered cosignature", merge(a.cosign(t, cp), c.cosign(t, cp), tamperedB), p, "the cosignature of b.example does not verify", ""},
		{"tampered checkpoint", bytes.Replace(two, []byte("\n7\n"), []byte("\n8\n"), 1), p, "the log's signature does not verify", ""},
		{"another log key", otherLog.SignedAt(t, 7), p, "not signed by the log's key", ""},
		{"no log key", two, Policy{Witnesses: p.Witnesses, Quorum: 2}, "names no log key", ""},
		{"witness without key", two, Policy{Log: p.Log, Witnesses: []Verifier{{Name: "x.example"}}, Quorum: 1}, `witness "x.example" has no verifier key`, ""},
		{"not a note", []byte("x\n"), p, "not a signed note", ""},
	} {
		r, err := tc.policy.Verify(tc.signed)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Check = %v, want an error containing %q", tc.name, err, tc.want)
		case tc.want == "" && strings.Join(r.Cosigned, " ") != tc.cosigned:
			t.Errorf("%s: cosigned by %v, want %s", tc.name, r.Cosigned, tc.cosigned)
		case tc.want == "":
			// torchwood's signer stamps the cosignature with the current time.
			for _, name := range r.Cosigned {
				if d := time.Since(r.Times[name]); d < 0 || d > time.Hour {
					t.Errorf("%s: %s cosigned at %v", tc.name, name, r.Times[name])
				}
			}
		}
		if (tc.policy.Check(tc.signed) == nil) != (tc.want == "") {
			t.Errorf("%s: Check and Verify disagree", tc.name)
		}
	}
}

// tamper changes the last byte of a cosignature line's signature and keeps
// the line well formed (same name, same key hash).
func tamper(line []byte) []byte {
	i := bytes.LastIndexByte(line, ' ')
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(line[i+1:])))
	if err != nil {
		panic(err)
	}
	b[len(b)-1] ^= 1
	return []byte(string(line[:i+1]) + base64.StdEncoding.EncodeToString(b) + "\n")
}

func TestParsePolicy(t *testing.T) {
	l := logtest.New(t, "log.example/p")
	a, b := newFakeWitness(t, "a.example"), newFakeWitness(t, "b.example")
	good := fmt.Sprintf("# witnesses of our log\nlog %s\n\nwitness %s https://a.example/witness/\nwitness %s\nquorum 2\n", l.VKey, a.v.VKey, b.v.VKey)
	p, err := ParsePolicy("witnesses.txt", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if p.Log == nil || p.Log.Name() != "log.example/p" || p.Quorum != 2 || len(p.Witnesses) != 2 ||
		p.Witnesses[0].URL != "https://a.example/witness" || p.Witnesses[1].URL != "" || p.Witnesses[1].Name != "b.example" {
		t.Errorf("ParsePolicy = %+v", p)
	}
	if p, err := ParsePolicy("w.txt", []byte("witness "+a.v.VKey+"\nquorum 1\n")); err != nil || p.Log != nil {
		t.Errorf("a policy without log line: %+v, %v", p, err)
	}

	for _, tc := range []struct{ name, text, want string }{
		{"no quorum", "witness " + a.v.VKey + "\n", "w.txt: no quorum line; add one: quorum <N>"},
		{"quorum too high", "witness " + a.v.VKey + "\nquorum 2\n", "w.txt:2: quorum 2 is more than the 1 witnesses listed"},
		{"quorum zero", "witness " + a.v.VKey + "\nquorum 0\n", "w.txt:2: want: quorum <N>"},
		{"quorum word", "witness " + a.v.VKey + "\nquorum two\n", "w.txt:2: want: quorum <N>"},
		{"two quorums", "witness " + a.v.VKey + "\nquorum 1\nquorum 1\n", "w.txt:3: a second quorum line (the first is on line 2)"},
		{"bad witness key", "# c\nwitness nope\nquorum 1\n", "w.txt:2: the witness key is not valid: malformed verifier key"},
		{"witness twice", "witness " + a.v.VKey + "\nwitness " + a.v.VKey + "\nquorum 1\n", "w.txt:2: witness a.example is already listed on line 1"},
		{"two keys of a witness", "witness " + a.v.VKey + "\nwitness " + newFakeWitness(t, "a.example").v.VKey + "\nquorum 2\n", "w.txt:2: witness a.example is already listed on line 1"},
		{"bad url", "witness " + a.v.VKey + " ftp://x\nquorum 1\n", `w.txt:1: "ftp://x" is not the URL of a witness`},
		{"witness words", "witness\nquorum 1\n", "w.txt:1: want: witness <vkey> [<URL>]"},
		{"bad log key", "log nope\nwitness " + a.v.VKey + "\nquorum 1\n", "w.txt:1: the log key is not a signed-note verifier key"},
		{"two logs", "log " + l.VKey + "\nlog " + l.VKey + "\nwitness " + a.v.VKey + "\nquorum 1\n", "w.txt:2: a second log line (the first is on line 1)"},
		{"unknown", "witnesses 3\n", `w.txt:1: unknown line "witnesses"`},
	} {
		_, err := ParsePolicy("w.txt", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParsePolicy = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// Every error is reported, each on its own line.
	_, err = ParsePolicy("w.txt", []byte("bogus\nwitness nope\nquorum x\n"))
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("ParsePolicy reports %q, want three lines", err)
	}
}

// specWitness is an add-checkpoint endpoint written from our reading of
// C2SP tlog-witness, for the answers litewitness v0.6.1 does not give (it
// answers 403 for an unknown log where the spec now says 404): it answers
// with the status and body the test sets, and records the requests.
type specWitness struct {
	status   []int
	body     []string
	requests []string
}

func (s *specWitness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/w/add-checkpoint" {
		http.NotFound(w, r)
		return
	}
	b, _ := io.ReadAll(r.Body)
	i := len(s.requests)
	s.requests = append(s.requests, string(b))
	if s.status[i] == http.StatusConflict {
		w.Header().Set("Content-Type", "text/x.tlog.size")
	}
	w.WriteHeader(s.status[i])
	io.WriteString(w, s.body[i])
}

func TestAddCheckpointAnswers(t *testing.T) {
	l := logtest.New(t, "log.example/spec")
	l.Grow(t, 10)
	cp := l.SignedAt(t, 10)
	wit := newFakeWitness(t, "w.example")
	lines := string(wit.cosign(t, cp))
	for _, tc := range []struct {
		name    string
		status  []int
		body    []string
		proofs  bool
		is      error
		want    string
		wantReq []string // prefixes of the requests' first lines
	}{
		{"cosigned", []int{200}, []string{lines}, false, nil, "", []string{"old 0\n\nlog.example/spec\n10\n"}},
		{"conflict, no proofs", []int{409}, []string{"4\n"}, false, ErrConflict, "last cosigned the log at size 4, not 0", []string{"old 0\n"}},
		{"conflict, retried", []int{409, 200}, []string{"4\n", lines}, true, nil, "", []string{"old 0\n", "old 4\n"}},
		{"conflict at this size, no proofs", []int{409, 200}, []string{"10\n", lines}, false, nil, "", []string{"old 0\n", "old 10\n\nlog.example/spec\n"}},
		{"conflict twice", []int{409, 409}, []string{"4\n", "6\n"}, true, ErrConflict, "last cosigned the log at size 6, not 4", []string{"old 0\n", "old 4\n"}},
		{"witness ahead", []int{409}, []string{"12\n"}, true, nil, "has cosigned a larger tree (size 12) than this checkpoint (size 10)", []string{"old 0\n"}},
		{"witness ahead, no proofs", []int{409}, []string{"12\n"}, false, nil, "has cosigned a larger tree (size 12) than this checkpoint (size 10)", []string{"old 0\n"}},
		{"conflict without size", []int{409}, []string{"soon"}, true, nil, "answered 409 Conflict without the size it knows", nil},
		{"bad proof", []int{422}, []string{"bad consistency proof\n"}, false, ErrBadProof, "refused the consistency proof from size 0 to 10", nil},
		{"forbidden", []int{403}, []string{"invalid signature\n"}, false, ErrForbidden, "refused the checkpoint (invalid signature)", nil},
		{"unknown log", []int{404}, []string{"unknown log\n"}, false, ErrUnknownLog, "does not know this log", nil},
		{"bad request", []int{400}, []string{"invalid input\n"}, false, ErrBadRequest, "refused the request as malformed (invalid input)", nil},
		{"server error", []int{500}, []string{""}, false, nil, "answered 500 Internal Server Error (no message)", nil},
		{"200 without lines", []int{200}, []string{"ok\n"}, false, nil, "answered with no cosignature line", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sw := &specWitness{status: tc.status, body: tc.body}
			srv := httptest.NewServer(sw)
			defer srv.Close()
			c := &Client{HTTP: srv.Client()}
			if tc.proofs {
				c.Proof = l.Proof
			}
			got, err := c.AddCheckpoint(context.Background(), srv.URL+"/w/", 0, nil, cp)
			if tc.want == "" {
				if err != nil || string(got) != lines {
					t.Fatalf("AddCheckpoint = %q, %v", got, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("AddCheckpoint = %v, want an error containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
			}
			for i, p := range tc.wantReq {
				if i >= len(sw.requests) || !strings.HasPrefix(sw.requests[i], p) {
					t.Errorf("request %d = %q, want it to start with %q", i, sw.requests, p)
				}
			}
			if tc.wantReq != nil && len(sw.requests) != len(tc.wantReq) {
				t.Errorf("%d requests, want %d", len(sw.requests), len(tc.wantReq))
			}
		})
	}
	// The retry sends the proof ProofFunc makes, one base64 hash a line.
	sw := &specWitness{status: []int{409, 200}, body: []string{"4\n", lines}}
	srv := httptest.NewServer(sw)
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Proof: l.Proof}
	if _, err := c.AddCheckpoint(context.Background(), srv.URL+"/w", 0, nil, cp); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	want.WriteString("old 4\n")
	for _, h := range l.MustProof(t, 4, 10) {
		want.WriteString(h.String() + "\n")
	}
	want.WriteString("\n")
	want.Write(cp)
	if sw.requests[1] != want.String() {
		t.Errorf("retry request =\n%s\nwant\n%s", sw.requests[1], want.String())
	}

	for _, tc := range []struct {
		name   string
		old    int64
		signed []byte
		want   string
	}{
		{"old size above", 11, cp, "old size 11 is not between 0 and the checkpoint's size 10"},
		{"not a note", 0, []byte("x\n"), "not a signed note"},
		{"not a checkpoint", 0, signedText(t, l, "hello\n"), "not a checkpoint"},
	} {
		_, err := (&Client{}).AddCheckpoint(context.Background(), "http://127.0.0.1:1", tc.old, nil, tc.signed)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: AddCheckpoint = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func signedText(t *testing.T, l *logtest.Log, text string) []byte {
	t.Helper()
	return l.Sign(t, text)
}

// The refusals a witness answers read in French too (their messages are
// formatted by StatusError.Error, which the catalogue's completeness test
// does not see).
func TestStatusErrorsInFrench(t *testing.T) {
	for _, status := range []int{400, 403, 404, 409, 422, 500} {
		e := &StatusError{Witness: "https://w.example", Status: status, Old: 3, Size: 9, Known: 5, Body: "unknown log"}
		en := e.Error()
		fr := i18n.French.Translate(en)
		if fr == en || !strings.Contains(fr, "https://w.example") || !strings.Contains(fr, "témoin") {
			t.Errorf("%d: French.Translate(%q) = %q", status, en, fr)
		}
	}
}

// A witness that signs with a plain Ed25519 note key (type 0x01) counts
// too, without a cosignature time.
func TestPolicyEd25519Witness(t *testing.T) {
	l := logtest.New(t, "log.example/ed")
	l.Grow(t, 3)
	cp := l.SignedAt(t, 3)
	skey, vkey, err := note.GenerateKey(rand.Reader, "ed.example")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := openUnverified(cp)
	signed, err := note.Sign(&note.Note{Text: n.Text}, s)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(string(signed), "\n\n")
	a := newFakeWitness(t, "a.example")
	m, err := Merge(cp, []byte(line), a.cosign(t, cp))
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Log: l.Verifier(t), Witnesses: []Verifier{ed, a.v}, Quorum: 2}
	r, err := p.Verify(m)
	if err != nil || len(r.Cosigned) != 2 {
		t.Fatalf("Verify = %+v, %v", r, err)
	}
	if _, ok := r.Times["ed.example"]; ok || r.Times["a.example"].IsZero() {
		t.Errorf("Times = %v, want a time for a.example only", r.Times)
	}
	damaged, err := Merge(cp, tamper([]byte(line)), a.cosign(t, cp))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(damaged); err == nil || !strings.Contains(err.Error(), "the cosignature of ed.example does not verify") {
		t.Errorf("a damaged Ed25519 cosignature: %v", err)
	}
}
