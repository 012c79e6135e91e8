package firehosereceiver

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The attributes the receiver sets; the siem exporter classifies and
// normalizes by them (docs/collector.md lists them).
const (
	attrLogGroup  = "cloudwatch.log.group.name" // resource: the envelope's logGroup
	attrLogStream = "cloudwatch.log.stream"     // resource: the envelope's logStream
	attrAccountID = "cloud.account.id"          // resource: the envelope's owner
	attrRegion    = "cloud.region"              // resource: from X-Amz-Firehose-Source-Arn
	attrLogEvent  = "cloudwatch.log.event.id"   // record: the log event's id
	attrSourceARN = "aws.firehose.arn"          // resource: the delivery stream's ARN
	attrRequestID = "aws.firehose.request_id"   // resource: the request the records came in
)

// maxDecodedRecord bounds one record once gunzipped: a CloudWatch Logs
// payload holds at most about 1 MiB of events, so more is a bomb.
const maxDecodedRecord = 32 << 20

// Reasons a record is counted as failed (otelcol_firehose_receiver_records_failed).
const (
	reasonBase64   = "record data is not base64"
	reasonGzip     = "record data is not valid gzip"
	reasonTooLarge = "record larger than 32 MiB once decompressed"
	reasonEnvelope = "CloudWatch Logs payload is not valid JSON"
	reasonEvent    = "CloudWatch Logs event is not an object"
)

// request is a Firehose delivery request body.
type request struct {
	RequestID string          `json:"requestId"`
	Timestamp int64           `json:"timestamp"`
	Records   []requestRecord `json:"records"`
}

type requestRecord struct {
	Data string `json:"data"`
}

// decoded is what one request became.
type decoded struct {
	logs     plog.Logs
	events   int            // log records made from CloudWatch Logs events
	raw      int            // log records passed through raw
	control  int            // CONTROL_MESSAGEs dropped
	failed   map[string]int // records (or events) that gave nothing, per reason
	firstBad map[string]int // the index of the first record failed for each reason, for the log
}

func (d *decoded) fail(reason string, record int) {
	if d.failed == nil {
		d.failed, d.firstBad = map[string]int{}, map[string]int{}
	}
	if _, ok := d.failed[reason]; !ok {
		d.firstBad[reason] = record
	}
	d.failed[reason]++
}

// decoder turns a request's records into log records; resource holds
// the attributes every resource gets (common attributes, the stream's
// region and ARN, the request id).
type decoder struct {
	resource pcommon.Map
	received pcommon.Timestamp
	out      decoded
	rawLogs  plog.LogRecordSlice // the resource of raw records, made when first needed
	haveRaw  bool
	gz       *gzip.Reader
}

func decodeRecords(recs []requestRecord, resource pcommon.Map, received time.Time) decoded {
	d := &decoder{resource: resource, received: pcommon.NewTimestampFromTime(received)}
	d.out.logs = plog.NewLogs()
	buf := make([]byte, 0, 4096)
	for i, r := range recs {
		n := base64.StdEncoding.DecodedLen(len(r.Data))
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		n, err := base64.StdEncoding.Decode(buf[:n], []byte(r.Data))
		if err != nil {
			d.out.fail(reasonBase64, i)
			continue
		}
		d.record(buf[:n], i)
	}
	return d.out
}

// record reads one record's bytes: gzip is undone, CloudWatch Logs
// payloads (compressed, or decompressed by Firehose) are unpacked, the
// rest goes on as it is.
func (d *decoder) record(data []byte, i int) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		plain, reason := d.gunzip(data)
		if reason != "" {
			d.out.fail(reason, i)
			return
		}
		data = plain
	}
	if looksLikeEnvelope(data) && d.envelopes(data, i) {
		return
	}
	d.rawRecord(data)
}

func (d *decoder) gunzip(data []byte) ([]byte, string) {
	var err error
	if d.gz == nil {
		d.gz, err = gzip.NewReader(bytes.NewReader(data))
	} else {
		err = d.gz.Reset(bytes.NewReader(data))
	}
	if err != nil {
		return nil, reasonGzip
	}
	plain, err := io.ReadAll(io.LimitReader(d.gz, maxDecodedRecord+1))
	switch {
	case err != nil:
		return nil, reasonGzip
	case len(plain) > maxDecodedRecord:
		return nil, reasonTooLarge
	}
	return plain, ""
}

func looksLikeEnvelope(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && bytes.Contains(t, []byte(`"messageType"`))
}

// envelopes unpacks the CloudWatch Logs messages in data (usually one;
// several when concatenated), read with the decoder and the rules of the
// object path (normalize's via_cwl reading), so that odd values (an id
// that is a number, a missing message) come out as there. It returns
// false, having added nothing, when the first value is no subscription
// message: the record is then passed on raw.
func (d *decoder) envelopes(data []byte, i int) bool {
	pos := pyjson.SkipSpace(data, 0)
	for n := 0; pos < len(data); n++ {
		v, next, err := pyjson.Decode(data, pos) // copies its strings: data is reused
		m, _ := v.(*pyjson.Map)
		if n == 0 {
			if m == nil {
				return false
			}
			if mt, _ := m.GetString("messageType"); mt != "DATA_MESSAGE" && mt != "CONTROL_MESSAGE" {
				return false
			}
		}
		if err != nil || m == nil {
			d.out.fail(reasonEnvelope, i) // what came before is kept
			return true
		}
		d.envelope(m, i)
		pos = pyjson.SkipSpace(data, next)
	}
	return true
}

func (d *decoder) envelope(env *pyjson.Map, i int) {
	if mt, _ := env.GetString("messageType"); mt != "DATA_MESSAGE" {
		// CONTROL_MESSAGE (CloudWatch Logs checking the destination)
		// and the like carry no logs.
		d.out.control++
		return
	}
	events, _ := env.Get("logEvents")
	list, _ := events.([]any)
	owner, _ := env.GetString("owner")
	group, _ := env.GetString("logGroup")
	stream, _ := env.GetString("logStream")
	rl := d.out.logs.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	d.resource.CopyTo(res)
	res.PutStr(attrLogGroup, group)
	res.PutStr(attrLogStream, stream)
	if owner != "" {
		res.PutStr(attrAccountID, owner)
	}
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	lrs.EnsureCapacity(len(list))
	for _, e := range list {
		ev, ok := e.(*pyjson.Map)
		if !ok {
			d.out.fail(reasonEvent, i)
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(d.received)
		if ts, ok := ev.Get("timestamp"); ok {
			if ms, err := strconv.ParseInt(pyjson.Str(ts), 10, 64); err == nil {
				lr.SetTimestamp(pcommon.Timestamp(ms * 1e6))
			}
		}
		msg, _ := ev.GetString("message")
		lr.Body().SetStr(msg)
		// es-loader hashes str(id) into the _id (Python's None when absent)
		id, _ := ev.Get("id")
		lr.Attributes().PutStr(attrLogEvent, pyjson.Str(id))
		d.out.events++
	}
}

// rawRecord passes a record that is no CloudWatch Logs payload on as it
// is: text as a string body (a trailing newline, which Firehose
// producers often add, removed), anything else as bytes.
func (d *decoder) rawRecord(data []byte) {
	if !d.haveRaw {
		rl := d.out.logs.ResourceLogs().AppendEmpty()
		d.resource.CopyTo(rl.Resource().Attributes())
		d.rawLogs = rl.ScopeLogs().AppendEmpty().LogRecords()
		d.haveRaw = true
	}
	lr := d.rawLogs.AppendEmpty()
	lr.SetObservedTimestamp(d.received)
	if utf8.Valid(data) {
		lr.Body().SetStr(strings.TrimSuffix(string(data), "\n"))
	} else {
		lr.Body().SetEmptyBytes().FromRaw(data)
	}
	d.out.raw++
}

// commonAttributes reads X-Amz-Firehose-Common-Attributes: the
// parameters configured on the delivery stream's HTTP endpoint.
func commonAttributes(header string, dst pcommon.Map) error {
	if header == "" {
		return nil
	}
	var v struct {
		CommonAttributes map[string]string `json:"commonAttributes"`
	}
	if err := json.Unmarshal([]byte(header), &v); err != nil {
		return fmt.Errorf("X-Amz-Firehose-Common-Attributes is not {\"commonAttributes\": {...}}: %w", err)
	}
	for k, val := range v.CommonAttributes {
		dst.PutStr(k, val)
	}
	return nil
}

// regionOfARN is the region of arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME.
func regionOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}
