package build

import (
	"path/filepath"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/keys"
	"github.com/francebadge/blason/internal/layout"
	"github.com/francebadge/blason/internal/model"
)

// ClaimIndexPath is the default place of the claim server's index in a
// source folder: private, beside the build cache.
func ClaimIndexPath(source string) string {
	return filepath.Join(source, ".blason", "claim-index.json")
}

// ClaimKey returns the key of the claim index (keys/_claim/secret), creating
// it when missing.
func ClaimKey(o Options) ([]byte, error) {
	o = o.withDefaults()
	store := keys.Store{Dir: KeysDir(o.Source), Rand: o.Rand}
	k, _, err := store.EnsureSecret(claimindex.KeySpace)
	return k, err
}

// writeClaimIndex writes the claim index when the options ask for one.
func writeClaimIndex(o Options, site *model.Site, l layout.Layout) error {
	if o.ClaimIndex == "" {
		return nil
	}
	key, err := ClaimKey(o)
	if err != nil {
		return err
	}
	return claimindex.Write(o.ClaimIndex, claimindex.Build(site, l, key, o.Now))
}
