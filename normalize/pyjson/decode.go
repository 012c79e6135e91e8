package pyjson

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// MaxDepth bounds the nesting of arrays and objects Decode accepts. Python
// gives up with a RecursionError somewhere near its recursion limit (about
// 1000 frames in 3.11, shared with the caller's own frames), so no fixed
// number matches it exactly; the bound is here so that hostile input cannot
// exhaust the stack, and it is generous enough for any real log.
const MaxDepth = 10000

// maxIntDigits is CPython's default sys.get_int_max_str_digits() (3.11+):
// json.loads refuses an int literal with more digits than this, so a record
// carrying one never reaches es-loader's indexing.
const maxIntDigits = 4300

// SyntaxError is a decoding failure, shaped like Python's
// json.JSONDecodeError. Offset is a byte offset into the input; Char, Line
// and Col count code points like Python does, so Error() reads the same as
// the Python message for the same text. Failures Python raises as a plain
// ValueError or RecursionError (too many int digits, too deep) carry no
// position in Python's text and have Line 0 here.
type SyntaxError struct {
	Msg    string
	Offset int
	Char   int
	Line   int
	Col    int
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return e.Msg + ": line " + strconv.Itoa(e.Line) + " column " + strconv.Itoa(e.Col) +
		" (char " + strconv.Itoa(e.Char) + ")"
}

// newSyntaxError does the line/column arithmetic only on failure, so the
// success path never pays for it.
func newSyntaxError(data []byte, msg string, off int) *SyntaxError {
	if off < 0 {
		return &SyntaxError{Msg: msg, Offset: off}
	}
	p := min(off, len(data))
	head := data[:p]
	ls := bytes.LastIndexByte(head, '\n') + 1
	beyond := off - p
	return &SyntaxError{
		Msg:    msg,
		Offset: off,
		Char:   utf8.RuneCount(head) + beyond,
		Line:   1 + bytes.Count(head, []byte{'\n'}),
		Col:    utf8.RuneCount(head[ls:]) + beyond + 1,
	}
}

// SkipSpace returns the index of the first byte at or after pos that is not
// JSON whitespace. Python's decoder uses exactly these four characters.
func SkipSpace(data []byte, pos int) int {
	for pos < len(data) {
		switch data[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
	}
	return pos
}

// Unmarshal decodes data holding exactly one value, optionally surrounded by
// whitespace: json.JSONDecoder().decode(s).
func Unmarshal(data []byte) (any, error) {
	v, end, err := Decode(data, SkipSpace(data, 0))
	if err != nil {
		return nil, err
	}
	if end = SkipSpace(data, end); end != len(data) {
		return nil, newSyntaxError(data, "Extra data", end)
	}
	return v, nil
}

// Decode parses one value starting exactly at pos and returns it with the
// index just past it: json.JSONDecoder().raw_decode(s, pos). Unlike Python it
// works on bytes, so pos and next are byte offsets.
//
// A \u escape naming a lone UTF-16 surrogate, which Python keeps in its str,
// cannot live in a valid Go string and becomes U+FFFD; invalid UTF-8 bytes
// inside strings become U+FFFD too, one per byte.
func Decode(data []byte, pos int) (v any, next int, err error) {
	if pos < 0 {
		return nil, pos, &SyntaxError{Msg: "idx cannot be negative", Offset: pos}
	}
	d := decoderPool.Get().(*decoder)
	d.data = data
	v, next, err = d.value(pos)
	if err != nil {
		v, next = nil, pos
		clear(d.vals)
		clear(d.keys)
	}
	d.release()
	return v, next, err
}

// decoder keeps scratch stacks shared by all containers of one document:
// children are collected there and copied once into a slice of the exact
// size when their container closes, which beats growing each slice.
// Results are deliberately not carved out of chunks shared between
// documents: one string kept by a caller (a cache key, say) would pin a
// whole chunk, and chunks holding pointers chain documents together so the
// GC keeps all of them alive.
type decoder struct {
	data  []byte
	depth int
	// owned: the caller gave up data, so strings may alias it and values
	// are boxed from slab (DecodeOwned).
	owned bool
	slab  *Slab
	// room: spare capacity given to the outermost object, for the keys
	// the caller will add (DecodeOwnedRoom)
	room int
	// dup: an object repeated a key (its value is not its text's reading
	// in order, see buildMap)
	dup  bool
	vals []any
	keys []string
	buf  []byte
}

var decoderPool = sync.Pool{New: func() any {
	return &decoder{vals: make([]any, 0, 64), keys: make([]string, 0, 32)}
}}

// DecodeOwned is Decode for a caller that hands data over: it must not be
// modified afterwards, because decoded strings share its memory. That
// saves a copy and an allocation per string; slab boxes the values.
func DecodeOwned(data []byte, pos int, slab *Slab) (v any, next int, err error) {
	return DecodeOwnedRoom(data, pos, slab, 0)
}

// DecodeOwnedRoom is DecodeOwned where an outermost object gets room for
// that many more keys, so that a caller adding them does not copy it.
func DecodeOwnedRoom(data []byte, pos int, slab *Slab, room int) (v any, next int, err error) {
	v, next, _, err = DecodeOwnedDup(data, pos, slab, room)
	return v, next, err
}

// DecodeOwnedDup is DecodeOwnedRoom that also reports whether an object
// repeated a key. Without one, the value is its text read in order, so
// that text can stand in for it (AppendDumpsRaw).
func DecodeOwnedDup(data []byte, pos int, slab *Slab, room int) (v any, next int, dup bool, err error) {
	if pos < 0 {
		return nil, pos, false, &SyntaxError{Msg: "idx cannot be negative", Offset: pos}
	}
	d := decoderPool.Get().(*decoder)
	d.data = data
	d.owned = true
	d.slab = slab
	d.room = room
	v, next, err = d.value(pos)
	dup = d.dup
	if err != nil {
		v, next = nil, pos
		clear(d.vals)
		clear(d.keys)
	}
	d.release()
	return v, next, dup, err
}

func (d *decoder) release() {
	d.owned = false
	d.dup = false
	d.slab = nil
	d.room = 0
	d.data = nil
	d.depth = 0
	d.vals = d.vals[:0]
	d.keys = d.keys[:0]
	// A pathological document must not pin its scratch memory forever.
	if cap(d.vals) > 1<<14 {
		d.vals = make([]any, 0, 64)
	}
	if cap(d.keys) > 1<<14 {
		d.keys = make([]string, 0, 32)
	}
	if cap(d.buf) > 1<<16 {
		d.buf = nil
	}
	decoderPool.Put(d)
}

func (d *decoder) fail(msg string, off int) error {
	return newSyntaxError(d.data, msg, off)
}

// Boxing these once keeps constants and one-digit ints allocation free.
var (
	numNaN    any = Number("NaN")
	numInf    any = Number("Infinity")
	numNegInf any = Number("-Infinity")
	smallInts     = [10]any{Number("0"), Number("1"), Number("2"), Number("3"),
		Number("4"), Number("5"), Number("6"), Number("7"), Number("8"), Number("9")}
)

func hasLit(data []byte, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// value mirrors CPython's scan_once: a failed constant falls through to the
// number scanner, which reports "Expecting value" at i.
func (d *decoder) value(i int) (any, int, error) {
	data := d.data
	if i >= len(data) {
		return nil, i, d.fail("Expecting value", i)
	}
	switch data[i] {
	case '"':
		s, j, err := d.str(i + 1)
		if err != nil {
			return nil, j, err
		}
		if d.owned {
			return d.slab.String(s), j, nil
		}
		return s, j, nil
	case '{':
		return d.object(i)
	case '[':
		return d.array(i)
	case 'n':
		if hasLit(data, i, "null") {
			return nil, i + 4, nil
		}
	case 't':
		if hasLit(data, i, "true") {
			return true, i + 4, nil
		}
	case 'f':
		if hasLit(data, i, "false") {
			return false, i + 5, nil
		}
	case 'N':
		if hasLit(data, i, "NaN") {
			return numNaN, i + 3, nil
		}
	case 'I':
		if hasLit(data, i, "Infinity") {
			return numInf, i + 8, nil
		}
	case '-':
		if hasLit(data, i, "-Infinity") {
			return numNegInf, i + 9, nil
		}
	}
	return d.number(i)
}

func isDigit(c byte) bool { return c-'0' < 10 }

// number follows CPython's _match_number: a '.' or exponent that is not
// followed by digits is left unread rather than being an error, so "1." and
// "1e" decode as 1 and leave the rest to the caller.
func (d *decoder) number(start int) (any, int, error) {
	data := d.data
	n := len(data)
	i := start
	if data[i] == '-' {
		i++
		if i >= n {
			return nil, start, d.fail("Expecting value", start)
		}
	}
	switch c := data[i]; {
	case c >= '1' && c <= '9':
		i++
		for i < n && isDigit(data[i]) {
			i++
		}
	case c == '0':
		i++
	default:
		return nil, start, d.fail("Expecting value", start)
	}
	intDigits := i - start
	isFloat := false
	if i+1 < n && data[i] == '.' && isDigit(data[i+1]) {
		isFloat = true
		i += 2
		for i < n && isDigit(data[i]) {
			i++
		}
	}
	if i+1 < n && data[i]|0x20 == 'e' {
		j := i + 1
		if j+1 < n && (data[j] == '-' || data[j] == '+') {
			j++
		}
		k := j
		for k < n && isDigit(data[k]) {
			k++
		}
		if k > j {
			isFloat = true
			i = k
		}
	}
	if !isFloat {
		if i-start == 1 {
			return smallInts[data[start]-'0'], i, nil
		}
		if data[start] == '-' {
			intDigits--
		}
		if intDigits > maxIntDigits {
			return nil, start, &SyntaxError{Offset: start, Msg: "Exceeds the limit (" +
				strconv.Itoa(maxIntDigits) + " digits) for integer string conversion: value has " +
				strconv.Itoa(intDigits) + " digits; use sys.set_int_max_str_digits() to increase the limit"}
		}
	}
	if d.owned {
		return d.slab.Number(Number(unsafe.String(&data[start], i-start))), i, nil
	}
	return Number(string(data[start:i])), i, nil
}

// strClass sorts string bytes: 0 copies verbatim, 1 ends the fast scan
// (quote, backslash, control character), 2 is non-ASCII and means the run
// needs a UTF-8 check.
var strClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'] = 1
	t['\\'] = 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return
}()

// scanRun advances over bytes that need no decoding work, a word at a
// time: the lowest byte plainBits flags is always one that needs a look
// (the trick's false positives only sit above a true one).
func scanRun(data []byte, i int) (int, bool) {
	hi := false
	for i+8 <= len(data) {
		w := plainBits(binary.LittleEndian.Uint64(data[i:]))
		if w == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(w) / 8
		if strClass[data[i]] == 1 {
			return i, hi
		}
		hi = true
		i++
	}
	for ; i < len(data); i++ {
		if c := strClass[data[i]]; c != 0 {
			if c == 1 {
				break
			}
			hi = true
		}
	}
	return i, hi
}

// str decodes the string whose opening quote is at start-1 and returns the
// index after its closing quote. The common case, no escapes, costs exactly
// one allocation.
func (d *decoder) str(start int) (string, int, error) {
	data := d.data
	i, hi := scanRun(data, start)
	if i >= len(data) {
		return "", start - 1, d.fail("Unterminated string starting at", start-1)
	}
	switch data[i] {
	case '"':
		seg := data[start:i]
		if hi && !utf8.Valid(seg) {
			return string(appendValidUTF8(nil, seg)), i + 1, nil
		}
		if d.owned && len(seg) > 0 {
			return unsafe.String(&seg[0], len(seg)), i + 1, nil
		}
		return string(seg), i + 1, nil
	case '\\':
		return d.strEscaped(start, i)
	}
	return "", i, d.fail("Invalid control character at", i)
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// strEscaped is the slow path of str from the first backslash at i on. The
// offsets of its errors follow CPython's scanstring_unicode, including its
// quirk of requiring one more character after a \uXXXX escape.
func (d *decoder) strEscaped(start, i int) (string, int, error) {
	data := d.data
	n := len(data)
	buf := appendValidUTF8(d.buf[:0], data[start:i])
	for {
		// data[i] is a backslash here.
		i++
		if i >= n {
			return "", start - 1, d.fail("Unterminated string starting at", start-1)
		}
		if c := data[i]; c != 'u' {
			switch c {
			case '"', '\\', '/':
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				return "", i - 1, d.fail("Invalid \\escape", i-1)
			}
			buf = append(buf, c)
			i++
		} else {
			end := i + 5
			if end >= n {
				return "", i, d.fail("Invalid \\uXXXX escape", i)
			}
			r, ok := hex4(data[i+1 : end])
			if !ok {
				return "", i, d.fail("Invalid \\uXXXX escape", i)
			}
			i = end
			if r >= 0xd800 && r <= 0xdbff && end+6 < n && data[end] == '\\' && data[end+1] == 'u' {
				r2, ok := hex4(data[end+2 : end+6])
				if !ok {
					return "", end + 1, d.fail("Invalid \\uXXXX escape", end+1)
				}
				if r2 >= 0xdc00 && r2 <= 0xdfff {
					r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
					i = end + 6
				}
			}
			// A lone surrogate is encoded by AppendRune as U+FFFD.
			buf = utf8.AppendRune(buf, r)
		}
		j, hi := scanRun(data, i)
		if j >= n {
			d.buf = buf
			return "", start - 1, d.fail("Unterminated string starting at", start-1)
		}
		if hi {
			buf = appendValidUTF8(buf, data[i:j])
		} else {
			buf = append(buf, data[i:j]...)
		}
		i = j
		switch data[i] {
		case '"':
			d.buf = buf
			return string(buf), i + 1, nil
		case '\\':
			continue
		}
		d.buf = buf
		return "", i, d.fail("Invalid control character at", i)
	}
}

// appendValidUTF8 copies b, replacing each byte that is not part of a valid
// UTF-8 sequence by U+FFFD.
func appendValidUTF8(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

func (d *decoder) object(start int) (any, int, error) {
	if d.depth >= MaxDepth {
		return nil, start, &SyntaxError{Offset: start,
			Msg: "maximum recursion depth exceeded while decoding a JSON object from a unicode string"}
	}
	d.depth++
	data := d.data
	n := len(data)
	i := SkipSpace(data, start+1)
	if i < n && data[i] == '}' {
		d.depth--
		return NewMap(0), i + 1, nil
	}
	kbase, vbase := len(d.keys), len(d.vals)
	for {
		if i >= n || data[i] != '"' {
			return nil, i, d.fail("Expecting property name enclosed in double quotes", i)
		}
		k, j, err := d.str(i + 1)
		if err != nil {
			return nil, j, err
		}
		i = SkipSpace(data, j)
		if i >= n || data[i] != ':' {
			return nil, i, d.fail("Expecting ':' delimiter", i)
		}
		i = SkipSpace(data, i+1)
		v, j, err := d.value(i)
		if err != nil {
			return nil, j, err
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
		i = SkipSpace(data, j)
		if i < n && data[i] == '}' {
			i++
			break
		}
		if i >= n || data[i] != ',' {
			return nil, i, d.fail("Expecting ',' delimiter", i)
		}
		i = SkipSpace(data, i+1)
	}
	room := 0
	if d.depth == 1 {
		room = d.room
	}
	m, dup := buildMap(d.keys[kbase:], d.vals[vbase:], d.slab, room)
	d.dup = d.dup || dup
	clear(d.keys[kbase:])
	clear(d.vals[vbase:])
	d.keys = d.keys[:kbase]
	d.vals = d.vals[:vbase]
	d.depth--
	return m, i, nil
}

func (d *decoder) array(start int) (any, int, error) {
	if d.depth >= MaxDepth {
		return nil, start, &SyntaxError{Offset: start,
			Msg: "maximum recursion depth exceeded while decoding a JSON array from a unicode string"}
	}
	d.depth++
	data := d.data
	n := len(data)
	i := SkipSpace(data, start+1)
	if i < n && data[i] == ']' {
		d.depth--
		return []any{}, i + 1, nil
	}
	vbase := len(d.vals)
	for {
		v, j, err := d.value(i)
		if err != nil {
			return nil, j, err
		}
		d.vals = append(d.vals, v)
		i = SkipSpace(data, j)
		if i < n && data[i] == ']' {
			i++
			break
		}
		if i >= n || data[i] != ',' {
			return nil, i, d.fail("Expecting ',' delimiter", i)
		}
		i = SkipSpace(data, i+1)
	}
	out := make([]any, len(d.vals)-vbase)
	copy(out, d.vals[vbase:])
	clear(d.vals[vbase:])
	d.vals = d.vals[:vbase]
	d.depth--
	return out, i, nil
}

// keySig is a cheap fingerprint that lets buildMap skip the duplicate search
// for nearly every key of an object without duplicates.
func keySig(k string) uint {
	if k == "" {
		return 0
	}
	return uint(len(k))*7 + uint(k[0]) + uint(k[len(k)-1])*3
}

// buildMap applies Python's dict semantics to the parsed pairs: a repeated
// key keeps its first position and takes its last value.
func buildMap(keys []string, vals []any, slab *Slab, room int) (*Map, bool) {
	n := len(keys)
	var m *Map
	if slab != nil {
		m = slab.mapCap(n + room)
	} else {
		m = NewMap(n + room)
	}
	m.keys = m.keys[:n]
	m.vals = m.vals[:n]
	if n > 64 {
		return fillMapLarge(m, keys, vals)
	}
	// m.sig, the fingerprints of the keys kept so far, tells when a key
	// may be a repeat
	u := 0
outer:
	for j, k := range keys {
		bit := sigBit(k)
		if m.sig&bit != 0 {
			for at := 0; at < u; at++ {
				if m.keys[at] == k {
					m.vals[at] = vals[j]
					continue outer
				}
			}
		}
		m.sig |= bit
		m.keys[u] = k
		m.vals[u] = vals[j]
		u++
	}
	m.keys = m.keys[:u]
	m.vals = m.vals[:u]
	return m, u < n
}

// fillMapLarge keeps huge objects linear; the fingerprint mask saturates.
func fillMapLarge(m *Map, keys []string, vals []any) (*Map, bool) {
	pos := make(map[string]int, len(keys))
	u := 0
	for j, k := range keys {
		if at, ok := pos[k]; ok {
			m.vals[at] = vals[j]
			continue
		}
		pos[k] = u
		m.keys[u] = k
		m.sig |= sigBit(k)
		m.vals[u] = vals[j]
		u++
	}
	m.keys = m.keys[:u]
	m.vals = m.vals[:u]
	return m, u < len(keys)
}
