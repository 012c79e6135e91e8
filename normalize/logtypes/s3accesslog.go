package logtypes

import (
	"fmt"
	"regexp"
	"strings"
)

// S3 server access logs ([s3accesslog]): user.name is the last '/' part of
// the Requester ARN; an unknown cloud.region is taken from the EndPoint
// host name.

func init() { register("s3accesslog", transformS3AccessLog) }

// s3RegionPattern is sf_s3accesslog.RE_REGION, narrower than the one used
// for S3 keys: no il-, mx-, cn- or gov- regions.
var s3RegionPattern = regexp.MustCompile(`global|(?:us|ap|ca|eu|me|sa|af)-[a-zA-Z]+-[0-9]`)

// transformS3AccessLog follows sf_s3accesslog.py. Where es-loader raises
// (no EndPoint field, as in lines of the older format, or no cloud object),
// the region is left as it is.
func transformS3AccessLog(r *Record) error {
	d := r.Doc
	if d == nil {
		return fmt.Errorf("no document")
	}
	name, hasName := "", false
	if v, ok := d.GetPath("user", "name"); ok {
		s, isStr := v.(string)
		if !isStr {
			return fmt.Errorf("s3accesslog: user.name is %T, not a string", v)
		}
		name, hasName = s[strings.LastIndexByte(s, '/')+1:], true
	}
	region := ""
	if cur, ok := d.GetPath("cloud", "region"); ok && cur == "unknown" {
		if ep, ok := d.GetString("EndPoint"); ok {
			region = s3RegionPattern.FindString(ep)
		}
	}

	if hasName {
		d.Child("user").Set("name", name)
	}
	if region != "" {
		d.Child("cloud").Set("region", region)
	}
	return nil
}
