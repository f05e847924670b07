package claimindex

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

func TestBuildWriteRead(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	sp := &model.Space{Slug: "univ", Name: "Université", Revocations: map[string]model.Revocation{"r": {AwardID: "r"}}}
	b := &model.Badge{Space: sp, Slug: "b", Name: "Badge", Image: &model.Asset{Ext: ".svg"}}
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	sp.Awards = []*model.Award{
		{ID: "a", Badge: b, Recipient: model.Identity{EPPN: "e1@univ.fr", Email: "e1@univ.fr"}, Date: day},
		{ID: "r", Badge: b, Recipient: model.Identity{EPPN: "e1@univ.fr"}, Date: day},
		{ID: "x", Badge: b, Recipient: model.Identity{Email: "other@univ.fr"}, Date: day, Expires: day.AddDate(1, 0, 0)},
	}
	ix := Build(&model.Site{Spaces: []*model.Space{sp}}, layout.Layout{Base: "https://b.example/"}, key, day.AddDate(2, 0, 0))

	got := ix.Lookup(key, KindEPPN, " E1@Univ.FR ") // case and spaces do not matter
	if len(got) != 2 || got[0].Award != "a" || got[1].Status != StatusRevoked {
		t.Fatalf("eppn lookup: %+v", got)
	}
	if got := ix.Lookup(key, KindEmail, "other@univ.fr"); len(got) != 1 || got[0].Status != StatusExpired {
		t.Fatalf("mail lookup: %+v", got)
	}
	if got := ix.Lookup([]byte("another key of thirty-two bytes!"), KindEPPN, "e1@univ.fr"); len(got) != 0 {
		t.Fatal("found with another key")
	}

	path := filepath.Join(t.TempDir(), "claim-index.json")
	if err := Write(path, ix); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "e1@univ.fr") || strings.Contains(string(data), "other@") {
		t.Fatal("the index holds a plaintext identifier")
	}
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := back.Find("univ", "x"); !ok || e.Expires != "2026-01-02" {
		t.Fatalf("Find after Read: %+v %v", e, ok)
	}

	for name, body := range map[string]string{
		"version":  `{"version":99}`,
		"damaged":  `{"version":1,"entries":[],"recipients":{"h":[3]}}`,
		"not JSON": `{`,
	} {
		os.WriteFile(path, []byte(body), 0o600)
		if _, err := Read(path); err == nil {
			t.Errorf("%s index read without error", name)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none.json")); err == nil || !strings.Contains(err.Error(), "blason build --claim-index") {
		t.Errorf("missing index: %v", err)
	}
}
