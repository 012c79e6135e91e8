package firehosereceiver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/siemloader/siemloader/collector/internal/siemexportertest"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// benchRequest is a delivery request of events CloudWatch Logs events
// (the bundled Linux secure lines over and over, each with its own id),
// 100 to a gzip record as a subscription batches them.
func benchRequest(t testing.TB, events int) []byte {
	lines := envelopeLines(t, filepath.Join(samplesEC2, "Linux/Secure/ap-northeast-1/2024/05/20/aes-siem-firehose-linux-secure-1-2024-05-20-13-25-20-59868094-7c91-4a08-b0f9-a5771d857a64"))
	var env struct {
		MessageType, Owner, LogGroup, LogStream string
		LogEvents                               []struct {
			ID        string `json:"id"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		}
	}
	if err := json.Unmarshal(lines[0], &env); err != nil {
		t.Fatal(err)
	}
	msgs := env.LogEvents
	req := request{RequestID: "bench", Timestamp: 1}
	for start := 0; start < events; start += 100 {
		out := map[string]any{"messageType": "DATA_MESSAGE", "owner": env.Owner, "logGroup": env.LogGroup, "logStream": env.LogStream, "subscriptionFilters": []string{"siem"}}
		var evs []map[string]any
		for i := start; i < start+100 && i < events; i++ {
			m := msgs[i%len(msgs)]
			evs = append(evs, map[string]any{"id": fmt.Sprintf("%056d", i), "timestamp": m.Timestamp + int64(i), "message": m.Message})
		}
		out["logEvents"] = evs
		data, _ := json.Marshal(out)
		req.Records = append(req.Records, gzRecord(data))
	}
	body, _ := json.Marshal(req)
	return body
}

func benchServe(b *testing.B, next consumer.Logs, events int) {
	body := benchRequest(b, events)
	cfg := testConfig()
	r, err := newReceiver(cfg, receivertest.NewNopSettings(typeStr), next)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(headerAccessKey, testAccessKey)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// The receiver alone: a request of 1,000 events decoded into log records.
func BenchmarkReceiveRequest(b *testing.B) {
	benchServe(b, consumertest.NewNop(), 1000)
}

// The receiver and the siem exporter (no queue) into the in-process test
// cluster: decoded, normalized, bulk-loaded and answered. The same _ids
// come back each round and answer 409, as a resent request would.
func BenchmarkReceiveRequestToOpenSearch(b *testing.B) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	benchServe(b, siemexportertest.Start(b, srv.URL, "testdata/user.ini"), 1000)
}

// The same events as the S3 object Firehose would write (the envelopes
// one after another, gzip), through the engine siemloader load uses:
// the reference for the two above.
func BenchmarkSameEventsAsObject(b *testing.B) {
	var dr request
	if err := json.Unmarshal(benchRequest(b, 1000), &dr); err != nil {
		b.Fatal(err)
	}
	var obj []byte
	for _, rec := range dr.Records {
		data, _ := base64.StdEncoding.DecodeString(rec.Data)
		obj = append(obj, data...) // concatenated gzip members, as in S3
	}
	n := normalize.New(mustConf(b), normalize.Options{})
	src := normalize.Source{Key: "AWSLogs/111122223333/EC2/Linux/Secure/ap-northeast-1/2024/05/20/bench"}
	b.SetBytes(int64(len(obj)))
	b.ReportAllocs()
	var body []byte
	for b.Loop() {
		res, err := n.ProcessObject(src, bytes.NewReader(obj), func(d normalize.Document) error {
			body = append(body[:0], d.Source...)
			return nil
		})
		if err != nil || res.Documents != 1000 {
			b.Fatalf("%v %+v", err, res)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
