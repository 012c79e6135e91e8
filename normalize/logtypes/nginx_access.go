package logtypes

// nginx access logs ([nginx-access], read through CloudWatch Logs): the
// same transform as apache-access (see transformWebAccess); the nginx
// pattern has no request_bytes/response_bytes groups.

func init() { register("nginx-access", transformNginxAccess) }

// nginxRawFields are the log_pattern groups es-loader deletes.
var nginxRawFields = [...]string{
	"authuser", "datetime", "ident", "request_method", "request_path",
	"request_raw", "request_version", "referer", "remotehost",
	"response_body_bytes", "response_status", "useragent", "xff",
}

func transformNginxAccess(r *Record) error {
	return transformWebAccess(r, nginxRawFields[:])
}
