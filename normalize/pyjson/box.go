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
type Slab struct {
	chunk []string
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
