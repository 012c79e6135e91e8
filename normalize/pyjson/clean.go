package pyjson

import (
	"unicode/utf8"
	"unsafe"
)

// AppendJSONClean appends m as AppendJSON would after es-loader's del_none
// has run over it, without changing m: members whose value is None, one
// of the strings "", "-", "null", "[]", an empty list, [""], or an object
// left empty by the same rule, are not written. As del_none does, objects
// directly inside a list are cleaned (and kept even when empty); nothing
// else inside a list is. Rendering and cleaning in one walk spares the
// pass that deletes the members first.
func AppendJSONClean(dst []byte, m *Map) []byte {
	dst, _ = appendClean(dst, m, 0, decodedText{})
	return dst
}

// AppendJSONCleanFrom is AppendJSONClean for a document made from a value
// DecodeOwned decoded from text, which must not have changed since: its
// keys and strings that still lie in text go out without the look for
// what to escape (see decodedText).
func AppendJSONCleanFrom(dst []byte, m *Map, text []byte) []byte {
	var t decodedText
	if len(text) > 0 {
		t.lo = uintptr(unsafe.Pointer(&text[0]))
		t.hi = t.lo + uintptr(len(text))
	}
	dst, _ = appendClean(dst, m, 0, t)
	return dst
}

// decodedText is the memory of a text DecodeOwned read. A string there is
// one the decoder found without an escape (it shares the text only then)
// or a piece of one, or a number's literal: no quote, backslash or control
// character, valid UTF-8. A piece that starts and ends with an ASCII byte
// was cut at rune boundaries, so it is valid UTF-8 too, and AppendQuoted
// would write it as it is.
type decodedText struct{ lo, hi uintptr }

// appendString is AppendQuoted, skipping the look for escapes for a
// string that decodedText vouches for.
func (t decodedText) appendString(dst []byte, s string) []byte {
	if n := len(s); n > 0 && s[0] < utf8.RuneSelf && s[n-1] < utf8.RuneSelf {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p >= t.lo && p+uintptr(n) <= t.hi {
			dst = append(dst, '"')
			dst = append(dst, s...)
			return append(dst, '"')
		}
	}
	return AppendQuoted(dst, s)
}

// appendClean writes m cleaned; empty reports that no member was kept.
func appendClean(dst []byte, m *Map, depth int, t decodedText) (out []byte, empty bool) {
	if depth > maxRenderDepth {
		return append(dst, "null"...), false
	}
	dst = append(dst, '{')
	first := true
	for i, k := range m.keys {
		v := m.vals[i]
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = t.appendString(dst, k)
		dst = append(dst, ':')
		kept := true
		switch x := v.(type) {
		case nil:
			kept = false
		case string:
			switch x {
			case "", "-", "null", "[]":
				kept = false
			default:
				dst = t.appendString(dst, x)
			}
		case *Map:
			var e bool
			dst, e = appendClean(dst, x, depth+1, t)
			kept = !e
		case []any:
			if len(x) == 0 || (len(x) == 1 && x[0] == "") {
				kept = false
				break
			}
			if depth+1 > maxRenderDepth {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '[')
			for j, e := range x {
				if j > 0 {
					dst = append(dst, ',')
				}
				if em, ok := e.(*Map); ok {
					dst, _ = appendClean(dst, em, depth+2, t)
				} else {
					dst = appendJSON(dst, e, depth+2)
				}
			}
			dst = append(dst, ']')
		default:
			dst = appendJSON(dst, v, depth+1)
		}
		if kept {
			first = false
		} else {
			dst = dst[:mark]
		}
	}
	return append(dst, '}'), first
}
