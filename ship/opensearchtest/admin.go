package opensearchtest

import "net/http"

// admin answers the requests that are not bulk requests.
func (s *Server) admin(w http.ResponseWriter, r *http.Request, body []byte) {
	http.Error(w, `{"error":{"type":"not_found"},"status":404}`, http.StatusNotFound)
}
