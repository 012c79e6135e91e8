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
)

func typeOf(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

const slabChunk = 32

// Slab boxes strings in chunks. A chunk is never reused, so a value kept
// after its record is gone stays valid (it keeps its chunk alive).
//
// A chunk of maps shared by two records keeps the older one alive as long
// as the newer one is, and with it the chunks the older one uses, which it
// shares with the one before: the GC would keep every record of an object.
// A caller that hands records on calls Record between them, so that no
// chunk of maps holds values of two. (Strings are boxed in shared chunks
// still: they point at bytes only, so they chain nothing.)
type Slab struct {
	chunk []string
	maps  []smallMap
	big   []Map
	keys  []string
	vals  []any
	// With Record, chunks are sized by the most a record has needed:
	// carved counts what the chunks made since the last Record hold, need
	// the most of each kind one record used.
	perRecord    bool
	carved, need slabUse
}

// slabUse counts values of each kind a slab hands out in chunks of maps.
type slabUse struct{ maps, big, arena int }

// Record ends a record: maps carved next come from new chunks.
func (s *Slab) Record() {
	s.perRecord = true
	used := slabUse{
		maps:  s.carved.maps - (cap(s.maps) - len(s.maps)),
		big:   s.carved.big - (cap(s.big) - len(s.big)),
		arena: s.carved.arena - (cap(s.keys) - len(s.keys)),
	}
	s.need = slabUse{max(s.need.maps, used.maps), max(s.need.big, used.big), max(s.need.arena, used.arena)}
	s.carved = slabUse{}
	s.maps, s.big, s.keys, s.vals = nil, nil, nil, nil
}

// chunkSize is how many values of a kind a new chunk holds: def without
// Record, else what a record needs, within [least, most].
func (s *Slab) chunkSize(need, least, def, most int) int {
	if !s.perRecord {
		return def
	}
	return min(max(need, least), most)
}

func (s *Slab) box(v string, typ unsafe.Pointer) any {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]string, 0, slabChunk)
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

// Map returns an empty map for up to inlineCap keys, carved from a chunk of
// maps (more keys get their own allocation). Like strings, a chunk is
// never reused.
func (s *Slab) Map(n int) *Map {
	if n > inlineCap {
		return NewMap(n)
	}
	if len(s.maps) == cap(s.maps) {
		n := s.chunkSize(s.need.maps, 2, slabChunk/2, slabChunk)
		s.maps = make([]smallMap, 0, n)
		s.carved.maps += n
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
		c := s.chunkSize(s.need.big, 2, slabChunk, slabChunk)
		s.big = make([]Map, 0, c)
		s.carved.big += c
	}
	if cap(s.keys)-len(s.keys) < n {
		c := max(n, s.chunkSize(s.need.arena, 32, slabArena, slabArena))
		s.carved.arena += c - (cap(s.keys) - len(s.keys)) // the old tail is never used
		s.keys = make([]string, 0, c)
		s.vals = make([]any, 0, c)
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

// ChildIn is Child with the new map taken from s.
func (m *Map) ChildIn(k string, s *Slab) *Map {
	if v, ok := m.Get(k); ok {
		if c, ok := v.(*Map); ok {
			return c
		}
	}
	c := s.Map(inlineCap)
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
