package pyjson

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkRawDumps holds AppendDumpsRaw to AppendDumps and AppendDumpsQuoted
// of the decoded value, for every value of data that decodes without a
// repeated key; it returns how many it compared.
func checkRawDumps(t *testing.T, data []byte) int {
	t.Helper()
	own := bytes.Clone(data)
	var slab Slab
	compared := 0
	for pos := SkipSpace(own, 0); pos < len(own); pos = SkipSpace(own, pos) {
		v, next, dup, err := DecodeOwnedDup(own, pos, &slab, 0)
		if err != nil {
			return compared
		}
		raw := own[pos:next]
		pos = next
		if dup {
			continue
		}
		for _, quoted := range []bool{false, true} {
			var want []byte
			if quoted {
				want = AppendDumpsQuoted([]byte("x"), v)
			} else {
				want = AppendDumps([]byte("x"), v, false)
			}
			got, ok := AppendDumpsRaw([]byte("x"), raw, quoted)
			if !ok {
				t.Fatalf("AppendDumpsRaw refused decoded text %q", raw)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("quoted=%v, text %q:\n got %s\nwant %s", quoted, raw, got, want)
			}
		}
		if m, ok := v.(*Map); ok {
			checkCleanFrom(t, m, raw)
		}
		compared++
	}
	return compared
}

// checkCleanFrom holds AppendJSONCleanFrom to AppendJSONClean for m, which
// was decoded from text, and for m with pieces of its strings added, cut
// anywhere (a rune's middle included), as transforms may cut them.
func checkCleanFrom(t *testing.T, m *Map, text []byte) {
	t.Helper()
	want := AppendJSONClean([]byte("x"), m)
	if got := AppendJSONCleanFrom([]byte("x"), m, text); !bytes.Equal(got, want) {
		t.Fatalf("text %q:\n got %s\nwant %s", text, got, want)
	}
	var pieces []any
	m.Range(func(k string, v any) bool {
		if s, ok := v.(string); ok {
			for i := 0; i <= len(s) && i < 4; i++ {
				pieces = append(pieces, s[i:], s[:len(s)-i], k[min(i, len(k)):])
			}
		}
		return true
	})
	c := NewMap(2)
	for i, p := range pieces {
		c.Set(strconv.Itoa(i), p)
		if s := p.(string); s != "" {
			c.Set(s, i) // as a key
		}
	}
	c.Set("doc", m)
	want = AppendJSONClean(nil, c)
	if got := AppendJSONCleanFrom(nil, c, text); !bytes.Equal(got, want) {
		t.Fatalf("pieces of %q:\n got %s\nwant %s", text, got, want)
	}
}

func TestAppendDumpsRaw(t *testing.T) {
	docs := []string{
		cloudTrailRecord,
		`{"a" : [ 1 , 2.50 , -0 , 1E5 , 1e-7 , 1e400 , -1e400 , NaN , Infinity , -Infinity , 0.1 , 123456789012345678901234567890 ] }`,
		`{"esc":"a\"b\\c\/d\n\r\t\b\f\u0001\u001f\u007f\u00e9\u2028\ud83d\ude00\ud800x\udc00","k\"ey":"v"}`,
		`{"utf8":"日本語のログ😀","mixed":"abc日本\"q\"","":"", "empty":{}, "list":[], "nested":[{},[[]],{"a":{}}]}`,
		`{"é":"aé","ab日":"日b","x":"a日本b","-":"-","null":"null","n":12.5}`,
		`{"t":true,"f":false,"n":null,"s":"-","deep":` + strings.Repeat(`{"a":[`, 30) + `null` + strings.Repeat(`]}`, 30) + `}`,
		"{\"tab\":\"a\\tb\",\n\t\"ws\" :\r\n \"x\"}",
		`"just a string with \" and é"`, `12.0`, `[]`, `{}`,
	}
	for _, doc := range docs {
		if checkRawDumps(t, []byte(doc)) != 1 {
			t.Errorf("%q: not compared", doc)
		}
	}
	for _, doc := range roundTripDocs {
		checkRawDumps(t, []byte(doc))
	}
	// a repeated key is left to the decoded value: the text would put the
	// last value at the first key's place twice
	var slab Slab
	_, _, dup, err := DecodeOwnedDup([]byte(`{"a":1,"b":{"c":2,"c":3}}`), 0, &slab, 0)
	if err != nil || !dup {
		t.Fatalf("repeated key not reported: dup %v, err %v", dup, err)
	}
	_, _, dup, _ = DecodeOwnedDup([]byte(`{"a":1,"b":{"c":2},"c":3}`), 0, &slab, 0)
	if dup {
		t.Fatal("a key repeated at another level reported as repeated")
	}
	if _, ok := AppendDumpsRaw(nil, []byte(`{"a":"\x"}`), true); ok {
		t.Fatal("a string that does not decode was transcoded")
	}
}

// TestAppendDumpsRawSamples runs the comparison over the shared samples'
// JSON objects and the repository's examples.
func TestAppendDumpsRawSamples(t *testing.T) {
	var roots []string
	if dir := os.Getenv("SIEMLOADER_SHARED"); dir != "" {
		roots = append(roots, filepath.Join(dir, "samples"))
	} else {
		roots = append(roots, filepath.Join("..", "..", "..", "shared", "samples"))
	}
	roots = append(roots, filepath.Join("..", "..", "examples", "samples"))
	compared := 0
	for _, root := range roots {
		filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || info.Size() > 8<<20 {
				return nil
			}
			data, rerr := os.ReadFile(path)
			if rerr != nil || bytes.HasSuffix([]byte(path), []byte(".gz")) {
				return nil
			}
			compared += checkRawDumps(t, data)
			return nil
		})
	}
	t.Logf("%d values compared", compared)
}

func FuzzAppendDumpsRaw(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"esc":"a\"b\\c\/d\n\u0001\u00e9\ud83d\ude00\ud800","n":[1.50,-0,1E5]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRawDumps(t, data)
	})
}
