package normalize

import (
	"errors"
	"io"
	"os"

	"github.com/siemloader/siemloader/normalize/decode"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/objread"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The file formats normalize/decode reads: Windows event XML, generic XML
// records, CEF lines and Parquet objects.

// parquetMemLimit is how much of a Parquet object is held in memory; a
// larger one is spooled to a temporary file, since Parquet is read from
// its end.
const parquetMemLimit = 64 << 20

// readXMLRecords groups lines into XML records and loads each.
func (o *objectRun) readXMLRecords(r io.Reader, add func(string, func(decode.XMLEvent) error) error, end func(func(decode.XMLEvent) error) error) error {
	yield := func(ev decode.XMLEvent) error { return o.xmlRecord(ev, nil) }
	if err := o.lines(r, func(_ int, line []byte) error { return add(string(line), yield) }); err != nil {
		return err
	}
	return end(yield)
}

func (o *objectRun) readWinEvtXML(r io.Reader) error {
	g := &decode.WinEvtXMLLines{MaxBytes: o.n.maxRec}
	return o.readXMLRecords(r, g.Add, g.End)
}

func (o *objectRun) readXML(r io.Reader) error {
	first := o.lt.XMLFirstline
	if first == nil {
		return errors.New("file_format xml needs xml_firstline")
	}
	g := decode.NewXMLLines(first.Match)
	g.MaxBytes = o.n.maxRec
	return o.readXMLRecords(r, g.Add, g.End)
}

// xmlRecord parses one XML record (from a file or a CloudWatch Logs
// message) and loads it; a record es-loader would fail the whole object
// on is counted alone.
func (o *objectRun) xmlRecord(ev decode.XMLEvent, meta *recordMeta) error {
	switch {
	case ev.Unclosed:
		o.res.Records++
		o.res.fail("XML record never closed", truncateSample(ev.Raw))
		return nil
	case ev.TooLarge:
		o.res.Records++
		o.res.fail("record too long", truncateSample(ev.Raw))
		return nil
	}
	parse := decode.XML
	if o.lt.FileFormat == "winevtxml" {
		parse = decode.WinEvtXML
	}
	m, err := parse(ev.Raw)
	if err != nil {
		o.res.Records++
		o.res.fail("invalid XML record", err.Error())
		return nil
	}
	return o.handle(&rawRecord{raw: ev.Raw, fields: m, meta: meta})
}

func (o *objectRun) readCEF(r io.Reader) error {
	return o.lines(r, func(_ int, line []byte) error {
		raw := logtypes.PyStrip(string(line))
		if raw == "" {
			return nil
		}
		return o.cefRecord(raw, nil)
	})
}

// cefRecord loads a CEF line; one that is not CEF is kept unparsed with
// es-loader's error.message.
func (o *objectRun) cefRecord(raw string, meta *recordMeta) error {
	m, err := decode.CEF(raw)
	if errors.Is(err, decode.ErrInvalidCEF) {
		return o.handle(&rawRecord{raw: raw, skip: true, errorMsg: decode.CEFErrorMessage, meta: meta, fields: pyjson.NewMap(0)})
	}
	if err != nil {
		o.res.Records++
		o.res.fail("invalid CEF line", err.Error())
		return nil
	}
	return o.handle(&rawRecord{raw: raw, fields: m, meta: meta})
}

// readParquet loads a Parquet object row by row; @message is Python's
// str() of the row, as es-loader hashes it into the _id.
func (o *objectRun) readParquet(obj *objread.Object) error {
	ra, err := decode.Spool(obj, parquetMemLimit, os.TempDir())
	if err != nil {
		return err
	}
	defer ra.Close()
	return decode.Parquet(ra, ra.Size, func(rec *pyjson.Map, message string) error {
		if err := o.handle(&rawRecord{raw: message, fields: rec}); err != nil {
			return err
		}
		return nil
	})
}
