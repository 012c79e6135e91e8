package siemexporter

import (
	"context"
	"encoding/json"
	"io"
	"runtime/debug"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/ship"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// benchConsume measures the exporter's consume path on one goroutine:
// plog.Logs of 1,000 records classified, normalized and written as a bulk
// body (to io.Discard instead of a cluster, as the core's Object
// benchmarks write theirs).
func benchConsume(b *testing.B, ld plog.Logs) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	e := startExporter(b, testConfig(srv.URL), nil)
	bulk := ship.NewBulkStream(io.Discard)
	docs := 0
	e.send = func(_ context.Context, d []ship.Doc) []ship.Outcome {
		out := make([]ship.Outcome, len(d))
		for _, doc := range d {
			if err := bulk.Write(doc.Index, doc.ID, doc.Body); err != nil {
				b.Fatal(err)
			}
		}
		docs += len(d)
		return out // all Delivered
	}
	// the core's benchmarks run with the CLI's setting
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	records := ld.LogRecordCount()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.pushLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	bulk.Close()
	b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
	if docs != b.N*records {
		b.Fatalf("%d documents for %d records", docs, b.N*records)
	}
}

// 1,000 CloudTrail records as JSON text bodies (an S3 receiver's records,
// a filelog line), classified by siem.log_type on the resource.
func BenchmarkConsumeCloudTrail(b *testing.B) {
	s := loadSamples(b)
	bodies := make([]string, 1000)
	for i := range bodies {
		bodies[i] = string(s.cloudtrail[i%len(s.cloudtrail)])
	}
	benchConsume(b, logsOf(map[string]any{AttrLogType: "cloudtrail"}, nil, bodies...))
}

// The same records as map bodies, as a receiver that parsed the JSON
// leaves them.
func BenchmarkConsumeCloudTrailMaps(b *testing.B) {
	s := loadSamples(b)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(AttrLogType, "cloudtrail")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := 0; i < 1000; i++ {
		var m map[string]any
		if err := json.Unmarshal(s.cloudtrail[i%len(s.cloudtrail)], &m); err != nil {
			b.Fatal(err)
		}
		if err := sl.LogRecords().AppendEmpty().Body().SetEmptyMap().FromRaw(m); err != nil {
			b.Fatal(err)
		}
	}
	benchConsume(b, ld)
}

// 1,000 VPC flow log lines (default format, no header line: as CloudWatch
// Logs delivers them), classified by their S3 key.
func BenchmarkConsumeVPCFlow(b *testing.B) {
	s := loadSamples(b)
	var data []string
	for _, l := range s.vpc {
		if !isHeaderLine(l) {
			data = append(data, l)
		}
	}
	bodies := make([]string, 1000)
	for i := range bodies {
		bodies[i] = data[i%len(data)]
	}
	key := "AWSLogs/111122223333/vpcflowlogs/ap-northeast-1/2024/05/20/111122223333_vpcflowlogs_ap-northeast-1_fl-04a6c8e0b2d4f6a80_20240520T1320Z_3e9b1c7d.log.gz"
	benchConsume(b, logsOf(map[string]any{AttrS3Bucket: "aes-siem-111122223333-log", AttrS3Key: key}, nil, bodies...))
}

func isHeaderLine(l string) bool {
	for i := 0; i < len(l); i++ {
		if l[i] >= '0' && l[i] <= '9' {
			return false
		}
	}
	return true
}
