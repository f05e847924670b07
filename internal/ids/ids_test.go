package ids

import (
	"fmt"
	"strings"
	"testing"
)

// Vectors from the Open Badges specifications (see shared standards digest §1.4).
func TestIdentityHashSpecVectors(t *testing.T) {
	tests := []struct{ identity, salt, want string }{
		{"mayze", "", "sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6"},
		{"jjefferson18@example.com", "FleurDeSel", "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc"},
	}
	for _, tt := range tests {
		if got := IdentityHash(tt.identity, tt.salt); got != tt.want {
			t.Errorf("IdentityHash(%q, %q) = %s, want %s", tt.identity, tt.salt, got, tt.want)
		}
	}
}

func TestAwardID(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	a := AwardID(secret, "s", "b", "r@example.org", "", "2025-01-02")
	if !ValidAwardID(a) {
		t.Fatalf("AwardID = %q, not a valid award id", a)
	}
	if a != AwardID(secret, "s", "b", "r@example.org", "", "2025-01-02") {
		t.Fatal("AwardID is not stable")
	}
	others := []string{
		AwardID([]byte("another secret"), "s", "b", "r@example.org", "", "2025-01-02"),
		AwardID(secret, "s", "b", "r@example.org", "novice", "2025-01-02"),
		AwardID(secret, "s", "b", "r@example.org", "", "2025-01-03"),
		AwardID(secret, "sb", "", "r@example.org", "", "2025-01-02"),
	}
	for i, o := range others {
		if o == a {
			t.Errorf("variant %d collides with the base id", i)
		}
	}
	if ValidAwardID(strings.ToUpper(a)) || ValidAwardID(a[:25]) {
		t.Error("ValidAwardID accepts malformed ids")
	}
}

func TestSaltDependsOnSecretAndAward(t *testing.T) {
	s1 := Salt([]byte("k1"), "a")
	if len(s1) != 32 || s1 == Salt([]byte("k2"), "a") || s1 == Salt([]byte("k1"), "b") {
		t.Fatalf("unexpected salt %q", s1)
	}
}

func TestUUID(t *testing.T) {
	id := AwardID([]byte("k"), "s", "b", "r", "", "2025-01-01")
	u := UUID([]byte("k"), id)
	if len(u) != 36 || u[14] != '8' || !strings.ContainsAny(u[19:20], "89ab") || u != UUID([]byte("k"), id) {
		t.Fatalf("UUID(%s) = %s", id, u)
	}
	if UUID([]byte("k"), AwardID([]byte("k"), "s", "b", "r", "", "2025-01-02")) == u {
		t.Fatal("two awards share a UUID")
	}
	if strings.Contains(strings.ReplaceAll(u, "-", ""), fmt.Sprintf("%x", id[:4])) {
		t.Fatal("the UUID shows the award id")
	}
}

// TestKeyedMatchesAwardID: the reused HMAC state gives the ids the one-shot
// function gives, call after call.
func TestKeyedMatchesAwardID(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	k := NewKeyed(secret)
	for i := range 200 {
		space, badge, rcpt := fmt.Sprintf("s%d", i%3), fmt.Sprintf("b%d", i%7), fmt.Sprintf("r%d@x.fr", i)
		level, date := []string{"", "novice", "expert"}[i%3], fmt.Sprintf("2025-01-%02d", 1+i%28)
		if got, want := k.AwardID(space, badge, rcpt, level, date), AwardID(secret, space, badge, rcpt, level, date); got != want {
			t.Fatalf("call %d: Keyed %s, AwardID %s", i, got, want)
		}
	}
}
