// Package layout decides where every published object lives in the site:
// its output path (slash-separated, relative to the site root) and its URL.
// It is the single source of truth shared by the issuing and rendering
// stages and by the verifier tests.
package layout

import (
	"github.com/francebadge/blason/internal/model"
)

// Layout maps model objects to paths and URLs under a base URL.
type Layout struct {
	Base        string // absolute, ends with "/"
	DefaultLang string // served at the root; others under /<lang>/
}

// URL returns the absolute URL of an output path.
func (l Layout) URL(path string) string { return l.Base + path }

func (l Layout) langPrefix(lang string) string {
	if lang == "" || lang == l.DefaultLang {
		return ""
	}
	return lang + "/"
}

// Home is the site's home page folder in lang.
func (l Layout) Home(lang string) string { return l.langPrefix(lang) }

// SpacePage is the folder of a space's catalogue page in lang.
func (l Layout) SpacePage(sp *model.Space, lang string) string {
	return l.langPrefix(lang) + sp.Slug + "/"
}

// BadgePage is the folder of a badge class's page in lang.
func (l Layout) BadgePage(b *model.Badge, lang string) string {
	return l.langPrefix(lang) + b.Space.Slug + "/badges/" + b.Slug + "/"
}

// Issuer is the space's Open Badges 2.0 issuer Profile.
func (l Layout) Issuer(sp *model.Space) string { return sp.Slug + "/issuer.json" }

// Logo is the space's logo image.
func (l Layout) Logo(sp *model.Space) string { return sp.Slug + "/logo" + sp.Logo.Ext }

// RevocationList is the space's Open Badges 2.0 revocation list.
func (l Layout) RevocationList(sp *model.Space) string { return sp.Slug + "/revocations.json" }

// BadgeClass is the Open Badges 2.0 BadgeClass of a badge, or of one of its
// levels when lv is not nil.
func (l Layout) BadgeClass(b *model.Badge, lv *model.Level) string {
	if lv != nil {
		return b.Space.Slug + "/badges/" + b.Slug + "/" + lv.ID + ".json"
	}
	return b.Space.Slug + "/badges/" + b.Slug + "/badge.json"
}

// BadgeImage is the image of a badge class.
func (l Layout) BadgeImage(b *model.Badge) string {
	return b.Space.Slug + "/badges/" + b.Slug + "/image" + b.Image.Ext
}

// AssertionDir is the folder holding a space's hosted assertions; it is
// never listed and is disallowed to crawlers.
func (l Layout) AssertionDir(sp *model.Space) string { return sp.Slug + "/assertions/" }

// Assertion is the hosted Open Badges 2.0 assertion of an award.
func (l Layout) Assertion(a *model.Award) string {
	return a.Badge.Space.Slug + "/assertions/" + a.ID + ".json"
}

// Asset is a theme file.
func (l Layout) Asset(name string) string { return "assets/" + name }
