package pyjson

import (
	"unicode/utf8"
)

// QuotedString is a string held as its JSON string literal (quotes
// included). The engine renders a JSON record's @message — Python's
// json.dumps of the record — straight into this form, because writing the
// dump and then escaping it again for the document would walk the longest
// string of the document twice.
type QuotedString string

// Value decodes the literal.
func (q QuotedString) Value() string {
	v, err := Unmarshal([]byte(q))
	if s, ok := v.(string); ok && err == nil {
		return s
	}
	return ""
}

// AppendDumpsQuoted appends the JSON string literal whose value is
// json.dumps(v, ensure_ascii=False): AppendQuoted(dst, string(AppendDumps(nil,
// v, false))) in one pass.
func AppendDumpsQuoted(dst []byte, v any) []byte {
	dst = append(dst, '"')
	dst = appendDumpsQuoted(dst, v, 0)
	return append(dst, '"')
}

func appendDumpsQuoted(dst []byte, v any, depth int) []byte {
	if depth > maxRenderDepth {
		return append(dst, "null"...)
	}
	switch x := v.(type) {
	case string:
		return appendTwiceEscaped(dst, x)
	case *Map:
		if x.Len() == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendTwiceEscaped(dst, k)
			dst = append(dst, ": "...)
			dst = appendDumpsQuoted(dst, x.vals[i], depth+1)
		}
		return append(dst, '}')
	case []any:
		if len(x) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendDumpsQuoted(dst, e, depth+1)
		}
		return append(dst, ']')
	case nil, bool, Number, float64, float32, int, int64:
		// literals and numbers hold nothing JSON strings escape
		return appendDumps(dst, x, false, depth)
	}
	// anything else: the two-step route
	return appendJSONStringBody(dst, string(appendDumps(nil, v, false, depth)))
}

// appendTwiceEscaped writes s as json.dumps writes a string (quotes
// included), escaped once more for inclusion in a JSON string.
func appendTwiceEscaped(dst []byte, s string) []byte {
	dst = append(dst, '\\', '"')
	start := 0
	for i := 0; i < len(s); {
		// eight plain bytes at a time: most of a record needs no escape
		if i+8 <= len(s) && plainBits(load64(s[i:])) == 0 {
			i += 8
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, `\\\"`...)
		case '\\':
			dst = append(dst, `\\\\`...)
		case '\n':
			dst = append(dst, `\\n`...)
		case '\r':
			dst = append(dst, `\\r`...)
		case '\t':
			dst = append(dst, `\\t`...)
		case '\b':
			dst = append(dst, `\\b`...)
		case '\f':
			dst = append(dst, `\\f`...)
		default:
			dst = append(dst, '\\', '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '\\', '"')
}

// appendJSONStringBody is AppendQuoted without the surrounding quotes.
func appendJSONStringBody(dst []byte, s string) []byte {
	q := AppendQuoted(nil, s)
	return append(dst, q[1:len(q)-1]...)
}
