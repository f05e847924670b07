package content

import (
	"regexp"
	"testing"
)

// eppnRE is the definition validEPPN writes out.
var eppnRE = regexp.MustCompile(`^[^@\s]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+$`)

var eppnCases = []string{
	"jdupont@univ-test.fr", "j.dupont@etu.univ-lyon1.fr", "é@x.fr", "a@b.c", "a@b", "@b.c", "a@@b.c",
	"a b@c.fr", "a\tb@c.fr", "a\vb@c.fr", "a@-b.fr", "a@b-.fr", "a@b..fr", "a@.b.fr", "a@b.fr.", "a@b.f-r",
	"a@b_c.fr", "a@b.fr@c.fr", "a@xn--bcher-kva.example", "\xff@b.fr", "a@b.fr\n", "", "a@1.2", "a@b.c-d-e.fr",
}

func TestValidEPPNIsTheRegularExpression(t *testing.T) {
	for _, s := range eppnCases {
		if got, want := validEPPN(s), eppnRE.MatchString(s); got != want {
			t.Errorf("validEPPN(%q) = %v, the regular expression says %v", s, got, want)
		}
	}
}

func FuzzValidEPPN(f *testing.F) {
	for _, s := range eppnCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validEPPN(s), eppnRE.MatchString(s); got != want {
			t.Errorf("validEPPN(%q) = %v, the regular expression says %v", s, got, want)
		}
	})
}
