package logtypes

import (
	"fmt"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Apache access logs ([apache-access], read through CloudWatch Logs): the
// request line becomes url.* and http.*, the scheme comes from the log
// group name ("ssl" → https), the EC2 instance id from the log stream,
// service.name from "web-site-name=" in the S3 key, and an X-Forwarded-For
// prefix becomes http.request.header.x_forwarded_for plus a sorted
// related.ip. The raw fields of the regex are removed.

func init() { register("apache-access", transformApacheAccess) }

// apacheRawFields are the log_pattern groups es-loader deletes.
var apacheRawFields = [...]string{
	"authuser", "datetime", "ident", "request_bytes", "request_method",
	"request_path", "request_raw", "request_version", "referer",
	"remotehost", "response_body_bytes", "response_bytes",
	"response_status", "useragent", "xff",
}

func transformApacheAccess(r *Record) error {
	return transformWebAccess(r, apacheRawFields[:])
}

// webAccessFields are the regex groups the web transforms read.
var webAccessFields = [...]string{"request_method", "request_path", "request_version", "request_raw", "xff"}

// transformWebAccess is the transform of apache-access and nginx-access
// (sf_apache_access.py and sf_nginx_access.py are the same script but for
// the fields they delete).
//
// es-loader memoizes (lru_cache) the request-line helper and then adds
// url.scheme to the dict it returns, so in a warm Lambda a record whose log
// group names neither "ssl" nor "access" inherits the scheme of an earlier
// record with the same request line. That depends on invocation history;
// here such a record has no url.scheme, as the script intends.
//
// Where es-loader's script raises, this one goes on: a client address that
// is not an IP (no source.ip) gives a related.ip of the X-Forwarded-For
// addresses only, a missing @log_s3key no service.name, and a raw field
// missing from a custom log_pattern is simply not deleted.
func transformWebAccess(r *Record, rawFields []string) error {
	d := r.Doc
	if d == nil {
		return fmt.Errorf("no document")
	}
	// validate: the request groups are strings or None
	var vals [len(webAccessFields)]string
	for i, k := range webAccessFields {
		v, _ := d.Get(k)
		switch x := v.(type) {
		case nil:
		case string:
			vals[i] = x
		default:
			return fmt.Errorf("field %s is %T, not a string", k, v)
		}
	}
	method, path, version, raw, xff := vals[0], vals[1], vals[2], vals[3], vals[4]

	instanceID := ""
	if s, ok := d.GetString("@log_stream"); ok {
		instanceID = instanceIDInText(s)
	}
	serviceName, hasService := "", false
	if key, ok := d.GetString("@log_s3key"); ok {
		serviceName, hasService = webSiteName(key)
	}
	u := parseHTTPRequest(method, path, version, raw)

	scheme := ""
	if lg, ok := d.GetString("@log_group"); ok {
		switch {
		case strings.Contains(lg, "ssl"):
			scheme = "https"
		case strings.Contains(lg, "access"):
			scheme = "http"
		}
	}

	outcome := "unknown"
	if st, ok := d.Get("response_status"); ok {
		if s, ok := st.(string); ok {
			if n, ok := pyIntString(s); ok && n != 0 {
				if n < 400 {
					outcome = "success"
				} else {
					outcome = "failure"
				}
			}
		}
	}

	var xffIPs, relatedIP []any
	if xff != "" {
		xffIPs = parseXFF(xff)
		ips := make([]string, 0, len(xffIPs)+1)
		if v, ok := d.GetPath("source", "ip"); ok {
			// es-loader puts the value in a set as it is; the ECS mapping
			// makes it a string.
			ips = append(ips, pyjson.Str(v))
		}
		for _, ip := range xffIPs {
			ips = append(ips, ip.(string))
		}
		relatedIP = SortedUniqueStrings(ips)
	}

	// write, in the order es-loader merges its dict: http, event,
	// related, url, cloud, service
	d.DeleteAll(rawFields)
	h := d.Child("http")
	if xff != "" {
		// es-loader replaces its http dict here, so version and method
		// come from the ECS mapping alone (they are the same values).
		h.Child("request").Child("header").Set("x_forwarded_for", xffIPs)
	} else {
		if u.has&huVersion != 0 {
			h.Set("version", u.version)
		}
		if u.has&huMethod != 0 {
			h.Child("request").Set("method", u.method)
		}
	}
	d.Child("event").Set("outcome", outcome)
	rel := d.Child("related")
	if instanceID != "" {
		// a string: es-loader looks for url.domain before it has set it
		rel.Set("hosts", instanceID)
	}
	if relatedIP != nil {
		rel.Set("ip", relatedIP)
	}
	writeURL(d.Child("url"), &u)
	if scheme != "" {
		d.Child("url").Set("scheme", scheme)
	}
	if instanceID != "" {
		d.Child("cloud").Child("instance").Set("id", instanceID)
	}
	if hasService {
		d.Child("service").Set("name", serviceName)
	}
	return nil
}

// writeURL sets the url.* fields of u in es-loader's order.
func writeURL(m *pyjson.Map, u *httpURL) {
	if u.has&huOriginal != 0 {
		m.Set("original", u.original)
	}
	if u.has&huDomain != 0 {
		m.Set("domain", u.domain)
	}
	if u.has&huPort != 0 {
		m.Set("port", u.port)
	}
	if u.has&huFragment != 0 {
		m.Set("fragment", u.fragment)
	}
	m.Set("path", u.path)
	if u.has&huQuery != 0 {
		m.Set("query", u.query)
	}
	if u.has&huExtension != 0 {
		m.Set("extension", u.extension)
	}
}

// webSiteName is the first /web-site-name=<name>/ of an S3 key.
func webSiteName(key string) (string, bool) {
	const marker = "/web-site-name="
	i := strings.Index(key, marker)
	if i < 0 {
		return "", false
	}
	rest := key[i+len(marker):]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// pyIntString is Python's int(s) for a str, for the ASCII spellings: outer
// whitespace, a sign, digits with single '_' between them. Values beyond
// int64 saturate (only their sign and size against 400 matter here).
// Non-ASCII digits, which Python also accepts, are not.
func pyIntString(s string) (int64, bool) {
	s = PyStrip(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			if s[i-1] == '_' {
				return 0, false
			}
		case c >= '0' && c <= '9':
			if n < 1<<59 {
				n = n*10 + int64(c-'0')
			}
		default:
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}
