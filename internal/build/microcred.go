package build

import (
	"os"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/diag"
	"github.com/francebadge/blason/internal/render"
)

// holdersOption is the number of holders badge pages show: from the dashboards'
// threshold k, when the site publishes its dashboards (a site keeping its
// figures private, or making none, shows no count either).
func holdersOption(o Options) render.Option {
	var diags diag.List
	cfg := config.LoadEnv(o.Source, o.BaseURL, config.WithFile(os.Getenv, o.Config), &diags)
	if diags.Err() != nil || cfg.Dashboards.Publish != "site" {
		return render.Holders(0) // a configuration problem is reported by the dashboards
	}
	return render.Holders(cfg.Dashboards.K)
}
