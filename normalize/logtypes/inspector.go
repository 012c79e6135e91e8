package logtypes

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// Amazon Inspector findings ([inspector], the EventBridge "Inspector2
// Finding" details delivered through Firehose). The transform
//
//   - gives every version of a finding the same @id (the MD5 of its ARN)
//     and an _id suffix of its updatedAt in epoch seconds, so each update
//     is kept,
//   - drops related.hosts and cloud.instance.id for container image
//     findings, whose resource id is an image, not a host,
//   - sets rule.id to PACKAGE_VULNERABILITY_<vulnerability id> or
//     NETWORK_REACHABILITY_<protocol>_<first port>_<last port>,
//   - appends the remediation text to vulnerability.description.
//
// es-loader reads updatedAt as EventBridge writes it ("Jun 5, 2025,
// 11:30:00 PM", UTC); findings exported from the Inspector2 API carry
// epoch seconds instead ("1.663703546405E9" or 1749165997.322), on which
// es-loader's script raises. Here those give the suffix too. A finding
// without a text findingArn or a readable updatedAt is counted as a
// transform error.

func init() { register("inspector", transformInspector) }

// inspectorTimeFormat is EventBridge's spelling of Inspector2 times.
const inspectorTimeFormat = "%b %d, %Y, %I:%M:%S %p"

func transformInspector(r *Record) error {
	d := r.Doc
	arn, ok := d.GetString("findingArn")
	if !ok {
		v, _ := d.Get("findingArn")
		return fmt.Errorf("findingArn is %s, not text", pyjson.Repr(v))
	}
	updated, _ := d.Get("updatedAt")
	epoch, ok := inspectorEpochSeconds(updated)
	if !ok {
		return fmt.Errorf("updatedAt %s is neither %q nor epoch seconds", pyjson.Repr(updated), inspectorTimeFormat)
	}

	sum := md5.Sum([]byte(arn))
	d.Set("@id", hex.EncodeToString(sum[:]))
	r.IDSuffix, r.HasIDSuffix = strconv.FormatInt(epoch, 10), true

	if inspectorIsImageFinding(d) {
		d.DeletePath("related", "hosts")
		d.DeletePath("cloud", "instance", "id")
	}

	typ, _ := d.GetString("type")
	switch {
	case strings.Contains(typ, "PACKAGE_VULNERABILITY"):
		if id, ok := d.GetPath("vulnerability", "id"); ok {
			d.Child("rule").Set("id", "PACKAGE_VULNERABILITY_"+pyjson.Str(id))
		}
	case strings.Contains(typ, "NETWORK_REACHABILITY"):
		details := mapAt(d, []string{"networkReachabilityDetails"})
		proto, ok1 := details.Get("protocol")
		begin, ok2 := details.GetPath("openPortRange", "begin")
		end, ok3 := details.GetPath("openPortRange", "end")
		if ok1 && ok2 && ok3 {
			d.Child("rule").Set("id", "NETWORK_REACHABILITY_"+pyjson.Str(proto)+"_"+pyjson.Str(begin)+"_"+pyjson.Str(end))
		}
	}

	if desc, _ := d.Get("description"); pyjson.Truthy(desc) {
		if text, ok := d.GetPath("remediation", "recommendation", "text"); ok {
			d.Child("vulnerability").Set("description", pyjson.Str(desc)+"\n\nRemediation: "+pyjson.Str(text))
		}
	}
	return nil
}

// inspectorEpochSeconds reads updatedAt as EventBridge's text (UTC, as
// es-loader's naive strptime(...).timestamp() on Lambda), or as epoch
// seconds, a number or its text.
func inspectorEpochSeconds(v any) (int64, bool) {
	switch x := v.(type) {
	case string:
		if t, ok := pytime.Strptime(x, inspectorTimeFormat, time.UTC); ok {
			return t.Unix(), true
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return int64(f), true
	case pyjson.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// inspectorIsImageFinding reports whether vulnerability.category (the
// finding type, platforms and resource type) names a container image.
func inspectorIsImageFinding(d *pyjson.Map) bool {
	v, _ := d.GetPath("vulnerability", "category")
	switch c := v.(type) {
	case []any:
		for _, x := range c {
			if x == "AWS_ECR_CONTAINER_IMAGE" {
				return true
			}
		}
	case string:
		return strings.Contains(c, "AWS_ECR_CONTAINER_IMAGE")
	}
	return false
}
