package pyjson

import "unsafe"

// Boxing a string into an interface allocates a 16-byte header per value,
// and decoded log records are mostly strings: for a CloudTrail record that
// is dozens of allocations. A slab boxes many strings with one allocation
// by pointing each interface at an element of a []string, which is what
// the runtime's own boxing does with a fresh header. The layout of an
// empty interface (type word, data word) is the one Go has always had;
// TestSlabBoxing checks the result behaves as ordinary boxing.

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

var (
	stringType = typeOf("")
	numberType = typeOf(Number(""))
	quotedType = typeOf(QuotedString(""))
)

func typeOf(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

const slabChunk = 32

// Slab boxes strings in chunks. A chunk is never reused, so a value kept
// after its record is gone stays valid (it keeps its chunk alive).
//
// A chunk of maps shared by two records keeps the older one alive as long
// as the newer one is, and with it the chunks the older one uses, which it
// shares with the one before: the GC would keep every record of an object.
// A caller that hands records on calls Record between them: every
// slabRecords calls, maps come from new chunks, so that what a record
// reaches is at most its own group of records. (Strings are boxed in
// shared chunks regardless: they point at bytes only, so they chain
// nothing.)
type Slab struct {
	chunk   []string
	maps    []smallMap
	big     []Map
	keys    []string
	vals    []any
	lists   []any
	records int
	// reuse is set by the first Reuse: from then on chunks are kept in
	// pool and handed out again, instead of being left to the GC.
	reuse bool
	pool  slabPool
}

// slabPool holds a reusing slab's chunks: those carved from since the
// last Reuse, and those free to carve from again.
type slabPool struct {
	strs  chunkList[string]
	maps  chunkList[smallMap]
	big   chunkList[Map]
	keys  chunkList[string]
	vals  chunkList[any]
	lists chunkList[any]
}

type chunkList[T any] struct{ used, free [][]T }

// take returns an empty chunk of size elements: a new one for a slab that
// does not reuse, else a free one if there is.
func (c *chunkList[T]) take(reuse bool, size int) []T {
	if !reuse {
		return make([]T, 0, size)
	}
	var ch []T
	if n := len(c.free); n > 0 {
		ch, c.free = c.free[n-1][:0], c.free[:n-1]
	} else {
		ch = make([]T, 0, size)
	}
	c.used = append(c.used, ch)
	return ch
}

func (c *chunkList[T]) recycle() {
	c.free = append(c.free, c.used...)
	clear(c.used)
	c.used = c.used[:0]
}

// Reuse declares that nothing carved from s so far is reachable any more:
// its chunks are carved again from, without new allocations. A caller
// that serializes each record before it decodes the next one, and keeps
// none of its values (a stream of documents), calls it before decoding
// each record; nothing else may. Until the first call a slab never
// reuses (see Slab). Values in a chunk that is not yet carved again stay
// reachable to the GC until they are overwritten, which only delays
// freeing what they point at.
func (s *Slab) Reuse() {
	if s.reuse {
		p := &s.pool
		p.strs.recycle()
		p.maps.recycle()
		p.big.recycle()
		p.keys.recycle()
		p.vals.recycle()
		p.lists.recycle()
	}
	s.reuse = true
	s.chunk, s.maps, s.big, s.keys, s.vals, s.lists = nil, nil, nil, nil, nil, nil
}

// slabRecords is how many Record calls share chunks of maps: enough that
// the chunks' unused ends cost little, few enough that a group's records
// are little memory.
const slabRecords = 32

// Record ends a record; see Slab.
func (s *Slab) Record() {
	if s.reuse {
		return // records never outlive the next Reuse
	}
	s.records++
	if s.records%slabRecords == 0 {
		s.maps, s.big, s.keys, s.vals, s.lists = nil, nil, nil, nil, nil
	}
}

func (s *Slab) box(v string, typ unsafe.Pointer) any {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = s.pool.strs.take(s.reuse, slabChunk)
	}
	s.chunk = append(s.chunk, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ = typ
	e.data = unsafe.Pointer(&s.chunk[len(s.chunk)-1])
	return out
}

// String returns v as an interface holding a string.
func (s *Slab) String(v string) any { return s.box(v, stringType) }

// Number returns v as an interface holding a Number.
func (s *Slab) Number(v Number) any { return s.box(string(v), numberType) }

// Quoted returns v as an interface holding a QuotedString.
func (s *Slab) Quoted(v QuotedString) any { return s.box(string(v), quotedType) }

// Map returns an empty map for up to inlineCap keys, carved from a chunk of
// maps (more keys get their own allocation). Like strings, a chunk is
// never reused.
func (s *Slab) Map(n int) *Map {
	if n > inlineCap {
		return NewMap(n)
	}
	if len(s.maps) == cap(s.maps) {
		s.maps = s.pool.maps.take(s.reuse, slabChunk/2)
	}
	s.maps = append(s.maps, smallMap{})
	sm := &s.maps[len(s.maps)-1]
	sm.m.keys = sm.keys[:0:inlineCap]
	sm.m.vals = sm.vals[:0:inlineCap]
	return &sm.m
}

// Larger maps come from chunks too: the Map itself and its key and value
// storage, carved with their capacity capped so that growing one copies
// it out instead of overwriting a neighbour.
const (
	slabArena   = 512 // keys (and values) per storage chunk
	slabMaxKeys = 64  // beyond this a map gets its own allocation
)

// mapCap returns an empty map with room for n keys.
func (s *Slab) mapCap(n int) *Map {
	if n <= inlineCap {
		return s.Map(n)
	}
	if n > slabMaxKeys {
		return NewMap(n)
	}
	if len(s.big) == cap(s.big) {
		s.big = s.pool.big.take(s.reuse, slabChunk)
	}
	if cap(s.keys)-len(s.keys) < n {
		s.keys = s.pool.keys.take(s.reuse, slabArena)
		s.vals = s.pool.vals.take(s.reuse, slabArena)
	}
	s.big = append(s.big, Map{})
	m := &s.big[len(s.big)-1]
	at := len(s.keys)
	s.keys = s.keys[:at+n]
	s.vals = s.vals[:at+n]
	m.keys = s.keys[at : at : at+n]
	m.vals = s.vals[at : at : at+n]
	return m
}

// List returns a list of n nil values carved from a chunk (more than
// slabMaxKeys get their own allocation). Its capacity is n, so appending
// to it copies it out rather than overwriting a neighbour.
func (s *Slab) List(n int) []any {
	if n == 0 {
		return []any{} // empty, not nil: JSON's []
	}
	if n > slabMaxKeys {
		return make([]any, n)
	}
	if cap(s.lists)-len(s.lists) < n {
		s.lists = s.pool.lists.take(s.reuse, slabArena)
	}
	at := len(s.lists)
	s.lists = s.lists[:at+n]
	l := s.lists[at : at+n : at+n]
	clear(l) // a reused chunk holds the values of records before
	return l
}

// childCap is the room of a map ChildIn makes in a reusing slab: ECS
// objects (event, cloud, user_agent) get a handful of keys, more than a
// small map's inlineCap, and a map that grows past its room is a heap
// allocation every record, while room in a reused chunk costs nothing.
// A slab that does not reuse makes small maps: most of them stay small,
// and room would be memory kept for every record.
const childCap = 8

// ChildIn is Child with the new map taken from s.
func (m *Map) ChildIn(k string, s *Slab) *Map {
	if v, ok := m.Get(k); ok {
		if c, ok := v.(*Map); ok {
			return c
		}
	}
	var c *Map
	if s.reuse {
		c = s.mapCap(childCap)
	} else {
		c = s.Map(inlineCap)
	}
	m.Set(k, c)
	return c
}

// MergeAtIn is MergeAt with new maps taken from s.
func MergeAtIn(dst *Map, v any, path []string, s *Slab) {
	cur := dst
	for _, k := range path[:len(path)-1] {
		cur = cur.ChildIn(k, s)
	}
	MergeAt(cur, v, path[len(path)-1:])
}
