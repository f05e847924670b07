package federation

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Index is an immutable set of trusted IdPs, looked up by entityID.
type Index struct {
	byID map[string]*IdP
	list []*IdP // sorted by entityID
}

// newIndex builds an index; on duplicate entityIDs the first IdP wins.
func newIndex(idps []*IdP) *Index {
	ix := &Index{byID: make(map[string]*IdP, len(idps))}
	for _, p := range idps {
		if _, dup := ix.byID[p.EntityID]; dup {
			continue
		}
		ix.byID[p.EntityID] = p
		ix.list = append(ix.list, p)
	}
	slices.SortFunc(ix.list, func(a, b *IdP) int { return strings.Compare(a.EntityID, b.EntityID) })
	return ix
}

// Lookup returns the IdP with entityID, in O(1). entityID is compared
// exactly, as SAML requires; treat it as untrusted input, which this does.
func (ix *Index) Lookup(entityID string) (*IdP, bool) {
	if ix == nil {
		return nil, false
	}
	p, ok := ix.byID[entityID]
	return p, ok
}

// Len returns the number of IdPs.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.list)
}

// All returns the IdPs sorted by entityID. Do not modify the slice.
func (ix *Index) All() []*IdP {
	if ix == nil {
		return nil
	}
	return ix.list
}

// Search returns up to limit IdPs (all when limit <= 0) whose display name
// (any language) or literal scope contains every word of query, ignoring
// case and accents ("universite" finds "Université"). IdPs whose name in
// lang starts with the query come first, then names with a word starting
// with the query's first word, then the others; ties are in alphabetical
// order of the name in lang. An empty query returns nothing.
func (ix *Index) Search(query, lang string, limit int) []*IdP {
	words := strings.Fields(fold(query))
	if ix == nil || len(words) == 0 {
		return nil
	}
	q := strings.Join(words, " ")
	type hit struct {
		p    *IdP
		rank int
		name string
	}
	var hits []hit
	for _, p := range ix.list {
		ok := true
		for _, w := range words {
			if !strings.Contains(p.search, w) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		name := pick(p.folded, lang, "")
		if name == "" {
			name = fold(p.EntityID)
		}
		rank := 2
		switch {
		case strings.HasPrefix(name, q):
			rank = 0
		case strings.Contains(" "+name, " "+words[0]):
			rank = 1
		}
		hits = append(hits, hit{p, rank, name})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.name, b.name), strings.Compare(a.p.EntityID, b.p.EntityID))
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]*IdP, len(hits))
	for i, h := range hits {
		out[i] = h.p
	}
	return out
}

// fold lower-cases s, removes its accents and turns punctuation other
// than '.' into spaces, for accent-insensitive search.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	r, _, err := transform.String(t, s)
	if err != nil {
		r = s
	}
	r = strings.Map(func(c rune) rune {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			return unicode.ToLower(c)
		case c == '.':
			return c // keep domain names searchable
		}
		return ' '
	}, r)
	return strings.Join(strings.Fields(r), " ")
}
