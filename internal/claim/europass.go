package claim

import "net/http"

// europassRoutes adds the European Learning Model (Europass) downloads.
func (s *Server) europassRoutes(mux *http.ServeMux) {}
