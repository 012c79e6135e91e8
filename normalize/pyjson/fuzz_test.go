package pyjson

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	for _, s := range roundTripDocs {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"a":1}{"b":2}`,
		"{\"a\":1} {\"b\":2}\n",
		`{"Records":[` + cloudTrailRecord + `,` + cloudTrailRecord + `]}`,
		`{"msg":"日本語のログ","emoji":"😀","esc":"\u00e9\ud83d\ude00\ud800","ctl":"\u0001"}`,
		`[1,-0,0.5,1E5,1e-7,1e400,-1e400,NaN,Infinity,-Infinity,123456789012345678901234567890]`,
		`{"a":1,"b":2,"a":3}`,
		strings.Repeat(`{"a":[`, 50) + `null` + strings.Repeat(`]}`, 50),
		strings.Repeat("[", 200),
		`"\ud800\u"`, `"\x"`, `[1,]`, `{"a" 1}`, `"abc`, "\"a\tb\"", "\"\xff\xfe\"",
		`  [ 1 , { "k" : "v" } ]  `,
	} {
		f.Add([]byte(s))
	}
}

// jsonEqual is equal, except that the non-finite Numbers AppendJSON has to
// write as null compare equal to nil.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case Number:
		if k, _ := x.parse(); k == numIsNaN || k == numIsInf || k == numIsNegInf {
			return b == nil
		}
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := 0; i < x.Len(); i++ {
			k1, v1 := x.At(i)
			k2, v2 := y.At(i)
			if k1 != k2 || !jsonEqual(v1, v2) {
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
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, next, err := Decode(data, 0)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if next <= 0 || next > len(data) {
			t.Fatalf("next = %d for %d bytes", next, len(data))
		}
		out := AppendJSON(nil, v)
		if !utf8.Valid(out) {
			t.Fatalf("AppendJSON wrote invalid UTF-8: %q", out)
		}
		w, err := Unmarshal(out)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", out, err)
		}
		if !jsonEqual(v, w) {
			t.Fatalf("round trip: %s became %s", show(v), show(w))
		}
		if _, uerr := Unmarshal(data[:next]); uerr != nil {
			t.Fatalf("Unmarshal of the decoded prefix failed: %v", uerr)
		}
	})
}

func FuzzDumps(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			return
		}
		for _, ascii := range []bool{false, true} {
			d1 := AppendDumps(nil, v, ascii)
			if ascii {
				for _, c := range d1 {
					if c >= utf8.RuneSelf {
						t.Fatalf("ensure_ascii output has %#x: %q", c, d1)
					}
				}
			} else if !utf8.Valid(d1) {
				t.Fatalf("invalid UTF-8: %q", d1)
			}
			w, err := Unmarshal(d1)
			if err != nil {
				t.Fatalf("re-decoding dumps %q: %v", d1, err)
			}
			if d2 := AppendDumps(nil, w, ascii); !bytes.Equal(d1, d2) {
				t.Fatalf("dumps not stable:\n%s\n%s", d1, d2)
			}
		}
		r := Repr(v)
		if !utf8.ValidString(r) {
			t.Fatalf("repr invalid UTF-8: %q", r)
		}
		_ = Str(v)
	})
}
