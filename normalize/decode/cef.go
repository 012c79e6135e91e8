package decode

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// ErrInvalidCEF: the line has no CEF header. es-loader loads such a line
// unparsed (__skip_normalization) with error.message "invalid cef file";
// CEFErrorMessage is that text.
var ErrInvalidCEF = errors.New("invalid cef file")

// CEFErrorMessage is the error.message es-loader gives an unparsed line.
const CEFErrorMessage = "invalid cef file"

// CEF parses one line of a `cef` object as es-loader does. es-loader's
// @message for the record is the line stripped of surrounding white
// space; CEF takes the line as it is and strips it itself.
//
// The record holds cef_version, cef_device_vendor, cef_device_product,
// cef_device_version, cef_device_event_class_id, cef_name and, when
// present, cef_severity, then the extension's key=value pairs in order (a
// repeated key keeps its first place and its last value), with every
// customXLabel=name / customX pair turned into name=value.
//
// es-loader reads the header only up to the first '=' or backslash and
// unescapes nothing: `\|`, `\\`, `\=` and `\n` stay as they are in names and
// values, and a header with an escaped pipe loses its last fields to the
// extension. These rules are kept, since they decide the documents. Where
// es-loader raises (fewer than six header fields, a label whose pair is
// gone), this returns an error wrapping ErrInvalidCEF or skips the label.
func CEF(line string) (*pyjson.Map, error) {
	s := logtypes.PyStrip(line)
	start, headerEnd, ok := findCEFHeader(s)
	if !ok {
		return nil, ErrInvalidCEF
	}
	fields := strings.Split(s[start:headerEnd], "|")
	if len(fields) < 6 {
		return nil, fmt.Errorf("%w: the header has %d of the 7 fields", ErrInvalidCEF, len(fields))
	}
	rec := pyjson.NewMap(16)
	version := fields[0][strings.LastIndexByte(fields[0], ':')+1:]
	rec.Set("cef_version", logtypes.PyStrip(version))
	rec.Set("cef_device_vendor", fields[1])
	rec.Set("cef_device_product", fields[2])
	rec.Set("cef_device_version", fields[3])
	rec.Set("cef_device_event_class_id", fields[4])
	rec.Set("cef_name", fields[5])
	if len(fields) > 6 {
		rec.Set("cef_severity", fields[6])
	}
	ext := cefExtension(s[headerEnd:])
	relabelCEF(ext)
	ext.Range(func(k string, v any) bool {
		rec.Set(k, v)
		return true
	})
	return rec, nil
}

// findCEFHeader finds es-loader's header, `CEF:\s?\d+([^=\\]+\|){,7}`:
// from "CEF:" and its version to the last '|' before the first '=' or
// backslash.
func findCEFHeader(s string) (start, end int, ok bool) {
	for off := 0; ; {
		i := strings.Index(s[off:], "CEF:")
		if i < 0 {
			return 0, 0, false
		}
		start = off + i
		off = start + 1
		p := start + len("CEF:")
		if r, size := utf8.DecodeRuneInString(s[p:]); size > 0 && logtypes.PyIsSpace(r) {
			p += size
		}
		digits := p
		for p < len(s) {
			r, size := utf8.DecodeRuneInString(s[p:])
			if !unicode.IsDigit(r) {
				break
			}
			p += size
		}
		if p == digits {
			continue
		}
		stop := strings.IndexAny(s[p:], `=\`)
		if stop < 0 {
			stop = len(s) - p
		}
		// the repetition needs one character before its '|'
		if pipe := strings.LastIndexByte(s[p:p+stop], '|'); pipe > 0 {
			p += pipe + 1
		}
		return start, p, true
	}
}

// cefExtension is re.findall(r'([^=\s]+)=((?:[\\]=|[^=])+)(?:\s|$)') into
// a dict: values run to the last white space before the next unescaped
// '=' (or to the end), so they may hold spaces.
func cefExtension(s string) *pyjson.Map {
	out := pyjson.NewMap(8)
	for p := 0; p < len(s); {
		keyEnd := p
		for keyEnd < len(s) {
			r, size := utf8.DecodeRuneInString(s[keyEnd:])
			if r == '=' || logtypes.PyIsSpace(r) {
				break
			}
			keyEnd += size
		}
		if keyEnd == p || keyEnd == len(s) || s[keyEnd] != '=' {
			// no key here; the search goes on after this run
			p = nextRune(s, max(keyEnd, p))
			continue
		}
		v0 := keyEnd + 1
		stop := v0
		for stop < len(s) {
			if s[stop] == '=' && (stop == v0 || s[stop-1] != '\\') {
				break
			}
			stop++
		}
		end := cefValueEnd(s, v0, stop)
		if end < 0 {
			// the value cannot end here: look for a key inside it
			p = v0
			continue
		}
		out.Set(s[p:keyEnd], s[v0:end])
		p = end
		if p < len(s) {
			_, size := utf8.DecodeRuneInString(s[p:])
			p += size // the white space after the value
		}
	}
	return out
}

// cefValueEnd is the longest value s[v0:e], v0 < e <= stop, followed by
// white space or the end of the text; -1 if none.
func cefValueEnd(s string, v0, stop int) int {
	if stop == v0 {
		return -1
	}
	if stop == len(s) {
		return stop
	}
	for e := stop; e > v0; {
		if r, _ := utf8.DecodeRuneInString(s[e:]); logtypes.PyIsSpace(r) {
			return e
		}
		_, size := utf8.DecodeLastRuneInString(s[:e])
		e -= size
	}
	return -1
}

func nextRune(s string, p int) int {
	if p >= len(s) {
		return len(s)
	}
	_, size := utf8.DecodeRuneInString(s[p:])
	return p + size
}

// relabelCEF replaces each pair customX=value, customXLabel=name by
// name=value (es-loader's handling of the cs1/cs1Label style pairs).
func relabelCEF(ext *pyjson.Map) {
	keys := append([]string(nil), ext.Keys()...)
	for _, key := range keys {
		if !strings.HasSuffix(key, "Label") {
			continue
		}
		custom := strings.TrimSuffix(key, "Label")
		value, hasCustom := ext.Get(custom)
		label, hasLabel := ext.Get(key)
		if !hasCustom || !hasLabel {
			continue
		}
		ext.Set(label.(string), value)
		ext.Delete(custom)
		ext.Delete(key)
	}
}
