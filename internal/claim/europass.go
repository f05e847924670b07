package claim

import (
	"net/http"

	"github.com/francebadge/blason/internal/claimindex"
	"github.com/francebadge/blason/internal/elm"
	"github.com/francebadge/blason/internal/passport"
)

// europassRoutes adds the European Learning Model (Europass) downloads, and
// the DCC Learner Credential Wallet delivery (dcc.go). The Europass file is the
// award's Open Badges 3.0 credential mapped to an unsigned ELM 3 European
// Digital Credential (internal/elm, docs/europass.md). It sits under
// /me/download/ so the access log hides the award id as for the other
// downloads.
func (s *Server) europassRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /me/download/{space}/{award}/europass.json", s.authed(s.europass))
	s.dccRoutes(mux) // DCC Learner Credential Wallet (dcc.go)
}

// exportOffered reports whether the award's card offers the Europass
// export and the DCC wallet delivery: a revoked or suspended badge is not
// exported (the ELM file is unsigned and carries no status a reader could
// check; a wallet would take a credential its issuer withdrew).
func exportOffered(e claimindex.Entry) bool {
	return e.Status != claimindex.StatusRevoked && e.Status != claimindex.StatusSuspended
}

func (s *Server) europass(w http.ResponseWriter, r *http.Request, sess Session) {
	e, ok := s.owned(sess, r.PathValue("space"), r.PathValue("award"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "errNotYours")
		return
	}
	if !exportOffered(e) {
		s.fail(w, r, http.StatusGone, "errEuropassStatus")
		return
	}
	cred, err := s.siteFile(e.Credential)
	if err != nil {
		s.internal(w, r, "read credential", err)
		return
	}
	img, err := s.siteFile(e.Image)
	if err != nil {
		s.internal(w, r, "read image", err)
		return
	}
	body, err := elm.FromOB3(cred, elm.Options{Image: elm.Image{Data: img, MediaType: elm.MediaType(e.Image)}})
	if err != nil {
		s.internal(w, r, "europass", err)
		return
	}
	name := e.Badge
	if e.Level != "" {
		name += "-" + e.Level
	}
	_ = s.cfg.Store.RecordClaim(r.Context(), sess.Subject, passport.AwardRef{Space: e.Space, Award: e.Award}, s.cfg.Now())
	w.Header().Set("Content-Type", "application/ld+json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-europass.json"`)
	w.Write(body)
}
