package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Shared by the Apache and nginx error log transforms (sf_apache_error.py
// and sf_nginx_error.py build the same dict of fields before merging it
// into the document).

// newWebErrorFields starts the dict es-loader merges into an error-log
// document: event, related and url (empty unless filled later; the
// clean-up drops them then), the EC2 instance id from the log stream
// (cloud.instance.id, and related.hosts: the host name and the id as a
// list when the record has a hostname field, else the id as a string),
// and service.name from "/web-site-name=<name>/" in the S3 key.
func newWebErrorFields(d *pyjson.Map) *pyjson.Map {
	web := pyjson.NewMap(10)
	web.Set("event", pyjson.NewMap(1))
	related := pyjson.NewMap(2)
	web.Set("related", related)
	web.Set("url", pyjson.NewMap(8))
	if stream, ok := d.GetString("@log_stream"); ok {
		if id := instanceIDInText(stream); id != "" {
			var hosts any = id
			if h, ok := d.Get("hostname"); ok && pyjson.Truthy(h) {
				hosts = []any{h, id}
			}
			inst := pyjson.NewMap(1)
			inst.Set("id", id)
			cloud := pyjson.NewMap(1)
			cloud.Set("instance", inst)
			web.Set("cloud", cloud)
			related.Set("hosts", hosts)
		}
	}
	if key, ok := d.GetString("@log_s3key"); ok {
		if name, ok := webSiteName(key); ok {
			svc := pyjson.NewMap(1)
			svc.Set("name", name)
			web.Set("service", svc)
		}
	}
	return web
}

// webErrorScheme is url.scheme from the log group name: "ssl" → https,
// else "error" → http, else none.
func webErrorScheme(d *pyjson.Map) string {
	group, _ := d.GetString("@log_group")
	switch {
	case strings.Contains(group, "ssl"):
		return "https"
	case strings.Contains(group, "error"):
		return "http"
	}
	return ""
}
