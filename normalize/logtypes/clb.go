package logtypes

// Classic Load Balancer access logs ([clb]): like ALB, url.full comes from
// the request line. TCP listeners log "- - - " as the request and get none.

func init() {
	register("clb", transformELBRequestURL)
	registerFlat("clb", planELBRequestURL)
}
