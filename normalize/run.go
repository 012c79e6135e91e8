package normalize

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/objread"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// recordMeta is what the envelope around a record tells (es-loader's
// logmeta): CloudWatch Logs, EventBridge, FireLens, the file's timestamp.
type recordMeta struct {
	cwl          bool
	cwlID        string
	cwlTimestamp any // the event's int ms, as es-loader copies it
	logGroup     string
	logStream    string
	cwlAccount   string

	cwe          bool
	cweID        string
	cweAccount   string
	cweRegion    string
	cweTimestamp any

	firelens *firelensMeta
}

// rawRecord is one record as a format decoder yields it.
type rawRecord struct {
	raw string // @message
	// quoted is @message as a JSON string literal, set instead of raw
	// when nothing needs the plain text (see jsonRecord).
	quoted pyjson.QuotedString
	fields *pyjson.Map // nil when the record is not a JSON object
	// text is the JSON text fields was decoded from in place, unchanged
	// since (pyjson.AppendJSONCleanFrom); nil when there is none
	text []byte
	meta *recordMeta
	// skip: es-loader's __skip_normalization (kept raw, not parsed).
	skip     bool
	errorMsg string
}

// objectRun holds the per-object state of ProcessObject.
type objectRun struct {
	n        *Normalizer
	src      Source
	lt       *conf.LogType
	res      *Result
	emit     Emit
	now      time.Time
	account  string
	region   string
	fileTime *time.Time
	emitErr  error
	builder  docBuilder
	// slab boxes the string fields of text and CSV records
	slab pyjson.Slab
	// scratch is reused for rendering @message
	scratch []byte
	// text is a Stream's copy of the record it decodes, reused from record
	// to record along with the slab (see Stream.beginRecord); nil for an
	// object's records, whose copies may be kept
	text      []byte
	reuseText bool
	// the flat path for text lines (flatplan.go)
	textFlatSet  bool
	textFlatPlan *flatPlan
	textNames    []string
	textGroups   []int
	textParser   func(string, *logtypes.Fields) bool
	// and for FireLens records (firelens_flat.go)
	firelensFlatSet  bool
	firelensFlatPlan *flatPlan
}

func (n *Normalizer) newObjectRun(src Source, lt *conf.LogType, res *Result, emit Emit) *objectRun {
	o := &objectRun{n: n, src: src, lt: lt, res: res, emit: emit, now: n.now()}
	o.account = cmp.Or(accountFromKey(src.Key), src.Account)
	o.region = cmp.Or(regionFromKey(src.Key), src.Region)
	o.builder.init(o)
	return o
}

// errStop ends decoding when the emitter failed.
var errStop = errors.New("stopped")

func (o *objectRun) run(body io.Reader) error {
	if !o.readFileTime() {
		return nil
	}
	obj, err := objread.Open(body)
	if err != nil {
		if errors.Is(err, objread.ErrTooSmall) {
			o.res.Skipped = "object is smaller than 20 bytes"
			return nil
		}
		o.res.Fatal = err.Error()
		return nil
	}
	defer obj.Close()
	var derr error
	if obj.Kind == objread.Parquet {
		derr = o.readParquet(obj)
	} else {
		derr = o.readDecoded(obj)
	}
	return o.finish(derr)
}

// readFileTime reads the object's time out of its key when the section
// asks for it; false: the key does not say it, the object is skipped.
func (o *objectRun) readFileTime() bool {
	if o.lt.FileTimestampFormat != nil {
		t, err := fileTimestamp(o.lt.FileTimestampFormat, o.src.Key)
		if err != nil {
			o.res.Skipped = err.Error()
			return false
		}
		o.fileTime = &t
	}
	return true
}

// readDecoded reads decompressed text content in the section's way.
func (o *objectRun) readDecoded(r io.Reader) error {
	switch {
	case o.lt.ViaFirelens:
		return o.readFirelens(r)
	case o.lt.ViaCWL:
		return o.readCWLOrPlain(r)
	}
	return o.readPlain(r)
}

// finish turns a decoder's error into the Result, or returns the emit
// failure that stopped it.
func (o *objectRun) finish(derr error) error {
	if o.emitErr != nil {
		return o.emitErr
	}
	if derr != nil && !errors.Is(derr, errStop) {
		o.res.Fatal = derr.Error()
	}
	return nil
}

// readPlain reads an object in the section's file_format.
func (o *objectRun) readPlain(r io.Reader) error {
	switch o.lt.FileFormat {
	case "json":
		return o.readJSON(r)
	case "text":
		return o.readText(r)
	case "csv":
		return o.readCSV(r)
	case "multiline":
		return o.readMultiline(r)
	case "winevtxml":
		return o.readWinEvtXML(r)
	case "xml":
		return o.readXML(r)
	case "cef":
		return o.readCEF(r)
	case "parquet":
		return errors.New("the object is not Parquet (no PAR1 magic)")
	default:
		return fmt.Errorf("file_format %q is not supported yet", o.lt.FileFormat)
	}
}

// handle runs the pipeline over one record and emits its document.
func (o *objectRun) handle(rec *rawRecord) error {
	o.res.Records++
	doc, err := o.builder.build(rec)
	return o.emitBuilt(doc, err)
}

// emitBuilt counts a record's outcome and emits its document.
func (o *objectRun) emitBuilt(doc Document, err error) error {
	if err != nil {
		var ex *excluded
		if errors.As(err, &ex) {
			o.res.exclude(ex.reason)
			return nil
		}
		var re *recordError
		if errors.As(err, &re) {
			o.res.fail(re.reason, re.detail)
			return nil
		}
		o.res.fail("internal error", err.Error())
		return nil
	}
	o.res.Documents++
	if e := o.emit(doc); e != nil {
		o.emitErr = e
		return errStop
	}
	return nil
}

// recordError is a record that could not be turned into a document.
type recordError struct {
	reason string
	detail string
}

func (e *recordError) Error() string { return e.reason + ": " + e.detail }

func failf(reason, format string, args ...any) error {
	return &recordError{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// excluded is a record dropped on purpose (exclusion rules, stderr...).
type excluded struct{ reason string }

func (e *excluded) Error() string { return "excluded: " + e.reason }

// fileTimestamp reads the object's time from its key (file_timestamp_format
// with year/month/day/hour/minute/second/microsecond groups).
func fileTimestamp(p *conf.Pattern, key string) (time.Time, error) {
	m := p.SearchSubmatch(key)
	if m == nil {
		return time.Time{}, fmt.Errorf("file_timestamp_format does not match the key %q", key)
	}
	vals := map[string]int{"year": 2000, "month": 1, "day": 1}
	for i, name := range p.Regexp().SubexpNames() {
		if name == "" || i >= len(m) || m[i] == "" {
			continue
		}
		v, err := strconv.Atoi(m[i])
		if err != nil {
			return time.Time{}, fmt.Errorf("file_timestamp_format group %s is not a number: %q", name, m[i])
		}
		vals[name] = v
	}
	t := time.Date(vals["year"], time.Month(vals["month"]), vals["day"], vals["hour"], vals["minute"], vals["second"], vals["microsecond"]*1000, time.UTC)
	return t, nil
}
