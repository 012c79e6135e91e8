package decode

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// sharedDir is the shared corpus (samples and goldens) beside the
// repository, or SIEMLOADER_SHARED; tests needing it skip without it.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SIEMLOADER_SHARED"); d != "" {
		return d
	}
	d, _ := filepath.Abs("../../../shared")
	if _, err := os.Stat(filepath.Join(d, "golden")); err != nil {
		t.Skipf("no shared corpus at %s (set SIEMLOADER_SHARED)", d)
	}
	return d
}

func mustJSONMap(t testing.TB, js []byte) *pyjson.Map {
	t.Helper()
	v, err := pyjson.Unmarshal(js)
	if err != nil {
		t.Fatalf("bad JSON %.200s: %v", js, err)
	}
	m, ok := v.(*pyjson.Map)
	if !ok {
		t.Fatalf("JSON is not an object: %.200s", js)
	}
	return m
}

// readNDJSON returns the objects of a JSON-lines file.
func readNDJSON(t testing.TB, path string) []*pyjson.Map {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*pyjson.Map
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		out = append(out, mustJSONMap(t, sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func compactJSON(v any) string { return string(pyjson.AppendJSON(nil, v)) }

// delNone is es-loader's last clean-up of a document (LogParser.del_none):
// None, "", "-", "null", "[]", empty objects and empty lists go, also in
// objects inside lists. Tests apply it to decoded records to compare them
// with es-loader's documents.
func delNone(m *pyjson.Map) *pyjson.Map {
	out := pyjson.NewMap(m.Len())
	m.Range(func(k string, v any) bool {
		switch x := v.(type) {
		case nil:
			return true
		case string:
			if x == "" || x == "-" || x == "null" || x == "[]" {
				return true
			}
		case *pyjson.Map:
			x = delNone(x)
			if x.Len() == 0 {
				return true
			}
			v = x
		case []any:
			if len(x) == 0 || len(x) == 1 && x[0] == "" {
				return true
			}
			list := make([]any, len(x))
			for i, e := range x {
				if em, ok := e.(*pyjson.Map); ok {
					e = delNone(em)
				}
				list[i] = e
			}
			v = list
		}
		out.Set(k, v)
		return true
	})
	return out
}
