package pyjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// obj builds a Map from alternating keys and values.
func obj(kv ...any) *Map {
	m := NewMap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

func arr(v ...any) []any { return v }

// equal compares values exactly, key order included.
func equal(a, b any) bool {
	switch x := a.(type) {
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := 0; i < x.Len(); i++ {
			k1, v1 := x.At(i)
			k2, v2 := y.At(i)
			if k1 != k2 || !equal(v1, v2) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func show(v any) string { return string(AppendDumps(nil, v, true)) }

func TestDecodeValues(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{`true`, true},
		{`false`, false},
		{`0`, Number("0")},
		{`-0`, Number("-0")},
		{`7`, Number("7")},
		{`-12`, Number("-12")},
		{`123456789012345678901234567890`, Number("123456789012345678901234567890")},
		{`2.50`, Number("2.50")},
		{`1E5`, Number("1E5")},
		{`-1.5e-07`, Number("-1.5e-07")},
		{`1e+300`, Number("1e+300")},
		{`NaN`, Number("NaN")},
		{`Infinity`, Number("Infinity")},
		{`-Infinity`, Number("-Infinity")},
		{`""`, ""},
		{`"abc"`, "abc"},
		{`"é日本"`, "é日本"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u00e9\u00E9"`, "éé"},
		{`"\u0000"`, "\x00"},
		{`"a\u0041b"`, "aAb"},
		{`"\ud83d\ude00"`, "😀"},
		{`"x\ud83d\ude00y"`, "x😀y"},
		// Lone surrogates: Python keeps them, a Go string cannot.
		{`"\ud800"`, "\uFFFD"},
		{`"\udc00"`, "\uFFFD"},
		{`"\ud800x"`, "\uFFFDx"},
		{`"\ud800\u0041"`, "\uFFFDA"},
		{`"\ud800\ud800\udc00"`, "\uFFFD𐀀"},
		{"\"\x7f\"", "\x7f"},
		{"\"a\xffb\"", "a\uFFFDb"},
		{"\"\\n\xff\"", "\n\uFFFD"},
		{`[]`, arr()},
		{`[ ]`, arr()},
		{`[1,"a",null,[true]]`, arr(Number("1"), "a", nil, arr(true))},
		{"[ 1 ,\n\t2 ]", arr(Number("1"), Number("2"))},
		{`{}`, obj()},
		{"{ \n}", obj()},
		{`{"b":1,"a":{"c":[]}}`, obj("b", Number("1"), "a", obj("c", arr()))},
		{`{ "a" : 1 , "b" : 2 }`, obj("a", Number("1"), "b", Number("2"))},
		// Python dict semantics: first position, last value.
		{`{"a":1,"b":2,"a":3}`, obj("a", Number("3"), "b", Number("2"))},
		{`{"a":1,"a":2,"a":{"x":1}}`, obj("a", obj("x", Number("1")))},
		{`{"\u0061":1,"a":2}`, obj("a", Number("2"))},
	}
	for _, tt := range tests {
		got, err := Unmarshal([]byte(tt.in))
		if err != nil {
			t.Errorf("Unmarshal(%q): %v", tt.in, err)
			continue
		}
		if !equal(got, tt.want) {
			t.Errorf("Unmarshal(%q) = %s, want %s", tt.in, show(got), show(tt.want))
		}
	}
}

func TestDecodeManyKeysAndDuplicates(t *testing.T) {
	// Past the size where buildMap switches strategy.
	var sb strings.Builder
	sb.WriteString("{")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&sb, `"k%d":%d,`, i%150, i)
	}
	sb.WriteString(`"last":true}`)
	v, err := Unmarshal([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(*Map)
	if m.Len() != 151 {
		t.Fatalf("len = %d, want 151", m.Len())
	}
	for i := 0; i < 150; i++ {
		k, val := m.At(i)
		want := i
		if i < 50 {
			want = i + 150
		}
		if k != fmt.Sprintf("k%d", i) || val != Number(fmt.Sprint(want)) {
			t.Fatalf("At(%d) = %s %v", i, k, val)
		}
	}
	// Small objects with colliding fingerprints.
	v, err = Unmarshal([]byte(`{"ab":1,"ba":2,"aab":3,"ab":4,"ba":5}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := show(v); got != `{"ab": 4, "ba": 5, "aab": 3}` {
		t.Fatalf("got %s", got)
	}
}

func TestRawDecodeConcatenated(t *testing.T) {
	for _, in := range []string{`{"a":1}{"b":2}`, "{\"a\":1} {\"b\":2}\n", " \r\n{\"a\":1}\n\n{\"b\":2}  "} {
		data := []byte(in)
		var got []string
		pos := SkipSpace(data, 0)
		for pos < len(data) {
			v, next, err := Decode(data, pos)
			if err != nil {
				t.Fatalf("%q at %d: %v", in, pos, err)
			}
			if next <= pos {
				t.Fatalf("no progress")
			}
			got = append(got, show(v))
			pos = SkipSpace(data, next)
		}
		if strings.Join(got, "|") != `{"a": 1}|{"b": 2}` {
			t.Errorf("%q: %v", in, got)
		}
	}
	data := []byte(`{"a":1}{"b":2}`)
	_, next, err := Decode(data, 0)
	if err != nil || next != 7 {
		t.Fatalf("first: next=%d err=%v", next, err)
	}
	_, next, err = Decode(data, 7)
	if err != nil || next != 14 {
		t.Fatalf("second: next=%d err=%v", next, err)
	}
	// raw_decode does not skip leading whitespace itself.
	if _, _, err := Decode([]byte(` 1`), 0); err == nil {
		t.Fatal("leading space accepted")
	}
	// Trailing bytes are the caller's business.
	v, next, err := Decode([]byte(`12abc`), 0)
	if err != nil || next != 2 || v != Number("12") {
		t.Fatalf("got %v %d %v", v, next, err)
	}
	v, next, err = Decode([]byte(`[1, 2] tail`), 0)
	if err != nil || next != 6 || show(v) != "[1, 2]" {
		t.Fatalf("got %v %d %v", v, next, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	// Messages and positions as CPython 3.11's json.loads reports them.
	tests := []struct {
		in  string
		msg string
		off int
	}{
		{``, "Expecting value", 0},
		{` `, "Expecting value", 1},
		{`x`, "Expecting value", 0},
		{`'a'`, "Expecting value", 0},
		{`tru`, "Expecting value", 0},
		{`nul`, "Expecting value", 0},
		{`nan`, "Expecting value", 0},
		{`-`, "Expecting value", 0},
		{`-x`, "Expecting value", 0},
		{`-Inf`, "Expecting value", 0},
		{`+1`, "Expecting value", 0},
		{`.5`, "Expecting value", 0},
		{`01`, "Extra data", 1},
		{`1.`, "Extra data", 1},
		{`1.e5`, "Extra data", 1},
		{`1e`, "Extra data", 1},
		{`1e+`, "Extra data", 1},
		{`1 2`, "Extra data", 2},
		{`[1]]`, "Extra data", 3},
		{`{"a":1} x`, "Extra data", 8},
		{`{`, "Expecting property name enclosed in double quotes", 1},
		{`{ `, "Expecting property name enclosed in double quotes", 2},
		{`{1:2}`, "Expecting property name enclosed in double quotes", 1},
		{`{'a':2}`, "Expecting property name enclosed in double quotes", 1},
		{`{"a":1,}`, "Expecting property name enclosed in double quotes", 7},
		{`{"a":1,`, "Expecting property name enclosed in double quotes", 7},
		{`{"a"`, "Expecting ':' delimiter", 4},
		{`{"a" 1}`, "Expecting ':' delimiter", 5},
		{`{"a":`, "Expecting value", 5},
		{`{"a":}`, "Expecting value", 5},
		{`{"a":1`, "Expecting ',' delimiter", 6},
		{`{"a":1 "b":2}`, "Expecting ',' delimiter", 7},
		{`[`, "Expecting value", 1},
		{`[1,]`, "Expecting value", 3},
		{`[1`, "Expecting ',' delimiter", 2},
		{`[1 2]`, "Expecting ',' delimiter", 3},
		{`[1,2`, "Expecting ',' delimiter", 4},
		{`"abc`, "Unterminated string starting at", 0},
		{`["abc`, "Unterminated string starting at", 1},
		{`{"abc`, "Unterminated string starting at", 1},
		{`"a\`, "Unterminated string starting at", 0},
		{`"a\n`, "Unterminated string starting at", 0},
		{`"\x"`, "Invalid \\escape", 1},
		{`"ab\'"`, "Invalid \\escape", 3},
		{`"\u12"`, "Invalid \\uXXXX escape", 2},
		{`"\u12zz"`, "Invalid \\uXXXX escape", 2},
		{`"\u1234`, "Invalid \\uXXXX escape", 2},
		{`"\ud800\uzzzz"`, "Invalid \\uXXXX escape", 8},
		{"\"a\tb\"", "Invalid control character at", 2},
		{"\"a\nb\"", "Invalid control character at", 2},
		{"\"\\n\x01\"", "Invalid control character at", 3},
		{"\"\x00\"", "Invalid control character at", 1},
	}
	for _, tt := range tests {
		_, err := Unmarshal([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Unmarshal(%q) err = %v, want %s", tt.in, err, tt.msg)
			continue
		}
		if se.Msg != tt.msg || se.Offset != tt.off {
			t.Errorf("Unmarshal(%q) = %q at %d, want %q at %d", tt.in, se.Msg, se.Offset, tt.msg, tt.off)
		}
	}
}

func TestSyntaxErrorText(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "Expecting value: line 1 column 1 (char 0)"},
		{"[1,\n2,]", "Expecting value: line 2 column 3 (char 6)"},
		{`{"é":1 x`, "Expecting ',' delimiter: line 1 column 8 (char 7)"},
		{"\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"},
		{`{"a":1}{}`, "Extra data: line 1 column 8 (char 7)"},
	}
	for _, tt := range tests {
		_, err := Unmarshal([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Unmarshal(%q) err = %v, want %s", tt.in, err, tt.want)
		}
	}
	if _, _, err := Decode([]byte(`1`), -1); err == nil || err.Error() != "idx cannot be negative" {
		t.Errorf("negative pos: %v", err)
	}
	if _, _, err := Decode([]byte(`1`), 5); err == nil || err.Error() != "Expecting value: line 1 column 6 (char 5)" {
		t.Errorf("pos past end: %v", err)
	}
}

func TestDecodeLimits(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Unmarshal([]byte(deep)); err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	for _, open := range []string{"[", `{"a":`} {
		tooDeep := strings.Repeat(open, MaxDepth+1)
		_, err := Unmarshal([]byte(tooDeep))
		if err == nil || !strings.HasPrefix(err.Error(), "maximum recursion depth exceeded while decoding a JSON ") {
			t.Errorf("%q nesting: %v", open, err)
		}
	}
	// Python 3.11's int_max_str_digits.
	if _, err := Unmarshal([]byte(strings.Repeat("9", 4300))); err != nil {
		t.Errorf("4300 digits: %v", err)
	}
	_, err := Unmarshal([]byte("-" + strings.Repeat("9", 4301)))
	if want := "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; " +
		"use sys.set_int_max_str_digits() to increase the limit"; err == nil || err.Error() != want {
		t.Errorf("4301 digits: %v", err)
	}
	// Floats have no such limit.
	if _, err := Unmarshal([]byte(strings.Repeat("9", 5000) + ".5")); err != nil {
		t.Errorf("long float: %v", err)
	}
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	data := []byte(`{"key":"value","n":12}`)
	v, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	if got := show(v); got != `{"key": "value", "n": 12}` {
		t.Fatalf("decoded value changed with its input: %s", got)
	}
}
