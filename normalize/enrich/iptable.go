package enrich

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// An address table answers "which ranges contain this address" for one
// address family in time that does not depend on how many ranges there
// are. The ranges (which may nest and overlap) cut the address space into
// elementary segments, each covered by one fixed set of ranges; the table
// keeps the segments' first addresses sorted and a direct index on the
// addresses' leading bits, so a lookup is one index read and a binary
// search over the few segments of one bucket. That is the cost of a
// multibit radix trie without its pointer chasing, and memory stays at
// two small words per segment.

// tableKey is an address of the family a table covers.
type tableKey[K any] interface {
	comparable
	less(K) bool
	next() (K, bool)
	top(n uint) uint32
}

// addr4 is an IPv4 address as an integer.
type addr4 uint32

func (a addr4) less(b addr4) bool { return a < b }
func (a addr4) next() (addr4, bool) {
	return a + 1, a != ^addr4(0)
}
func (a addr4) top(n uint) uint32 { return uint32(a) >> (32 - n) }

// keyRange is one range of the table's input; id is its position in load
// order.
type keyRange[K any] struct {
	first, last K
	id          uint32
}

const (
	noSet      = 0
	singleFlag = 1 << 31
)

type addrTable[K tableKey[K]] struct {
	starts []K      // each segment's first address, ascending; starts[0] is the family's first address
	refs   []uint32 // each segment's set: noSet, singleFlag|id, or 1+offset of [n, ids...] in sets
	sets   []uint32
	index  []uint32 // per bucket of leading bits: the last segment starting at or before the bucket
	bits   uint
}

// buildTable makes the table of ranges. A set lists its ranges with the
// highest first address first, and among equal ones the latest loaded
// first: the order in which es-loader's query (ORDER BY network_start
// DESC over an index) returns its rows.
func buildTable[K tableKey[K]](ranges []keyRange[K], zero K, fromTop func(b uint32, n uint) K) *addrTable[K] {
	t := &addrTable[K]{
		starts: make([]K, 0, 2*len(ranges)+1),
		refs:   make([]uint32, 0, 2*len(ranges)+1),
	}
	byFirst := slices.Clone(ranges)
	slices.SortFunc(byFirst, func(a, b keyRange[K]) int { return cmpKey(a.first, b.first) })
	byLast := slices.Clone(ranges)
	slices.SortFunc(byLast, func(a, b keyRange[K]) int { return cmpKey(a.last, b.last) })
	maxID := uint32(0)
	for _, r := range ranges {
		maxID = max(maxID, r.id)
	}
	var firstOf []K
	if len(ranges) > 0 {
		firstOf = make([]K, maxID+1)
		for _, r := range ranges {
			firstOf[r.id] = r.first
		}
	}
	setOrder := func(a, b uint32) int {
		if c := cmpKey(firstOf[b], firstOf[a]); c != 0 {
			return c
		}
		return int(b) - int(a)
	}

	var active, prev, scratch []uint32
	interned := map[string]uint32{}
	emit := func(at K) {
		scratch = append(scratch[:0], active...)
		if len(scratch) > 1 {
			slices.SortFunc(scratch, setOrder)
		}
		if len(t.starts) > 0 && slices.Equal(scratch, prev) {
			return // same set as the segment before: it simply continues
		}
		prev = append(prev[:0], scratch...)
		var ref uint32
		switch len(scratch) {
		case 0:
			ref = noSet
		case 1:
			ref = singleFlag | scratch[0]
		default:
			key := setKey(scratch)
			var ok bool
			if ref, ok = interned[key]; !ok {
				ref = uint32(len(t.sets)) + 1
				t.sets = append(t.sets, uint32(len(scratch)))
				t.sets = append(t.sets, scratch...)
				interned[key] = ref
			}
		}
		t.starts = append(t.starts, at)
		t.refs = append(t.refs, ref)
	}

	// Sweep the boundaries in address order: a range enters at its first
	// address and leaves just after its last.
	si, ei := 0, 0
	if len(byFirst) == 0 || byFirst[0].first != zero {
		emit(zero)
	}
	for si < len(byFirst) || ei < len(byLast) {
		// the next boundary: the smallest of the next start and the
		// address after the next end
		var at K
		haveEnd := false
		var endAt K
		for ei < len(byLast) {
			n, ok := byLast[ei].last.next()
			if !ok {
				// ends at the family's last address: never leaves
				ei++
				continue
			}
			endAt, haveEnd = n, true
			break
		}
		switch {
		case si < len(byFirst) && haveEnd:
			at = byFirst[si].first
			if endAt.less(at) {
				at = endAt
			}
		case si < len(byFirst):
			at = byFirst[si].first
		case haveEnd:
			at = endAt
		default:
			continue // only never-ending ranges were left
		}
		for ei < len(byLast) {
			n, ok := byLast[ei].last.next()
			if ok && n != at {
				break
			}
			if ok {
				active = removeID(active, byLast[ei].id)
			}
			ei++
		}
		for si < len(byFirst) && byFirst[si].first == at {
			active = append(active, byFirst[si].id)
			si++
		}
		emit(at)
	}

	// the direct index over the leading address bits
	t.bits = min(max(uint(bits.Len(uint(len(t.starts)))), 8), 20)
	t.index = make([]uint32, 1<<t.bits)
	seg := 0
	for b := range t.index {
		bucketStart := fromTop(uint32(b), t.bits)
		for seg+1 < len(t.starts) && !bucketStart.less(t.starts[seg+1]) {
			seg++
		}
		t.index[b] = uint32(seg)
	}
	return t
}

func cmpKey[K tableKey[K]](a, b K) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

func removeID(s []uint32, id uint32) []uint32 {
	for i, v := range s {
		if v == id {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

func setKey(ids []uint32) string {
	b := make([]byte, 4*len(ids))
	for i, id := range ids {
		binary.LittleEndian.PutUint32(b[4*i:], id)
	}
	return string(b)
}

// find returns the set reference of the segment holding k.
func (t *addrTable[K]) find(k K) uint32 {
	b := k.top(t.bits)
	lo := int(t.index[b])
	hi := len(t.starts) - 1
	if int(b)+1 < len(t.index) {
		hi = int(t.index[b+1])
	}
	// the last segment in [lo, hi] starting at or before k
	for lo < hi {
		mid := int(uint(lo+hi+1) >> 1)
		if k.less(t.starts[mid]) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return t.refs[lo]
}

// appendMembers appends the ranges of set ref to dst.
func (t *addrTable[K]) appendMembers(dst []uint32, ref uint32) []uint32 {
	switch {
	case ref == noSet:
		return dst
	case ref&singleFlag != 0:
		return append(dst, ref&^singleFlag)
	}
	off := ref - 1
	n := t.sets[off]
	return append(dst, t.sets[off+1:off+1+n]...)
}

// segments is how many elementary segments the table holds.
func (t *addrTable[K]) segments() int { return len(t.starts) }

func fromTop4(b uint32, n uint) addr4 { return addr4(b << (32 - n)) }

func fromTop6(b uint32, n uint) u128 { return u128{hi: uint64(b) << (64 - n)} }
