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
// slug. The first source is the site's own (content files): an invalid slug
// or one declared twice there is an error naming both declarations. A
// declaration from a later source (a claim server's store) that is invalid
// or takes a slug already declared is left off with a warning: a student's
// choice must never stop the build, nor replace another page.
func Collect(ctx context.Context, sources ...Source) ([]Passport, []string, error) {
	var all []Passport
	seen := map[string]string{} // slug → source
	var problems, warnings []string
	for i, s := range sources {
		if s == nil {
			continue
		}
		ps, err := s.Passports(ctx)
		if err != nil {
			return nil, nil, err
		}
		report := &problems
		if i > 0 {
			report = &warnings
		}
		for _, p := range ps {
			switch {
			case !ValidSlug(p.Slug):
				*report = append(*report, fmt.Sprintf("%s: passport slug %q is not valid\n\thint: %s", p.Source, p.Slug, SlugHint))
			case seen[p.Slug] != "":
				*report = append(*report, fmt.Sprintf("%s: passport slug %q is already declared by %s\n\thint: a slug names one page; choose another one", p.Source, p.Slug, seen[p.Slug]))
			default:
				seen[p.Slug] = p.Source
				all = append(all, p)
			}
		}
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("%s\n%d problem(s) found in passport declarations; nothing was written", strings.Join(problems, "\n"), len(problems))
	}
	for i, w := range warnings {
		warnings[i] = strings.Replace(w, "\n\thint: ", "; it is left off (", 1) + ")"
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Slug < all[j].Slug })
	return all, warnings, nil
}

// Static is a fixed list of declarations, a Source for tests and tools.
type Static []Passport

// Passports returns the list.
func (s Static) Passports(context.Context) ([]Passport, error) { return s, nil }
