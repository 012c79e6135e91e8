package normalize

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/siemloader/siemloader/normalize/decode"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/objread"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// lines feeds each line of r to f, counting over-long and unreadable lines.
func (o *objectRun) lines(r io.Reader, f func(n int, line []byte) error) error {
	lr := objread.NewLineReader(r, o.n.maxRec)
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var le *objread.LineError
			if errors.As(err, &le) {
				o.res.Records++
				o.res.fail("line too long", err.Error())
				continue
			}
			return err
		}
		if ferr := f(lr.Line(), line); ferr != nil {
			return ferr
		}
	}
}

// matchPattern applies log_pattern with re.match and returns the named
// groups in pattern order (unmatched optional groups are None).
func (o *objectRun) matchPattern(s string) (*pyjson.Map, bool) {
	if variant, ok := o.n.variants[o.lt.Name]; ok {
		if m, ok := variant(s); ok {
			return m, true
		}
	}
	if fast, ok := o.n.parsers[o.lt.Name]; ok {
		if m, ok := fast(s); ok {
			return m, true
		}
	}
	p := o.lt.LogPattern
	if p == nil {
		return nil, false
	}
	idx := p.MatchSubmatchIndex(s)
	if idx == nil {
		if rescue, ok := o.n.rescues[o.lt.Name]; ok {
			return rescue(s)
		}
		return nil, false
	}
	names := p.SubexpNames()
	m := pyjson.NewMap(len(names) + docExtraKeys)
	for i, name := range names {
		if i == 0 || name == "" {
			continue
		}
		if idx[2*i] < 0 {
			m.Set(name, nil)
			continue
		}
		m.Set(name, o.slab.String(s[idx[2*i]:idx[2*i+1]]))
	}
	return m, true
}

func (o *objectRun) readText(r io.Reader) error {
	header := o.lt.TextHeaderLines
	return o.lines(r, func(n int, line []byte) error {
		if n <= header {
			return nil
		}
		if o.textPlan() {
			// the flat path keeps nothing of the line beyond the record
			raw := logtypes.PyStrip(borrowString(line))
			if raw == "" {
				return nil
			}
			return o.flatTextRecord(raw)
		}
		raw := logtypes.PyStrip(string(line))
		if raw == "" {
			// es-loader counts a blank line as a regex error; nothing is
			// lost, so it is not an error here.
			return nil
		}
		return o.textRecord(raw, nil)
	})
}

func (o *objectRun) textRecord(raw string, meta *recordMeta) error {
	if meta == nil && o.textPlan() {
		return o.flatTextRecord(raw)
	}
	fields, ok := o.matchPattern(raw)
	if !ok {
		o.res.Records++
		o.res.fail("line does not match log_pattern", truncateSample(raw))
		return nil
	}
	return o.handle(&rawRecord{raw: raw, fields: fields, meta: meta})
}

func truncateSample(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// readCSV reads VPC flow log style files: a header line names the fields,
// values are separated by white space (or csv_delimiter). Unlike es-loader,
// the last line is not dropped.
func (o *objectRun) readCSV(r io.Reader) error {
	if o.lt.CSVDelimiter != "" {
		return o.readDelimitedCSV(r)
	}
	var header, vals []string
	var flat *flatPlan
	return o.lines(r, func(n int, line []byte) error {
		if header == nil {
			for _, f := range strings.Fields(string(line)) {
				header = append(header, strings.ReplaceAll(f, "-", "_"))
			}
			if header == nil {
				header = []string{}
			}
			if flat = o.n.flatPlanFor(o.lt, strings.Join(header, " "), header); flat != nil {
				o.builder.useFlat(flat)
			}
			return nil
		}
		if flat != nil {
			raw := logtypes.PyStrip(borrowString(line))
			if raw == "" {
				return nil
			}
			f := &o.builder.flat.fields
			f.Vals = appendFields(f.Vals[:0], raw)
			if len(f.Vals) > len(header) {
				f.Vals = f.Vals[:len(header)]
			}
			f.Null = 0
			return o.handleFlat(raw)
		}
		raw := logtypes.PyStrip(string(line))
		if raw == "" {
			return nil
		}
		vals = appendFields(vals[:0], raw)
		m := pyjson.NewMap(len(header) + docExtraKeys)
		for i := 0; i < len(header) && i < len(vals); i++ {
			m.Set(header[i], o.slab.String(vals[i]))
		}
		return o.handle(&rawRecord{raw: raw, fields: m})
	})
}

func (o *objectRun) readDelimitedCSV(r io.Reader) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	d, _ := utf8.DecodeRuneInString(o.lt.CSVDelimiter)
	cr.Comma = d
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ReplaceAll(h, "-", "_")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			o.res.Records++
			o.res.fail("invalid CSV", err.Error())
			continue
		}
		m := pyjson.NewMap(len(names))
		for i, v := range rec {
			if i < len(names) {
				m.Set(names[i], v)
			}
		}
		raw := strings.Join(rec, o.lt.CSVDelimiter)
		if herr := o.handle(&rawRecord{raw: raw, fields: m}); herr != nil {
			return herr
		}
	}
}

// readMultiline groups lines into records: a line matching
// multiline_firstline starts a record; lines before the first match are
// not part of any record (as in es-loader).
func (o *objectRun) readMultiline(r io.Reader) error {
	first := o.lt.MultilineFirstline
	if first == nil {
		return errors.New("multiline_firstline is not configured")
	}
	var cur strings.Builder
	inRecord := false
	flush := func() error {
		if !inRecord {
			return nil
		}
		raw := strings.TrimRightFunc(cur.String(), logtypes.PyIsSpace)
		cur.Reset()
		return o.textRecord(raw, nil)
	}
	err := o.lines(r, func(n int, line []byte) error {
		// es-loader matches the line with its newline, so patterns may
		// rely on it; keep the terminator.
		s := string(line) + "\n"
		if first.Match(s) {
			if err := flush(); err != nil {
				return err
			}
			inRecord = true
		}
		if inRecord {
			if cur.Len()+len(s) > o.n.maxRec {
				return nil
			}
			cur.WriteString(s)
		} else if logtypes.PyStrip(s) != "" {
			// es-loader drops these silently
			o.res.Records++
			o.res.fail("line before the first record start (multiline_firstline)", truncateSample(strings.TrimRight(s, "\n")))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// readJSON reads NDJSON, concatenated or pretty-printed JSON values. With
// json_delimiter, each element of that array is a record; an EventBridge
// envelope is replaced by its detail.
func (o *objectRun) readJSON(r io.Reader) error {
	s := newJSONStream(bufio.NewReaderSize(utf8Cleaner(r), 256<<10), o.n.maxRec)
	s.noInPlace = o.n.noInPlace
	delim := o.lt.JSONDelimiter
	for {
		c, ok := s.peek()
		if !ok {
			if s.rdErr != nil {
				return s.rdErr
			}
			return nil
		}
		var err error
		if delim != "" && c == '{' {
			var obj *pyjson.Map
			var streamed bool
			obj, streamed, err = s.streamObject(delim, func(v any, text, raw []byte) error {
				return o.jsonRecordRaw(v, nil, text, raw)
			})
			if err == nil && !streamed {
				err = o.jsonTop(obj)
			}
		} else {
			var v any
			v, err = s.next()
			if err == nil {
				err = o.jsonTopRaw(v, s.text, s.raw)
			}
		}
		if errors.Is(err, errStop) {
			return err
		}
		if err != nil {
			if s.rdErr != nil {
				return s.rdErr
			}
			o.res.Records++
			if errors.Is(err, errTooLarge) {
				o.res.fail("record too large", fmt.Sprintf("a JSON value over %d bytes", o.n.maxRec))
			} else {
				o.res.fail("invalid JSON", err.Error())
			}
			if !s.resync() {
				return nil
			}
		}
	}
}

// jsonTop handles one top-level value of a JSON object.
func (o *objectRun) jsonTop(v any) error { return o.jsonTopRaw(v, nil, nil) }

// jsonTopRaw is jsonTop with the text the value was decoded from and, when
// the value may stand for it, raw (jsonStream.text and raw).
func (o *objectRun) jsonTopRaw(v any, text, raw []byte) error {
	m, ok := v.(*pyjson.Map)
	if !ok {
		o.res.Records++
		o.res.fail("JSON value is not an object", truncateSample(string(pyjson.AppendJSON(nil, v))))
		return nil
	}
	var meta *recordMeta
	if m.Has("detail-type") && m.Has("resources") {
		meta = eventBridgeMeta(m)
		d, _ := m.Get("detail")
		dm, ok := d.(*pyjson.Map)
		if !ok {
			o.res.Records++
			o.res.fail("EventBridge event without a detail object", "")
			return nil
		}
		m = dm
		raw = nil
	}
	if delim := o.lt.JSONDelimiter; delim != "" {
		arr, ok := m.Get(delim)
		if !ok {
			// es-loader silently skips such objects; count them.
			o.res.exclude("no " + delim + " in JSON object")
			return nil
		}
		list, ok := arr.([]any)
		if !ok {
			o.res.Records++
			o.res.fail("json_delimiter value is not a list", delim)
			return nil
		}
		for _, e := range list {
			if err := o.jsonRecordRaw(e, meta, text, nil); err != nil {
				return err
			}
		}
		return nil
	}
	return o.jsonRecordRaw(m, meta, text, raw)
}

func eventBridgeMeta(m *pyjson.Map) *recordMeta {
	str := func(k string) string {
		v, _ := m.Get(k)
		s, _ := v.(string)
		return s
	}
	t, _ := m.Get("time")
	return &recordMeta{cwe: true, cweID: str("id"), cweAccount: str("account"), cweRegion: str("region"), cweTimestamp: t}
}

func (o *objectRun) jsonRecord(v any, meta *recordMeta) error {
	return o.jsonRecordRaw(v, meta, nil, nil)
}

// jsonRecordRaw is jsonRecord with the text the record was decoded from,
// which its document is rendered faster from, and raw, the record's own
// text when it may stand for the record (jsonStream.text and raw):
// @message, Python's dump of the record, is then transcoded from raw
// instead of rendered from the record.
func (o *objectRun) jsonRecordRaw(v any, meta *recordMeta, text, raw []byte) error {
	m, ok := v.(*pyjson.Map)
	if !ok {
		o.res.Records++
		o.res.fail("JSON record is not an object", truncateSample(string(pyjson.AppendJSON(nil, v))))
		return nil
	}
	lt := o.lt
	if lt.DocID != "" && len(lt.Renames) == 0 && docIDValue(m, lt.DocID) != "" {
		// The _id comes from the record, so @message is only needed in the
		// document: render it there directly as a JSON string.
		// Borrowed, not copied: @message is only written into this
		// record's document, which is serialized before the next record
		// reuses the buffer.
		o.scratch = o.dumps(m, raw, true)
		return o.handle(&rawRecord{quoted: pyjson.QuotedString(borrowString(o.scratch)), fields: m, text: text, meta: meta})
	}
	o.scratch = o.dumps(m, raw, false)
	return o.handle(&rawRecord{raw: string(o.scratch), fields: m, text: text, meta: meta})
}

// dumps renders json.dumps(m, ensure_ascii=False) into o.scratch, as a
// JSON string literal when quoted, from raw when there is one.
func (o *objectRun) dumps(m *pyjson.Map, raw []byte, quoted bool) []byte {
	if raw != nil {
		if out, ok := pyjson.AppendDumpsRaw(o.scratch[:0], raw, quoted); ok {
			return out
		}
	}
	if quoted {
		return pyjson.AppendDumpsQuoted(o.scratch[:0], m)
	}
	return pyjson.AppendDumps(o.scratch[:0], m, false)
}

// utf8Cleaner drops invalid UTF-8 like Python's errors='ignore'.
func utf8Cleaner(r io.Reader) io.Reader { return &cleanReader{r: r} }

type cleanReader struct {
	r    io.Reader
	tail []byte // an incomplete rune carried to the next read
	buf  []byte
}

func (c *cleanReader) Read(p []byte) (int, error) {
	if len(p) < 8 {
		return c.r.Read(p)
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	n := copy(c.buf, c.tail)
	m, err := c.r.Read(c.buf[n : len(p)-0])
	n += m
	data := c.buf[:n]
	c.tail = c.tail[:0]
	if err == nil {
		// keep a possibly incomplete rune at the end for the next read
		cut := len(data)
		for i := len(data) - 1; i >= 0 && i >= len(data)-3; i-- {
			if utf8.RuneStart(data[i]) {
				if !utf8.FullRune(data[i:]) {
					cut = i
				}
				break
			}
		}
		c.tail = append(c.tail, data[cut:]...)
		data = data[:cut]
	}
	if utf8.Valid(data) {
		return copy(p, data), err
	}
	out := objread.RemoveInvalidUTF8(data)
	return copy(p, out), err
}

// readCWLOrPlain reads CloudWatch Logs subscription payloads
// (concatenated DATA_MESSAGE envelopes). An object that is not such a
// payload is read as a plain file of the section's format instead:
// es-loader loads nothing from those.
func (o *objectRun) readCWLOrPlain(r io.Reader) error {
	br := bufio.NewReaderSize(utf8Cleaner(r), 256<<10)
	head, _ := br.Peek(4096)
	if !looksLikeCWL(head) {
		return o.readPlain(br)
	}
	s := newJSONStream(br, o.n.maxRec)
	for {
		if _, ok := s.peek(); !ok {
			return s.rdErr
		}
		v, err := s.next()
		if err != nil {
			o.res.Records++
			o.res.fail("invalid JSON", err.Error())
			if !s.resync() {
				return nil
			}
			continue
		}
		if err := o.cwlEnvelope(v); err != nil {
			return err
		}
	}
}

func looksLikeCWL(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	return bytes.Contains(head, []byte(`"logEvents"`)) || bytes.Contains(head, []byte(`"messageType"`))
}

func (o *objectRun) cwlEnvelope(v any) error {
	m, ok := v.(*pyjson.Map)
	if !ok {
		o.res.Records++
		o.res.fail("not a CloudWatch Logs payload", "")
		return nil
	}
	mt, _ := m.GetString("messageType")
	events, hasEvents := m.Get("logEvents")
	if !hasEvents || mt != "DATA_MESSAGE" {
		// CONTROL_MESSAGE and the like carry no logs.
		return nil
	}
	list, _ := events.([]any)
	owner, _ := m.GetString("owner")
	group, _ := m.GetString("logGroup")
	stream, _ := m.GetString("logStream")
	for _, e := range list {
		ev, ok := e.(*pyjson.Map)
		if !ok {
			o.res.Records++
			o.res.fail("CloudWatch Logs event is not an object", "")
			continue
		}
		msg, _ := ev.GetString("message")
		id, _ := ev.Get("id")
		ts, _ := ev.Get("timestamp")
		meta := &recordMeta{cwl: true, cwlID: pyjson.Str(id), cwlTimestamp: ts, logGroup: group, logStream: stream, cwlAccount: owner}
		if err := o.messageRecord(msg, meta); err != nil {
			return err
		}
	}
	return nil
}

// messageRecord parses one CloudWatch Logs or FireLens message with the
// section's format (es-loader's convert_lograw_to_dict).
func (o *objectRun) messageRecord(msg string, meta *recordMeta) error {
	switch o.lt.FileFormat {
	case "json":
		v, text, err := o.decodeMessage(msg)
		if err != nil {
			// es-loader keeps such a message unparsed with the error.
			return o.handle(&rawRecord{raw: msg, skip: true, errorMsg: "invalid json file: " + err.Error(), meta: meta, fields: pyjson.NewMap(0)})
		}
		m, ok := v.(*pyjson.Map)
		if !ok {
			o.res.Records++
			o.res.fail("JSON record is not an object", truncateSample(msg))
			return nil
		}
		return o.handle(&rawRecord{raw: msg, fields: m, text: text, meta: meta})
	case "text", "multiline":
		fields, ok := o.matchPattern(msg)
		if !ok {
			o.res.Records++
			o.res.fail("line does not match log_pattern", truncateSample(msg))
			return nil
		}
		return o.handle(&rawRecord{raw: msg, fields: fields, meta: meta})
	case "winevtxml", "xml":
		return o.xmlRecord(decode.XMLEvent{Raw: msg}, meta)
	case "cef":
		return o.cefRecord(msg, meta)
	default:
		o.res.Records++
		o.res.fail("file_format not supported for CloudWatch Logs", o.lt.FileFormat)
		return nil
	}
}

// decodeMessage is pyjson.Unmarshal with the object path's decoder: maps
// with room for the keys the pipeline adds, storage from the run's slab.
// A message that does not decode goes through Unmarshal again for
// Python's exact error text, which es-loader puts in the document.
// text is the copy the value was decoded from (nil for Unmarshal's): the
// document writes the strings that still lie in it without looking for
// escapes.
func (o *objectRun) decodeMessage(msg string) (v any, text []byte, err error) {
	data := ownCopy(o, msg) // the decoded strings point into it
	start := pyjson.SkipSpace(data, 0)
	v, end, err := pyjson.DecodeOwnedRoom(data, start, &o.slab, docExtraKeys)
	if err == nil && pyjson.SkipSpace(data, end) == len(data) {
		if o.n.noInPlace {
			return v, nil, nil
		}
		return v, data, nil
	}
	v, err = pyjson.Unmarshal(data)
	return v, nil, err
}

// ownCopy is a copy of msg for decoding in place: the run's reused buffer
// on a Stream, whose records are done with before the next one, a new one
// otherwise.
func ownCopy[T string | []byte](o *objectRun, msg T) []byte {
	if !o.reuseText {
		return []byte(msg)
	}
	o.text = append(o.text[:0], msg...)
	return o.text
}

// outlive is s, copied if it lies in the reused copy of the record's text:
// a Document's strings must outlive the record (an indexer keeps the _id
// until the item is answered).
func (o *objectRun) outlive(s string) string {
	if len(s) == 0 || len(o.text) == 0 {
		return s
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&o.text[0]))
	if p >= lo && p < lo+uintptr(cap(o.text)) {
		return strings.Clone(s)
	}
	return s
}

// appendFields is strings.Fields into a reused slice (Python's str.split()
// with no argument: runs of white space separate, none at the ends).
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		space := c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
		if c >= utf8.RuneSelf {
			return append(dst[:0], strings.FieldsFunc(s, logtypes.PyIsSpace)...)
		}
		if space {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}
