package pyjson

// MapOf is the object a decoder builds from keys and values in input
// order (a repeated key keeps its first place and its last value, as a
// Python dict does), with room for that many more keys, its storage from
// s. Decoders of other encodings (a Fluent Bit record's msgpack) use it so
// that their maps are the ones Decode gives for the same JSON.
func (s *Slab) MapOf(keys []string, vals []any, room int) *Map {
	m, _ := buildMap(keys, vals, s, room)
	return m
}

// MapCap returns an empty map with room for n keys, its storage from s,
// for a decoder that knows an object's size before its keys.
func (s *Slab) MapCap(n int) *Map { return s.mapCap(n) }
