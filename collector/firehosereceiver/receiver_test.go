package firehosereceiver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
)

func metricSum(t testing.TB, tel *componenttest.Telemetry, name string, attrs ...string) int64 {
	t.Helper()
	return componenttestutil.MetricSum(t, tel, name, attrs...)
}

func allRecords(sink *consumertest.LogsSink) (n int, each func(func(res, rec map[string]any, lr plog.LogRecord))) {
	return sink.LogRecordCount(), func(f func(res, rec map[string]any, lr plog.LogRecord)) {
		for _, ld := range sink.AllLogs() {
			for _, rl := range ld.ResourceLogs().All() {
				res := rl.Resource().Attributes().AsRaw()
				for _, sl := range rl.ScopeLogs().All() {
					for _, lr := range sl.LogRecords().All() {
						f(res, lr.Attributes().AsRaw(), lr)
					}
				}
			}
		}
	}
}

// A recorded request (gzip body, gzip CloudWatch Logs payloads and a
// CONTROL_MESSAGE) gives one log record per log event, with the
// envelope's metadata, and Firehose's answer.
func TestRecordedRequest(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	sink := new(consumertest.LogsSink)
	r := startReceiver(t, testConfig(), sink, tel)

	var want int
	ids := map[string]bool{}
	for _, path := range ec2Objects(t) {
		lines := envelopeLines(t, path)
		want += envelopeEvents(t, lines)
		for _, l := range lines {
			var e struct{ LogEvents []struct{ ID string } }
			json.Unmarshal(l, &e)
			for _, ev := range e.LogEvents {
				ids[ev.ID] = true
			}
		}
	}
	code, resp := post(t, r, readFile(t, requestEC2), true,
		map[string]string{headerCommonAttributes: `{"commonAttributes":{"environment":"prod"}}`})
	if code != http.StatusOK || resp.RequestID != "5d1b6c7e-6f1d-4c0e-9f3a-ec2000000001" || resp.ErrorMessage != "" {
		t.Fatalf("answer %d %+v", code, resp)
	}
	n, each := allRecords(sink)
	if n != want || want < 10 {
		t.Fatalf("%d log records, want the %d events", n, want)
	}
	each(func(res, rec map[string]any, lr plog.LogRecord) {
		group, _ := res[attrLogGroup].(string)
		if !strings.HasPrefix(group, "/ec2/") || res[attrLogStream] == "" || res[attrAccountID] != "111122223333" ||
			res[attrRegion] != "ap-northeast-1" || res[attrSourceARN] != testSourceARN || res["environment"] != "prod" ||
			res[attrRequestID] != resp.RequestID {
			t.Fatalf("resource %v", res)
		}
		id, _ := rec[attrLogEvent].(string)
		if !ids[id] {
			t.Fatalf("event id %q is none of the envelopes'", id)
		}
		delete(ids, id)
		if lr.Timestamp() == 0 || lr.Body().Str() == "" {
			t.Fatalf("record without time or message: %v %q", lr.Timestamp(), lr.Body().Str())
		}
	})
	if metricSum(t, tel, metricControl) != 1 || metricSum(t, tel, metricEvents) != int64(want) || metricSum(t, tel, metricFailed) != 0 {
		t.Errorf("metrics: control %d, events %d, failed %d", metricSum(t, tel, metricControl), metricSum(t, tel, metricEvents), metricSum(t, tel, metricFailed))
	}
	if metricSum(t, tel, metricRequests, "code", "200") != 1 {
		t.Error("the 200 answer is not counted")
	}
}

// A corrupt record among good ones: the good ones are handed on, the
// corrupt ones counted with their reason, and the request answers 200 so
// that Firehose does not send the good ones again and again.
func TestCorruptRecordAmongGood(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	sink := new(consumertest.LogsSink)
	r := startReceiver(t, testConfig(), sink, tel)
	secure := envelopeLines(t, filepath.Join(samplesEC2, "Linux/Secure/ap-northeast-1/2024/05/20/aes-siem-firehose-linux-secure-1-2024-05-20-13-25-20-59868094-7c91-4a08-b0f9-a5771d857a64"))

	code, resp := post(t, r, readFile(t, requestCorrupt), false, nil)
	if code != http.StatusOK || resp.RequestID != "5d1b6c7e-6f1d-4c0e-9f3a-c0e000000002" {
		t.Fatalf("answer %d %+v", code, resp)
	}
	if n, want := sink.LogRecordCount(), envelopeEvents(t, secure); n != want {
		t.Errorf("%d log records, want the %d events of the two good records", n, want)
	}
	if a, b := metricSum(t, tel, metricFailed, "reason", reasonBase64), metricSum(t, tel, metricFailed, "reason", reasonGzip); a != 1 || b != 1 {
		t.Errorf("failed: base64 %d, gzip %d; want 1 and 1", a, b)
	}
}

func TestAccessKey(t *testing.T) {
	sink := new(consumertest.LogsSink)
	r := startReceiver(t, testConfig(), sink, nil)
	body := readFile(t, requestCorrupt)
	for _, tc := range []struct {
		key  string
		code int
	}{
		{"wrong-key", http.StatusForbidden},
		{testAccessKey + "x", http.StatusForbidden},
		{"", http.StatusUnauthorized}, // the header left out
	} {
		code, resp := post(t, r, body, false, map[string]string{headerAccessKey: tc.key})
		if code != tc.code || resp.ErrorMessage == "" || resp.RequestID != "5d1b6c7e-6f1d-4c0e-9f3a-c0e000000002" {
			t.Errorf("key %q: answer %d %+v, want %d", tc.key, code, resp, tc.code)
		}
	}
	if sink.LogRecordCount() != 0 {
		t.Errorf("%d records accepted without the key", sink.LogRecordCount())
	}
	// without access_key every request is taken
	open := testConfig()
	open.AccessKey = ""
	r = startReceiver(t, open, sink, nil)
	if code, _ := post(t, r, body, false, map[string]string{headerAccessKey: "anything"}); code != http.StatusOK || sink.LogRecordCount() == 0 {
		t.Errorf("no access_key: %d, %d records", code, sink.LogRecordCount())
	}
}

func TestBadRequests(t *testing.T) {
	sink := new(consumertest.LogsSink)
	cfg := testConfig()
	cfg.MaxRequestBodySize = 4096
	r := startReceiver(t, cfg, sink, nil)
	for _, tc := range []struct {
		name    string
		body    string
		gz      bool
		headers map[string]string
		code    int
		msg     string
	}{
		{"not JSON", `{"requestId": "a", "records": [`, false, nil, 400, "not a Firehose delivery request"},
		{"records not a list", `{"requestId": "a", "records": {}}`, false, nil, 400, "not a Firehose delivery request"},
		{"request ids differ", `{"requestId": "a", "records": []}`, false, map[string]string{headerRequestID: "b"}, 400, "differs"},
		{"bad common attributes", `{"requestId": "a", "records": []}`, false, map[string]string{headerCommonAttributes: "[1]"}, 400, "commonAttributes"},
		{"unknown encoding", `{"requestId": "a", "records": []}`, false, map[string]string{"Content-Encoding": "br2"}, 400, "Content-Encoding"},
		{"too large", `{"requestId": "a", "records": [{"data": "` + strings.Repeat("QUFB", 2000) + `"}]}`, false, nil, 413, "max_request_body_size"},
		{"too large once gunzipped", `{"requestId": "a", "records": [{"data": "` + strings.Repeat("QUFB", 2000) + `"}]}`, true, nil, 413, "max_request_body_size"},
		{"empty", `{"requestId": "a", "records": []}`, false, nil, 200, ""},
	} {
		code, resp := post(t, r, []byte(tc.body), tc.gz, tc.headers)
		if code != tc.code || !strings.Contains(resp.ErrorMessage, tc.msg) {
			t.Errorf("%s: %d %+v, want %d with %q", tc.name, code, resp, tc.code, tc.msg)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.addr+"/", nil)
	req.Header.Set(headerAccessKey, testAccessKey)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}
	if sink.LogRecordCount() != 0 {
		t.Errorf("%d records from bad requests", sink.LogRecordCount())
	}
}

// A pipeline that fails now makes the whole request an error (Firehose
// resends it); one that refuses the records for good does not (they
// would fail again), and the others went through.
func TestDownstreamFailure(t *testing.T) {
	body := readFile(t, requestCorrupt)
	r := startReceiver(t, testConfig(), consumertest.NewErr(errors.New("queue is full")), nil)
	if code, resp := post(t, r, body, false, nil); code != http.StatusServiceUnavailable || !strings.Contains(resp.ErrorMessage, "queue is full") {
		t.Errorf("retryable: %d %+v", code, resp)
	}
	r = startReceiver(t, testConfig(), consumertest.NewErr(consumererror.NewPermanent(errors.New("line does not match"))), nil)
	if code, resp := post(t, r, body, false, nil); code != http.StatusOK || resp.ErrorMessage != "" {
		t.Errorf("permanent: %d %+v", code, resp)
	}
}

// Records that are no CloudWatch Logs payload pass through raw; a
// payload Firehose already decompressed is unpacked too.
func TestRawRecords(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	sink := new(consumertest.LogsSink)
	r := startReceiver(t, testConfig(), sink, tel)
	b64 := func(s string) requestRecord { return requestRecord{Data: base64.StdEncoding.EncodeToString([]byte(s))} }
	envelope := `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1716211201000,"message":"one"},{"id":"2","timestamp":1716211202000,"message":"two"},7]}`
	req := request{RequestID: "raw-1", Timestamp: 1, Records: []requestRecord{
		b64("2 111122223333 eni-0a1b 10.0.1.5 10.0.2.6 443 49152 6 10 8400 1716211200 1716211260 ACCEPT OK\n"),
		gzRecord([]byte(`{"messageType": "something else", "x": 1}`)),
		{Data: base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00})},
		b64(envelope),
	}}
	data, _ := json.Marshal(req)
	if code, resp := post(t, r, data, false, nil); code != http.StatusOK {
		t.Fatalf("%d %+v", code, resp)
	}
	var bodies []string
	_, each := allRecords(sink)
	each(func(res, rec map[string]any, lr plog.LogRecord) {
		bodies = append(bodies, lr.Body().AsString()+"|"+lr.Body().Type().String())
		if _, ok := rec[attrLogEvent]; ok != (res[attrLogGroup] == "g") {
			t.Errorf("event id on %v / %v", res, rec)
		}
	})
	want := []string{"2 111122223333 eni-0a1b 10.0.1.5 10.0.2.6 443 49152 6 10 8400 1716211200 1716211260 ACCEPT OK|Str",
		`{"messageType": "something else", "x": 1}|Str`, "//4A|Bytes", "one|Str", "two|Str"}
	if strings.Join(bodies, "\n") != strings.Join(want, "\n") {
		t.Errorf("bodies:\n%s\nwant\n%s", strings.Join(bodies, "\n"), strings.Join(want, "\n"))
	}
	if metricSum(t, tel, metricRaw) != 3 || metricSum(t, tel, metricFailed, "reason", reasonEvent) != 1 {
		t.Errorf("raw %d, events that are no object %d", metricSum(t, tel, metricRaw), metricSum(t, tel, metricFailed, "reason", reasonEvent))
	}
}

// A pipeline slower than the answer may be gets cut off in time and the
// request answers 503, rather than leaving Firehose without an answer.
func TestSlowPipelineAnswersInTime(t *testing.T) {
	cfg := testConfig()
	cfg.WriteTimeout = time.Second
	slow := consumerFunc(func(ctx context.Context, _ plog.Logs) error {
		<-ctx.Done() // an exporter retrying a cluster that is down
		return ctx.Err()
	})
	r := startReceiver(t, cfg, slow, nil)
	start := time.Now()
	code, resp := post(t, r, readFile(t, requestCorrupt), false, nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(resp.ErrorMessage, "deadline") {
		t.Errorf("%d %+v", code, resp)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("answered after %v, write_timeout is 1s", d)
	}
	if got := NewFactory().CreateDefaultConfig().(*Config).WriteTimeout; got != 3*time.Minute {
		t.Errorf("default write_timeout %v, want Firehose's 3 minutes", got)
	}
}

type consumerFunc func(context.Context, plog.Logs) error

func (f consumerFunc) ConsumeLogs(ctx context.Context, ld plog.Logs) error { return f(ctx, ld) }
func (consumerFunc) Capabilities() consumer.Capabilities                   { return consumer.Capabilities{} }
