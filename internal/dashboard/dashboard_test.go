package dashboard

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/francebadge/blason/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestSuppress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []int   // quantities q0, q1, …
		rels   [][]int // each: parts…, total
		want   string  // status per quantity: . shown, P primary, S secondary
	}{
		{name: "nothing small", values: []int{10, 20, 30}, rels: [][]int{{0, 1, 2}}, want: "..."},
		{name: "one small cell hides the smallest other part", values: []int{2, 20, 9, 31}, rels: [][]int{{0, 1, 2, 3}}, want: "P.S."},
		{name: "two small cells protect each other", values: []int{2, 3, 40, 45}, rels: [][]int{{0, 1, 2, 3}}, want: "PP.."},
		{name: "the other part is hidden, the total stays", values: []int{2, 12, 14}, rels: [][]int{{0, 1, 2}}, want: "PS."},
		{name: "no part left: the total is hidden", values: []int{2, 7, 9, 7}, rels: [][]int{{0, 1, 2}, {1, 3}}, want: "PS.S"},
		{name: "a zero is a small count", values: []int{0, 12, 30, 42}, rels: [][]int{{0, 1, 2, 3}}, want: "PS.."},
		{name: "small total", values: []int{1, 2, 3}, rels: [][]int{{0, 1, 2}}, want: "PPP"},
		{name: "fixed point across relations", values: []int{2, 10, 12, 8, 20, 30},
			// 0+1=2 and 1+3=4: hiding 1 for the first leaves it alone in the second, which hides 3.
			rels: [][]int{{0, 1, 2}, {1, 3, 4}}, want: "PS.S.."},
		{name: "a relation with two hidden members is left alone", values: []int{3, 10, 13, 50, 63}, rels: [][]int{{0, 1, 2}, {2, 3, 4}}, want: "PS..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistry()
			qs := make([]*quantity, len(tc.values))
			for i, v := range tc.values {
				qs[i] = r.get(fmt.Sprint(i), v)
			}
			for _, rel := range tc.rels {
				var parts []*quantity
				for _, i := range rel[:len(rel)-1] {
					parts = append(parts, qs[i])
				}
				r.relate(parts, qs[rel[len(rel)-1]])
			}
			r.suppress(5)
			got := ""
			for _, q := range qs {
				got += map[Status]string{Shown: ".", Primary: "P", Secondary: "S"}[q.status]
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			for _, rel := range r.relations {
				hidden := 0
				for _, q := range rel {
					if q.status != Shown {
						hidden++
					}
				}
				if hidden == 1 {
					t.Errorf("a relation has exactly one hidden member")
				}
			}
		})
	}
}

// TestNestedPeople: counts of people over nested scopes whose difference
// is small hide the larger scope's count, and the relations it is in are
// checked again.
func TestNestedPeople(t *testing.T) {
	for _, tc := range []struct {
		big, small int
		want       Status
	}{{12, 10, Secondary}, {12, 12, Shown}, {20, 10, Shown}, {12, 7, Shown}} {
		r := newRegistry()
		big, small := r.get("big", tc.big), r.get("small", tc.small)
		other, total := r.get("other", 30), r.get("total", 30+tc.big)
		r.relate([]*quantity{big, other}, total)
		r.nested = append(r.nested, [2]*quantity{big, small})
		r.suppress(5)
		if big.status != tc.want || small.status != Shown {
			t.Errorf("%d over %d: %v, %v", tc.big, tc.small, big.status, small.status)
		}
		if tc.want == Secondary && other.status == Shown {
			t.Errorf("%d over %d: the hidden count's relation has one hidden member", tc.big, tc.small)
		}
	}
}

// smallSite is a network (net) of two schools, a framework of two
// competencies, a shared template and a handful of awards.
func smallSite() *model.Site {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	fw := &model.Framework{Slug: "fw", Name: "Référentiel", Translations: map[string]model.Text{"en": {Name: "Framework"}}}
	for _, id := range []string{"novice", "competent", "expert"} {
		fw.Levels = append(fw.Levels, &model.FrameworkLevel{ID: id, Name: id})
	}
	for _, id := range []string{"c1", "c2"} {
		fw.Competencies = append(fw.Competencies, &model.Competency{Framework: fw, ID: id, Code: id, Name: "Compétence " + id})
	}
	tpl := &model.Template{Slug: "engagement", Name: "Engagement"}
	net := &model.Space{Slug: "net", Name: "Réseau"}
	a := &model.Space{Slug: "a", Name: "École A", Parent: "net", Translations: map[string]model.Text{"en": {Name: "School A"}}, Revocations: map[string]model.Revocation{}}
	b := &model.Space{Slug: "b", Name: "École B", Parent: "net", Revocations: map[string]model.Revocation{}}
	levels := func() []*model.Level {
		var out []*model.Level
		for _, l := range fw.Levels {
			out = append(out, &model.Level{ID: l.ID, Name: l.Name})
		}
		return out
	}
	c1 := &model.Badge{Space: a, Slug: "c1", Name: "Badge C1", Competency: fw.Competencies[0], Levels: levels()}
	c2 := &model.Badge{Space: a, Slug: "c2", Name: "Badge C2", Competency: fw.Competencies[1], Levels: levels()}
	ea := &model.Badge{Space: a, Slug: "engagement", Name: "Engagement A", Shared: tpl, Template: "engagement"}
	eb := &model.Badge{Space: b, Slug: "engagement", Name: "Engagement B", Shared: tpl, Template: "engagement"}
	a.Badges, b.Badges = []*model.Badge{c1, c2, ea}, []*model.Badge{eb}
	n := 0
	award := func(sp *model.Space, bd *model.Badge, level int, person int, date string) *model.Award {
		n++
		aw := &model.Award{ID: fmt.Sprintf("id%03d", n), Badge: bd, Recipient: model.Identity{Email: fmt.Sprintf("p%02d@example.org", person)}, Date: day(date)}
		if level >= 0 {
			aw.Level = bd.Levels[level]
		}
		sp.Awards = append(sp.Awards, aw)
		return aw
	}
	for p := range 12 {
		award(a, c1, 0, p, "2025-01-15")
		award(a, c2, 0, p, "2025-01-15")
		if p < 7 {
			award(a, c1, 1, p, "2025-06-15")
			award(a, c2, 1, p, "2025-06-15")
		}
		if p < 2 {
			award(a, ea, -1, p, "2025-06-20")
		}
	}
	for p := 20; p < 28; p++ {
		aw := award(b, eb, -1, p, "2025-06-20")
		if p == 20 {
			b.Revocations[aw.ID] = model.Revocation{AwardID: aw.ID, Date: day("2025-07-01")}
		}
	}
	return &model.Site{Languages: []string{"fr", "en"}, Spaces: []*model.Space{a, b, net}, Frameworks: []*model.Framework{fw}, Templates: []*model.Template{tpl}}
}

// TestGolden compares the open data of the small site's network and school
// A with testdata/ (go test ./internal/dashboard -update rewrites them).
func TestGolden(t *testing.T) {
	ds, err := Build(smallSite(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID())
		if d.ID() != "network-net" && d.ID() != "space-a" {
			continue
		}
		js, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		csv, err := d.CSV("fr")
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][]byte{d.ID() + ".json": js, d.ID() + ".csv": csv} {
			p := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(p, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file:\n%s", name, got)
			}
		}
	}
	if fmt.Sprint(ids) != "[national network-net space-a space-b space-net]" {
		t.Errorf("dashboards %v", ids)
	}
}

// TestDeterministic: the same model gives the same bytes, whatever the
// order maps are walked in.
func TestDeterministic(t *testing.T) {
	var first [][]byte
	for i := range 5 {
		ds, err := Build(smallSite(), Options{K: 3})
		if err != nil {
			t.Fatal(err)
		}
		var all [][]byte
		for _, d := range ds {
			js, _ := d.JSON()
			csv, _ := d.CSV("en")
			all = append(all, js, csv)
		}
		if i == 0 {
			first = all
			continue
		}
		for j := range all {
			if !bytes.Equal(all[j], first[j]) {
				t.Fatalf("build %d differs from the first", i)
			}
		}
	}
}

func TestKFloor(t *testing.T) {
	if _, err := Build(smallSite(), Options{K: 2}); err == nil {
		t.Error("k = 2 accepted")
	}
}

// TestClaimFigures: with the claim store's uses, every dashboard gets the
// counts of awards claimed, taken for a wallet and shown on a passport,
// summed over its spaces and suppressed like the other counts; without
// them, no such figure.
func TestClaimFigures(t *testing.T) {
	site := smallSite()
	a, b := site.Spaces[0], site.Spaces[1]
	uses := map[string]map[string]Use{"a": {}, "b": {}}
	for i, aw := range a.Awards[:9] { // school A: 9 claimed, 6 of them for a wallet (hidden or shown: see below), 2 on a passport
		uses["a"][aw.ID] = Use{Claimed: true, Wallet: i < 6, Passport: i < 2}
	}
	for i, aw := range b.Awards[:6] { // school B: 6 claimed, 1 for a wallet
		uses["b"][aw.ID] = Use{Claimed: true, Wallet: i == 0}
	}
	uses["a"]["not-an-award"] = Use{Claimed: true, Wallet: true, Passport: true} // a store row no award has: not counted

	figure := func(ds []*Dashboard, id, key string) (Count, bool) {
		for _, d := range ds {
			if d.ID() != id {
				continue
			}
			for _, f := range d.Figures {
				if f.Key == key {
					return f.Count, true
				}
			}
		}
		return Count{}, false
	}
	without, err := Build(smallSite(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := figure(without, "space-a", "claimed"); ok {
		t.Error("claim figures without a claim store")
	}
	ds, err := Build(site, Options{Uses: uses})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, key string
		want    int // -1: suppressed
	}{
		{"space-a", "claimed", 9},
		{"space-a", "passport", -1}, // 2 < k
		{"space-b", "claimed", 6},
		{"space-b", "wallet", -1}, // 1 < k
		{"network-net", "claimed", 15},
		{"national", "claimed", 15},
		{"network-net", "passport", -1}, // 2 + 0: the small count itself
	} {
		cnt, ok := figure(ds, c.id, c.key)
		if !ok {
			t.Errorf("%s: no %s figure", c.id, c.key)
			continue
		}
		v, shown := cnt.Value()
		switch {
		case c.want < 0 && shown:
			t.Errorf("%s %s = %d shown, want suppressed", c.id, c.key, v)
		case c.want >= 0 && (!shown || v != c.want):
			t.Errorf("%s %s = %d (shown %v), want %d", c.id, c.key, v, shown, c.want)
		}
	}
	// School B's one wallet delivery cannot be recovered as the network's
	// count minus school A's: one of the two is hidden too.
	netWallet, _ := figure(ds, "network-net", "wallet")
	aWallet, _ := figure(ds, "space-a", "wallet")
	_, netShown := netWallet.Value()
	_, aShown := aWallet.Value()
	if netShown && aShown {
		t.Error("the network's and school A's wallet counts are both shown: school B's count of 1 follows by subtraction")
	}
}
