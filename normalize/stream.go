package normalize

import (
	"strconv"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Stream normalizes records that arrive one by one rather than inside an
// S3 object: a Fluent Bit chunk, a collector batch. All its records are of
// one log type from one source; a Stream is not for concurrent use, so a
// caller with several workers gives each its own.
type Stream struct {
	o *objectRun
	// csv sections (VPC flow logs): the field names of the last header
	// line, and the flat plan compiled for them
	csvHeader []string
	csvFlat   *flatPlan
}

// NewStream classifies src (explicit type, Fluent Bit tag, log group) and
// returns nil when no section claims it.
func (n *Normalizer) NewStream(src Source, emit Emit) *Stream {
	lt := n.Classify(src)
	if lt == nil {
		return nil
	}
	return &Stream{o: n.newObjectRun(src, lt, &Result{LogType: lt.Name}, emit)}
}

// LogType is the section the stream's records are normalized with.
func (s *Stream) LogType() *conf.LogType { return s.o.lt }

// Result is what became of the records so far.
func (s *Stream) Result() *Result { return s.o.res }

// Message normalizes one raw record in the section's file_format: a line
// of text (syslog, nginx, apache...), a multiline record already joined,
// a JSON object, a CEF line or an XML event. The error only reports that
// emit failed; a record that cannot be parsed is counted in Result.
func (s *Stream) Message(msg string) error {
	o := s.o
	s.beginRecord()
	raw := logtypes.PyStrip(msg)
	if raw == "" {
		return o.emitErr
	}
	if o.lt.FileFormat == "csv" && o.lt.CSVDelimiter == "" {
		return s.csvLine(raw)
	}
	if o.lt.FileFormat == "text" && o.textPlan() {
		if err := o.flatTextRecord(raw); err != nil && err != errStop {
			return err
		}
		return o.emitErr
	}
	if err := o.messageRecord(raw, nil); err != nil && err != errStop {
		return err
	}
	return o.emitErr
}

// defaultVPCFlowHeader names the fields of a csv line that arrives
// before any header line: VPC flow logs' default (version 2) format, the
// one CloudWatch Logs delivers without a header.
var defaultVPCFlowHeader = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")

// csvLine reads a line of a whitespace-separated csv section as the
// object path does: a header line (every field a name, no digits) names
// the fields of the lines after it, as an S3 object's first line does.
func (s *Stream) csvLine(raw string) error {
	o := s.o
	if isCSVHeader(raw) {
		s.useCSVHeader(strings.Fields(raw))
		return o.emitErr
	}
	if s.csvHeader == nil {
		s.useCSVHeader(defaultVPCFlowHeader)
	}
	var err error
	if s.csvFlat != nil {
		f := &o.builder.flat.fields
		f.Vals = appendFields(f.Vals[:0], raw)
		if len(f.Vals) > len(s.csvHeader) {
			f.Vals = f.Vals[:len(s.csvHeader)]
		}
		f.Null = 0
		err = o.handleFlat(raw)
	} else {
		vals := appendFields(nil, raw)
		m := pyjson.NewMap(len(s.csvHeader) + docExtraKeys)
		for i := 0; i < len(s.csvHeader) && i < len(vals); i++ {
			m.Set(s.csvHeader[i], o.slab.String(vals[i]))
		}
		err = o.handle(&rawRecord{raw: raw, fields: m})
	}
	if err != nil && err != errStop {
		return err
	}
	return o.emitErr
}

func (s *Stream) useCSVHeader(fields []string) {
	h := make([]string, len(fields))
	for i, f := range fields {
		h[i] = strings.ReplaceAll(f, "-", "_")
	}
	s.csvHeader = h
	s.csvFlat = s.o.n.flatPlanFor(s.o.lt, strings.Join(h, " "), h)
	if s.csvFlat != nil {
		s.o.builder.useFlat(s.csvFlat)
	}
}

// isCSVHeader: field names have letters, dashes and underscores only; a
// data line always holds a number (a version, an address, a time).
func isCSVHeader(line string) bool {
	for i := 0; i < len(line); i++ {
		if c := line[i]; c >= '0' && c <= '9' {
			return false
		}
	}
	return true
}

// Record normalizes one structured record given as a JSON object: a
// Fluent Bit record a parser already split into keys, a collector log
// whose body is a map. It is read as a record of an S3 object of a json
// section is (its @message is the json.dumps form, so the document is the
// one the same record gives from S3); an object holding the section's
// json_delimiter list is read as a whole object.
func (s *Stream) Record(data []byte) error {
	o := s.o
	s.beginRecord()
	own := ownCopy(o, data) // decoded strings point into it
	start := pyjson.SkipSpace(own, 0)
	v, end, dup, err := pyjson.DecodeOwnedDup(own, start, &o.slab, docExtraKeys)
	if err == nil && pyjson.SkipSpace(own, end) != len(own) {
		_, err = pyjson.Unmarshal(own)
	}
	if err != nil {
		o.res.Records++
		o.res.fail("invalid JSON", err.Error())
		return o.emitErr
	}
	// own is the record's text, unchanged: the document writes its plain
	// strings as they lie, and without a repeated key @message is
	// transcoded from it, as for a record of an S3 object
	var text, raw []byte
	if !o.n.noInPlace {
		text = own[start:end]
		if !dup {
			raw = text
		}
	}
	return s.recordValue(v, text, raw)
}

// RecordValue is Record for a record a caller decoded itself (a Fluent Bit
// record's msgpack): v must be what pyjson decodes from the record's JSON,
// its values boxed from Slab after a call of BeginRecord. The stream keeps
// v until the next record.
func (s *Stream) RecordValue(v any) error { return s.recordValue(v, nil, nil) }

// recordValue is RecordValue with the text v was decoded from and raw,
// that text when it may stand for v (see objectRun.jsonRecordRaw).
func (s *Stream) recordValue(v any, text, raw []byte) error {
	o := s.o
	var err error
	m, ok := v.(*pyjson.Map)
	if delim := o.lt.JSONDelimiter; ok && delim != "" && m.Has(delim) {
		err = o.jsonTopRaw(m, text, raw)
	} else {
		err = o.jsonRecordRaw(v, nil, text, raw)
	}
	if err != nil && err != errStop {
		return err
	}
	return o.emitErr
}

// RecordRoom is how many keys the pipeline adds to a record: a caller of
// RecordValue that gives the record's map that much spare room (as
// pyjson.Slab.MapOf does) saves the pipeline a copy of it.
const RecordRoom = docExtraKeys

// BeginRecord starts a record a caller decodes into Slab itself, for
// RecordValue: what the slab holds of the records before is carved again
// (a stream's records are done with once their document is emitted).
func (s *Stream) BeginRecord() { s.beginRecord() }

// beginRecord lets the run reuse the memory of the records before: the
// slab's chunks and the copy of the record's text. Documents are written
// out before emit returns and the enrichment caches copy what they keep,
// so nothing of a record is reachable once the next one starts. (The
// differential tests' copying normalizer keeps allocating afresh, so they
// hold the reusing one to it.)
func (s *Stream) beginRecord() {
	if s.o.n.noInPlace {
		return
	}
	s.o.slab.Reuse()
	s.o.reuseText = true
}

// Slab is where a caller of RecordValue boxes the values it decodes, as
// the stream's own decoding does.
func (s *Stream) Slab() *pyjson.Slab { return &s.o.slab }

// Firelens normalizes one record of a FireLens log router (the keys
// container_id, container_name, source, log, ecs_cluster, ecs_task_arn,
// ecs_task_definition, ec2_instance_id) as es-loader does for
// via_firelens: stderr dropped when ignore_container_stderr, log parsed
// with the section's format and kept raw when that fails, container and
// cloud fields from the metadata.
func (s *Stream) Firelens(rec *pyjson.Map) error {
	if err := s.o.FirelensRecord(rec); err != nil && err != errStop {
		return err
	}
	return s.o.emitErr
}

// CloudWatchEvent is one log event of a CloudWatch Logs subscription
// message, unpacked by a receiver (the Firehose endpoint) instead of
// read from the S3 object Firehose would have written.
type CloudWatchEvent struct {
	Message string
	// ID is the event's id: es-loader adds it to the hashed message, so
	// that two equal lines are two documents.
	ID string
	// TimestampMs is the event's time in ms since the epoch; 0 when
	// unknown.
	TimestampMs int64
	// Owner is the envelope's owner: the account the log group is in.
	Owner string
}

// CloudWatchEvent normalizes one CloudWatch Logs event with its
// envelope's metadata, exactly as the event of a via_cwl S3 object
// (es-loader's cwl logmeta: the _id hashes the id in, the owner is the
// account, @log_group and @log_stream are the stream's source, the
// event's time stands in when the record has none). The error only
// reports that emit failed.
func (s *Stream) CloudWatchEvent(ev CloudWatchEvent) error {
	o := s.o
	s.beginRecord()
	meta := &recordMeta{cwl: true, cwlID: ev.ID, logGroup: o.src.LogGroup, logStream: o.src.LogStream, cwlAccount: ev.Owner}
	if ev.TimestampMs != 0 {
		meta.cwlTimestamp = pyjson.Number(strconv.FormatInt(ev.TimestampMs, 10))
	}
	if err := o.messageRecord(ev.Message, meta); err != nil && err != errStop {
		return err
	}
	return o.emitErr
}
