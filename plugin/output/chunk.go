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
	n, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return ev, nil, err
	}
	if n != 2 {
		return ev, nil, errNotEvent
	}
	if msgp.NextType(b) == msgp.ArrayType {
		// [time, metadata]
		var m uint32
		if m, b, err = msgp.ReadArrayHeaderBytes(b); err != nil {
			return ev, nil, err
		}
		if m == 0 {
			return ev, nil, errNotEvent
		}
		if ev.time, b, err = readTime(b); err != nil {
			return ev, nil, err
		}
		for i := uint32(1); i < m; i++ {
			if b, err = msgp.Skip(b); err != nil {
				return ev, nil, err
			}
		}
	} else if ev.time, b, err = readTime(b); err != nil {
		return ev, nil, err
	}
	if msgp.NextType(b) != msgp.MapType {
		return ev, nil, fmt.Errorf("the record is a msgpack %s, not a map", msgp.NextType(b))
	}
	rest, err = walkFields(b, field)
	if err != nil {
		return ev, nil, err
	}
	ev.rec = b[:len(b)-len(rest)]
	return ev, rest, nil
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
		var key []byte
		switch msgp.NextType(b) {
		case msgp.StrType:
			key, b, err = msgp.ReadStringZC(b)
		case msgp.BinType:
			key, b, err = msgp.ReadBytesZC(b)
		default:
			b, err = msgp.Skip(b)
			if err == nil {
				b, err = msgp.Skip(b)
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		rest, err := msgp.Skip(b)
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
