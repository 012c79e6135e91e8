package pyjson

import "testing"

func checkDumpsQuoted(t *testing.T, v any) {
	t.Helper()
	want := string(AppendQuoted(nil, string(AppendDumps(nil, v, false))))
	got := string(AppendDumpsQuoted(nil, v))
	if got != want {
		t.Fatalf("AppendDumpsQuoted:\n got %s\nwant %s", got, want)
	}
	if QuotedString(got).Value() != string(AppendDumps(nil, v, false)) {
		t.Fatal("QuotedString.Value must give the dump back")
	}
}

func TestAppendDumpsQuoted(t *testing.T) {
	for _, doc := range []string{
		cloudTrailRecord,
		`{"a": "quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 del \u007f", "é": ["ü", 1.50, 1e400, -0, true, null, {}], "": []}`,
		`{"emoji": "\ud83d\ude00", "lone": "\ud800x", "k\"ey": {"\\": "\r\b\f"}}`,
	} {
		v, err := Unmarshal([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		checkDumpsQuoted(t, v)
	}
	checkDumpsQuoted(t, map[string]any{"go": "map", "n": 3})
	checkDumpsQuoted(t, "invalid \xff utf-8")
}

func FuzzAppendDumpsQuoted(f *testing.F) {
	f.Add([]byte(cloudTrailRecord))
	f.Add([]byte(`{"a":"\"\\\n\u0001\u00e9\ud83d\ude00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			return
		}
		checkDumpsQuoted(t, v)
	})
}

func BenchmarkDumpsQuotedCloudTrailRecord(b *testing.B) {
	v, _ := Unmarshal([]byte(cloudTrailRecord))
	var dst []byte
	for i := 0; i < b.N; i++ {
		dst = AppendDumpsQuoted(dst[:0], v)
	}
}

func BenchmarkDumpsThenQuoteCloudTrailRecord(b *testing.B) {
	v, _ := Unmarshal([]byte(cloudTrailRecord))
	var dst, tmp []byte
	for i := 0; i < b.N; i++ {
		tmp = AppendDumps(tmp[:0], v, false)
		dst = AppendQuoted(dst[:0], string(tmp))
	}
}
