package siemexporter

import (
	"encoding/base64"
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The attributes that say where a record comes from, looked up on the
// record first and then on its resource. docs/collector.md lists them.
const (
	AttrLogType   = "siem.log_type"             // an aws.ini/user.ini section: skips classification
	AttrS3Bucket  = "aws.s3.bucket"             // the S3 object's bucket (@log_s3bucket)
	AttrS3Key     = "aws.s3.key"                // the S3 object's key: classified by s3_key like es-loader
	AttrLogGroup  = "cloudwatch.log.group.name" // CloudWatch Logs: classified by log_group
	AttrLogStream = "cloudwatch.log.stream"
	// AttrLogEventID marks a record as one CloudWatch Logs event (the
	// Firehose receiver sets it): read with its envelope's metadata like
	// the event of a via_cwl S3 object; its id is part of the _id.
	AttrLogEventID  = "cloudwatch.log.event.id"
	AttrFluentTag   = "fluent.tag"       // fluentforward: classified by the sections' tag patterns
	AttrLogFilePath = "log.file.path"    // filelog: the path is read as the S3 key (as siemloader load does)
	AttrAccountID   = "cloud.account.id" // cloud.account.id of host logs
	AttrRegion      = "cloud.region"
	AttrHostID      = "host.id" // EC2 instance id (cloud.instance.id), as resourcedetection sets it
	// AttrObjectPart marks a body that is a part of the S3 object
	// aws.s3.key names (normalize.SplitObject's, as the s3 receiver cuts
	// objects), read as the object's records; its value is the part's
	// number.
	AttrObjectPart = "siem.object.part"
)

// source reads a record's origin out of its attributes, the record's
// winning over its resource's; defaults fills what neither says.
func source(res, rec pcommon.Map, defaults normalize.Source) normalize.Source {
	get := func(k string) string {
		if v, ok := rec.Get(k); ok {
			return v.AsString()
		}
		if v, ok := res.Get(k); ok {
			return v.AsString()
		}
		return ""
	}
	s := defaults
	s.LogType = get(AttrLogType)
	s.Bucket = get(AttrS3Bucket)
	s.Key = get(AttrS3Key)
	if s.Key == "" {
		s.Key = get(AttrLogFilePath)
	}
	s.LogGroup = get(AttrLogGroup)
	s.LogStream = get(AttrLogStream)
	s.Tag = get(AttrFluentTag)
	if v := get(AttrAccountID); v != "" {
		s.Account = v
	}
	if v := get(AttrRegion); v != "" {
		s.Region = v
	}
	if v := get(AttrHostID); v != "" {
		s.InstanceID = v
	}
	return s
}

// appendValueJSON writes a log body map (or any value) as JSON, keeping
// the map's key order, for Stream.Record. Whole doubles are written as
// integers: receivers that parse JSON hold every number as a double, and
// the source's 443 must stay 443 in @message and in the _id.
func appendValueJSON(dst []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return pyjson.AppendQuoted(dst, v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(dst, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		f := v.Double()
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return append(dst, "null"...)
		case f == math.Trunc(f) && math.Abs(f) < 1e15:
			return strconv.AppendInt(dst, int64(f), 10)
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(dst, v.Bool())
	case pcommon.ValueTypeMap:
		dst = append(dst, '{')
		first := true
		for k, e := range v.Map().All() {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = pyjson.AppendQuoted(dst, k)
			dst = append(dst, ':')
			dst = appendValueJSON(dst, e)
		}
		return append(dst, '}')
	case pcommon.ValueTypeSlice:
		dst = append(dst, '[')
		for i, e := range v.Slice().All() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValueJSON(dst, e)
		}
		return append(dst, ']')
	case pcommon.ValueTypeBytes:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v.Bytes().AsRaw())
		return append(dst, '"')
	}
	return append(dst, "null"...)
}
