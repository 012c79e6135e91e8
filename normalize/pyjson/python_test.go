package pyjson

import (
	"math"
	"testing"
	"unicode"
)

func mustUnmarshal(t testing.TB, s string) any {
	t.Helper()
	v, err := Unmarshal([]byte(s))
	if err != nil {
		t.Fatalf("Unmarshal(%q): %v", s, err)
	}
	return v
}

func TestDumpsFromJSON(t *testing.T) {
	// Expectations are Python 3.11's
	// json.dumps(json.loads(in), ensure_ascii=False) and ensure_ascii=True.
	tests := []struct{ in, utf8, ascii string }{
		{`{"a": 1.0, "b": "é", "c": [1, 2.50, 1e300, 1E5]}`,
			`{"a": 1.0, "b": "é", "c": [1, 2.5, 1e+300, 100000.0]}`,
			`{"a": 1.0, "b": "\u00e9", "c": [1, 2.5, 1e+300, 100000.0]}`},
		{`{"z":1,"a":2,"m":{"y":null,"b":true,"c":false}}`,
			`{"z": 1, "a": 2, "m": {"y": null, "b": true, "c": false}}`,
			`{"z": 1, "a": 2, "m": {"y": null, "b": true, "c": false}}`},
		{`{"a":1,"b":2,"a":3}`, `{"a": 3, "b": 2}`, `{"a": 3, "b": 2}`},
		{`[]`, `[]`, `[]`},
		{`{}`, `{}`, `{}`},
		{`[[],{},[{}]]`, `[[], {}, [{}]]`, `[[], {}, [{}]]`},
		{`-0`, `0`, `0`},
		{`-0.0`, `-0.0`, `-0.0`},
		{`0.0`, `0.0`, `0.0`},
		{`10`, `10`, `10`},
		{`-123456789012345678901234567890`, `-123456789012345678901234567890`, `-123456789012345678901234567890`},
		{`1e16`, `1e+16`, `1e+16`},
		{`1e15`, `1000000000000000.0`, `1000000000000000.0`},
		{`0.00001`, `1e-05`, `1e-05`},
		{`0.0001`, `0.0001`, `0.0001`},
		{`1.5E-7`, `1.5e-07`, `1.5e-07`},
		{`123e-20`, `1.23e-18`, `1.23e-18`},
		{`0.1`, `0.1`, `0.1`},
		{`100e-2`, `1.0`, `1.0`},
		{`1e400`, `Infinity`, `Infinity`},
		{`-1e400`, `-Infinity`, `-Infinity`},
		{`1e-400`, `0.0`, `0.0`},
		{`[NaN, Infinity, -Infinity]`, `[NaN, Infinity, -Infinity]`, `[NaN, Infinity, -Infinity]`},
		{`"😀"`, `"😀"`, `"\ud83d\ude00"`},
		{`"\ud83d\ude00"`, `"😀"`, `"\ud83d\ude00"`},
		{`"日本語"`, `"日本語"`, `"\u65e5\u672c\u8a9e"`},
		{`"\u007f"`, "\"\x7f\"", `"\u007f"`},
		{`"\u0000\u001f\u0001"`, `"\u0000\u001f\u0001"`, `"\u0000\u001f\u0001"`},
		{`"\b\f\n\r\t\"\\\/"`, `"\b\f\n\r\t\"\\/"`, `"\b\f\n\r\t\"\\/"`},
		{`"\u2028\u00a0"`, "\"\u2028\u00a0\"", `"\u2028\u00a0"`},
		{`"\uFFFF"`, "\"\uffff\"", `"\uffff"`},
		{`"\u0080"`, "\"\u0080\"", `"\u0080"`},
		{`{"é": "ü"}`, `{"é": "ü"}`, `{"\u00e9": "\u00fc"}`},
		{`"it's <html> & stuff"`, `"it's <html> & stuff"`, `"it's <html> & stuff"`},
	}
	for _, tt := range tests {
		v := mustUnmarshal(t, tt.in)
		if got := string(AppendDumps(nil, v, false)); got != tt.utf8 {
			t.Errorf("dumps(%s, ensure_ascii=False) = %s, want %s", tt.in, got, tt.utf8)
		}
		if got := string(AppendDumps(nil, v, true)); got != tt.ascii {
			t.Errorf("dumps(%s, ensure_ascii=True) = %s, want %s", tt.in, got, tt.ascii)
		}
	}
}

func TestDumpsGoValues(t *testing.T) {
	m := NewMap(4)
	m.Set("int", 42)
	m.Set("int64", int64(-7))
	m.Set("float", 3.0)
	m.Set("ratio", tenth+2*tenth)
	m.Set("nan", math.NaN())
	m.Set("inf", math.Inf(-1))
	m.Set("strs", []string{"a", "b"})
	m.Set("empty", []string{})
	m.Set("gomap", map[string]any{"y": 1, "x": "2"})
	m.Set("nilmap", (*Map)(nil))
	m.Set("u8", uint8(255))
	m.Set("f32", float32(0.5))
	want := `{"int": 42, "int64": -7, "float": 3.0, "ratio": 0.30000000000000004, "nan": NaN, ` +
		`"inf": -Infinity, "strs": ["a", "b"], "empty": [], "gomap": {"x": "2", "y": 1}, ` +
		`"nilmap": {}, "u8": 255, "f32": 0.5}`
	if got := string(AppendDumps(nil, m, false)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Unknown types fall back to their fmt text; invalid UTF-8 to U+FFFD.
	type point struct{ X, Y int }
	if got := string(AppendDumps(nil, point{1, 2}, false)); got != `"{1 2}"` {
		t.Errorf("fallback: %s", got)
	}
	if got := string(AppendDumps(nil, "a\xffb", false)); got != "\"a\uFFFDb\"" {
		t.Errorf("invalid utf8: %q", got)
	}
	if got := string(AppendDumps(nil, "a\xffb", true)); got != `"a\ufffdb"` {
		t.Errorf("invalid utf8 ascii: %q", got)
	}
	if got := string(AppendDumps([]byte("x="), Number("7"), false)); got != "x=7" {
		t.Errorf("append: %q", got)
	}
	// Numbers built by transforms rather than decoded.
	for in, want := range map[Number]string{
		"007": "7", "+5": "5", "-00": "0", "1.": "1.0", ".5": "0.5", "abc": "abc",
	} {
		if got := string(AppendDumps(nil, in, false)); got != want {
			t.Errorf("dumps(Number(%q)) = %s, want %s", in, got, want)
		}
	}
}

func TestPyFloatRepr(t *testing.T) {
	// Python 3 repr(float).
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1, "-1.0"},
		{100, "100.0"},
		{2.5, "2.5"},
		{0.1, "0.1"},
		{tenth + 2*tenth, "0.30000000000000004"},
		{1 / three, "0.3333333333333333"},
		{0.001, "0.001"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{0.000123, "0.000123"},
		{0.0000123, "1.23e-05"},
		{1.5e-7, "1.5e-07"},
		{123456.0, "123456.0"},
		{123456789.123, "123456789.123"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{9007199254740993, "9007199254740992.0"},
		{12345678901234567890.0, "1.2345678901234567e+19"},
		{1.23e20, "1.23e+20"},
		{1e22, "1e+22"},
		{1e23, "1e+23"},
		{1e100, "1e+100"},
		{-2.5e-300, "-2.5e-300"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := PyFloatRepr(tt.f); got != tt.want {
			t.Errorf("PyFloatRepr(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestStr(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"abc", "abc"},
		{"it's", "it's"},
		{"", ""},
		{true, "True"},
		{false, "False"},
		{nil, "None"},
		{Number("12"), "12"},
		{Number("-0"), "0"},
		{Number("1.0"), "1.0"},
		{Number("2.50"), "2.5"},
		{Number("1E5"), "100000.0"},
		{Number("1e16"), "1e+16"},
		{Number("1e400"), "inf"},
		{Number("NaN"), "nan"},
		{Number("Infinity"), "inf"},
		{Number("-Infinity"), "-inf"},
		{Number("123456789012345678901234567890"), "123456789012345678901234567890"},
		{42, "42"},
		{int64(-9), "-9"},
		{1.5, "1.5"},
		{3.0, "3.0"},
		{math.NaN(), "nan"},
		{arr("a", Number("1"), true, nil, 1.5), "['a', 1, True, None, 1.5]"},
		{obj("a", Number("1"), "b", arr(true, nil)), "{'a': 1, 'b': [True, None]}"},
		{obj(), "{}"},
		{arr(), "[]"},
		{[]string{"x", "it's"}, `['x', "it's"]`},
	}
	for _, tt := range tests {
		if got := Str(tt.v); got != tt.want {
			t.Errorf("Str(%#v) = %s, want %s", tt.v, got, tt.want)
		}
		if got := string(AppendStr([]byte("<"), tt.v)); got != "<"+tt.want {
			t.Errorf("AppendStr(%#v) = %s", tt.v, got)
		}
	}
}

func TestRepr(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"abc", "'abc'"},
		{"", "''"},
		{"it's", `"it's"`},
		{`a"b'c`, `'a"b\'c'`},
		{`a"b`, `'a"b'`},
		{`a\b`, `'a\\b'`},
		{"\n\t\r", `'\n\t\r'`},
		{"\x00\x1b\x7f", `'\x00\x1b\x7f'`},
		{"\b\f", `'\x08\x0c'`},
		{"é日本😀", "'é日本😀'"},
		{"\u00a0", `'\xa0'`},
		{"\u00ad", `'\xad'`},
		{"\u0085", `'\x85'`},
		{"\u200b", `'\u200b'`},
		{"\u2028", `'\u2028'`},
		{"\u3000", `'\u3000'`},
		{"\ufeff", `'\ufeff'`},
		{"\ue000", `'\ue000'`},
		{"\U000e0001", `'\U000e0001'`},
		{"\U0010ffff", `'\U0010ffff'`},
		{"\ufffd", "'\ufffd'"},
		// Unicode 15.0 additions are unassigned for Python 3.11.
		{"\U0001e050\u0cf3\U0001fae8", `'\U0001e050\u0cf3\U0001fae8'`},
		{"\U0001faf6\u0cf2", "'\U0001faf6\u0cf2'"},
		{"a\xffb", "'a\ufffdb'"},
		{"it's \"x\"", `'it\'s "x"'`},
		{obj("name", "EC2Role"), "{'name': 'EC2Role'}"},
		{obj("k", "it's", "n", Number("-0"), "f", Number("1e-5")), `{'k': "it's", 'n': 0, 'f': 1e-05}`},
		{arr(obj(), arr(), nil, false), "[{}, [], None, False]"},
		{map[string]any{"b": 1, "a": "x"}, "{'a': 'x', 'b': 1}"},
		{Number("1.10"), "1.1"},
		{true, "True"},
		{nil, "None"},
	}
	for _, tt := range tests {
		if got := Repr(tt.v); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestRenderSelfReferenceTerminates(t *testing.T) {
	m := NewMap(1)
	m.Set("self", m)
	l := []any{nil}
	l[0] = l
	for _, v := range []any{m, l} {
		_ = AppendDumps(nil, v, false)
		_ = AppendJSON(nil, v)
		_ = Repr(v)
	}
}

// Variables, so that the arithmetic happens in float64 and not in exact
// constant arithmetic.
var tenth, three = 0.1, 3.0

func TestUnicodeVersionGuard(t *testing.T) {
	// unicode15Additions bridges Go's Unicode 15.0 and Python 3.11's 14.0;
	// a Go release with newer tables needs the list extended.
	if unicode.Version != "15.0.0" {
		t.Errorf("unicode.Version = %s: re-check unicode15Additions against Python's str.isprintable", unicode.Version)
	}
}
