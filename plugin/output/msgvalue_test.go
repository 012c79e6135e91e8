package output

import (
	"context"
	"fmt"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/ship"
)

// roundTrip is what a record's value was before valueDecoder: its JSON,
// decoded by pyjson.
func roundTrip(v []byte) (any, error) {
	js, _, err := appendJSON(nil, v, 0)
	if err != nil {
		return nil, err
	}
	return pyjson.Unmarshal(js)
}

// checkSameValue fails unless valueDecoder gives for v exactly what the
// JSON round trip gives: both fail, or the same value (types, key order,
// Number spellings) and the same document JSON.
func checkSameValue(t *testing.T, v []byte) {
	t.Helper()
	want, werr := roundTrip(v)
	d := &valueDecoder{slab: &pyjson.Slab{}}
	got, gerr := d.record(v, normalize.RecordRoom)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("% x: round trip error %v, decoder error %v", v, werr, gerr)
	}
	if werr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("% x:\ndecoder    %s\nround trip %s", v, pyjson.AppendJSON(nil, got), pyjson.AppendJSON(nil, want))
	}
	if g, w := pyjson.AppendDumps(nil, got, false), pyjson.AppendDumps(nil, want, false); string(g) != string(w) {
		t.Fatalf("json.dumps differs:\n%s\n%s", g, w)
	}
}

// valueSeeds are msgpack values at the edges of the conversion.
func valueSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	add := func(b []byte) { seeds = append(seeds, b) }
	intf := func(v any) {
		b, err := msgp.AppendIntf(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		add(b)
	}
	intf(map[string]any{})
	intf(map[string]any{"a": []any{}, "b": map[string]any{}, "c": nil, "d": true, "e": false})
	intf(map[string]any{"i": int64(-7), "u": uint64(math.MaxUint64), "zero": 0, "small": 5, "big": int64(math.MinInt64)})
	intf(map[string]any{"f": 1.5, "e6": 1e6, "tiny": 5e-324, "negzero": math.Copysign(0, -1), "whole": 100.0, "f32": float32(0.1)})
	intf(map[string]any{"nan": math.NaN(), "inf": math.Inf(1), "ninf": math.Inf(-1)})
	intf(map[string]any{"s": "quote\" back\\ nl\n tab\t \u2028 é 😀 \x01", "bin": []byte("raw\xffbytes")})
	intf(map[string]any{"bad": "a\xffb\xc3", "nested": map[string]any{"deep": []any{1, "x", []any{map[string]any{"k": "v"}}}}})
	// a repeated key, a bin key, an int key, a map key, an array key
	b := msgp.AppendMapHeader(nil, 6)
	b = msgp.AppendString(b, "dup")
	b = msgp.AppendString(b, "first")
	b = msgp.AppendBytes(b, []byte("binkey"))
	b = msgp.AppendInt(b, 1)
	b = msgp.AppendInt(b, 42)
	b = msgp.AppendString(b, "int key")
	b = msgp.AppendMapHeader(b, 1)
	b = msgp.AppendString(b, "k")
	b = msgp.AppendNil(b)
	b = msgp.AppendString(b, "map key")
	b = msgp.AppendArrayHeader(b, 1)
	b = msgp.AppendBool(b, true)
	b = msgp.AppendString(b, "array key")
	b = msgp.AppendString(b, "dup")
	b = msgp.AppendString(b, "last")
	add(b)
	// a map past pyjson's linear size, with a repeated key
	b = msgp.AppendMapHeader(nil, 71)
	for i := 0; i < 70; i++ {
		b = msgp.AppendString(b, fmt.Sprintf("k%02d", i))
		b = msgp.AppendInt(b, i)
	}
	b = msgp.AppendString(b, "k07")
	b = msgp.AppendString(b, "again")
	add(b)
	// an extension (Fluent Bit's EventTime) and a msgp time as values
	b = msgp.AppendMapHeader(nil, 2)
	b = msgp.AppendString(b, "t")
	b = append(b, 0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 2)
	b = msgp.AppendString(b, "mt")
	b = msgp.AppendTime(b, time.Date(2024, 5, 20, 13, 20, 5, 0, time.UTC))
	add(b)
	// nesting at the limit and past it, through maps and through keys
	for _, n := range []int{100, 101} {
		b = nil
		for i := 0; i < n; i++ {
			b = msgp.AppendMapHeader(b, 1)
			b = msgp.AppendString(b, "k")
		}
		b = msgp.AppendString(b, "leaf")
		add(b)
		b = nil
		for i := 0; i < n; i++ {
			b = msgp.AppendArrayHeader(b, 1)
		}
		b = msgp.AppendInt(b, 1)
		add(b)
	}
	// damaged: a map that promises more than it has, a huge array header
	add([]byte{0x82, 0xa1, 'a', 0x01})
	add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01})
	add([]byte{0x81, 0xa5, 'a'})
	// CloudTrail records as the benchmark has them
	for _, r := range cloudTrailSamples(t) {
		intf(r)
	}
	return seeds
}

func TestValueDecoderIsTheJSONRoundTrip(t *testing.T) {
	seeds := valueSeeds(t)
	if len(seeds) < 20 {
		t.Fatalf("only %d seeds: the CloudTrail samples are missing", len(seeds))
	}
	for _, s := range seeds {
		checkSameValue(t, s)
	}
}

func FuzzValueDecoder(f *testing.F) {
	for _, s := range valueSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		checkSameValue(t, v)
	})
}

func TestIsASCII(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for at := -1; at < n; at++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = 'a' + byte(i%26)
			}
			if at >= 0 {
				b[at] = 0xc3
			}
			if got, want := isASCII(b), at < 0; got != want {
				t.Fatalf("len %d, high byte at %d: isASCII %v", n, at, got)
			}
		}
	}
}

// FuzzSkipValue holds skipValue to msgp.Skip: the same rest, and an error
// where msgp finds the value damaged (msgp's recursion limit aside).
func FuzzSkipValue(f *testing.F) {
	for _, s := range valueSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte{0xc1})
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xc9, 0, 0, 0, 2, 1, 'a', 'b', 0xc0})
	f.Add([]byte{0xd8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc3})
	f.Fuzz(func(t *testing.T, v []byte) {
		want, werr := msgp.Skip(v)
		got, gerr := skipValue(v)
		if werr == msgp.ErrRecursion {
			return
		}
		if (werr != nil) != (gerr != nil) || (werr == nil && len(got) != len(want)) {
			t.Fatalf("% x: msgp.Skip leaves %d bytes (%v), skipValue %d (%v)", v, len(want), werr, len(got), gerr)
		}
	})
}

// FuzzChunk feeds any bytes to a flush of a parsed-record section and of a
// FireLens one: no chunk may panic the plugin.
func FuzzChunk(f *testing.F) {
	f.Add(chunkOf(firelensRecord(nginxLine(1), "stdout"), map[string]any{"log": "x"}))
	f.Add(chunkOf(map[string]any{"eventVersion": "1.08", "eventTime": "2024-05-20T13:20:05Z", "n": 1.5}))
	f.Add([]byte{0x92, 0x92, 0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0x83, 0xa1, 'a'})
	for _, s := range valueSeeds(f) {
		f.Add(append([]byte{0x92, 0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 0}, s...))
	}
	o := newOutput(f, MapConfig{"Log_Type": "cloudtrail", "Output_Dir": f.TempDir(), "EC2_Metadata": "off"})
	o.dir = ship.NewBulkStream(io.Discard)
	fl := newOutput(f, MapConfig{"Log_Type": "nginx-access", "Output_Dir": f.TempDir(), "EC2_Metadata": "off"})
	fl.dir = ship.NewBulkStream(io.Discard)
	f.Fuzz(func(t *testing.T, chunk []byte) {
		for _, out := range []*Output{o, fl} {
			if c := out.Flush(context.Background(), "fuzz", chunk); c != OK && c != Retry {
				t.Fatalf("flush: %v", c)
			}
		}
	})
}
