package logtypes

import "strings"

// Application Load Balancer access logs ([alb]): url.full is the URL of
// the request line ("GET https://host:443/path HTTP/1.1").

func init() { register("alb", transformELBRequestURL) }

// transformELBRequestURL sets url.full from the second token of the
// quoted request; ALB and CLB logs share it.
func transformELBRequestURL(r *Record) error {
	req, ok := r.Doc.GetString("request")
	if !ok {
		return nil
	}
	parts := strings.Split(req, " ")
	if len(parts) < 2 {
		return nil
	}
	r.Doc.Child("url").Set("full", parts[1])
	return nil
}
