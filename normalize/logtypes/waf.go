package logtypes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS WAF logs ([waf]): the httpRequest.headers list is copied into
// httpRequest.header.<name> (lower case, '-' → '_', authorization left
// out); Host, User-Agent and Referer also give url.domain,
// user_agent.original and http.request.referrer; rule.ruleset, cloud.region
// and cloud.account.id come from the web ACL ARN (WAF classic: the ACL id
// is the ruleset); http.version from httpRequest.httpVersion.

func init() { register("waf", transformWAF) }

// transformWAF follows sf_waf.py. A record whose httpRequest, headers,
// header entries, webaclId or httpVersion have the wrong JSON type is an
// error (the document is left alone). Where es-loader raises on a record
// that is merely incomplete (no httpRequest or headers, no webaclId, no
// httpVersion or one without '/', no url/http/rule object yet), this
// transform writes what the record has.
func transformWAF(r *Record) error {
	d := r.Doc
	if d == nil {
		return fmt.Errorf("no document")
	}

	// validate
	var req *pyjson.Map
	if v, ok := d.Get("httpRequest"); ok && v != nil {
		m, isMap := v.(*pyjson.Map)
		if !isMap {
			return fmt.Errorf("waf: httpRequest is %T, not an object", v)
		}
		req = m
	}
	var headers []any
	if v, ok := req.Get("headers"); ok && v != nil {
		l, isList := v.([]any)
		if !isList {
			return fmt.Errorf("waf: httpRequest.headers is %T, not a list", v)
		}
		for i, h := range l {
			hm, isMap := h.(*pyjson.Map)
			if !isMap {
				return fmt.Errorf("waf: httpRequest.headers[%d] is %T, not an object", i, h)
			}
			if _, ok := hm.GetString("name"); !ok {
				return fmt.Errorf("waf: httpRequest.headers[%d].name is missing or not a string", i)
			}
			if !hm.Has("value") {
				return fmt.Errorf("waf: httpRequest.headers[%d] has no value", i)
			}
		}
		headers = l
	}
	acl, _ := d.Get("webaclId")
	if acl != nil {
		if _, isStr := acl.(string); !isStr {
			return fmt.Errorf("waf: webaclId is %T, not a string", acl)
		}
	}
	httpVersion, hasHTTPVersion := "", false
	if v, ok := req.Get("httpVersion"); ok && v != nil {
		s, isStr := v.(string)
		if !isStr {
			return fmt.Errorf("waf: httpRequest.httpVersion is %T, not a string", v)
		}
		if i := strings.IndexByte(s, '/'); i >= 0 {
			httpVersion, hasHTTPVersion = s[i+1:], true
			if j := strings.IndexByte(httpVersion, '/'); j >= 0 {
				httpVersion = httpVersion[:j]
			}
		}
	}

	// write
	if len(headers) > 0 {
		hdr := pyjson.NewMap(len(headers))
		req.Set("header", hdr)
		for _, h := range headers {
			hm := h.(*pyjson.Map)
			name, _ := hm.GetString("name")
			value, _ := hm.Get("value")
			key := wafHeaderKey(name)
			hdr.Set(key, value)
			switch key {
			case "host":
				d.Child("url").Set("domain", value)
			case "user_agent":
				ua := pyjson.NewMap(1)
				ua.Set("original", value)
				d.Set("user_agent", ua)
			case "referer":
				d.Child("http").Child("request").Set("referrer", value)
			case "authorization":
				hdr.Delete(key)
			}
		}
	}
	if acl, ok := acl.(string); ok {
		// WAFv2: arn:aws:wafv2:<region>:<account>:<scope>/webacl/<name>/<id>
		// (scope "global" for CloudFront); WAF classic: a bare id.
		slash := strings.SplitN(acl, "/", 4)
		colon := strings.SplitN(acl, ":", 7)
		if len(slash) >= 3 && len(colon) >= 6 {
			d.Child("rule").Set("ruleset", slash[2])
			scope, _, _ := strings.Cut(colon[5], "/")
			if scope == "global" {
				d.Child("cloud").Set("region", "global")
			} else {
				d.Child("cloud").Set("region", colon[3])
			}
			account := pyjson.NewMap(1)
			account.Set("id", colon[4])
			d.Child("cloud").Set("account", account)
		} else {
			d.Child("rule").Set("ruleset", acl)
		}
	}
	if hasHTTPVersion {
		d.Child("http").Set("version", httpVersion)
	}
	return nil
}

// wafHeaderKey is Python's name.lower().replace('-', '_').
func wafHeaderKey(name string) string {
	ascii := true
	plain := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' || c == '-' {
			plain = false
		}
	}
	if ascii && plain {
		return name
	}
	var b []byte
	if ascii {
		b = make([]byte, len(name))
		for i := 0; i < len(name); i++ {
			c := name[i]
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c == '-':
				c = '_'
			}
			b[i] = c
		}
		return string(b)
	}
	return strings.ReplaceAll(pyLower(name), "-", "_")
}

// pyLower is Python's str.lower() but for the final-sigma rule (Σ at the
// end of a word becomes ς in Python, σ here): Go's per-character mapping
// plus U+0130 (İ), which Python lowers to "i̇".
func pyLower(s string) string {
	if !strings.ContainsRune(s, 'İ') {
		return strings.ToLower(s)
	}
	return strings.ToLower(strings.ReplaceAll(s, "İ", "i\u0307"))
}
