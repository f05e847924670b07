package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/francebadge/blason/internal/passport"
)

// checkField checks an opaque identifier: not empty, not too long, valid
// UTF-8. Values are not quoted in messages: they may be anything.
func checkField(what, v string) error {
	switch {
	case v == "":
		return invalid("empty %s", what)
	case len(v) > MaxFieldLen:
		return invalid("%s longer than %d bytes", what, MaxFieldLen)
	case !utf8.ValidString(v):
		return invalid("%s is not valid UTF-8", what)
	}
	return nil
}

func checkAward(a passport.AwardRef) error {
	if err := checkField("award space", a.Space); err != nil {
		return err
	}
	return checkField("award id", a.Award)
}

// ValidSlug reports whether s can be a passport slug: lower-case ASCII
// letters and digits in groups joined by single dashes, at most MaxSlugLen
// bytes.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLen || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func checkSettings(p PassportSettings) error {
	if !ValidSlug(p.Slug) {
		return invalid("passport slug %q: use lower-case letters, digits and single dashes (e.g. marie-curie), at most %d characters", p.Slug, MaxSlugLen)
	}
	if strings.TrimSpace(p.DisplayName) == "" {
		return invalid("empty display name")
	}
	if len(p.DisplayName) > MaxDisplayNameLen || !utf8.ValidString(p.DisplayName) || hasControl(p.DisplayName) {
		return invalid("display name: at most %d bytes of printable UTF-8", MaxDisplayNameLen)
	}
	if p.Email != "" {
		local, domain, ok := strings.Cut(p.Email, "@")
		if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(p.Email) > MaxEmailLen ||
			!utf8.ValidString(p.Email) || hasControl(p.Email) || strings.ContainsAny(p.Email, " <>,;\"") {
			return invalid("published e-mail address is not of the form name@domain")
		}
	}
	if p.Lang != "" && !validLang(p.Lang) {
		return invalid("passport lang %q: use a two- or three-letter language code such as fr or en", p.Lang)
	}
	if passport.CheckHeadline(p.Headline) != passport.OK {
		return invalid("headline: one line of at most %d characters of plain text", passport.MaxHeadline)
	}
	for _, l := range p.Links {
		if label, address := passport.CheckLink(l); label != passport.OK || address != passport.OK {
			return invalid("link: a label of at most %d characters and an https:// address of at most %d bytes", passport.MaxLinkLabel, passport.MaxLinkURL)
		}
	}
	if passport.CheckLinks(p.Links) != passport.OK {
		return invalid("links: at most %d, each address once", passport.MaxLinks)
	}
	return nil
}

// checkGroups checks the group names of a passport layout.
func checkGroups(groups map[passport.AwardRef]string) error {
	names := map[string]bool{}
	for _, g := range groups {
		if g == "" {
			continue
		}
		if passport.CheckGroupName(g) != passport.OK {
			return invalid("group name: one line of at most %d characters of plain text", passport.MaxGroupName)
		}
		names[g] = true
	}
	if len(names) > passport.MaxGroups {
		return invalid("%d groups, more than %d", len(names), passport.MaxGroups)
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
