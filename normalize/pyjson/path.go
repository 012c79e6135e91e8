package pyjson

import (
	"strconv"
	"unicode/utf8"
)

// Dig follows a dotted path the way es-loader's
// value_from_nesteddict_by_dottedkey does: an all-digit part indexes a list
// (or, as Python's indexing does, picks a character of a string); anything
// missing yields nothing. A value that is None or "" counts as missing, but
// other empty values ([] or {}) are found.
func Dig(v any, path []string) (any, bool) {
	cur := v
	for _, k := range path {
		switch c := cur.(type) {
		case *Map:
			next, ok := c.Get(k)
			if !ok {
				// Python also tries an int key on a dict; JSON objects
				// never have one.
				return nil, false
			}
			cur = next
		case []any:
			i, ok := digits(k)
			if !ok || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		case string:
			i, ok := digits(k)
			if !ok {
				return nil, false
			}
			r, found := runeAt(c, i)
			if !found {
				return nil, false
			}
			cur = r
		default:
			return nil, false
		}
	}
	if cur == nil {
		return nil, false
	}
	if s, ok := cur.(string); ok && s == "" {
		return nil, false
	}
	return cur, true
}

// DigFirst returns the first alternative Dig finds (es-loader's
// value_from_nesteddict_by_dottedkeylist).
func DigFirst(v any, alternatives [][]string) (any, bool) {
	for _, p := range alternatives {
		if x, ok := Dig(v, p); ok {
			return x, true
		}
	}
	return nil, false
}

func digits(k string) (int, bool) {
	if k == "" {
		return 0, false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(k)
	return n, err == nil
}

func runeAt(s string, i int) (string, bool) {
	n := 0
	for off := 0; off < len(s); {
		_, size := utf8.DecodeRuneInString(s[off:])
		if n == i {
			return s[off : off+size], true
		}
		n++
		off += size
	}
	return "", false
}

// GetPath is Dig without es-loader's emptiness rule: the raw value at path.
func (m *Map) GetPath(path ...string) (any, bool) {
	var cur any = m
	for _, k := range path {
		c, ok := cur.(*Map)
		if !ok {
			return nil, false
		}
		if cur, ok = c.Get(k); !ok {
			return nil, false
		}
	}
	return cur, true
}

// GetString returns the value at path when it is a string.
func (m *Map) GetString(path ...string) (string, bool) {
	v, ok := m.GetPath(path...)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// SetPath writes v at path, creating (or replacing non-map values with)
// nested maps on the way, like Python's logdata['a']['b'] = v after
// setdefault calls.
func (m *Map) SetPath(v any, path ...string) {
	cur := m
	for _, k := range path[:len(path)-1] {
		cur = cur.Child(k)
	}
	cur.Set(path[len(path)-1], v)
}

// DeletePath removes the value at path if present.
func (m *Map) DeletePath(path ...string) {
	cur := m
	for _, k := range path[:len(path)-1] {
		v, ok := cur.Get(k)
		if !ok {
			return
		}
		if cur, ok = v.(*Map); !ok {
			return
		}
	}
	cur.Delete(path[len(path)-1])
}

// Merge copies src into dst recursively: maps merge, anything else in src
// replaces what dst has (es-loader's utils.merge_dicts).
func Merge(dst, src *Map) {
	for i, k := range src.keys {
		sv := src.vals[i]
		if dv, ok := dst.Get(k); ok {
			dm, dIsMap := dv.(*Map)
			sm, sIsMap := sv.(*Map)
			if dIsMap && sIsMap {
				Merge(dm, sm)
				continue
			}
		}
		dst.Set(k, sv)
	}
}

// MergeAt merges v into dst at path: a map merges with a map already there,
// anything else replaces it. It is Merge(dst, nested(path, v)) without
// building the nested map.
func MergeAt(dst *Map, v any, path []string) {
	cur := dst
	for _, k := range path[:len(path)-1] {
		cur = cur.Child(k)
	}
	last := path[len(path)-1]
	if sm, ok := v.(*Map); ok {
		if dv, ok := cur.Get(last); ok {
			if dm, ok := dv.(*Map); ok {
				Merge(dm, sm)
				return
			}
		}
	}
	cur.Set(last, v)
}

// Clone copies a value deeply (maps and lists; scalars are immutable).
func Clone(v any) any {
	switch x := v.(type) {
	case *Map:
		c := NewMap(len(x.keys))
		c.keys = c.keys[:len(x.keys)]
		c.vals = c.vals[:len(x.keys)]
		c.sig = x.sig
		copy(c.keys, x.keys)
		for i, e := range x.vals {
			c.vals[i] = Clone(e)
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = Clone(e)
		}
		return c
	}
	return v
}

// Truthy is Python's bool(v).
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err != nil || f != 0
	case int:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case *Map:
		return x.Len() > 0
	}
	return true
}
