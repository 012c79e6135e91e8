package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// nginx error logs ([nginx-error], through CloudWatch Logs). The
// transform adds the EC2 instance id from the log stream, service.name
// from the S3 key and url.scheme from the log group (see web_error.go),
// nginx.error.connection_id, and reads the request context nginx appends
// to a message ("client: ..., server: ..., request: "GET / HTTP/1.1",
// upstream: ..., host: ..., referrer: ...") into source.ip and
// source.address, related.ip (a string), http.version,
// http.request.method and referrer, and url.* as for access logs. The
// raw fields of the pattern are removed.
//
// Kept from es-loader, because existing documents have them: a host
// header with a port goes to top-level "domain" and "port" fields (not
// url.domain and url.port), and related.hosts and related.ip are strings.
//
// es-loader differences (fixed):
//
//   - es-loader memoizes the request parser and then adds the referrer to
//     the dict it returned, so in a warm Lambda a later record with the
//     same request line inherits an earlier record's referrer; here a
//     record only has its own.
//   - A referrer with a request that has no method (a malformed request
//     line) makes es-loader's script raise; here
//     http.request.referrer is set.
//   - A pattern without one of the deleted groups, or a record without an
//     S3 key, makes es-loader's script raise; here they are skipped.

func init() { register("nginx-error", transformNginxError) }

// nginxErrorContext is es-loader's RE_MESSAGE (Python's "$" also matches
// before a final newline).
var nginxErrorContext = pyRegexp(`client: (?P<client_ip>[0-9a-f.:]+), server: (-|(?P<server>[^ ]*?))` +
	`(?:, request: "((?P<request_method>[^ ]+) (?P<request_path>[^ ]+) HTTP/(?P<request_version>[^ ]+)|(?P<request_raw>.*?))")?` +
	`(?:, upstream: "(?P<upstream>.+?)")?` +
	`(?:, host: "(?P<host>[^ ]+?)")?` +
	`(?:, referrer: "(?P<referrer>[^ ]+?)")?\n?\z`)

var nginxErrorGroups = struct {
	clientIP, method, path, version, raw, host, referrer int
}{
	nginxErrorContext.SubexpIndex("client_ip"),
	nginxErrorContext.SubexpIndex("request_method"),
	nginxErrorContext.SubexpIndex("request_path"),
	nginxErrorContext.SubexpIndex("request_version"),
	nginxErrorContext.SubexpIndex("request_raw"),
	nginxErrorContext.SubexpIndex("host"),
	nginxErrorContext.SubexpIndex("referrer"),
}

// nginxErrorRawFields are the log_pattern groups es-loader deletes.
var nginxErrorRawFields = [...]string{"connection_id", "datetime", "message", "process_id", "thread_id", "severity"}

func transformNginxError(r *Record) error {
	d := r.Doc
	web := newWebErrorFields(d)

	if msg, ok := d.GetString("message"); ok && msg != "" {
		if m := nginxErrorContext.FindStringSubmatchIndex(msg); m != nil {
			group := func(i int) string {
				if m[2*i] < 0 {
					return ""
				}
				return msg[m[2*i]:m[2*i+1]]
			}
			g := nginxErrorGroups
			url := web.Child("url")
			web.Set("http", pyjson.NewMap(2))
			if host := group(g.host); host != "" {
				switch parts := strings.Split(host, ":"); len(parts) {
				case 1:
					url.Set("domain", parts[0])
				case 2:
					web.Set("domain", parts[0])
					web.Set("port", parts[1])
				}
			}
			u := parseHTTPRequest(group(g.method), group(g.path), group(g.version), group(g.raw))
			http := pyjson.NewMap(2)
			if u.has&huVersion != 0 {
				http.Set("version", u.version)
			}
			if u.has&huMethod != 0 {
				http.Child("request").Set("method", u.method)
			}
			web.Set("http", http)
			writeURL(url, &u)
			clientIP := group(g.clientIP)
			if clientIP != "" {
				src := pyjson.NewMap(2)
				src.Set("ip", clientIP)
				src.Set("address", clientIP)
				web.Set("source", src)
			}
			if ref := group(g.referrer); ref != "" {
				http.Child("request").Set("referrer", ref)
			}
			web.Child("related").Set("ip", clientIP)
		}
	}

	if scheme := webErrorScheme(d); scheme != "" {
		web.Child("url").Set("scheme", scheme)
	}
	if id, ok := d.Get("connection_id"); ok && pyjson.Truthy(id) {
		conn := pyjson.NewMap(1)
		conn.Set("connection_id", id)
		nginx := pyjson.NewMap(1)
		nginx.Set("error", conn)
		web.Set("nginx", nginx)
	}
	for _, k := range nginxErrorRawFields {
		d.Delete(k)
	}
	pyjson.Merge(d, web)
	return nil
}
