package pyjson

import (
	"unicode/utf8"
	"unsafe"
)

// AppendDumpsRaw appends json.dumps(v, ensure_ascii=False) of the value v
// whose JSON text is raw, working from the text: one pass over bytes that
// are already in memory instead of a walk over the decoded value. quoted
// gives that dump as a JSON string literal (AppendDumpsQuoted) instead of
// as it is (AppendDumps).
//
// raw must be exactly the span a Decode of v consumed, and no object in it
// may repeat a key (DecodeOwnedDup tells): then Python's dump of v differs
// from raw only in its separators (", " and ": "), white space, string
// escapes and the spelling of numbers, which are rewritten here — strings
// without an escape and with valid UTF-8 are copied, the others decoded and
// written as Python writes them, numbers rendered by the same code as
// decoded Numbers. It reports false, with dst as it was, when a string of
// raw does not decode; other invalid text is not looked for.
func AppendDumpsRaw(dst, raw []byte, quoted bool) ([]byte, bool) {
	start := len(dst)
	if quoted {
		dst = append(dst, '"')
	}
	var d *decoder // for strings with escapes, which decode into d.buf
	defer func() {
		if d != nil {
			d.release()
		}
	}()
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '{', '[', '}', ']':
			dst = append(dst, c)
			i++
		case ',':
			dst = append(dst, ", "...)
			i++
		case ':':
			dst = append(dst, ": "...)
			i++
		case '"':
			j, hi := scanRun(raw, i+1)
			seg := raw[i+1 : j]
			if j < len(raw) && raw[j] == '"' && (!hi || utf8.Valid(seg)) {
				// copied as it is: nothing in it that either escaping changes
				if quoted {
					dst = append(dst, '\\', '"')
					dst = append(dst, seg...)
					dst = append(dst, '\\', '"')
				} else {
					dst = append(dst, '"')
					dst = append(dst, seg...)
					dst = append(dst, '"')
				}
				i = j + 1
				continue
			}
			if d == nil {
				d = decoderPool.Get().(*decoder)
				d.data = raw
			}
			s, next, err := d.str(i + 1)
			if err != nil {
				return dst[:start], false
			}
			if quoted {
				dst = appendTwiceEscaped(dst, s)
			} else {
				dst = appendPyJSONString(dst, s, false)
			}
			i = next
		case 't':
			dst = append(dst, "true"...)
			i += len("true")
		case 'f':
			dst = append(dst, "false"...)
			i += len("false")
		case 'n':
			dst = append(dst, "null"...)
			i += len("null")
		default:
			// a number, NaN or ±Infinity, up to the next delimiter
			j := i + 1
			for j < len(raw) && !rawDelimiter[raw[j]] {
				j++
			}
			dst = appendDumpsNumber(dst, Number(unsafe.String(&raw[i], j-i)))
			i = j
		}
	}
	if quoted {
		dst = append(dst, '"')
	}
	return dst, true
}

// rawDelimiter marks the bytes that end a number or literal in JSON text.
var rawDelimiter = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n,:]}") {
		t[c] = true
	}
	return
}()
