package pytime

import (
	"errors"
	"strings"
	"sync"
	"time"
)

type formatKind uint8

const (
	kindStrptime formatKind = iota
	kindEpoch
	kindSyslog
	kindISO
)

// Format is a compiled es-loader timestamp_format; safe for concurrent use.
type Format struct {
	kind   formatKind
	layout *Layout
	raw    string
}

var errEmptyFormat = errors.New("pytime: empty timestamp_format")

// CompileFormat classifies a timestamp_format the way es-loader's
// convert_timestr_to_datetime does, in this order: containing "epoch",
// containing "syslog", containing "iso8601", otherwise a strptime format.
// An empty format, or a strptime format Python rejects, is an error; such
// a format never yields a timestamp.
func CompileFormat(format string) (*Format, error) {
	f := &Format{raw: format}
	switch {
	case strings.Contains(format, "epoch"):
		f.kind = kindEpoch
	case strings.Contains(format, "syslog"):
		f.kind = kindSyslog
	case strings.Contains(format, "iso8601"):
		f.kind = kindISO
	case format == "":
		return nil, errEmptyFormat
	default:
		l, err := Compile(format)
		if err != nil {
			return nil, err
		}
		f.layout = l
	}
	return f, nil
}

// String returns the original timestamp_format.
func (f *Format) String() string { return f.raw }

// Parse converts one timestamp string. tz is the log type's timestamp_tz
// (given to naive results, and the zone of epoch and syslog results); now
// is es-loader's start time, used only by syslog.
func (f *Format) Parse(s string, now time.Time, tz *time.Location) (time.Time, bool) {
	switch f.kind {
	case kindEpoch:
		return ParseEpoch(s, tz)
	case kindSyslog:
		return ParseSyslog(s, now, tz)
	case kindISO:
		return FromISOFormat(s, tz)
	}
	return f.layout.Parse(s, tz)
}

var formatCache sync.Map // string -> *Format or error

// Parse is CompileFormat(format).Parse(s, now, tz) with the compiled
// format cached.
func Parse(s, format string, now time.Time, tz *time.Location) (time.Time, bool) {
	v, ok := formatCache.Load(format)
	if !ok {
		f, err := CompileFormat(format)
		if err != nil {
			v = err
		} else {
			v = f
		}
		formatCache.Store(format, v)
	}
	f, ok := v.(*Format)
	if !ok {
		return time.Time{}, false
	}
	return f.Parse(s, now, tz)
}
