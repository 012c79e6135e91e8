package output

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// A record a Fluent Bit parser has split into keys reaches a json section
// as the value pyjson decodes from the record's JSON (appendJSON). Writing
// that JSON only to decode it again was a quarter of a CloudTrail record's
// cost, so valueDecoder builds the same value from the msgpack directly:
// the same strings (invalid UTF-8 replaced), the same Number spellings,
// the same maps (a repeated key keeps its first place and last value),
// the same nesting limit and errors. FuzzValueDecoder holds it to the
// JSON round trip.

// valueDecoder is reused across the records of a batch; values are boxed
// in the stream's slab, strings view the chunk (see view).
type valueDecoder struct {
	slab *pyjson.Slab
	keys []string
	vals []any
	// nums holds number spellings, carved like the slab's chunks: bytes
	// handed out are never written again.
	nums []byte
	// field, when set, sees each str or bin key of the record (depth 0)
	// and its raw value, as walkFields would show them
	field func(key, val []byte)
}

var errTooDeep = errors.New("msgpack nested deeper than 100")

// record decodes a record map, giving it room for the pipeline's keys.
func (d *valueDecoder) record(rec []byte, room int) (any, error) {
	v, _, err := d.recordRest(rec, room)
	return v, err
}

// recordRest is record that also returns what follows the record.
func (d *valueDecoder) recordRest(rec []byte, room int) (any, []byte, error) {
	v, rest, err := d.value(rec, 0, room)
	if err != nil {
		// a failed map leaves its keys and values on the stacks
		clear(d.keys)
		clear(d.vals)
		d.keys, d.vals = d.keys[:0], d.vals[:0]
	}
	return v, rest, err
}

// value decodes the msgpack value at the head of b; room is the spare
// capacity of a map there (the record's, at depth 0).
func (d *valueDecoder) value(b []byte, depth, room int) (any, []byte, error) {
	if depth > 100 {
		return nil, nil, errTooDeep
	}
	var err error
	if len(b) > 0 {
		// the headers records are mostly made of, read without msgp's
		// general decoding
		switch c := b[0]; {
		case c <= 0x7f: // positive fixint
			return d.number(strconv.AppendUint(d.numRoom(), uint64(c), 10)), b[1:], nil
		case c >= 0xa0 && c <= 0xbf && len(b) > int(c&0x1f) && isASCII(b[1:1+int(c&0x1f)]): // ASCII fixstr
			l := int(c & 0x1f)
			return d.slab.String(view(b[1 : 1+l])), b[1+l:], nil
		case c >= 0xa0 && c <= 0xbf, c == 0xd9: // fixstr, str8
			var s string
			if s, b, err = stringAt(b); err != nil {
				return nil, nil, err
			}
			return d.slab.String(s), b, nil
		case c >= 0x80 && c <= 0x8f: // fixmap
			return d.mapOf(b[1:], uint32(c&0x0f), depth, room)
		case c >= 0x90 && c <= 0x9f: // fixarray
			return d.arrayOf(b[1:], uint32(c&0x0f), depth)
		}
	}
	switch msgp.NextType(b) {
	case msgp.StrType, msgp.BinType:
		var s string
		if s, b, err = stringAt(b); err != nil {
			return nil, nil, err
		}
		return d.slab.String(s), b, nil
	case msgp.MapType:
		var n uint32
		if n, b, err = msgp.ReadMapHeaderBytes(b); err != nil {
			return nil, nil, err
		}
		return d.mapOf(b, n, depth, room)
	case msgp.ArrayType:
		var n uint32
		if n, b, err = msgp.ReadArrayHeaderBytes(b); err != nil {
			return nil, nil, err
		}
		return d.arrayOf(b, n, depth)
	case msgp.IntType:
		var i int64
		if i, b, err = msgp.ReadInt64Bytes(b); err != nil {
			return nil, nil, err
		}
		return d.number(strconv.AppendInt(d.numRoom(), i, 10)), b, nil
	case msgp.UintType:
		var u uint64
		if u, b, err = msgp.ReadUint64Bytes(b); err != nil {
			return nil, nil, err
		}
		return d.number(strconv.AppendUint(d.numRoom(), u, 10)), b, nil
	case msgp.Float32Type, msgp.Float64Type:
		var f float64
		if f, b, err = msgp.ReadFloat64Bytes(b); err != nil {
			return nil, nil, err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, b, nil
		}
		return d.number(strconv.AppendFloat(d.numRoom(), f, 'g', -1, 64)), b, nil
	case msgp.BoolType:
		var t bool
		if t, b, err = msgp.ReadBoolBytes(b); err != nil {
			return nil, nil, err
		}
		return t, b, nil
	case msgp.NilType:
		if b, err = msgp.ReadNilBytes(b); err != nil {
			return nil, nil, err
		}
		return nil, b, nil
	}
	// extensions (and anything else) are null, as appendJSON writes them
	rest, err := msgp.Skip(b)
	if err != nil {
		return nil, nil, err
	}
	return nil, rest, nil
}

// mapOf decodes a map of n pairs whose header has been read.
func (d *valueDecoder) mapOf(b []byte, n uint32, depth, room int) (any, []byte, error) {
	if n == 0 {
		return pyjson.NewMap(0), b, nil
	}
	var err error
	// A map small enough for pyjson's linear lookups is filled in place
	// (Set keeps a repeated key's first place and last value, as MapOf
	// does); a bigger one is collected first, for MapOf's hashing.
	var m *pyjson.Map
	if n <= 64 {
		m = d.slab.MapCap(int(n) + room)
	}
	kbase, vbase := len(d.keys), len(d.vals)
	for i := uint32(0); i < n; i++ {
		var k string
		var rawKey []byte // for field
		strKey := false
		if len(b) > 0 && b[0] >= 0xa0 && b[0] <= 0xbf && depth < 100 {
			// a fixstr key, nearly every key of a record
			if l := int(b[0] & 0x1f); len(b) > l && isASCII(b[1:1+l]) {
				rawKey, strKey = b[1:1+l], true
				k, b = view(rawKey), b[1+l:]
				goto value
			}
		}
		switch msgp.NextType(b) {
		case msgp.StrType, msgp.BinType:
			if depth+1 > 100 {
				return nil, nil, errTooDeep
			}
			if depth == 0 && d.field != nil {
				rawKey, strKey = stringValue(b)
			}
			if k, b, err = stringAt(b); err != nil {
				return nil, nil, err
			}
		default: // appendJSON writes such a key's JSON as the key
			var js []byte
			if js, b, err = appendJSON(nil, b, depth+1); err != nil {
				return nil, nil, err
			}
			k = string(js)
		}
	value:
		var v any
		at := b
		if v, b, err = d.value(b, depth+1, 0); err != nil {
			return nil, nil, err
		}
		if depth == 0 && d.field != nil && strKey {
			d.field(rawKey, at[:len(at)-len(b)])
		}
		if m != nil {
			m.Set(k, v)
			continue
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
	if m != nil {
		return m, b, nil
	}
	m = d.slab.MapOf(d.keys[kbase:], d.vals[vbase:], room)
	clear(d.keys[kbase:])
	clear(d.vals[vbase:])
	d.keys, d.vals = d.keys[:kbase], d.vals[:vbase]
	return m, b, nil
}

// arrayOf decodes an array of n elements whose header has been read.
func (d *valueDecoder) arrayOf(b []byte, n uint32, depth int) (any, []byte, error) {
	if uint64(n) > uint64(len(b)) { // each element takes a byte at least
		return nil, nil, msgp.ErrShortBytes
	}
	out := d.slab.List(int(n))
	var err error
	for i := range out {
		if out[i], b, err = d.value(b, depth+1, 0); err != nil {
			return nil, nil, err
		}
	}
	return out, b, nil
}

// stringAt reads a str or bin as the JSON string appendJSON writes for it
// decodes: in place, invalid UTF-8 replaced rune by rune.
func stringAt(b []byte) (string, []byte, error) {
	var s []byte
	var err error
	switch c := b[0]; {
	case c >= 0xa0 && c <= 0xbf: // fixstr
		n := int(c & 0x1f)
		if len(b) < 1+n {
			return "", nil, msgp.ErrShortBytes
		}
		s, b = b[1:1+n], b[1+n:]
	case c == 0xd9 && len(b) >= 2: // str8
		n := int(b[1])
		if len(b) < 2+n {
			return "", nil, msgp.ErrShortBytes
		}
		s, b = b[2:2+n], b[2+n:]
	case msgp.NextType(b) == msgp.StrType:
		s, b, err = msgp.ReadStringZC(b)
	default:
		s, b, err = msgp.ReadBytesZC(b)
	}
	if err != nil {
		return "", nil, err
	}
	str := view(s)
	if !isASCII(s) && !utf8.ValidString(str) {
		str = string([]rune(str))
	}
	return str, b, nil
}

// isASCII reports whether s has no byte above 0x7f, a word at a time
// (the last word overlapping the one before): utf8.ValidString goes byte
// by byte through the short strings records hold.
func isASCII(s []byte) bool {
	const high = 0x8080808080808080
	n := len(s)
	switch {
	case n >= 8:
		var acc uint64
		for i := 0; i+8 <= n; i += 8 {
			acc |= binary.LittleEndian.Uint64(s[i:])
		}
		return (acc|binary.LittleEndian.Uint64(s[n-8:]))&high == 0
	case n >= 4:
		return (binary.LittleEndian.Uint32(s)|binary.LittleEndian.Uint32(s[n-4:]))&0x80808080 == 0
	}
	var acc byte
	for _, c := range s {
		acc |= c
	}
	return acc < 0x80
}

// numRoom is the number chunk's free tail, with room for any spelling.
func (d *valueDecoder) numRoom() []byte {
	if cap(d.nums)-len(d.nums) < 32 {
		d.nums = make([]byte, 0, 2048)
	}
	return d.nums[len(d.nums):]
}

// number boxes the spelling just appended at the chunk's tail.
func (d *valueDecoder) number(spelled []byte) any {
	d.nums = d.nums[:len(d.nums)+len(spelled)]
	return d.slab.Number(pyjson.Number(unsafe.String(&spelled[0], len(spelled))))
}
