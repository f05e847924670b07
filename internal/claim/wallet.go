package claim

import "net/http"

// walletRoutes adds the OpenID for Verifiable Credential Issuance routes.
func (s *Server) walletRoutes(mux *http.ServeMux) {}
