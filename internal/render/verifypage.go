package render

import "github.com/francebadge/blason/internal/publish"

// VerifyDir is the folder, under each language's home, of the page where
// anyone checks a credential in the browser (layouts/verify.html and
// static/reverify.js). No space may be called so (package content).
const VerifyDir = "verify/"

// verifyPage is the data of the verify/ page in v's language.
func (v *langView) verifyPage() *pageData {
	d := v.base(v.r.t(v.lang, "wvPageTitle"), func(lang string) string { return v.r.layout.Home(lang) + VerifyDir })
	d.Crumbs = []link{{Label: v.siteTitle(), URL: d.HomeURL}}
	return d
}

// verifyPages writes the verify/ page of v's language.
func (r *Renderer) verifyPages(v *langView, out publish.Files) error {
	return r.page(out, "verify", r.layout.Home(v.lang)+VerifyDir, v.verifyPage())
}
