package output

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/siemloader/siemloader/ship"
)

// benchFlush measures the flush path on one goroutine: a msgpack chunk of
// 1,000 records decoded, normalized and written as a bulk body (to
// io.Discard, so that no cluster's cost is counted).
func benchFlush(b *testing.B, keys MapConfig, tag string, chunk []byte, records int) {
	keys["Output_Dir"] = b.TempDir()
	keys["EC2_Metadata"] = "off"
	o := newOutput(b, keys)
	o.dir = ship.NewBulkStream(io.Discard)
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as the plugin's host would run it
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c := o.Flush(context.Background(), tag, chunk); c != OK {
			b.Fatal(c)
		}
	}
	b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
	n, _, docs := o.summary.Totals()
	_ = n
	if docs != b.N*records {
		b.Fatalf("%d documents for %d records", docs, b.N*records)
	}
}

// FireLens records of an nginx container (the target: 150,000/s).
func BenchmarkFlushFirelensNginx(b *testing.B) {
	var recs []map[string]any
	for i := 0; i < 1000; i++ {
		recs = append(recs, firelensRecord(nginxLine(i), "stdout"))
	}
	benchFlush(b, MapConfig{"Log_Type": "nginx-access"}, "web-firelens-7f3a", chunkOf(recs...), 1000)
}

// cloudTrailSamples are the records of the bundled CloudTrail samples.
func cloudTrailSamples(t testing.TB) []map[string]any {
	files, _ := filepath.Glob("../../examples/samples/AWSLogs/*/CloudTrail/*/*/*/*/*.json")
	var all []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj struct{ Records []map[string]any }
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		all = append(all, obj.Records...)
	}
	if len(all) == 0 {
		t.Fatal("no bundled CloudTrail sample")
	}
	return all
}

// CloudTrail records as Fluent Bit holds them once parsed (a map per
// record), from the bundled samples (the target: 80,000/s).
func BenchmarkFlushCloudTrail(b *testing.B) {
	benchFlush(b, MapConfig{"Log_Type": "cloudtrail"}, "cloudtrail", chunkOf(cloudTrailBenchRecords(b)...), 1000)
}

// cloudTrailBenchRecords are 1,000 records of the bundled samples, each
// with an eventID of its own (the _id).
func cloudTrailBenchRecords(b *testing.B) []map[string]any {
	all := cloudTrailSamples(b)
	var recs []map[string]any
	for i := 0; i < 1000; i++ {
		r := map[string]any{}
		for k, v := range all[i%len(all)] {
			r[k] = v
		}
		r["eventID"] = "bench-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		recs = append(recs, r)
	}
	return recs
}

// CloudTrail records as a tail input without a parser holds them: each
// line, one JSON record, under the log key (what the end-to-end
// comparison with Fluent Bit's native output feeds).
func BenchmarkFlushCloudTrailLines(b *testing.B) {
	var recs []map[string]any
	for _, r := range cloudTrailBenchRecords(b) {
		line, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, map[string]any{"log": string(line)})
	}
	benchFlush(b, MapConfig{"Log_Type": "cloudtrail"}, "cloudtrail", chunkOf(recs...), 1000)
}
