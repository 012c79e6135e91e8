package logtypes

import (
	"fmt"
	"strings"
)

// CloudFront standard logs ([cloudfront-standard]): url.full from protocol,
// Host header, path and query; http.version from cs-protocol-version;
// user_agent.original URL-decoded; distribution_id from the S3 key; the
// tab inside date_time becomes a space.

func init() { register("cloudfront-standard", transformCloudFrontStandard) }

// cloudfrontURLFields are the log_pattern groups url.full is built from.
var cloudfrontURLFields = [...]string{"cs_protocol", "x_host_header", "cs_uri_stem", "cs_uri_query"}

// transformCloudFrontStandard follows sf_cloudfront_standard.py. The four
// url.full fields are required (the log_pattern always captures them). Where
// es-loader raises after having changed the document (a cs-protocol-version
// without '/', such as "-", or a missing @log_s3key), this transform skips
// http.version or uses distribution_id "unknown" and completes the rest.
func transformCloudFrontStandard(r *Record) error {
	d := r.Doc
	if d == nil {
		return fmt.Errorf("no document")
	}
	var parts [len(cloudfrontURLFields)]string
	for i, k := range cloudfrontURLFields {
		v, ok := d.Get(k)
		s, isStr := v.(string)
		if !ok || !isStr {
			return fmt.Errorf("cloudfront-standard: field %s is missing or not a string", k)
		}
		parts[i] = s
	}
	for _, k := range [...]string{"cs_protocol_version", "date_time"} {
		if v, ok := d.Get(k); ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return fmt.Errorf("cloudfront-standard: field %s is %T, not a string", k, v)
			}
		}
	}

	proto, host, stem, query := parts[0], parts[1], parts[2], parts[3]
	n := len(proto) + 3 + len(host) + len(stem)
	if query != "-" {
		n += 1 + len(query)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(proto)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(stem)
	if query != "-" {
		b.WriteByte('?')
		b.WriteString(query)
	}

	version, hasVersion := "", false
	if pv, ok := d.GetString("cs_protocol_version"); ok {
		if i := strings.IndexByte(pv, '/'); i >= 0 {
			version, hasVersion = pv[i+1:], true
			if j := strings.IndexByte(version, '/'); j >= 0 {
				version = version[:j]
			}
		}
	}

	ua, hasUA := d.GetString("user_agent", "original")
	if hasUA {
		ua, _ = pyUnquote(ua, false)
	}

	distID := "unknown"
	if key, ok := d.GetString("@log_s3key"); ok {
		if id, ok := cloudfrontDistributionID(key); ok {
			distID = id
		}
	}

	d.Child("url").Set("full", b.String())
	if hasVersion {
		d.Child("http").Set("version", version)
	}
	if hasUA {
		d.Child("user_agent").Set("original", ua)
	}
	d.Set("distribution_id", distID)
	if dt, ok := d.GetString("date_time"); ok && strings.IndexByte(dt, '\t') >= 0 {
		d.Set("date_time", strings.ReplaceAll(dt, "\t", " "))
	}
	return nil
}

// cloudfrontDistributionID is es-loader's RE_CLOUDFRONT_DIST_ID
// (/([0-9A-Z]{12,14})\.) searched in the S3 key.
func cloudfrontDistributionID(key string) (string, bool) {
	for i := 0; i < len(key); i++ {
		if key[i] != '/' {
			continue
		}
		j := i + 1
		for j < len(key) && (key[j] >= '0' && key[j] <= '9' || key[j] >= 'A' && key[j] <= 'Z') {
			j++
		}
		if n := j - i - 1; n >= 12 && n <= 14 && j < len(key) && key[j] == '.' {
			return key[i+1 : j], true
		}
	}
	return "", false
}
