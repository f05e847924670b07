package layout

import "github.com/francebadge/blason/internal/model"

// BakedAssertion is the badge image of an award with its Open Badges 2.0
// hosted assertion baked in, beside the assertion; ext is the badge
// image's (".png" or ".svg").
func (l Layout) BakedAssertion(space, id, ext string) string {
	return space + "/assertions/" + shard(id) + id + ext
}

// BakedCredential is the badge image of an award with its Open Badges 3.0
// credential baked in, beside the credential.
func (l Layout) BakedCredential(space, id, ext string) string {
	return space + "/credentials/" + shard(id) + id + ext
}

// Baked returns both baked images of an award (OB 2.0, OB 3.0).
func (l Layout) Baked(a *model.Award) (ob2, ob3 string) {
	sp, ext := a.Badge.Space.Slug, a.Badge.Image.Ext
	return l.BakedAssertion(sp, a.ID, ext), l.BakedCredential(sp, a.ID, ext)
}
