package pyjson

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestSlabBoxing(t *testing.T) {
	var s Slab
	var vals []any
	for i := 0; i < 100; i++ {
		vals = append(vals, s.String(fmt.Sprint("value-", i)), s.Number(Number(fmt.Sprint(i*7))))
	}
	runtime.GC()
	for i := 0; i < 100; i++ {
		str, ok := vals[2*i].(string)
		if !ok || str != fmt.Sprint("value-", i) {
			t.Fatalf("slab string %d = %#v", i, vals[2*i])
		}
		n, ok := vals[2*i+1].(Number)
		if !ok || string(n) != fmt.Sprint(i*7) {
			t.Fatalf("slab number %d = %#v", i, vals[2*i+1])
		}
		if vals[2*i] != any(fmt.Sprint("value-", i)) {
			t.Fatal("a slab-boxed string must compare equal to an ordinary one")
		}
	}
	if Str(vals[1]) != "0" || string(AppendJSON(nil, []any{vals[0], vals[3]})) != `["value-0",7]` {
		t.Error("slab values must render like ordinary ones")
	}
}

func TestDecodeOwnedEqualsDecode(t *testing.T) {
	doc := []byte(`{"a": "x", "b": [1, 2.5, "é\u00e9", {"c": null, "d": true}], "e": "esc\"aped", "": ""}`)
	want, _, err := Decode(doc, 0)
	if err != nil {
		t.Fatal(err)
	}
	var s Slab
	got, n, err := DecodeOwned(append([]byte(nil), doc...), 0, &s)
	if err != nil || n != len(doc) {
		t.Fatal(err, n)
	}
	if string(AppendDumps(nil, got, false)) != string(AppendDumps(nil, want, false)) {
		t.Errorf("owned decode differs:\n%s\n%s", AppendDumps(nil, got, false), AppendDumps(nil, want, false))
	}
}

func BenchmarkDecodeOwnedCloudTrailRecord(b *testing.B) {
	data := []byte(cloudTrailRecord)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var s Slab
		own := append([]byte(nil), data...)
		if _, _, err := DecodeOwned(own, 0, &s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuoteMessage(b *testing.B) {
	v, _ := Unmarshal([]byte(cloudTrailRecord))
	msg := string(AppendDumps(nil, v, false))
	b.SetBytes(int64(len(msg)))
	var dst []byte
	for i := 0; i < b.N; i++ {
		dst = AppendQuoted(dst[:0], msg)
	}
}

// A reusing slab carves a record's values from the chunks of the record
// before: after the first round nothing is allocated, and what is carved
// after Reuse holds its own values.
func TestSlabReuse(t *testing.T) {
	var s Slab
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = string(rune('a' + i))
	}
	round := func(tag string) *Map {
		s.Reuse()
		m := s.MapCap(20)
		for i := 0; i < 20; i++ {
			c := s.Map(2)
			c.Set("k", s.String(tag))
			m.Set(keys[i], c)
		}
		return m
	}
	round("first")
	if n := testing.AllocsPerRun(50, func() { round("again") }); n != 0 {
		t.Fatalf("%v allocations a round after the first", n)
	}
	m := round("last")
	if got := string(AppendJSON(nil, m)); !strings.Contains(got, `"t":{"k":"last"}`) || strings.Contains(got, "again") {
		t.Fatalf("carved after Reuse: %s", got)
	}
}
