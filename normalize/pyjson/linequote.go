package pyjson

import (
	"math/bits"
	"unsafe"
)

// LineQuoter writes JSON string literals for a line and for values cut
// from it, as a text record's document holds them: @message is the line,
// and most fields are substrings of it. The line is scanned once for bytes
// that need an escape; a substring is then plain unless one of those falls
// inside it, which is a few word operations instead of a scan per value.
// The output is AppendQuoted's, byte for byte.
type LineQuoter struct {
	line    string
	base    uintptr
	ascii   bool     // no byte >= 0x80: escapes are single bytes
	special []uint64 // bit i: line[i] needs an escape
	any     bool
}

// Reset prepares q for a new line.
func (q *LineQuoter) Reset(line string) {
	q.line = line
	q.base = uintptr(unsafe.Pointer(unsafe.StringData(line)))
	q.any = false
	q.ascii = true
	n := (len(line) + 63) / 64
	if cap(q.special) < n {
		q.special = make([]uint64, n)
	}
	q.special = q.special[:n]
	clear(q.special)
	i := 0
	for ; i+8 <= len(line); i += 8 {
		if plainBits(load64(line[i:])) != 0 {
			q.mark(i, i+8)
		}
	}
	q.mark(i, len(line))
}

func (q *LineQuoter) mark(from, to int) {
	for j := from; j < to; j++ {
		c := q.line[j]
		if c >= 0x80 {
			q.ascii = false
			return
		}
		if !jsonSafe[c] {
			q.special[j>>6] |= 1 << (j & 63)
			q.any = true
		}
	}
}

// Append appends s quoted; s need not come from the line.
func (q *LineQuoter) Append(dst []byte, s string) []byte {
	if !q.ascii || len(s) == 0 {
		return AppendQuoted(dst, s)
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	if p < q.base || p+uintptr(len(s)) > q.base+uintptr(len(q.line)) {
		return AppendQuoted(dst, s)
	}
	from := int(p - q.base)
	to := from + len(s)
	dst = append(dst, '"')
	start := from
	if q.any {
		for w := from >> 6; w<<6 < to; w++ {
			word := q.special[w]
			// keep the bits of [from, to) in this word
			if lo := from - w<<6; lo > 0 {
				word &^= 1<<lo - 1
			}
			if hi := to - w<<6; hi < 64 {
				word &= 1<<hi - 1
			}
			for word != 0 {
				j := w<<6 + bits.TrailingZeros64(word)
				word &= word - 1
				dst = append(dst, q.line[start:j]...)
				dst = appendEscapedByte(dst, q.line[j])
				start = j + 1
			}
		}
	}
	dst = append(dst, q.line[start:to]...)
	return append(dst, '"')
}
