package dashboard

// Statistical disclosure control: every count a dashboard publishes is a
// quantity of one registry shared by all the dashboards of a build, so a
// number shown on two dashboards (a space's total on its own page and on its
// network's) is shown or hidden on both.
//
// Primary suppression: a quantity below k (zero included: an empty cell and
// a small one must look alike) is shown as "< k".
//
// Secondary suppression: a relation is a set of published quantities one of
// which is the sum of the others (a table's rows and their total, a
// network's month and its spaces' months). A relation with exactly one
// hidden member would give it away by subtraction, so the smallest other
// member still shown (a part before the total) is hidden as well; this is
// repeated over all relations until none has exactly one hidden member.
// A scope's distinct holders are hidden with its awards: holders never
// outnumber awards, and when every holder has one award that bound would
// give the hidden total away.
//
// Counts of people (distinct holders, progression cells) do not add up
// over spaces: the difference between a network's count and one of its
// spaces' is the number of people found only in the network's other
// spaces. When both are shown and that difference is below k (and not
// zero), the larger scope's count is hidden, then relations are checked
// again.
//
// Quantities are keyed by what they count (the set of badge/level cells,
// of space/month cells, of spaces), so two equal sums are one quantity.

// Status says whether a quantity is published.
type Status int

// The statuses of a quantity.
const (
	Shown     Status = iota
	Primary          // below k
	Secondary        // hidden so that a primary one cannot be derived
)

func (s Status) String() string {
	switch s {
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return ""
}

// quantity is one published count.
type quantity struct {
	key    string
	value  int
	status Status
}

// relation: the last member is the sum of the others.
type relation []*quantity

// registry holds the quantities and relations of a build.
type registry struct {
	byKey     map[string]*quantity
	relations []relation
	// follows: when the first is hidden, so is the second (a scope's
	// distinct holders, a lower bound of its awards, follow them).
	follows [][2]*quantity
	// nested: counts of people over a scope and over a scope inside it;
	// their difference, when shown, must not be below k either.
	nested [][2]*quantity
}

func newRegistry() *registry { return &registry{byKey: map[string]*quantity{}} }

// get returns the quantity of key, creating it with value v.
func (r *registry) get(key string, v int) *quantity {
	q := r.byKey[key]
	if q == nil {
		q = &quantity{key: key, value: v}
		r.byKey[key] = q
	}
	return q
}

// relate records that total is the sum of parts. Duplicate parts are
// merged; a relation whose total is one of its parts (a network of one
// active space) or that has no part says nothing and is dropped.
func (r *registry) relate(parts []*quantity, total *quantity) {
	seen := map[*quantity]bool{}
	var rel relation
	for _, q := range parts {
		if q == total {
			return
		}
		if !seen[q] {
			seen[q] = true
			rel = append(rel, q)
		}
	}
	if len(rel) == 0 {
		return
	}
	r.relations = append(r.relations, append(rel, total))
}

// suppress applies primary then secondary suppression with threshold k.
func (r *registry) suppress(k int) {
	for _, q := range r.byKey {
		if q.value < k {
			q.status = Primary
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range r.nested {
			if d := n[0].value - n[1].value; n[0].status == Shown && n[1].status == Shown && d > 0 && d < k {
				n[0].status = Secondary
				changed = true
			}
		}
		for _, rel := range r.relations {
			hidden := 0
			for _, q := range rel {
				if q.status != Shown {
					hidden++
				}
			}
			if hidden != 1 {
				continue
			}
			var pick *quantity
			for _, q := range rel[:len(rel)-1] {
				if q.status == Shown && (pick == nil || q.value < pick.value) {
					pick = q
				}
			}
			if pick == nil {
				pick = rel[len(rel)-1]
			}
			pick.status = Secondary
			changed = true
		}
	}
	for _, f := range r.follows {
		if f[0].status != Shown && f[1].status == Shown {
			f[1].status = Secondary
		}
	}
}
