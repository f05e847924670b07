package passportfile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/francebadge/blason/internal/passport"
)

func TestLoadRich(t *testing.T) {
	root := writeFiles(t, map[string]string{"camille.yaml": `displayName: Camille M.
headline: "  Étudiante en L3 — cherche une alternance  "
links:
  - {label: Portfolio, url: "https://camille.example/portfolio"}
  - label: GitHub
    url: https://github.com/camille-example
recipients: [c1@univ.example, "23001"]
awards:
  - {space: universite, badge: langues, level: b2, group: Langues}
  - {space: universite, badge: tutorat}
  - {space: universite, badge: langues, level: b1, group: Langues}
`})
	got, err := Load(root, testSite())
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	if p.Headline != "Étudiante en L3 — cherche une alternance" {
		t.Errorf("headline %q", p.Headline)
	}
	if want := []passport.Link{{Label: "Portfolio", URL: "https://camille.example/portfolio"}, {Label: "GitHub", URL: "https://github.com/camille-example"}}; !reflect.DeepEqual(p.Links, want) {
		t.Errorf("links %+v", p.Links)
	}
	b1, b2, tut := passport.AwardRef{Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa1"}, passport.AwardRef{Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa2"}, passport.AwardRef{Space: "universite", Award: "aaaaaaaaaaaaaaaaaaaaaaaaa3"}
	want := []passport.Group{{Name: "Langues", Awards: []passport.AwardRef{b2, b1}}, {Awards: []passport.AwardRef{tut}}}
	if g := p.Grouped(); !reflect.DeepEqual(g, want) {
		t.Errorf("groups %+v\nwant %+v", g, want)
	}
}

func TestLoadRichErrors(t *testing.T) {
	const award = "awards:\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n"
	tests := []struct {
		name, body string
		want       []string
	}{
		{"headline markup", "displayName: X\nheadline: <b>hi</b>\n" + award, []string{"x.yaml:2: headline holds < or >"}},
		{"headline too long", "displayName: X\nheadline: " + strings.Repeat("a", 161) + "\n" + award, []string{"x.yaml:2: headline is too long", "at most 160 characters"}},
		{"headline two lines", "displayName: X\nheadline: \"a\\nb\"\n" + award, []string{"x.yaml:2: headline holds a line break"}},
		{"http link", "displayName: X\nlinks:\n  - label: Site\n    url: http://example.org/\n" + award,
			[]string{"x.yaml:4: link address is not an https:// address", "only https://"}},
		{"javascript link", "displayName: X\nlinks:\n  - {label: Site, url: \"javascript:alert(1)\"}\n" + award,
			[]string{"x.yaml:3: link address is not an https:// address"}},
		{"link without label", "displayName: X\nlinks:\n  - url: https://example.org/\n" + award, []string{"x.yaml:3: link without label"}},
		{"link without url", "displayName: X\nlinks:\n  - label: Site\n" + award, []string{"x.yaml:3: link without url"}},
		{"duplicate link", "displayName: X\nlinks:\n  - {label: A, url: \"https://a.example/\"}\n  - {label: B, url: \"https://a.example/\"}\n" + award,
			[]string{"x.yaml:4: the same address as link 1"}},
		{"too many links", "displayName: X\nlinks:\n" + strings.Repeat("  - {label: A, url: \"https://a.example/\"}\n", 6) + award,
			[]string{"x.yaml:2: 6 links, more than the 5 a passport may show"}},
		{"user in url", "displayName: X\nlinks:\n  - {label: A, url: \"https://u:p@a.example/\"}\n" + award, []string{"x.yaml:3: malformed link address"}},
		{"group markup", "displayName: X\nawards:\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1, group: \"<i>x</i>\"}\n",
			[]string{"x.yaml:3: group name holds < or >"}},
		{"unknown link key", "displayName: X\nlinks:\n  - {label: A, href: \"https://a.example/\"}\n" + award, []string{`x.yaml:3: unknown key "links.0.href"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, map[string]string{"x.yaml": tt.body})
			_, err := Load(root, testSite())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
		})
	}
}
