// Package pyjson holds the JSON value model of the normalization core and
// the Python-compatible renderings es-loader's output depends on.
//
// es-loader hashes `json.dumps(record, ensure_ascii=False)` into the `_id` of
// every JSON log without a doc_id, and turns non-string scalars into text
// with Python's str(). Reproducing those byte for byte needs two things Go's
// encoding/json does not keep: the input key order of every object and the
// literal spelling of every number. Map and Number keep them.
//
// A value is one of: nil, bool, string, Number, int, int64, float64,
// []any, *Map. Number comes from decoded input; int/int64/float64 are what
// transforms write.
package pyjson

import "slices"

// Number is a JSON number as it appeared in the input. Python's json module
// reads a literal without '.', 'e' or 'E' as an int (exact, any size) and
// anything else as a float, and writes them back accordingly.
type Number string

// IsFloat reports whether Python would read the literal as a float.
func (n Number) IsFloat() bool {
	for i := 0; i < len(n); i++ {
		switch n[i] {
		case '.', 'e', 'E':
			return true
		}
	}
	return false
}

// Map is a JSON object that keeps its keys in insertion order, like a
// Python dict. Lookups are linear: log records have few keys per level and
// a slice beats a hash map there.
type Map struct {
	keys []string
	vals []any
	// sig has a bit set for every key ever stored (by keySig): a key
	// whose bit is clear is absent without scanning. Documents get most
	// of their keys added, so most lookups of new keys end here.
	sig uint64
}

// smallMap carries the storage of a map of a few keys: most nested ECS
// objects are that small, and one allocation beats three.
type smallMap struct {
	m    Map
	keys [inlineCap]string
	vals [inlineCap]any
}

const inlineCap = 4

// NewMap returns an empty map with room for n keys.
func NewMap(n int) *Map {
	if n <= inlineCap {
		s := &smallMap{}
		s.m.keys = s.keys[:0:inlineCap]
		s.m.vals = s.vals[:0:inlineCap]
		return &s.m
	}
	return &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

func sigBit(k string) uint64 { return 1 << (keySig(k) & 63) }

func (m *Map) index(k string) int {
	if m.sig&sigBit(k) == 0 {
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Len is the number of keys.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// Get returns the value under k.
func (m *Map) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if i := m.index(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// Has reports whether k is present (even with a nil value).
func (m *Map) Has(k string) bool {
	_, ok := m.Get(k)
	return ok
}

// Set stores v under k; a new key goes last, an existing one keeps its place
// (Python dict assignment semantics).
func (m *Map) Set(k string, v any) {
	if i := m.index(k); i >= 0 {
		m.vals[i] = v
		return
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	m.sig |= sigBit(k)
}

// Delete removes k, keeping the order of the others.
func (m *Map) Delete(k string) {
	i := m.index(k)
	if i < 0 {
		return
	}
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
}

// DeleteAll removes every key of keys, keeping the order of the rest, in
// one pass: deleting a dozen raw fields one by one moved the tail of a
// large document a dozen times.
func (m *Map) DeleteAll(keys []string) {
	var buf [16]int
	drop := buf[:0]
	for _, k := range keys {
		if i := m.index(k); i >= 0 {
			drop = append(drop, i)
		}
	}
	if len(drop) == 0 {
		return
	}
	slices.Sort(drop)
	w, d := drop[0], 0
	for r := drop[0]; r < len(m.keys); r++ {
		if d < len(drop) && drop[d] == r {
			for d < len(drop) && drop[d] == r { // a key listed twice
				d++
			}
			continue
		}
		m.keys[w], m.vals[w] = m.keys[r], m.vals[r]
		w++
	}
	clear(m.keys[w:])
	clear(m.vals[w:])
	m.keys, m.vals = m.keys[:w], m.vals[:w]
}

// Keys returns the keys in order. The slice must not be modified.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// At returns the i-th key and value.
func (m *Map) At(i int) (string, any) { return m.keys[i], m.vals[i] }

// SetAt replaces the i-th value.
func (m *Map) SetAt(i int, v any) { m.vals[i] = v }

// Range calls f for each key in order until f returns false.
func (m *Map) Range(f func(k string, v any) bool) {
	if m == nil {
		return
	}
	for i := range m.keys {
		if !f(m.keys[i], m.vals[i]) {
			return
		}
	}
}

// Child returns the map under k, creating it (or replacing a non-map value)
// when needed: `d.setdefault(k, {})` for nested ECS objects.
func (m *Map) Child(k string) *Map {
	if v, ok := m.Get(k); ok {
		if c, ok := v.(*Map); ok {
			return c
		}
	}
	c := NewMap(4)
	m.Set(k, c)
	return c
}

// Grow makes room for n more keys, so that a record about to receive its
// @-fields and ECS objects grows once instead of doubling repeatedly.
func (m *Map) Grow(n int) {
	if cap(m.keys)-len(m.keys) < n {
		k := make([]string, len(m.keys), len(m.keys)+n)
		copy(k, m.keys)
		m.keys = k
	}
	if cap(m.vals)-len(m.vals) < n {
		v := make([]any, len(m.vals), len(m.vals)+n)
		copy(v, m.vals)
		m.vals = v
	}
}
