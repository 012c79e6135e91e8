package logtypes

import (
	"strings"
)

// CloudFront real-time logs ([cloudfront-realtime], the tab-separated
// records of a real-time log configuration with every field, delivered by
// Kinesis Data Firehose). The transform cuts the query from url.path,
// builds url.full from protocol, Host and path, takes http.version from
// cs-protocol-version ("HTTP/2.0" → "2.0"), URL-decodes
// user_agent.original and sets distribution_id from the S3 key ("unknown"
// when the key has none).
//
// Where es-loader's script raises half-way (a protocol version without
// '/', fields missing from a custom pattern), the missing parts are
// skipped.

func init() { register("cloudfront-realtime", transformCloudFrontRealtime) }

func transformCloudFrontRealtime(r *Record) error {
	d := r.Doc
	url := d.Child("url")
	if path, ok := url.GetString("path"); ok {
		if i := strings.IndexByte(path, '?'); i >= 0 {
			url.Set("path", path[:i])
		}
	}
	proto, ok1 := d.GetString("cs_protocol")
	host, ok2 := d.GetString("cs_host")
	stem, ok3 := d.GetString("cs_uri_stem")
	if ok1 && ok2 && ok3 {
		url.Set("full", proto+"://"+host+stem)
	}
	if pv, ok := d.GetString("cs_protocol_version"); ok {
		if _, rest, found := strings.Cut(pv, "/"); found {
			version, _, _ := strings.Cut(rest, "/")
			d.Child("http").Set("version", version)
		}
	}
	if ua, ok := d.GetString("user_agent", "original"); ok {
		ua, _ = pyUnquote(ua, false)
		d.Child("user_agent").Set("original", ua)
	}
	distID := "unknown"
	if key, ok := d.GetString("@log_s3key"); ok {
		if id, ok := cloudfrontRealtimeDistributionID(key); ok {
			distID = id
		}
	}
	d.Set("distribution_id", distID)
	return nil
}

// cloudfrontRealtimeDistributionID is the first match in the S3 key of
// es-loader's (?=[0-9]{0,13}[A-Z])[A-Z0-9]{12,14}: 12 to 14 capitals and
// digits (as many as there are, up to 14) whose leading digits, at most
// 13, are followed by a capital.
func cloudfrontRealtimeDistributionID(key string) (string, bool) {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isUpper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	for p := 0; p < len(key); p++ {
		digits := 0
		for p+digits < len(key) && isDigit(key[p+digits]) {
			digits++
		}
		if digits > 13 || p+digits >= len(key) || !isUpper(key[p+digits]) {
			continue
		}
		n := 0
		for p+n < len(key) && n < 14 && (isDigit(key[p+n]) || isUpper(key[p+n])) {
			n++
		}
		if n >= 12 {
			return key[p : p+n], true
		}
	}
	return "", false
}
