package config

// Transparency is the setting of the site's transparency log
// (docs/transparency.md).
type Transparency struct {
	// Enabled publishes the log under log/; on when not set.
	Enabled *bool `yaml:"enabled"`
}

// On says whether the site keeps a transparency log.
func (t Transparency) On() bool { return t.Enabled == nil || *t.Enabled }
