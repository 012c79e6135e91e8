package enrich

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// digDotted is pyjson.Dig over a dotted key ("source.ip", "a.0.b") without
// splitting it: enrichment reads a few configured fields from every
// document, and those reads should not allocate. Like es-loader's
// value_from_nesteddict_by_dottedkey, None and "" count as missing.
func digDotted(doc *pyjson.Map, dotted string) (any, bool) {
	var cur any = doc
	for rest := dotted; ; {
		part := rest
		i := strings.IndexByte(rest, '.')
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		}
		switch c := cur.(type) {
		case *pyjson.Map:
			v, ok := c.Get(part)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			n, ok := smallIndex(part)
			if !ok || n >= len(c) {
				return nil, false
			}
			cur = c[n]
		default:
			// a string indexed by position gives one character, which is
			// never an address or a domain worth looking up
			return nil, false
		}
		if i < 0 {
			break
		}
	}
	switch v := cur.(type) {
	case nil:
		return nil, false
	case string:
		if v == "" {
			return nil, false
		}
	case pyjson.QuotedString:
		s := v.Value()
		if s == "" {
			return nil, false
		}
		return s, true
	}
	return cur, true
}

// smallIndex parses an all-digit list index.
func smallIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// asString is a value's text when it is a JSON string.
func asString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case pyjson.QuotedString:
		return s.Value(), true
	}
	return "", false
}
