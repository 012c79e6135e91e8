package pyjson

// AppendJSONClean appends m as AppendJSON would after es-loader's del_none
// has run over it, without changing m: members whose value is None, one
// of the strings "", "-", "null", "[]", an empty list, [""], or an object
// left empty by the same rule, are not written. As del_none does, objects
// directly inside a list are cleaned (and kept even when empty); nothing
// else inside a list is. Rendering and cleaning in one walk spares the
// pass that deletes the members first.
func AppendJSONClean(dst []byte, m *Map) []byte {
	dst, _ = appendClean(dst, m, 0)
	return dst
}

// appendClean writes m cleaned; empty reports that no member was kept.
func appendClean(dst []byte, m *Map, depth int) (out []byte, empty bool) {
	if depth > maxRenderDepth {
		return append(dst, "null"...), false
	}
	dst = append(dst, '{')
	first := true
	for i, k := range m.keys {
		v := m.vals[i]
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = AppendQuoted(dst, k)
		dst = append(dst, ':')
		kept := true
		switch x := v.(type) {
		case nil:
			kept = false
		case string:
			switch x {
			case "", "-", "null", "[]":
				kept = false
			default:
				dst = AppendQuoted(dst, x)
			}
		case *Map:
			var e bool
			dst, e = appendClean(dst, x, depth+1)
			kept = !e
		case []any:
			if len(x) == 0 || (len(x) == 1 && x[0] == "") {
				kept = false
				break
			}
			if depth+1 > maxRenderDepth {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '[')
			for j, e := range x {
				if j > 0 {
					dst = append(dst, ',')
				}
				if em, ok := e.(*Map); ok {
					dst, _ = appendClean(dst, em, depth+2)
				} else {
					dst = appendJSON(dst, e, depth+2)
				}
			}
			dst = append(dst, ']')
		default:
			dst = appendJSON(dst, v, depth+1)
		}
		if kept {
			first = false
		} else {
			dst = dst[:mark]
		}
	}
	return append(dst, '}'), first
}
