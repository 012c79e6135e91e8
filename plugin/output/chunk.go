package output

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// A Fluent Bit chunk is a run of msgpack events. Since Fluent Bit 2.1 an
// event is [[time, metadata], record]; before, [time, record]. The time is
// the EventTime extension (type 0: seconds and nanoseconds, big endian),
// or an integer or float of seconds from older inputs. Records are maps
// whose keys and string values arrive as msgpack str or, from some
// inputs, bin.

// event is one record of a chunk; rec is the msgpack map, read in place.
type event struct {
	time time.Time
	rec  []byte
}

var errNotEvent = errors.New("not a Fluent Bit event ([time, record])")

// nextEvent reads the event at the head of b, calling field (when not
// nil) with each key and raw value of its record (see eachField): one
// walk over the record finds its fields and its end.
func nextEvent(b []byte, field func(key, val []byte)) (ev event, rest []byte, err error) {
	if ev.time, b, err = eventHead(b); err != nil {
		return ev, nil, err
	}
	rest, err = walkFields(b, field)
	if err != nil {
		return ev, nil, err
	}
	ev.rec = b[:len(b)-len(rest)]
	return ev, rest, nil
}

// eventHead reads an event up to its record: the time, and b from the
// record map on.
func eventHead(b []byte) (t time.Time, rec []byte, err error) {
	var ev event
	n, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return ev.time, nil, err
	}
	if n != 2 {
		return ev.time, nil, errNotEvent
	}
	if msgp.NextType(b) == msgp.ArrayType {
		// [time, metadata]
		var m uint32
		if m, b, err = msgp.ReadArrayHeaderBytes(b); err != nil {
			return ev.time, nil, err
		}
		if m == 0 {
			return ev.time, nil, errNotEvent
		}
		if ev.time, b, err = readTime(b); err != nil {
			return ev.time, nil, err
		}
		for i := uint32(1); i < m; i++ {
			if b, err = msgp.Skip(b); err != nil {
				return ev.time, nil, err
			}
		}
	} else if ev.time, b, err = readTime(b); err != nil {
		return ev.time, nil, err
	}
	if msgp.NextType(b) != msgp.MapType {
		return ev.time, nil, fmt.Errorf("the record is a msgpack %s, not a map", msgp.NextType(b))
	}
	return ev.time, b, nil
}

func readTime(b []byte) (time.Time, []byte, error) {
	if len(b) >= 10 && b[0] == 0xd7 && b[1] == 0 { // fixext8, type 0
		sec := binary.BigEndian.Uint32(b[2:])
		nsec := binary.BigEndian.Uint32(b[6:])
		return time.Unix(int64(sec), int64(nsec)), b[10:], nil
	}
	switch msgp.NextType(b) {
	case msgp.IntType, msgp.UintType:
		s, rest, err := msgp.ReadInt64Bytes(b)
		return time.Unix(s, 0), rest, err
	case msgp.Float64Type, msgp.Float32Type:
		f, rest, err := msgp.ReadFloat64Bytes(b)
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), rest, err
	case msgp.ExtensionType:
		t, rest, err := msgp.ReadTimeBytes(b)
		return t, rest, err
	}
	return time.Time{}, nil, fmt.Errorf("event time is a msgpack %s", msgp.NextType(b))
}

// eachField calls fn with each key and raw value of the record map.
// Keys that are neither str nor bin are skipped.
func eachField(rec []byte, fn func(key, val []byte)) error {
	_, err := walkFields(rec, fn)
	return err
}

// walkFields is eachField that returns what follows the map; fn may be nil.
func walkFields(rec []byte, fn func(key, val []byte)) ([]byte, error) {
	n, b, err := msgp.ReadMapHeaderBytes(rec)
	if err != nil {
		return nil, err
	}
	for i := uint32(0); i < n; i++ {
		if len(b) == 0 {
			return nil, msgp.ErrShortBytes
		}
		var key []byte
		switch c := b[0]; {
		case c >= 0xa0 && c <= 0xbf && len(b) > int(c&0x1f): // fixstr
			key, b = b[1:1+int(c&0x1f)], b[1+int(c&0x1f):]
		case msgp.NextType(b) == msgp.StrType:
			key, b, err = msgp.ReadStringZC(b)
		case msgp.NextType(b) == msgp.BinType:
			key, b, err = msgp.ReadBytesZC(b)
		default:
			b, err = skipValue(b)
			if err == nil {
				b, err = skipValue(b)
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		rest, err := skipValue(b)
		if err != nil {
			return nil, err
		}
		if fn != nil {
			fn(key, b[:len(b)-len(rest)])
		}
		b = rest
	}
	return b, nil
}

// stringValue is a str or bin value's bytes, in place.
func stringValue(v []byte) ([]byte, bool) {
	switch msgp.NextType(v) {
	case msgp.StrType:
		s, _, err := msgp.ReadStringZC(v)
		return s, err == nil
	case msgp.BinType:
		s, _, err := msgp.ReadBytesZC(v)
		return s, err == nil
	}
	return nil, false
}

// view is a string over b without a copy. The chunk the plugin decodes is
// Go memory that lives while anything refers to it, so strings viewed in
// it stay valid wherever the normalizer keeps them.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// appendJSON writes one msgpack value as JSON: str and bin as strings
// (invalid UTF-8 replaced), maps with string keys, extensions and
// non-finite floats as null.
func appendJSON(dst, v []byte, depth int) ([]byte, []byte, error) {
	if depth > 100 {
		return dst, nil, errors.New("msgpack nested deeper than 100")
	}
	var err error
	switch msgp.NextType(v) {
	case msgp.StrType, msgp.BinType:
		var s []byte
		if msgp.NextType(v) == msgp.StrType {
			s, v, err = msgp.ReadStringZC(v)
		} else {
			s, v, err = msgp.ReadBytesZC(v)
		}
		if err != nil {
			return dst, nil, err
		}
		str := view(s)
		if !utf8.ValidString(str) {
			str = string([]rune(str))
		}
		return pyjson.AppendQuoted(dst, str), v, nil
	case msgp.MapType:
		var n uint32
		if n, v, err = msgp.ReadMapHeaderBytes(v); err != nil {
			return dst, nil, err
		}
		dst = append(dst, '{')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			switch msgp.NextType(v) {
			case msgp.StrType, msgp.BinType:
				if dst, v, err = appendJSON(dst, v, depth+1); err != nil {
					return dst, nil, err
				}
			default: // a JSON key must be a string: write the key's JSON as one
				var k []byte
				if k, v, err = appendJSON(nil, v, depth+1); err != nil {
					return dst, nil, err
				}
				dst = pyjson.AppendQuoted(dst, string(k))
			}
			dst = append(dst, ':')
			if dst, v, err = appendJSON(dst, v, depth+1); err != nil {
				return dst, nil, err
			}
		}
		return append(dst, '}'), v, nil
	case msgp.ArrayType:
		var n uint32
		if n, v, err = msgp.ReadArrayHeaderBytes(v); err != nil {
			return dst, nil, err
		}
		dst = append(dst, '[')
		for i := uint32(0); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, v, err = appendJSON(dst, v, depth+1); err != nil {
				return dst, nil, err
			}
		}
		return append(dst, ']'), v, nil
	case msgp.IntType:
		var i int64
		i, v, err = msgp.ReadInt64Bytes(v)
		return strconv.AppendInt(dst, i, 10), v, err
	case msgp.UintType:
		var u uint64
		u, v, err = msgp.ReadUint64Bytes(v)
		return strconv.AppendUint(dst, u, 10), v, err
	case msgp.Float32Type, msgp.Float64Type:
		var f float64
		f, v, err = msgp.ReadFloat64Bytes(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...), v, err
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64), v, err
	case msgp.BoolType:
		var t bool
		t, v, err = msgp.ReadBoolBytes(v)
		return strconv.AppendBool(dst, t), v, err
	case msgp.NilType:
		v, err = msgp.ReadNilBytes(v)
		return append(dst, "null"...), v, err
	}
	rest, err := msgp.Skip(v)
	return append(dst, "null"...), rest, err
}

// skipValue is msgp.Skip without its recursion: it counts the values still
// to pass, so that a walk over a record's fields costs a few instructions
// per nested value. It returns what follows the value at the head of b.
func skipValue(b []byte) ([]byte, error) {
	pending := uint64(1)
	for pending > 0 {
		if len(b) == 0 {
			return nil, msgp.ErrShortBytes
		}
		pending--
		c := b[0]
		var size uint64 // the value's bytes, without those of its elements
		switch {
		case c <= 0x7f || c >= 0xe0: // fixints
			size = 1
		case c <= 0x8f: // fixmap
			size, pending = 1, pending+2*uint64(c&0x0f)
		case c <= 0x9f: // fixarray
			size, pending = 1, pending+uint64(c&0x0f)
		case c <= 0xbf: // fixstr
			size = 1 + uint64(c&0x1f)
		default:
			head := msgpHead[c-0xc0]
			if head.n == 0 { // 0xc1, never used
				return nil, msgp.InvalidPrefixError(c)
			}
			if uint64(len(b)) < uint64(head.n) {
				return nil, msgp.ErrShortBytes
			}
			var count uint64 // the length field
			switch head.width {
			case 1:
				count = uint64(b[1])
			case 2:
				count = uint64(binary.BigEndian.Uint16(b[1:]))
			case 4:
				count = uint64(binary.BigEndian.Uint32(b[1:]))
			}
			size = uint64(head.n)
			switch head.kind {
			case headBytes:
				size += count
			case headArray:
				pending += count
			case headMap:
				pending += 2 * count
			}
		}
		if uint64(len(b)) < size {
			return nil, msgp.ErrShortBytes
		}
		b = b[size:]
	}
	return b, nil
}

// msgpHeader is the shape of a value with a 0xc0-0xdf prefix: n bytes of
// header (prefix, length field of width bytes, an extension's type) and
// what the length counts.
type msgpHeader struct {
	n, width uint8
	kind     uint8
}

const (
	headFixed = iota // n is the whole value
	headBytes        // payload bytes follow the header
	headArray        // elements follow
	headMap          // key-value pairs follow
)

var msgpHead = [32]msgpHeader{
	0xc0 - 0xc0: {1, 0, headFixed}, 0xc2 - 0xc0: {1, 0, headFixed}, 0xc3 - 0xc0: {1, 0, headFixed},
	0xc4 - 0xc0: {2, 1, headBytes}, 0xc5 - 0xc0: {3, 2, headBytes}, 0xc6 - 0xc0: {5, 4, headBytes}, // bin
	0xc7 - 0xc0: {3, 1, headBytes}, 0xc8 - 0xc0: {4, 2, headBytes}, 0xc9 - 0xc0: {6, 4, headBytes}, // ext
	0xca - 0xc0: {5, 0, headFixed}, 0xcb - 0xc0: {9, 0, headFixed}, // floats
	0xcc - 0xc0: {2, 0, headFixed}, 0xcd - 0xc0: {3, 0, headFixed}, 0xce - 0xc0: {5, 0, headFixed}, 0xcf - 0xc0: {9, 0, headFixed},
	0xd0 - 0xc0: {2, 0, headFixed}, 0xd1 - 0xc0: {3, 0, headFixed}, 0xd2 - 0xc0: {5, 0, headFixed}, 0xd3 - 0xc0: {9, 0, headFixed},
	0xd4 - 0xc0: {3, 0, headFixed}, 0xd5 - 0xc0: {4, 0, headFixed}, 0xd6 - 0xc0: {6, 0, headFixed}, 0xd7 - 0xc0: {10, 0, headFixed}, 0xd8 - 0xc0: {18, 0, headFixed},
	0xd9 - 0xc0: {2, 1, headBytes}, 0xda - 0xc0: {3, 2, headBytes}, 0xdb - 0xc0: {5, 4, headBytes}, // str
	0xdc - 0xc0: {3, 2, headArray}, 0xdd - 0xc0: {5, 4, headArray},
	0xde - 0xc0: {3, 2, headMap}, 0xdf - 0xc0: {5, 4, headMap},
}
