package layout

import "github.com/francebadge/blason/internal/model"

// LevelImage is the image of one level of a badge class, made from the
// badge's SVG image with its level marks drawn for that level.
func (l Layout) LevelImage(b *model.Badge, lv *model.Level) string {
	return b.Space.Slug + "/badges/" + b.Slug + "/levels/" + lv.ID + ".svg"
}
