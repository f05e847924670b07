// Package people groups award rows by recipient: two rows sharing any
// identifier (e-mail, eppn or student number) are the same person, and so,
// transitively, are rows linked through other rows. It is used by the
// progression check and the jury reports; nothing here is published.
package people

import "github.com/francebadge/blason/internal/model"

// Index maps each award to its recipient's group.
type Index struct {
	parent map[string]string
	first  map[*model.Award]string
}

func keys(r model.Identity) []string {
	var out []string
	if r.Email != "" {
		out = append(out, "e:"+r.Email)
	}
	if r.EPPN != "" {
		out = append(out, "p:"+r.EPPN)
	}
	if r.StudentID != "" {
		out = append(out, "s:"+r.StudentID)
	}
	return out
}

// New indexes the recipients of awards.
func New(awards []*model.Award) *Index {
	x := &Index{parent: make(map[string]string, 2*len(awards)), first: make(map[*model.Award]string, len(awards))}
	for _, a := range awards {
		ks := keys(a.Recipient)
		if len(ks) == 0 {
			continue
		}
		x.first[a] = ks[0]
		for _, k := range ks {
			if _, ok := x.parent[k]; !ok {
				x.parent[k] = k
			}
		}
		for _, k := range ks[1:] {
			x.union(ks[0], k)
		}
	}
	return x
}

func (x *Index) find(k string) string {
	root := k
	for {
		p, ok := x.parent[root]
		if !ok || p == root {
			break
		}
		root = p
	}
	for k != root { // path compression
		next := x.parent[k]
		x.parent[k] = root
		k = next
	}
	return root
}

func (x *Index) union(a, b string) {
	ra, rb := x.find(a), x.find(b)
	if ra != rb {
		if ra < rb { // deterministic roots
			ra, rb = rb, ra
		}
		x.parent[ra] = rb
	}
}

// Of returns the recipient group of an award ("" for an award without
// identifiers). Equal values mean the same person.
func (x *Index) Of(a *model.Award) string {
	k, ok := x.first[a]
	if !ok {
		return ""
	}
	return x.find(k)
}

// Identity returns the group of a plain identity (a roster line, say): the
// group of its first identifier that some award carries, or "".
func (x *Index) Identity(r model.Identity) string {
	for _, k := range keys(r) {
		if _, ok := x.parent[k]; ok {
			return x.find(k)
		}
	}
	return ""
}
