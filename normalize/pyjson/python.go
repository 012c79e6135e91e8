package pyjson

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// maxRenderDepth stops runaway recursion on a container that (through a
// transform bug) contains itself; Python would raise "Circular reference
// detected" there. Decoded values are at most MaxDepth deep, so real data
// never gets near it.
const maxRenderDepth = 2 * MaxDepth

const hexDigits = "0123456789abcdef"

// AppendDumps appends json.dumps(v, ensure_ascii=ensureASCII) with the
// default separators. Strings that are not valid UTF-8 are rendered as if
// each bad byte were U+FFFD, since a Python str cannot hold them. Types
// Python's json cannot encode fall back to their fmt.Sprint text as a string;
// a map[string]any is written in sorted key order because Go keeps no
// insertion order for it.
func AppendDumps(dst []byte, v any, ensureASCII bool) []byte {
	return appendDumps(dst, v, ensureASCII, 0)
}

func appendDumps(dst []byte, v any, ascii bool, depth int) []byte {
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
		return appendPyJSONString(dst, x, ascii)
	case QuotedString:
		return appendPyJSONString(dst, x.Value(), ascii)
	case Number:
		return appendDumpsNumber(dst, x)
	case float64:
		return appendDumpsFloat(dst, x)
	case float32:
		return appendDumpsFloat(dst, float64(x))
	case []any:
		if len(x) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendDumps(dst, e, ascii, depth+1)
		}
		return append(dst, ']')
	case *Map:
		if x.Len() == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendPyJSONString(dst, k, ascii)
			dst = append(dst, ": "...)
			dst = appendDumps(dst, x.vals[i], ascii, depth+1)
		}
		return append(dst, '}')
	case []string:
		if len(x) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendPyJSONString(dst, e, ascii)
		}
		return append(dst, ']')
	case map[string]any:
		if len(x) == 0 {
			return append(dst, "{}"...)
		}
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendPyJSONString(dst, k, ascii)
			dst = append(dst, ": "...)
			dst = appendDumps(dst, x[k], ascii, depth+1)
		}
		return append(dst, '}')
	}
	if b, ok := appendGoInt(dst, v); ok {
		return b
	}
	return appendPyJSONString(dst, fmt.Sprint(v), ascii)
}

// appendGoInt covers the integer types transforms may store.
func appendGoInt(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), true
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(dst, x, 10), true
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), true
	}
	return dst, false
}

// appendDumpsFloat is json's floatstr: non-finite values get the JavaScript
// spellings, everything else float.__repr__.
func appendDumpsFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	return appendFloatRepr(dst, f)
}

type numKind uint8

const (
	numInvalid numKind = iota
	numInt
	numFloat
	numIsNaN
	numIsInf
	numIsNegInf
)

// parse classifies a literal the way Python would have read it and, for
// floats, returns the value. Decoded Numbers are always strict JSON; the
// lenient branches are for Numbers built by transforms, read as Python's
// int()/float() would read them. Out-of-range float literals become ±Inf or
// 0 exactly as Python's float() makes them.
func (n Number) parse() (numKind, float64) {
	switch n {
	case "NaN":
		return numIsNaN, math.NaN()
	case "Infinity":
		return numIsInf, math.Inf(1)
	case "-Infinity":
		return numIsNegInf, math.Inf(-1)
	case "":
		return numInvalid, 0
	}
	s := string(n)
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return numInvalid, 0
	}
	isFloat := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
			isFloat = true
		default:
			return numInvalid, 0
		}
	}
	if !isFloat {
		return numInt, 0
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return numInvalid, 0
		}
	}
	return numFloat, f
}

// appendPyInt writes str(int(lit)); the sign and zero handling matters for
// "-0", which Python reads as plain 0.
func appendPyInt(dst []byte, lit string) []byte {
	if lit[0] >= '1' && lit[0] <= '9' {
		return append(dst, lit...)
	}
	neg := lit[0] == '-'
	if lit[0] == '-' || lit[0] == '+' {
		lit = lit[1:]
	}
	i := 0
	for i < len(lit)-1 && lit[i] == '0' {
		i++
	}
	lit = lit[i:]
	if neg && lit != "0" {
		dst = append(dst, '-')
	}
	return append(dst, lit...)
}

func appendDumpsNumber(dst []byte, n Number) []byte {
	switch k, f := n.parse(); k {
	case numInt:
		return appendPyInt(dst, string(n))
	case numFloat:
		return appendDumpsFloat(dst, f)
	case numIsNaN, numIsInf, numIsNegInf:
		return append(dst, n...)
	}
	// Not a number Python could hold; keep the text rather than lose it.
	return append(dst, n...)
}

// appendStrNumber writes str() of the Python value behind n.
func appendStrNumber(dst []byte, n Number) []byte {
	switch k, f := n.parse(); k {
	case numInt:
		return appendPyInt(dst, string(n))
	case numFloat:
		return appendFloatRepr(dst, f)
	case numIsNaN:
		return append(dst, "nan"...)
	case numIsInf:
		return append(dst, "inf"...)
	case numIsNegInf:
		return append(dst, "-inf"...)
	}
	return append(dst, n...)
}

// jsonSafe marks bytes json.dumps(ensure_ascii=False) copies verbatim,
// assuming valid UTF-8; note DEL (0x7f) is among them.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x100; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return
}()

// asciiSafe marks what ensure_ascii=True copies: printable ASCII only, so
// DEL is escaped in this mode.
var asciiSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return
}()

func appendEscapedByte(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf],
		hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// toValidUTF8 replaces byte by byte, matching what the decoder does with bad
// input bytes (strings.ToValidUTF8 would merge runs).
func toValidUTF8(s string) string {
	return string(appendValidUTF8(make([]byte, 0, len(s)+8), []byte(s)))
}

// appendPyJSONString is json's encode_basestring(_ascii) with quotes.
func appendPyJSONString(dst []byte, s string, ascii bool) []byte {
	// Most values (addresses, numbers as text, names) need no escaping at
	// all: find out in one tight pass and copy them whole.
	i := 0
	if !ascii {
		// eight bytes at a time while nothing needs a look (plainWord
		// lets DEL through, which only ensure_ascii escapes)
		for i+8 <= len(s) && plainBits(load64(s[i:])) == 0 {
			i += 8
		}
	}
	for i < len(s) && asciiSafe[s[i]] {
		i++
	}
	if i == len(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	if !ascii {
		return appendEscapedRest(slices.Grow(dst, len(s)+len(s)/8+1), s, i)
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if asciiSafe[c] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			dst = appendEscapedByte(dst, c)
			i++
		} else {
			// Bad bytes decode as RuneError, i.e. \ufffd.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				r -= 0x10000
				dst = appendU4(dst, 0xd800+r>>10)
				dst = appendU4(dst, 0xdc00+r&0x3ff)
			} else {
				dst = appendU4(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscapedRest writes s (from an opening quote already in dst) with
// ensure_ascii=False escapes and the closing quote; s[:i] is known plain.
// A JSON text as a string (a JSON log line as @message) has a quote every
// few bytes, so rather than stepping through a word that holds a special
// byte one byte at a time, the word's lowest flagged byte is found from
// its bits and the scan goes on by words right after it. That byte is a
// true special one: plainBits' false positives only ever lie above a true
// one, where a borrow carried from it.
func appendEscapedRest(dst []byte, s string, i int) []byte {
	start := 0
	for {
		for i+8 <= len(s) {
			w := plainBits(load64(s[i:]))
			if w == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(w) >> 3
			goto special
		}
		for i < len(s) && s[i] < utf8.RuneSelf && jsonSafe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
	special:
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscapedByte(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// byte by byte, like the decoder's handling of bad input
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			start = i + 1
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// PyFloatRepr returns Python 3's repr(f): the shortest digits that round
// trip, positional for decimal exponents -4 <= e < 16 (with ".0" added to
// integral values), otherwise scientific with a signed, at least two digit
// exponent.
func PyFloatRepr(f float64) string {
	var buf [32]byte
	return string(appendFloatRepr(buf[:0], f))
}

func appendFloatRepr(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var tmp [32]byte
	b := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
	}
	// b is now d[.ddd]e±XX; gather the digits and the exponent of d.
	e := 0
	mant := b
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == 'e' {
			mant = b[:i]
			x, _ := strconv.Atoi(string(b[i+1:]))
			e = x
			break
		}
	}
	var dbuf [24]byte
	digits := append(dbuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...)
	}
	if e < -4 || e >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if e < 0 {
			dst = append(dst, '-')
			e = -e
		} else {
			dst = append(dst, '+')
		}
		if e < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(e), 10)
	}
	decpt := e + 1
	switch {
	case decpt <= 0:
		dst = append(dst, '0', '.')
		for ; decpt < 0; decpt++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case decpt < len(digits):
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		return append(dst, digits[decpt:]...)
	}
	dst = append(dst, digits...)
	for i := len(digits); i < decpt; i++ {
		dst = append(dst, '0')
	}
	return append(dst, '.', '0')
}

// Str returns Python's str(v): strings as they are, everything else as
// repr.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if q, ok := v.(QuotedString); ok {
		return q.Value()
	}
	return string(AppendRepr(nil, v))
}

// AppendStr appends Str(v).
func AppendStr(dst []byte, v any) []byte {
	if s, ok := v.(string); ok {
		return append(dst, s...)
	}
	return AppendRepr(dst, v)
}

// Repr returns Python's repr(v).
//
// Python's str.isprintable is unicode.IsPrint here: both call the Unicode
// categories C* and Z* (except the ASCII space) non-printable, so they
// differ only where the Unicode versions differ. Python 3.11 (es-loader's
// runtime) has Unicode 14.0 and Go has 15.0; the code points 15.0 assigned
// are still unassigned, hence escaped, for Python 3.11, which
// unicode15Additions accounts for. Bytes that are not valid UTF-8 are shown
// as U+FFFD. Types Python could not hold fall back to fmt.Sprint.
func Repr(v any) string {
	return string(AppendRepr(nil, v))
}

// AppendRepr appends Repr(v).
func AppendRepr(dst []byte, v any) []byte {
	return appendRepr(dst, v, 0)
}

func appendRepr(dst []byte, v any, depth int) []byte {
	if depth > maxRenderDepth {
		return append(dst, "..."...)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "None"...)
	case bool:
		if x {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case string:
		return appendReprString(dst, x)
	case Number:
		return appendStrNumber(dst, x)
	case float64:
		return appendFloatRepr(dst, x)
	case float32:
		return appendFloatRepr(dst, float64(x))
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendRepr(dst, e, depth+1)
		}
		return append(dst, ']')
	case *Map:
		dst = append(dst, '{')
		for i := 0; i < x.Len(); i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendReprString(dst, x.keys[i])
			dst = append(dst, ": "...)
			dst = appendRepr(dst, x.vals[i], depth+1)
		}
		return append(dst, '}')
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendReprString(dst, e)
		}
		return append(dst, ']')
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendReprString(dst, k)
			dst = append(dst, ": "...)
			dst = appendRepr(dst, x[k], depth+1)
		}
		return append(dst, '}')
	}
	if b, ok := appendGoInt(dst, v); ok {
		return b
	}
	return append(dst, fmt.Sprint(v)...)
}

// appendReprString follows CPython's unicode_repr: single quotes unless the
// text has a single quote and no double quote.
func appendReprString(dst []byte, s string) []byte {
	quote := byte('\'')
	hasSingle, hasDouble := false, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			hasSingle = true
		case '"':
			hasDouble = true
		}
	}
	if hasSingle && !hasDouble {
		quote = '"'
	}
	dst = append(dst, quote)
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != quote && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case quote, '\\':
				dst = append(dst, '\\', c)
			case '\t':
				dst = append(dst, '\\', 't')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, "\uFFFD"...)
		case unicode.IsPrint(r) && !unicode.Is(unicode15Additions, r):
			dst = append(dst, s[i:i+size]...)
		case r <= 0xff:
			dst = append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
		case r <= 0xffff:
			dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf],
				hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			dst = append(dst, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				dst = append(dst, hexDigits[r>>uint(sh)&0xf])
			}
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, quote)
}

// unicode15Additions lists the code points Unicode 15.0 assigned that
// unicode.IsPrint calls printable. Python 3.11's unicodedata (14.0.0) sees
// them as unassigned (category Cn), so its repr escapes them. Checked
// exhaustively against CPython 3.11.7.
var unicode15Additions = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x0cf3, 0x0cf3, 1},
		{0x0ece, 0x0ece, 1},
	},
	R32: []unicode.Range32{
		{0x10efd, 0x10eff, 1},
		{0x1123f, 0x11241, 1},
		{0x11b00, 0x11b09, 1},
		{0x11f00, 0x11f10, 1},
		{0x11f12, 0x11f3a, 1},
		{0x11f3e, 0x11f59, 1},
		{0x1342f, 0x1342f, 1},
		{0x13440, 0x13455, 1},
		{0x1b132, 0x1b132, 1},
		{0x1b155, 0x1b155, 1},
		{0x1d2c0, 0x1d2d3, 1},
		{0x1df25, 0x1df2a, 1},
		{0x1e030, 0x1e06d, 1},
		{0x1e08f, 0x1e08f, 1},
		{0x1e4d0, 0x1e4f9, 1},
		{0x1f6dc, 0x1f6dc, 1},
		{0x1f774, 0x1f776, 1},
		{0x1f77b, 0x1f77f, 1},
		{0x1f7d9, 0x1f7d9, 1},
		{0x1fa75, 0x1fa77, 1},
		{0x1fa87, 0x1fa88, 1},
		{0x1faad, 0x1faaf, 1},
		{0x1fabb, 0x1fabd, 1},
		{0x1fabf, 0x1fabf, 1},
		{0x1face, 0x1facf, 1},
		{0x1fada, 0x1fadb, 1},
		{0x1fae8, 0x1fae8, 1},
		{0x1faf7, 0x1faf8, 1},
		{0x2b739, 0x2b739, 1},
		{0x31350, 0x323af, 1},
	},
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainWord reports whether eight bytes are all printable ASCII other than
// '"' and '\\' (SWAR: a byte test on the whole word).
func plainWord(b string) bool {
	return plainBits(load64(b)) == 0
}

// load64 reads the first eight bytes of s (which has at least eight) as
// one word. binary.LittleEndian compiles to a single load where the
// machine allows unaligned ones; byte order does not matter to plainBits,
// which only tells whether any byte is special.
func load64(s string) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
}

// plainBits is non-zero when a word holds a byte below 0x20, a quote, a
// backslash or a byte of 0x80 and above.
func plainBits(w uint64) uint64 {
	ctl := (w - 0x20*lsb) & ^w
	q := w ^ ('"' * lsb)
	bs := w ^ ('\\' * lsb)
	quote := (q - lsb) & ^q
	back := (bs - lsb) & ^bs
	return (ctl | quote | back | w) & msb
}
