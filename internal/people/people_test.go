package people

import (
	"testing"

	"github.com/francebadge/blason/internal/model"
)

func TestGroups(t *testing.T) {
	aw := func(email, eppn, sid string) *model.Award {
		return &model.Award{Recipient: model.Identity{Email: email, EPPN: eppn, StudentID: sid}}
	}
	a := aw("a@example.org", "", "")
	b := aw("", "", "2100")
	link := aw("", "a@ecole.example", "2100")
	link2 := aw("a@example.org", "a@ecole.example", "")
	other := aw("z@example.org", "", "")
	none := aw("", "", "")
	x := New([]*model.Award{a, b, link, link2, other, none})
	if x.Of(a) == "" || x.Of(a) != x.Of(b) || x.Of(b) != x.Of(link) {
		t.Errorf("a, b and their links should be one person: %q %q %q", x.Of(a), x.Of(b), x.Of(link))
	}
	if x.Of(other) == x.Of(a) {
		t.Error("different people merged")
	}
	if x.Of(none) != "" {
		t.Error("an award without identifiers has a group")
	}
	if g := x.Identity(model.Identity{StudentID: "2100"}); g != x.Of(a) {
		t.Errorf("roster identity: %q", g)
	}
	if g := x.Identity(model.Identity{Email: "nobody@example.org"}); g != "" {
		t.Errorf("unknown identity: %q", g)
	}
}
