package pyjson

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"unicode/utf8"
)

// AppendJSON appends v as compact standard JSON for the bulk API: no
// whitespace, UTF-8 kept, keys in Map order. Number literals are written as
// they came in; NaN and ±Infinity, which JSON cannot express, become null.
// float64 values use Python's repr, which is valid JSON for finite values
// and keeps a whole float like 1.0 a float when read back.
func AppendJSON(dst []byte, v any) []byte {
	return appendJSON(dst, v, 0)
}

func appendJSON(dst []byte, v any, depth int) []byte {
	if depth > maxRenderDepth {
		return append(dst, "null"...)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case string:
		return AppendQuoted(dst, x)
	case QuotedString:
		return append(dst, x...)
	case Number:
		return appendJSONNumber(dst, x)
	case float64:
		return appendJSONFloat(dst, x)
	case float32:
		return appendJSONFloat(dst, float64(x))
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e, depth+1)
		}
		return append(dst, ']')
	case *Map:
		dst = append(dst, '{')
		for i := 0; i < x.Len(); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, x.keys[i])
			dst = append(dst, ':')
			dst = appendJSON(dst, x.vals[i], depth+1)
		}
		return append(dst, '}')
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, e)
		}
		return append(dst, ']')
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, k)
			dst = append(dst, ':')
			dst = appendJSON(dst, x[k], depth+1)
		}
		return append(dst, '}')
	}
	if b, ok := appendGoInt(dst, v); ok {
		return b
	}
	return AppendQuoted(dst, fmt.Sprint(v))
}

// AppendQuoted appends s as a JSON string literal, escaping what JSON
// requires the way Python's json does (short escapes where they exist,
// lowercase \u00XX otherwise). Invalid UTF-8 bytes become U+FFFD so the
// output is always valid JSON.
func AppendQuoted(dst []byte, s string) []byte {
	if !plainString(s) {
		return appendPyJSONString(dst, s, false)
	}
	// most values: one growth check and one copy
	n := len(dst)
	dst = slices.Grow(dst, len(s)+2)[:n+len(s)+2]
	dst[n] = '"'
	copy(dst[n+1:], s)
	dst[n+1+len(s)] = '"'
	return dst
}

// plainString reports whether s is printable ASCII (DEL included) without
// a quote or backslash, i.e. goes into a JSON string as it is. Whole words
// where it can, the last one overlapping: short values are most of a
// document and a byte loop would cost more than the copy.
func plainString(s string) bool {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= utf8.RuneSelf || !jsonSafe[c] {
				return false
			}
		}
		return true
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if plainBits(load64(s[i:])) != 0 {
			return false
		}
	}
	return i == len(s) || plainBits(load64(s[len(s)-8:])) == 0
}

func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	return appendFloatRepr(dst, f)
}

// appendJSONNumber passes strict JSON literals through untouched, which is
// both the fast path and the only one decoded input takes. Numbers built by
// transforms are normalised, and text that is no number at all is kept as a
// string rather than producing invalid JSON.
func appendJSONNumber(dst []byte, n Number) []byte {
	if isJSONNumber(string(n)) {
		return append(dst, n...)
	}
	switch k, f := n.parse(); k {
	case numInt:
		return appendPyInt(dst, string(n))
	case numFloat:
		return appendJSONFloat(dst, f)
	case numIsNaN, numIsInf, numIsNegInf:
		return append(dst, "null"...)
	}
	return AppendQuoted(dst, string(n))
}

// isJSONNumber reports whether s matches the RFC 8259 number grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}
