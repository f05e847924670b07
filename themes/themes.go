// Package themes embeds the default theme, so that the blason binary renders
// a site even where no themes/ folder exists, and stacks the places a
// template, static file or string is looked up in (Layers): a space's or a
// site's overrides above a named theme above the default.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var embedded embed.FS

// Default returns the embedded default theme (layouts/, static/, i18n/).
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // "default" is embedded above
	}
	return sub
}
