package logtypes

import (
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// testDoc parses a JSON object into a document (ordered, numbers kept).
func testDoc(t testing.TB, js string) *pyjson.Map {
	t.Helper()
	v, err := pyjson.Unmarshal([]byte(js))
	if err != nil {
		t.Fatalf("bad test JSON %s: %v", js, err)
	}
	m, ok := v.(*pyjson.Map)
	if !ok {
		t.Fatalf("test JSON is not an object: %s", js)
	}
	return m
}

// testJSON renders a value as compact JSON, keys in order.
func testJSON(v any) string { return string(pyjson.AppendJSON(nil, v)) }

// benchTransform runs tr over fresh clones of a document; cloning is
// outside the timer.
func benchTransform(b *testing.B, tr Transform, js string) {
	doc := testDoc(b, js)
	docs := make([]*pyjson.Map, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(docs)
		if k == 0 {
			b.StopTimer()
			for j := range docs {
				docs[j] = pyjson.Clone(doc).(*pyjson.Map)
			}
			b.StartTimer()
		}
		if err := tr(&Record{Doc: docs[k]}); err != nil {
			b.Fatal(err)
		}
	}
}
