package firehosereceiver

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
)

var update = flag.Bool("update", false, "write the recorded requests of testdata/ again from examples/samples")

// The recorded requests are Firehose delivery requests, written from the
// documented format around the CloudWatch Logs payloads of the bundled
// EC2 samples (examples/samples: one subscription message per line, as
// Firehose writes them to S3).
const (
	requestEC2     = "testdata/request-ec2.json"
	requestCorrupt = "testdata/request-corrupt.json"
	samplesEC2     = "../../examples/samples/AWSLogs/111122223333/EC2"
	testAccessKey  = "test-access-key-0123456789"
	testSourceARN  = "arn:aws:firehose:ap-northeast-1:111122223333:deliverystream/siem-cwl"
)

// ec2Objects are the bundled CloudWatch Logs objects, by S3 key (relative
// to examples/samples), in a fixed order.
func ec2Objects(t testing.TB) []string {
	t.Helper()
	var keys []string
	err := filepath.Walk(samplesEC2, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			keys = append(keys, path)
		}
		return err
	})
	if err != nil || len(keys) < 6 {
		t.Fatalf("bundled EC2 samples: %v (%d)", err, len(keys))
	}
	return keys
}

// envelopeLines are the subscription messages of one object.
func envelopeLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// gzRecord is a record as CloudWatch Logs puts it into Firehose.
func gzRecord(data []byte) requestRecord {
	return requestRecord{Data: base64.StdEncoding.EncodeToString(gzipped(data))}
}

const controlMessage = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1716211100000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`

// TestUpdateTestdata writes the recorded requests (go test -run
// TestUpdateTestdata -update); without -update it checks they are
// current.
func TestUpdateTestdata(t *testing.T) {
	ec2 := request{RequestID: "5d1b6c7e-6f1d-4c0e-9f3a-ec2000000001", Timestamp: 1716211525000}
	for _, path := range ec2Objects(t) {
		for _, l := range envelopeLines(t, path) {
			ec2.Records = append(ec2.Records, gzRecord(l))
		}
	}
	ec2.Records = append(ec2.Records, gzRecord([]byte(controlMessage)))

	secure := envelopeLines(t, filepath.Join(samplesEC2, "Linux/Secure/ap-northeast-1/2024/05/20/aes-siem-firehose-linux-secure-1-2024-05-20-13-25-20-59868094-7c91-4a08-b0f9-a5771d857a64"))
	truncated := gzipped(secure[1])
	corrupt := request{RequestID: "5d1b6c7e-6f1d-4c0e-9f3a-c0e000000002", Timestamp: 1716211526000, Records: []requestRecord{
		gzRecord(secure[0]),
		{Data: "this is not base64!"},
		{Data: base64.StdEncoding.EncodeToString(truncated[:len(truncated)/2])},
		gzRecord(secure[1]),
	}}
	for path, req := range map[string]request{requestEC2: ec2, requestCorrupt: corrupt} {
		data, _ := json.MarshalIndent(req, "", " ")
		data = append(data, '\n')
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(have, data) {
			t.Errorf("%s is not what the samples give (go test -run TestUpdateTestdata -update): %v", path, err)
		}
	}
}

// startReceiver starts a receiver on a free loopback port.
func startReceiver(t testing.TB, cfg *Config, next consumer.Logs, tel *componenttest.Telemetry) *firehoseReceiver {
	t.Helper()
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	set := receivertest.NewNopSettings(typeStr)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	r, err := newReceiver(cfg, set, next)
	if err != nil {
		t.Fatal(err)
	}
	return componenttestutil.Start(t, r)
}

func testConfig() *Config {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AccessKey = testAccessKey
	return cfg
}

// post sends a delivery request as Firehose does (gzip when gz) and
// returns the status and the decoded answer.
func post(t testing.TB, r *firehoseReceiver, body []byte, gz bool, headers map[string]string) (int, response) {
	t.Helper()
	if gz {
		body = gzipped(body)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Firehose-Protocol-Version", "1.0")
	req.Header.Set(headerAccessKey, testAccessKey)
	req.Header.Set(headerSourceARN, testSourceARN)
	var id struct {
		RequestID string `json:"requestId"`
	}
	if json.Unmarshal(body, &id) == nil && id.RequestID != "" {
		req.Header.Set(headerRequestID, id.RequestID)
	}
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("answer's Content-Type %q (%s)", ct, data)
	}
	var out response
	if err := json.Unmarshal(data, &out); err != nil || out.Timestamp == 0 {
		t.Fatalf("answer %d is not Firehose's JSON: %q", resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// envelopeEvents counts the log events of the DATA_MESSAGEs in lines.
func envelopeEvents(t testing.TB, lines [][]byte) int {
	n := 0
	for _, l := range lines {
		var e struct {
			MessageType string
			LogEvents   []json.RawMessage
		}
		if err := json.Unmarshal(l, &e); err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(e.MessageType, "DATA_MESSAGE") {
			n += len(e.LogEvents)
		}
	}
	return n
}
