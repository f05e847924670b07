package passportfile

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/passport"
	"github.com/francebadge/blason/internal/yamlx"
)

// FuzzDeclaration reads arbitrary passport declarations against the test
// site: no panic; every problem points at a line of the file; an accepted
// declaration has a display name within the limits and shows only awards
// of the site, each once, and — when it names recipients — only theirs.
func FuzzDeclaration(f *testing.F) {
	for _, s := range []string{
		"displayName: Camille M.\nemail: camille@example.org\nindexable: true\nlang: en\nrecipients: [C1@UNIV.example, \"23001\"]\nawards:\n  - {space: universite, badge: langues, level: b2}\n  - {space: universite, badge: tutorat}\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n",
		"displayName: Dominique\nawards:\n  - {space: universite, award: bbbbbbbbbbbbbbbbbbbbbbbbb1}\n",
		"displayName: X\nawards:\n  - {space: universite, award: bbbbbbbbbbbbbbbbbbbbbbbbb1}\n  - {space: universite, award: bbbbbbbbbbbbbbbbbbbbbbbbb1}\n",
		"displayName: X\nrecipients: [camille@example.org]\nawards:\n  - {space: universite, badge: langues, date: 2023-12-15}\n",
		"displayName: X\nrecipients: [dominique@example.org]\nawards:\n  - {space: universite, award: aaaaaaaaaaaaaaaaaaaaaaaaa1}\n",
		"displayName: X\nemail: \"Camille <c@example.org>\"\nawards: [{space: universit, badge: x}]\n",
		"displayName: [1]\n",
		"awards: {}\n",
		"displayName: \"a\\u0007b\"\nawards: []\n",
	} {
		f.Add([]byte(s))
	}
	site := testSite()
	f.Fuzz(func(t *testing.T, src []byte) {
		var diags diag.List
		r := newResolver(site)
		p, ok := r.declaration("content/_passports/x.yaml", "x", src, &diags)
		// YAML breaks lines at LF, CRLF and a lone CR.
		lines := bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) - bytes.Count(src, []byte("\r\n")) + 1
		for _, d := range diags.Items() {
			if d.Line < 1 || d.Line > lines+1 {
				t.Errorf("line %d outside the file (%d lines): %v", d.Line, lines, d)
			}
		}
		if ok != (diags.Len() == 0) {
			t.Fatalf("accepted = %v with %d problems", ok, diags.Len())
		}
		if !ok {
			return
		}
		if p.DisplayName == "" || utf8.RuneCountInString(p.DisplayName) > MaxDisplayName || strings.ContainsAny(p.DisplayName, "\n\r\x00") {
			t.Errorf("accepted display name %q", p.DisplayName)
		}
		if len(p.Awards) == 0 {
			t.Error("accepted a passport without awards")
		}
		var fl file
		yamlx.Parse("x.yaml", 0, src, &diags).Decode(&fl, &diags)
		seen := map[passport.AwardRef]bool{}
		for _, ref := range p.Awards {
			if seen[ref] {
				t.Errorf("award %v listed twice", ref)
			}
			seen[ref] = true
			a := r.awards(r.spaces[ref.Space])[ref.Award]
			if a == nil {
				t.Fatalf("award %v is not the site's", ref)
			}
			if len(fl.Recipients) > 0 && !isRecipient(a, fl.Recipients) {
				t.Errorf("award %v is not the recipients'", ref)
			}
		}
	})
}
