package logtypes

import (
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Apache error logs ([apache-error], through CloudWatch Logs). The
// transform adds the EC2 instance id from the log stream, service.name
// from the S3 key and url.scheme from the log group (see web_error.go),
// http.request.referrer from a "referer: http..." in the message, and
// event.type from the level (info → info; emerg, alert, crit, error,
// warn → error). The raw fields of the pattern are removed.
//
// Where es-loader's script raises (a custom pattern without one of the
// deleted groups or without log_level, a record without an S3 key), the
// missing parts are skipped.
//
// Apache 2.2 and older write the time without microseconds ("[Mon Dec 26
// 16:22:08 2016]"); the section's only timestamp_format has them, so
// es-loader aborts the whole object on such a line. Those lines are read
// with the built-in pattern and their time given a zero fraction (the raw
// datetime field is removed by the transform; @message is unchanged).

func init() {
	register("apache-error", transformApacheError)
	registerLineVariant("apache-error", parseApacheErrorWithoutMicroseconds)
}

// apacheErrorPattern is the built-in log_pattern, to read the lines the
// variant handles.
var apacheErrorPattern = relaxedPattern("apache-error")

// parseApacheErrorWithoutMicroseconds handles lines that start with an
// Apache 2.2 time ("[Www Mmm dd hh:mm:ss yyyy]"); others are left to the
// pattern.
func parseApacheErrorWithoutMicroseconds(line string) (*pyjson.Map, bool) {
	if len(line) < 26 || line[0] != '[' || line[14] != ':' || line[17] != ':' || line[20] != ' ' || line[25] != ']' {
		return nil, false
	}
	m, ok := regexGroups(apacheErrorPattern, line)
	if !ok {
		return nil, false
	}
	dt, _ := m.GetString("datetime")
	if len(dt) != 24 || dt[19] != ' ' {
		return nil, false
	}
	m.Set("datetime", dt[:19]+".000000"+dt[19:])
	return m, true
}

var apacheErrorReferer = pyRegexp(`referer:\s*(http[^ ]*)`)

// apacheErrorRawFields are the log_pattern groups es-loader deletes.
var apacheErrorRawFields = [...]string{
	"client_ip", "client_port", "datetime", "debug_message", "log_level",
	"message", "message_code", "module", "pid", "tid",
}

func transformApacheError(r *Record) error {
	d := r.Doc
	web := newWebErrorFields(d)

	if msg, ok := d.GetString("message"); ok && msg != "" {
		if m := apacheErrorReferer.FindStringSubmatch(msg); m != nil {
			req := pyjson.NewMap(1)
			req.Set("referrer", m[1])
			http := pyjson.NewMap(1)
			http.Set("request", req)
			web.Set("http", http)
		}
	}
	if scheme := webErrorScheme(d); scheme != "" {
		web.Child("url").Set("scheme", scheme)
	}
	if level, ok := d.GetString("log_level"); ok {
		switch level {
		case "info":
			web.Child("event").Set("type", "info")
		case "emerg", "alert", "crit", "error", "warn":
			web.Child("event").Set("type", "error")
		}
	}
	for _, k := range apacheErrorRawFields {
		d.Delete(k)
	}
	pyjson.Merge(d, web)
	return nil
}
