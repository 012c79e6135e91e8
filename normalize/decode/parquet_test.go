package decode

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

type parquetRowOut struct {
	rec *pyjson.Map
	msg string
}

func readParquet(t testing.TB, data []byte) []parquetRowOut {
	t.Helper()
	var rows []parquetRowOut
	err := Parquet(bytes.NewReader(data), int64(len(data)), func(rec *pyjson.Map, msg string) error {
		rows = append(rows, parquetRowOut{rec, msg})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// plainJSON renders a record with Tuples as lists, for comparison with
// JSON written by other tools.
func plainJSON(v any) any {
	switch x := v.(type) {
	case Tuple:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	case *pyjson.Map:
		out := pyjson.NewMap(x.Len())
		x.Range(func(k string, e any) bool {
			out.Set(k, plainJSON(e))
			return true
		})
		return out
	}
	return v
}

// sameJSONValue compares a decoded value with arrow's own JSON of it:
// numbers by value at float32 precision (arrow writes a float32 in its
// shortest form), maps as lists of {key, value} objects.
func sameJSONValue(got, want any) bool {
	switch w := want.(type) {
	case *pyjson.Map:
		g, ok := got.(*pyjson.Map)
		if !ok || g.Len() != w.Len() {
			return false
		}
		same := true
		w.Range(func(k string, wv any) bool {
			gv, ok := g.Get(k)
			same = ok && sameJSONValue(gv, wv)
			return same
		})
		return same
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if kv, isKV := w[i].(*pyjson.Map); isKV && kv.Len() == 2 && kv.Has("key") && kv.Has("value") {
				pair, ok := g[i].(Tuple)
				k, _ := kv.Get("key")
				v, _ := kv.Get("value")
				if !ok || len(pair) != 2 || !sameJSONValue(pair[0], k) || !sameJSONValue(pair[1], v) {
					return false
				}
				continue
			}
			if !sameJSONValue(g[i], w[i]) {
				return false
			}
		}
		return true
	case pyjson.Number:
		wf, _ := parseFloat(string(w))
		switch g := got.(type) {
		case pyjson.Number:
			gf, _ := parseFloat(string(g))
			return gf == wf
		case float64:
			return float32(g) == float32(wf)
		}
		return false
	}
	if ws, ok := want.(string); ok {
		// arrow writes timestamps as RFC 3339 with Z, Python with +00:00
		gs, _ := got.(string)
		wt, werr := time.Parse(time.RFC3339Nano, ws)
		gt, gerr := time.Parse(time.RFC3339Nano, gs)
		if werr == nil && gerr == nil {
			return wt.Equal(gt)
		}
	}
	return compactJSON(got) == compactJSON(want)
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// TestParquetSamples reads the Security Lake samples (legacy two-level
// LIST encoding, written by parquet-mr) and compares each row with the
// row as arrow's JSON writer printed it (.decoded.jsonl): the same values,
// with the columns pandas drops (null) left out.
func TestParquetSamples(t *testing.T) {
	shared := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(shared, "samples/securitylake/*/aws/*/*/*/*/*/*.gz.parquet"))
	if len(files) != 34 {
		t.Fatalf("%d sample objects, want 34", len(files))
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows := readParquet(t, data)
		want := readNDJSON(t, path+".decoded.jsonl")
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d", filepath.Base(path), len(rows), len(want))
		}
		for i, row := range rows {
			expect := pyjson.NewMap(want[i].Len())
			want[i].Range(func(k string, v any) bool {
				if v != nil {
					expect.Set(k, v)
				}
				return true
			})
			if !sameJSONValue(row.rec, expect) {
				t.Errorf("%s row %d:\n got %s\nwant %s", filepath.Base(path), i, compactJSON(plainJSON(row.rec)), compactJSON(expect))
			}
			if !strings.HasPrefix(row.msg, "{'metadata': {") || !strings.HasSuffix(row.msg, "}") || !strings.Contains(row.msg, "'unmapped': [(") {
				t.Errorf("%s: message %.80s...%s", filepath.Base(path), row.msg, row.msg[max(0, len(row.msg)-20):])
			}
		}
	}
}

// TestParquetMessage checks es-loader's @message of sample rows: Python's
// str() of the row, numpy arrays for lists inside lists, tuples for map
// entries, None for null struct fields.
func TestParquetMessage(t *testing.T) {
	shared := sharedDir(t)
	dir := filepath.Join(shared, "samples/securitylake/aws-security-data-lake-us-east-1-iv9wmp7hfcehw2mpp10hnvdgbpax5f/aws")
	cases := []struct {
		file  string
		parts []string
	}{
		{"CLOUD_TRAIL/1.0.0-rc.2/region=us-east-1/accountId=123456789012/eventHour=2023010100/06fe61e7823f00b0cc8e36395471fe9b.gz.parquet", []string{
			`{'metadata': {'product': {'version': '1.08', 'name': 'CloudTrail', 'vendor_name': 'AWS', 'feature': {'name': 'Management'}}, 'uid': '7dd15a89-ae0f-4340-8e6c-d6981246c71b', 'profiles': ['cloud'], 'version': '1.0.0-rc.2'}, 'time': 1679072879000, `,
			`'session': {'created_time': 1679071437000, 'mfa': False, 'issuer': 'arn:aws:iam::112233445566:role/Admin'}, 'invoked_by': None, 'idp': {'name': None}}`,
			`'unmapped': [('userIdentity.sessionContext.sessionIssuer.type', 'Role'), ('sessionCredentialFromConsole', 'true'), `,
		}},
		{"SH_FINDINGS/1.0.0-rc.2/region=us-east-1/accountId=123456789012/eventHour=2023010100/a386b3a78ce4fe26a0fcc95a4345d2f2.gz.parquet", []string{
			`'labels': array(['billingCode=abcd-1-2-3', 'needsPatching=true'], dtype=object), `,
			`'classification_ids': array([1], dtype=int32), 'classifications': array(['Adware'], dtype=object)}]`,
			`'process': {'name': None, 'pid': None, 'file': {'path': None, 'type_id': 0, 'name': "''"}, 'parent_process': {'pid': None}, 'created_time': None, 'terminated_time': None}`,
			`{'cvss': {'base_score': 4.699999809265137, `,
			"'references': array(['http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-12418'],\n      dtype=object), ",
			`'related_events': [{'product_uid': 'arn:aws:securityhub:us-east-1::product/aws/guardduty', 'uid': '123e4567-e89b-12d3-a456-426655440000'}, `,
		}},
		{"EKS/1.1.0/region=us-east-1/accountId=123456789012/eventHour=2023010100/08520284e8b8fcd5588749308ffd5c5e.gz.parquet", []string{
			`'start_time_dt': '2021-09-07T20:37:30.502000+00:00', 'time_dt': '2021-09-07T20:37:30.642000+00:00', 'time': 1631047050642, `,
			`'groups': [{'name': 'system:bootstrappers'}, {'name': 'system:nodes'}, {'name': 'system:authenticated'}], 'type_id': 0}`,
		}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.file)
		matches, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*", "*", filepath.Base(c.file)))
		if len(matches) == 1 {
			path = matches[0]
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows := readParquet(t, data)
		for _, part := range c.parts {
			if !strings.Contains(rows[0].msg, part) {
				t.Errorf("%s: message lacks %q\n%s", filepath.Base(c.file), part, rows[0].msg)
			}
		}
	}
}

// TestParquetOCSFJSONDifferential matches each Security Lake row with the
// same event in the ocsf-json sample (by metadata.uid) and compares, after
// es-loader's clean-up, the fields es-loader copies into the document
// unchanged with ocsf-json's golden documents.
func TestParquetOCSFJSONDifferential(t *testing.T) {
	shared := sharedDir(t)
	docs, _ := filepath.Glob(filepath.Join(shared, "golden/ocsf-json/*/expected.ndjson"))
	if len(docs) != 1 {
		t.Fatalf("ocsf-json goldens: %v", docs)
	}
	// the ocsf-json sample holds the same rows as JSON: a document's
	// @message is its row
	byRow := map[string]*pyjson.Map{}
	for _, line := range readNDJSON(t, docs[0]) {
		src, _ := line.Get("_source")
		msg, _ := src.(*pyjson.Map).GetString("@message")
		byRow[compactJSON(mustJSONMap(t, []byte(msg)))] = src.(*pyjson.Map)
	}
	// keys the ECS mapping or script of ocsf-json writes into
	touched := map[string]bool{"cloud": true, "user": true, "event": true, "source": true, "destination": true, "related": true, "ecs": true, "unmapped": true, "user_agent": true, "rule": true}
	files, _ := filepath.Glob(filepath.Join(shared, "samples/securitylake/*/aws/*/*/*/*/*/*.gz.parquet"))
	matched := 0
	for _, path := range files {
		data, _ := os.ReadFile(path)
		arrowRows := readNDJSON(t, path+".decoded.jsonl")
		for i, row := range readParquet(t, data) {
			doc, ok := byRow[compactJSON(arrowRows[i])]
			if !ok {
				continue
			}
			uid := filepath.Base(path)
			matched++
			clean := delNone(plainJSON(row.rec).(*pyjson.Map))
			clean.Range(func(k string, v any) bool {
				if touched[k] || strings.HasPrefix(k, "@") {
					return true
				}
				want, ok := doc.Get(k)
				if !ok || !sameJSONValue(v, want) {
					t.Errorf("%s %s: parquet %s, ocsf-json document %s", uid, k, compactJSON(v), compactJSON(want))
				}
				return true
			})
		}
	}
	if matched != 34 {
		t.Errorf("%d rows matched an ocsf-json document, want 34", matched)
	}
}

// syntheticParquet writes rows in a shape the samples lack: several row
// groups, nulls that turn integers into floats, lists of structs holding
// lists, a map, timestamps.
func syntheticParquet(t testing.TB, stats bool) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
		{Name: "ep", Type: arrow.StructOf(
			arrow.Field{Name: "port", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "ip", Type: arrow.BinaryTypes.String, Nullable: true},
		), Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "res", Type: arrow.ListOf(arrow.StructOf(
			arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "labels", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
			arrow.Field{Name: "codes", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		)), Nullable: true},
		{Name: "um", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true},
		{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	rows := `[
{"id": 1, "n": 10, "ep": {"port": 443, "ip": "10.0.0.1"}, "tags": ["a", "it's"], "res": [{"name": "r1", "labels": ["x", "y"], "codes": [1, 20]}], "um": [{"key": "k", "value": "v"}], "t": "2023-03-17T17:07:59Z", "score": 0.1, "flag": true},
{"id": 2, "n": 11, "ep": {"port": null, "ip": "10.0.0.2"}, "tags": [], "res": [], "um": null, "t": null, "score": 1.5, "flag": null},
{"id": null, "n": 12, "ep": null, "tags": null, "res": [{"name": null, "labels": null, "codes": [3]}], "um": [], "t": "2023-03-17T17:07:59.123Z", "score": null, "flag": false},
{"id": 4, "n": 13, "ep": {"port": 80, "ip": null}, "tags": ["z"], "res": null, "um": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}], "t": null, "score": 2, "flag": true}
]`
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(2), parquet.WithStats(stats))
	w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParquetPandasShapes checks the conversions pandas makes, which
// decide the documents and the _id: see Parquet.
func TestParquetPandasShapes(t *testing.T) {
	want := []struct{ rec, msg string }{
		{
			rec: `{"id":1.0,"n":10,"ep":{"port":443.0,"ip":"10.0.0.1"},"tags":["a","it's"],"res":[{"name":"r1","labels":["x","y"],"codes":[1,20]}],"um":[["k","v"]],"t":"2023-03-17T17:07:59+00:00","score":0.10000000149011612,"flag":true}`,
			msg: `{'id': 1.0, 'n': 10, 'ep': {'port': 443.0, 'ip': '10.0.0.1'}, 'tags': ['a', "it's"], 'res': [{'name': 'r1', 'labels': array(['x', 'y'], dtype=object), 'codes': array([ 1, 20], dtype=int32)}], 'um': [('k', 'v')], 't': '2023-03-17T17:07:59+00:00', 'score': 0.10000000149011612, 'flag': True}`,
		},
		{
			rec: `{"id":2.0,"n":11,"ep":{"port":null,"ip":"10.0.0.2"},"tags":[],"res":[],"score":1.5}`,
			msg: `{'id': 2.0, 'n': 11, 'ep': {'port': None, 'ip': '10.0.0.2'}, 'tags': [], 'res': [], 'score': 1.5}`,
		},
		{
			rec: `{"n":12,"res":[{"name":null,"labels":null,"codes":[3]}],"um":[],"t":"2023-03-17T17:07:59.123000+00:00","flag":false}`,
			msg: `{'n': 12, 'res': [{'name': None, 'labels': None, 'codes': array([3], dtype=int32)}], 'um': [], 't': '2023-03-17T17:07:59.123000+00:00', 'flag': False}`,
		},
		{
			rec: `{"id":4.0,"n":13,"ep":{"port":80.0,"ip":null},"tags":["z"],"um":[["a","1"],["b","2"]],"score":2.0,"flag":true}`,
			msg: `{'id': 4.0, 'n': 13, 'ep': {'port': 80.0, 'ip': None}, 'tags': ['z'], 'um': [('a', '1'), ('b', '2')], 'score': 2.0, 'flag': True}`,
		},
	}
	for _, stats := range []bool{true, false} {
		rows := readParquet(t, syntheticParquet(t, stats))
		if len(rows) != len(want) {
			t.Fatalf("stats %v: %d rows", stats, len(rows))
		}
		for i, row := range rows {
			if got := compactJSON(plainJSON(row.rec)); got != want[i].rec {
				t.Errorf("stats %v row %d record:\n got %s\nwant %s", stats, i, got, want[i].rec)
			}
			if row.msg != want[i].msg {
				t.Errorf("stats %v row %d message:\n got %s\nwant %s", stats, i, row.msg, want[i].msg)
			}
		}
	}
}

func TestParquetCorrupt(t *testing.T) {
	good := syntheticParquet(t, true)
	for name, data := range map[string][]byte{
		"empty":       {},
		"not parquet": []byte("PAR1 but nothing else of a parquet file"),
		"truncated":   good[:len(good)/2],
		"bad footer":  append(append([]byte(nil), good[:len(good)-8]...), 0xff, 0xff, 0xff, 0x7f, 'P', 'A', 'R', '1'),
	} {
		err := Parquet(bytes.NewReader(data), int64(len(data)), func(*pyjson.Map, string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "parquet") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParquetEmitError(t *testing.T) {
	data := syntheticParquet(t, true)
	stop := errStopTest
	n := 0
	err := Parquet(bytes.NewReader(data), int64(len(data)), func(*pyjson.Map, string) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("emit error: %v after %d rows", err, n)
	}
}

var errStopTest = os.ErrClosed

func FuzzParquet(f *testing.F) {
	f.Add(syntheticParquet(f, true))
	f.Add(syntheticParquet(f, false))
	if dir := os.Getenv("SIEMLOADER_SHARED"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "samples/securitylake/*/aws/*/*/*/*/*/*.gz.parquet"))
		for _, p := range files[:min(3, len(files))] {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Parquet(bytes.NewReader(data), int64(len(data)), func(rec *pyjson.Map, msg string) error {
			if rec == nil || !strings.HasPrefix(msg, "{") {
				t.Fatalf("bad row %v %q", rec, msg)
			}
			return nil
		})
	})
}

// BenchmarkParquet reads an object of 20,000 OCSF CloudTrail rows (the
// rows of the Security Lake samples, repeated) in row groups of 5,000.
func BenchmarkParquet(b *testing.B) {
	shared := sharedDir(b)
	path, _ := filepath.Glob(filepath.Join(shared, "samples/securitylake/*/aws/CLOUD_TRAIL/*/*/*/*/06fe61e7823f00b0cc8e36395471fe9b.gz.parquet"))
	if len(path) != 1 {
		b.Skip("no CloudTrail sample")
	}
	sample, _ := os.ReadFile(path[0])
	data := repeatParquetRows(b, sample, 20000, 5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		err := Parquet(bytes.NewReader(data), int64(len(data)), func(*pyjson.Map, string) error {
			rows++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "records/s")
}

// repeatParquetRows writes an object holding the rows of sample n times
// over, in row groups of group rows.
func repeatParquetRows(b testing.TB, sample []byte, n, group int) []byte {
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(sample), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	defer tbl.Release()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(group)))
	w, err := pqarrow.NewFileWriter(tbl.Schema(), &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		b.Fatal(err)
	}
	tr := array.NewTableReader(tbl, 1)
	defer tr.Release()
	var recs []arrow.RecordBatch
	for tr.Next() {
		r := tr.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	for written := 0; written < n; {
		for _, r := range recs {
			if written > 0 && written%group == 0 {
				w.NewBufferedRowGroup()
			}
			if err := w.WriteBuffered(r); err != nil {
				b.Fatal(err)
			}
			written += int(r.NumRows())
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return buf.Bytes()
}

func readParquetAt(t testing.TB, ra *RandomAccess) int {
	n := 0
	if err := Parquet(ra, ra.Size, func(*pyjson.Map, string) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
