package passport

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of what a student may add to a passport beyond the awards.
const (
	MaxHeadline  = 160 // characters of the headline
	MaxLinks     = 5   // links on one passport
	MaxLinkLabel = 60  // characters of a link's label
	MaxLinkURL   = 300 // bytes of a link's address
	MaxGroupName = 60  // characters of a group's name
	MaxGroups    = 8   // groups on one passport
)

// Link is a link the student chose to show (a portfolio, a profile).
type Link struct {
	Label string
	URL   string
}

// Group is a named part of a passport: awards the student chose to show
// together, in the order shown. The unnamed group holds the awards put in
// no group.
type Group struct {
	Name   string
	Awards []AwardRef
}

// Grouped returns the passport's awards by group: groups in the order of
// their first award, each award once, in the passport's order. Awards in
// no group come last, in a group with no name.
func (p Passport) Grouped() []Group {
	var out []Group
	at := map[string]int{}
	var rest []AwardRef
	for _, a := range p.Awards {
		name := p.GroupOf[a]
		if name == "" {
			rest = append(rest, a)
			continue
		}
		i, ok := at[name]
		if !ok {
			i = len(out)
			at[name] = i
			out = append(out, Group{Name: name})
		}
		out[i].Awards = append(out[i].Awards, a)
	}
	if len(rest) > 0 {
		out = append(out, Group{Awards: rest})
	}
	return out
}

// Problem is what is wrong with a headline, a link or a group name; the
// content files and the claim server word it each their own way.
type Problem int

// Problems found by the checks. OK is none.
const (
	OK               Problem = iota
	TooLong                  // over the length limit
	NotOneLine               // holds a line break or a control character
	Markup                   // holds < or > (no markup is ever rendered)
	Empty                    // an empty label or address
	NotHTTPS                 // a link that is not an https:// address
	MalformedURL             // an address that does not parse, or holds a user name or spaces
	TooMany                  // more links or groups than allowed
	DuplicateLinkURL         // the same address twice
)

// CheckHeadline checks a headline: one line of plain text, at most
// MaxHeadline characters. An empty headline is fine (none shown).
func CheckHeadline(s string) Problem { return checkLine(s, MaxHeadline) }

// CheckGroupName checks a group's name: one line of plain text, at most
// MaxGroupName characters.
func CheckGroupName(s string) Problem { return checkLine(s, MaxGroupName) }

func checkLine(s string, max int) Problem {
	switch {
	case !utf8.ValidString(s) || strings.IndexFunc(s, badRune) >= 0:
		return NotOneLine
	case strings.ContainsAny(s, "<>"):
		return Markup
	case utf8.RuneCountInString(s) > max:
		return TooLong
	}
	return OK
}

// badRune reports control characters (line breaks included) and the
// invisible marks that reorder text (bidirectional overrides), which could
// make a line read differently from what it holds.
func badRune(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}

// CheckLink checks one link: a label (one line, at most MaxLinkLabel
// characters) and an https:// address with a host, no user name, at most
// MaxLinkURL bytes.
func CheckLink(l Link) (label, address Problem) {
	label = checkLine(l.Label, MaxLinkLabel)
	if label == OK && strings.TrimSpace(l.Label) == "" {
		label = Empty
	}
	address = checkURL(l.URL)
	return label, address
}

func checkURL(s string) Problem {
	if strings.TrimSpace(s) == "" {
		return Empty
	}
	if len(s) > MaxLinkURL {
		return TooLong
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return badRune(r) || unicode.IsSpace(r) }) >= 0 || strings.ContainsAny(s, "<>\"'`") {
		return MalformedURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return MalformedURL
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return NotHTTPS
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" || u.Hostname() == "" {
		return MalformedURL
	}
	return OK
}

// CheckLinks checks the number of links and that no address is given
// twice; each link is checked by CheckLink.
func CheckLinks(ls []Link) Problem {
	if len(ls) > MaxLinks {
		return TooMany
	}
	seen := map[string]bool{}
	for _, l := range ls {
		if seen[l.URL] {
			return DuplicateLinkURL
		}
		seen[l.URL] = true
	}
	return OK
}

// RichValid reports whether the passport's headline, links and group names
// pass the checks: what the build publishes from a store it does not
// write itself.
func (p Passport) RichValid() bool {
	if CheckHeadline(p.Headline) != OK || CheckLinks(p.Links) != OK {
		return false
	}
	for _, l := range p.Links {
		if a, b := CheckLink(l); a != OK || b != OK {
			return false
		}
	}
	groups := map[string]bool{}
	for _, g := range p.GroupOf {
		if CheckGroupName(g) != OK {
			return false
		}
		groups[g] = true
	}
	return len(groups) <= MaxGroups
}
