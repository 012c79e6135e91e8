package pyjson

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{mustUnmarshal(t, `{ "b" : [1, 2.50, 1E5, -0, "x"], "a": {"c": null, "d": true, "e": false}, "f": {}, "g": [] }`),
			`{"b":[1,2.50,1E5,-0,"x"],"a":{"c":null,"d":true,"e":false},"f":{},"g":[]}`},
		{mustUnmarshal(t, `[NaN, Infinity, -Infinity, 1e400]`), `[null,null,null,1e400]`},
		{mustUnmarshal(t, `"é\u2028😀\u007f\u0001\n\"\\\/"`), "\"é\u2028😀\x7f\\u0001\\n\\\"\\\\/\""},
		{mustUnmarshal(t, `{"a":1,"a":2}`), `{"a":2}`},
		{1.0, `1.0`},
		{1e16, `1e+16`},
		{0.00001, `1e-05`},
		{math.NaN(), `null`},
		{math.Inf(1), `null`},
		{int64(-3), `-3`},
		{[]string{"a", "b"}, `["a","b"]`},
		{map[string]any{"b": 1, "a": []any{}}, `{"a":[],"b":1}`},
		{Number("007"), `7`},
		{Number("1."), `1.0`},
		{Number("abc"), `"abc"`},
		{"a\xffb", "\"a\uFFFDb\""},
	}
	for _, tt := range tests {
		got := AppendJSON(nil, tt.in)
		if string(got) != tt.want {
			t.Errorf("AppendJSON(%s) = %s, want %s", show(tt.in), got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("AppendJSON(%s) is not valid JSON: %s", show(tt.in), got)
		}
	}
	if got := string(AppendQuoted([]byte("k="), "a\tb")); got != `k="a\tb"` {
		t.Errorf("AppendQuoted = %s", got)
	}
}

var roundTripDocs = []string{
	`null`, `true`, `0`, `-0`, `-0.0`, `1.5e-7`, `2.50`, `123456789012345678901234567890`,
	`""`, `"\u0000\u001f\u007f\u0080\u2028\ud83d\ude00 \"\\\/ \b\f\n\r\t"`,
	`[]`, `{}`, `[[[[]]],{"a":{"b":{}}}]`,
	`{"z":1,"a":[1,2,{"x":"y"}],"m":null,"b":false,"b":true}`,
	cloudTrailRecord,
}

func TestRoundTrip(t *testing.T) {
	for _, doc := range roundTripDocs {
		v := mustUnmarshal(t, doc)
		out := AppendJSON(nil, v)
		w, err := Unmarshal(out)
		if err != nil {
			t.Errorf("%s: re-decoding %s: %v", doc, out, err)
			continue
		}
		if !equal(v, w) {
			t.Errorf("round trip changed %s into %s", show(v), show(w))
		}
		// The Python rendering survives a trip through itself unchanged.
		for _, ascii := range []bool{false, true} {
			d1 := AppendDumps(nil, v, ascii)
			w, err := Unmarshal(d1)
			if err != nil {
				t.Errorf("re-decoding dumps %s: %v", d1, err)
				continue
			}
			if d2 := AppendDumps(nil, w, ascii); string(d1) != string(d2) {
				t.Errorf("dumps not stable: %s vs %s", d1, d2)
			}
		}
	}
}

// AppendQuoted's word-at-a-time fast path must agree with the byte loop
// for every special byte at every position of short and long strings.
func TestAppendQuotedFastPath(t *testing.T) {
	specials := []byte{0, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff, ' ', 'a'}
	for n := 0; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range specials {
				b := []byte(strings.Repeat("x", n))
				b[pos] = c
				s := string(b)
				got := string(AppendQuoted([]byte("p"), s))
				want := string(appendPyJSONString([]byte("p"), s, false))
				if got != want {
					t.Fatalf("len %d byte %#x at %d: %q, want %q", n, c, pos, got, want)
				}
			}
		}
	}
}

func FuzzAppendQuoted(f *testing.F) {
	f.Add("plain value")
	f.Add("with \"quotes\" and \\ and \t and é and \xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendQuoted(nil, s)
		if want := refQuoted(s); string(got) != want {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("%q: invalid JSON %q", s, got)
		}
	})
}

// refQuoted is json.dumps(s, ensure_ascii=False) written the obvious way,
// rune by rune (a bad byte becomes U+FFFD on its own), to hold the word
// at a time escaping to.
func refQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r) // RuneError for a bad byte: U+FFFD
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Quote-dense text (a JSON line as @message) takes the bit-scan route:
// every special byte at every position, alone, in pairs and in runs.
func TestAppendQuotedDense(t *testing.T) {
	specials := []string{"\x00", "\x1f", `"`, `\`, "\x7f", "é", "\xff", "\xc3", "€", "😀", "\n"}
	for n := 0; n <= 40; n++ {
		for pos := 0; pos < n; pos++ {
			for _, a := range specials {
				for _, c := range specials {
					s := strings.Repeat("x", pos) + a + strings.Repeat("y", n%9) + c + strings.Repeat("z", n-pos)
					if got, want := string(AppendQuoted([]byte("p"), s)), "p"+refQuoted(s); got != want {
						t.Fatalf("%q: %q, want %q", s, got, want)
					}
				}
			}
		}
	}
	line := `{"eventVersion": "1.08", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/x\\y"}, "n": "é\t"}`
	if got, want := string(AppendQuoted(nil, line)), refQuoted(line); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
