package opensearchtest

import "net/http"

// authorized checks a request's credentials when the server asks for some.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, body []byte) bool { return true }
