package build

import (
	"fmt"
	"path"
	"strings"

	"github.com/francebadge/blason/internal/preview"
	"github.com/francebadge/blason/internal/publish"
	"github.com/francebadge/blason/internal/render"
)

// previewGroup prefixes the manifest groups of social preview cards:
// "preview:" + the card's output path. A card's action key hashes what it
// shows, so a rebuild draws only the cards whose badge, names or colours
// changed (or whose file is gone).
const previewGroup = "preview:"

// previews are the social preview cards of the catalogue pages.
type previews struct {
	cards  map[string]preview.Card // by group id
	groups map[string]publish.Group
}

// newPreviews reads the images of the cards the renderer asked for, next
// to the pages published in docs (not beside private dashboards), and
// makes their groups.
func newPreviews(r *render.Renderer, docs publish.Files) (*previews, error) {
	p := &previews{cards: map[string]preview.Card{}, groups: map[string]publish.Group{}}
	images := map[string][]byte{} // by source path: a badge's image serves two languages
	for _, c := range r.Cards() {
		if docs[strings.TrimSuffix(c.Path, render.PreviewFile)+"index.html"] == nil {
			continue
		}
		pc := preview.Card{Title: c.Title, Subtitle: c.Subtitle, Footer: c.Footer, Brand: c.Brand}
		for _, im := range c.Images {
			if im == nil {
				continue
			}
			b, ok := images[im.Source]
			if !ok {
				var err error
				if b, err = im.Read(); err != nil {
					return nil, fmt.Errorf("preview of %s: %w", c.Path, err)
				}
				images[im.Source] = b
			}
			pc.Images = append(pc.Images, preview.Image{Data: b, SVG: im.Ext == ".svg"})
		}
		id := previewGroup + c.Path
		p.cards[id] = pc
		p.groups[id] = publish.Group{Key: pc.Key()}
	}
	return p, nil
}

// previewPaths gives the file of a preview group.
func previewPaths(id string) ([]string, bool) {
	p, ok := strings.CutPrefix(id, previewGroup)
	if !ok {
		return nil, false
	}
	return []string{p}, true
}

func previewDirs(id string) ([]string, bool) {
	p, ok := previewPaths(id)
	if !ok {
		return nil, false
	}
	return []string{path.Dir(p[0])}, true
}

// produce draws the dirty cards, on every core, and writes them.
func (p *previews) produce(dirty map[string]bool, sess *publish.Session) error {
	return onAllCores(dirtyIDs(p.cards, dirty), func(id string) error {
		b, err := p.cards[id].PNG()
		if err == nil {
			err = sess.Put(strings.TrimPrefix(id, previewGroup), b)
		}
		if err != nil {
			return fmt.Errorf("preview %s: %w", strings.TrimPrefix(id, previewGroup), err)
		}
		return nil
	})
}
