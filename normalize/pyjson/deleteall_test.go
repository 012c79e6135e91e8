package pyjson

import (
	"strings"
	"testing"
)

func TestDeleteAllKeepsOrder(t *testing.T) {
	for _, tc := range []struct {
		keys, del []string
		want      string
	}{
		{[]string{"a", "b", "c", "d", "e"}, []string{"d", "b", "x", "b"}, "a,c,e"},
		{[]string{"a", "b"}, []string{"a", "b"}, ""},
		{[]string{"a", "b"}, nil, "a,b"},
		{[]string{"a", "b", "c"}, []string{"c"}, "a,b"},
	} {
		m := NewMap(len(tc.keys))
		for i, k := range tc.keys {
			m.Set(k, i)
		}
		m.DeleteAll(tc.del)
		if got := strings.Join(m.Keys(), ","); got != tc.want {
			t.Errorf("%v - %v = %q, want %q", tc.keys, tc.del, got, tc.want)
		}
		for _, k := range m.Keys() {
			if v, _ := m.Get(k); tc.keys[v.(int)] != k {
				t.Errorf("%s holds %v", k, v)
			}
		}
	}
}
