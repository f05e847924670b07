package claim

import (
	"context"
	"log/slog"
	"time"
)

// Retention defaults (see Config and docs/privacy.md).
const (
	// DefaultAuditRetention is how long audit events are kept: six
	// months, long enough to answer a question about a consent or an
	// incident, short enough to keep little.
	DefaultAuditRetention = 180 * 24 * time.Hour
	// DefaultPurgeEvery is the period of the retention purge.
	DefaultPurgeEvery = 10 * time.Minute
	// assertionGrace is how long a replay-cache entry is kept after its
	// assertion expired: the clock skew SAML validation tolerates, so an
	// ID is never forgotten while its assertion could still be accepted.
	assertionGrace = 5 * time.Minute
)

// Purge applies the retention rules once, at the server's clock: sessions
// expired, replay-cache entries past their assertion's expiry (and the
// grace), audit events older than AuditRetention, wallet offers whose code
// and token expired. It logs what it removed
// (counts only).
func (s *Server) Purge(ctx context.Context) (Purged, error) {
	now := s.cfg.Now()
	p, err := s.cfg.Store.Purge(ctx, now, now.Add(-assertionGrace), now.Add(-s.cfg.AuditRetention))
	if err != nil {
		s.cfg.Log.Error("retention purge", slog.String("error", err.Error()))
		return p, err
	}
	if p != (Purged{}) {
		s.cfg.Log.Info("retention purge", slog.Int64("sessions", p.Sessions), slog.Int64("assertions", p.Assertions), slog.Int64("events", p.Events), slog.Int64("walletOffers", p.WalletOffers))
	}
	return p, nil
}

// RunPurge purges at once, then every PurgeEvery, until ctx ends.
func (s *Server) RunPurge(ctx context.Context) {
	t := time.NewTicker(s.cfg.PurgeEvery)
	defer t.Stop()
	for {
		_, _ = s.Purge(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
