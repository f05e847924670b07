// Package passport is the model of students' passport (CV) pages: which
// student opted in, under which slug and display name, and which of their
// awards they chose to show. Declarations come from several sources — files
// under content/ (offline use, the demo) and the claim server's store — and
// are merged into one list the build renders. Nothing here is published
// unless the student opted in.
package passport

import "context"

// Passport is one student's opt-in declaration.
type Passport struct {
	// Slug is the page's path segment: the page is published at
	// passport/<slug>/. Chosen by the student; a-z, 0-9 and '-'.
	Slug string
	// DisplayName is the name the student chose to show (may differ from
	// the name the institution knows).
	DisplayName string
	// Indexable lets search engines index the page; pages are noindex
	// otherwise.
	Indexable bool
	// Email, when not empty, is an address the student chose to show.
	Email string
	// Lang is the page's preferred language ("fr" or "en"; empty means the
	// site's default).
	Lang string
	// Awards are the awards the student chose to show, in the order chosen.
	Awards []AwardRef
	// Headline is one line the student wrote about themselves, or empty.
	Headline string
	// Links are links the student chose to show, in order.
	Links []Link
	// GroupOf names the group of each award the student put in one; the
	// others are shown after the groups.
	GroupOf map[AwardRef]string
	// Source names where the declaration came from ("content/_passports/x.yaml:3"
	// or "store"), for error messages.
	Source string
}

// AwardRef names one award: its space and its award id.
type AwardRef struct {
	Space string
	Award string
}

// Source yields passport declarations.
type Source interface {
	Passports(ctx context.Context) ([]Passport, error)
}
