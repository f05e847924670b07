package passport

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// MaxSlug is the longest slug accepted.
const MaxSlug = 64

// ValidSlug reports whether s can name a passport page: a-z, 0-9 and
// single dashes between them, at most MaxSlug characters.
func ValidSlug(s string) bool { return len(s) <= MaxSlug && slugRE.MatchString(s) }

// SlugHint explains what a slug may hold, for error messages.
const SlugHint = "a slug is made of lower-case letters a-z, digits and single dashes (at most 64 characters), e.g. camille-martin"

// Collect reads every source and merges their declarations, sorted by
// slug. An invalid slug, or one declared by two sources, is an error
// naming where each declaration came from: pages are never silently
// dropped or overwritten.
func Collect(ctx context.Context, sources ...Source) ([]Passport, error) {
	var all []Passport
	seen := map[string]string{} // slug → source
	var problems []string
	for _, s := range sources {
		if s == nil {
			continue
		}
		ps, err := s.Passports(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			switch {
			case !ValidSlug(p.Slug):
				problems = append(problems, fmt.Sprintf("%s: passport slug %q is not valid\n\thint: %s", p.Source, p.Slug, SlugHint))
			case seen[p.Slug] != "":
				problems = append(problems, fmt.Sprintf("%s: passport slug %q is already declared by %s\n\thint: a slug names one page; choose another one", p.Source, p.Slug, seen[p.Slug]))
			default:
				seen[p.Slug] = p.Source
				all = append(all, p)
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s\n%d problem(s) found in passport declarations; nothing was written", strings.Join(problems, "\n"), len(problems))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Slug < all[j].Slug })
	return all, nil
}

// Static is a fixed list of declarations, a Source for tests and tools.
type Static []Passport

// Passports returns the list.
func (s Static) Passports(context.Context) ([]Passport, error) { return s, nil }
