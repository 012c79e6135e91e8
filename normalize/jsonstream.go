package normalize

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// jsonStream reads a sequence of JSON values (NDJSON, concatenated objects,
// pretty-printed documents) from a reader without holding more than one
// value in memory, and can descend into the array under one key of a
// top-level object so that a 1 GB CloudTrail `{"Records": [...]}` object
// streams record by record.
type jsonStream struct {
	r     io.Reader
	buf   []byte
	pos   int // next unread byte in buf
	end   int // end of valid data in buf
	eof   bool
	rdErr error
	max   int
	// consumed counts bytes before buf[0], for error offsets.
	consumed int64
	// slab boxes decoded values. A value's strings share the memory of
	// its bytes: a value that lies whole in buf is decoded where it lies,
	// and buf is then never written again (aliased; fill moves on to a new
	// one); any other value decodes from its own copy.
	slab      pyjson.Slab
	aliased   bool
	noInPlace bool // always copy, never keep raw (Normalizer.noInPlace)
	// text is the text of the value next returned last, which its
	// strings share; raw is text when no object in it repeated a key (see
	// pyjson.AppendDumpsRaw), nil otherwise. Both are nil with noInPlace.
	text, raw []byte
}

var errTooLarge = errors.New("value too large")

func newJSONStream(r io.Reader, max int) *jsonStream {
	return &jsonStream{r: r, buf: make([]byte, 64<<10), max: max}
}

// fill reads more input, keeping buf[keep:] and moving it to the front.
// It returns false when it read nothing (end of input, or buf already
// holds max bytes).
func (s *jsonStream) fill(keep int) bool {
	if s.eof {
		return false
	}
	if s.aliased {
		// decoded strings point into buf: the unread rest moves to a new
		// one of the same size (so that sizes, and with them which values
		// are too large, go as they would without aliasing)
		tail := s.end - keep
		nb := make([]byte, len(s.buf))
		copy(nb, s.buf[keep:s.end])
		s.buf = nb
		s.aliased = false
		s.consumed += int64(keep)
		s.pos -= keep
		s.end = tail
	} else if keep > 0 {
		n := copy(s.buf, s.buf[keep:s.end])
		s.consumed += int64(keep)
		s.pos -= keep
		s.end = n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max+1 {
			return false
		}
		nb := make([]byte, min(len(s.buf)*2, s.max+1))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	// Fill the buffer, not just what one read brings (a gzip reader gives
	// 32 KiB at a time): each buffer is a new allocation once values were
	// decoded in place in the last one, so it should be used whole.
	got := false
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		got = got || n > 0
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rdErr = err
			}
			return got
		}
	}
	return got
}

// peek skips white space and returns the next byte, or false at the end.
func (s *jsonStream) peek() (byte, bool) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, true
			}
		}
		if !s.fill(s.pos) {
			return 0, false
		}
	}
}

// next decodes the value at the current position.
func (s *jsonStream) next() (any, error) {
	s.text, s.raw = nil, nil
	s.slab.Record() // see pyjson.Slab
	c, ok := s.peek()
	if !ok {
		if s.rdErr != nil {
			return nil, s.rdErr
		}
		return nil, errors.New("unexpected end of input, expecting a value")
	}
	if (c == '{' || c == '[') && !s.noInPlace {
		// Most records lie whole in the buffer: decoding them in place
		// spares a scan for their end and a copy. An object or array that
		// decodes is complete (unlike a number, which more input could
		// extend); one that does not — cut off by the buffer's end, or
		// invalid — takes the general route below, which gives every
		// value and error the same as it always does.
		v, n, dup, err := pyjson.DecodeOwnedDup(s.buf[s.pos:s.end], 0, &s.slab, docExtraKeys)
		if err == nil {
			s.text = s.buf[s.pos : s.pos+n]
			if !dup {
				s.raw = s.text
			}
			s.pos += n
			s.aliased = true
			return v, nil
		}
	}
	end, err := s.valueEnd()
	if err != nil {
		return nil, err
	}
	own := make([]byte, end-s.pos)
	copy(own, s.buf[s.pos:end])
	v, n, dup, derr := pyjson.DecodeOwnedDup(own, 0, &s.slab, docExtraKeys)
	if derr != nil {
		return nil, s.errAt(derr)
	}
	if !s.noInPlace {
		s.text = own[:n]
		if !dup {
			s.raw = s.text
		}
	}
	s.pos += n
	return v, nil
}

func (s *jsonStream) errAt(err error) error {
	return fmt.Errorf("invalid JSON near byte %d: %w", s.consumed+int64(s.pos), err)
}

// valueEnd finds where the value starting at s.pos ends, reading more input
// as needed. It only scans structure; Decode validates.
func (s *jsonStream) valueEnd() (int, error) {
	depth := 0
	inStr := false
	i := s.pos
	started := false
	for {
		for ; i < s.end; i++ {
			c := s.buf[i]
			if inStr {
				// jump to the next quote or backslash; an escape is
				// stepped over one at a time
				q := quoteOrBackslash(s.buf[i:s.end])
				if q < 0 {
					i = s.end
					goto refill
				}
				i += q
				if s.buf[i] == '\\' {
					i++ // at the escaped byte; the loop's i++ skips it
					if i >= s.end {
						i-- // back to the backslash once more input is in
						goto refill
					}
					continue
				}
				inStr = false
				if depth == 0 {
					return i + 1, nil
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
				started = true
			case '{', '[':
				depth++
				started = true
			case '}', ']':
				depth--
				if depth <= 0 {
					return i + 1, nil
				}
			case ' ', '\t', '\n', '\r', ',', ':':
				if depth == 0 && started {
					return i, nil
				}
			default:
				started = true
			}
		}
	refill:
		if i-s.pos >= s.max {
			return 0, errTooLarge
		}
		off := i - s.pos
		if !s.fill(s.pos) {
			if depth == 0 && !inStr && started {
				return s.end, nil
			}
			if s.rdErr != nil {
				return 0, s.rdErr
			}
			return s.end, nil // let Decode report the truncation
		}
		i = s.pos + off
	}
}

// expect consumes byte c after white space.
func (s *jsonStream) expect(c byte) error {
	got, ok := s.peek()
	if !ok {
		return fmt.Errorf("unexpected end of input, expecting %q", c)
	}
	if got != c {
		return s.errAt(fmt.Errorf("expecting %q, found %q", c, got))
	}
	s.pos++
	return nil
}

// resync skips to the byte after the next newline so that one bad line
// does not stop an NDJSON object. It reports false at the end of input.
func (s *jsonStream) resync() bool {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			s.pos++
			if c == '\n' || c == '\r' {
				return true
			}
		}
		if !s.fill(s.pos) {
			return false
		}
	}
}

// streamObject reads a top-level object member by member. Members are
// collected into a map, except the array under arrayKey, whose elements go
// to onElem one by one. streamed reports whether arrayKey was found.
func (s *jsonStream) streamObject(arrayKey string, onElem func(v any, text, raw []byte) error) (obj *pyjson.Map, streamed bool, err error) {
	if err := s.expect('{'); err != nil {
		return nil, false, err
	}
	obj = pyjson.NewMap(8)
	c, ok := s.peek()
	if !ok {
		return nil, false, errors.New("unexpected end of input inside an object")
	}
	if c == '}' {
		s.pos++
		return obj, false, nil
	}
	for {
		kv, err := s.next()
		if err != nil {
			return nil, streamed, err
		}
		key, ok := kv.(string)
		if !ok {
			return nil, streamed, s.errAt(errors.New("expecting property name enclosed in double quotes"))
		}
		if err := s.expect(':'); err != nil {
			return nil, streamed, err
		}
		c, ok := s.peek()
		if !ok {
			return nil, streamed, errors.New("unexpected end of input inside an object")
		}
		if key == arrayKey && c == '[' {
			s.pos++
			streamed = true
			if err := s.streamArray(onElem); err != nil {
				return nil, streamed, err
			}
		} else {
			v, err := s.next()
			if err != nil {
				return nil, streamed, err
			}
			obj.Set(key, v)
		}
		c, ok = s.peek()
		if !ok {
			return nil, streamed, errors.New("unexpected end of input inside an object")
		}
		s.pos++
		switch c {
		case ',':
			continue
		case '}':
			return obj, streamed, nil
		default:
			s.pos--
			return nil, streamed, s.errAt(fmt.Errorf("expecting ',' delimiter, found %q", c))
		}
	}
}

func (s *jsonStream) streamArray(onElem func(v any, text, raw []byte) error) error {
	c, ok := s.peek()
	if !ok {
		return errors.New("unexpected end of input inside an array")
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for {
		v, err := s.next()
		if err != nil {
			return err
		}
		if err := onElem(v, s.text, s.raw); err != nil {
			return err
		}
		c, ok := s.peek()
		if !ok {
			return errors.New("unexpected end of input inside an array")
		}
		s.pos++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			s.pos--
			return s.errAt(fmt.Errorf("expecting ',' delimiter, found %q", c))
		}
	}
}

// quoteOrBackslash is the index of the first '"' or '\\' in b, or -1.
// Strings in records are short and many: eight bytes per step, one pass
// for both bytes, beats two IndexByte calls per string.
func quoteOrBackslash(b []byte) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^('"'*lsb), w^('\\'*lsb)
		// the lowest flagged byte is always a true match: the trick's
		// false positives only sit above one
		if m := ((q-lsb)&^q | (bs-lsb)&^bs) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return -1
}
