package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// RDS logs reach S3 through CloudWatch Logs; the log group names the
// cluster or the instance:
//
//	/aws/rds/instance/<instance>/<log>          rds.instance_identifier
//	/aws/rds/cluster/<cluster>/<log>            rds.cluster_identifier, and the
//	                                            instance is the log stream up to
//	                                            its first '.'
//
// (es-loader's utils.cluster_instance_identifier.)

// rdsIdentifiers returns the cluster and instance identifiers (nil when
// the log group names neither). ok is false when the record has no usable
// log group (a raw RDS log file read without CloudWatch Logs, or a group
// with fewer than five '/'-separated parts): es-loader's script raises
// there before changing anything, and the identifiers are simply left out.
func rdsIdentifiers(d *pyjson.Map) (cluster, instance any, ok bool) {
	group, isStr := d.GetString("@log_group")
	if !isStr {
		return nil, nil, false
	}
	parts := strings.SplitN(group, "/", 6)
	if len(parts) < 5 {
		return nil, nil, false
	}
	switch parts[3] {
	case "instance":
		return nil, parts[4], true
	case "cluster":
		stream, isStr := d.GetString("@log_stream")
		if !isStr {
			// es-loader raises on a missing stream; keep what is known
			return parts[4], nil, true
		}
		if i := strings.IndexByte(stream, '.'); i >= 0 {
			stream = stream[:i]
		}
		return parts[4], stream, true
	}
	return nil, nil, true
}

// setRDSIdentifiers writes rds.cluster_identifier and
// rds.instance_identifier (None values, as es-loader writes them, are
// dropped by the clean-up).
func setRDSIdentifiers(d *pyjson.Map) {
	cluster, instance, ok := rdsIdentifiers(d)
	if !ok {
		return
	}
	rds := d.Child("rds")
	rds.Set("cluster_identifier", cluster)
	rds.Set("instance_identifier", instance)
}
