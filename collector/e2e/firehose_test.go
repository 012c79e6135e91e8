package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// The firehose receiver's recorded request and the user.ini that routes
// its log groups (collector/firehosereceiver/testdata).
const (
	firehoseRequest   = "../firehosereceiver/testdata/request-ec2.json"
	firehoseUserINI   = "../firehosereceiver/testdata/user.ini"
	firehoseAccessKey = "e2e-access-key"
)

func firehoseConfig(port int, endpoint, userINI string) string {
	return fmt.Sprintf(`
receivers:
  firehose:
    endpoint: 127.0.0.1:%d
    access_key: ${env:FIREHOSE_ACCESS_KEY}
exporters:
  siem:
    endpoints: [%q]
    config: [%q]
    sending_queue:
      enabled: false
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [firehose]
      exporters: [siem]
`, port, endpoint, userINI)
}

// postFirehose sends body as Firehose does (gzip, its headers) and
// returns the status and the JSON answer.
func postFirehose(t *testing.T, port int, body []byte, key string) (int, map[string]any) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	var id struct {
		RequestID string `json:"requestId"`
	}
	json.Unmarshal(body, &id)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/", port), &gz)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("X-Amz-Firehose-Protocol-Version", "1.0")
	req.Header.Set("X-Amz-Firehose-Request-Id", id.RequestID)
	req.Header.Set("X-Amz-Firehose-Source-Arn", "arn:aws:firehose:ap-northeast-1:111122223333:deliverystream/siem-cwl")
	req.Header.Set("X-Amz-Firehose-Access-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	if err := json.Unmarshal(data, &answer); err != nil || answer["requestId"] != id.RequestID || answer["timestamp"] == nil {
		t.Fatalf("answer %d %q is not Firehose's JSON for request %s", resp.StatusCode, data, id.RequestID)
	}
	return resp.StatusCode, answer
}

// A recorded Firehose request of CloudWatch Logs payloads, POSTed to the
// built otelcol-siem, is indexed with the _index and _id siemloader load
// gives the S3 objects of the same envelopes; the 200 comes once the
// documents are in (no sending queue); a wrong key is refused.
func TestOtelcolFirehoseToOpenSearch(t *testing.T) {
	bin := otelcolBinary(t)
	cli := cliBinary(t)
	userINI, _ := filepath.Abs(firehoseUserINI)
	var objects []sampleFile
	filepath.Walk(filepath.Join(repoRoot, "examples", "samples", "AWSLogs", "111122223333", "EC2"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			abs, _ := filepath.Abs(p)
			objects = append(objects, sampleFile{path: abs})
		}
		return err
	})
	want := expected(t, cli, userINI, objects)

	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	dir := t.TempDir()
	port := freePort(t)
	cfgPath := filepath.Join(dir, "otelcol.yaml")
	writeFile(t, cfgPath, []byte(firehoseConfig(port, srv.URL, userINI)))
	col := startCollector(t, bin, cfgPath, "FIREHOSE_ACCESS_KEY="+firehoseAccessKey)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		col.checkRunning(t)
		if time.Now().After(deadline) {
			t.Fatal("the firehose receiver is not listening after 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	body, err := os.ReadFile(firehoseRequest)
	if err != nil {
		t.Fatal(err)
	}
	if code, answer := postFirehose(t, port, body, "not-the-key"); code != http.StatusForbidden || answer["errorMessage"] == nil {
		t.Errorf("wrong key: %d %v", code, answer)
	}
	if srv.Docs() != 0 {
		t.Fatalf("%d documents from a request with a wrong key", srv.Docs())
	}
	if code, answer := postFirehose(t, port, body, firehoseAccessKey); code != http.StatusOK || answer["errorMessage"] != nil {
		t.Fatalf("answer %d %v", code, answer)
	}
	indexedOnce(t, want, srv.Writes())
	col.stop(t) // its output is complete once it has exited
	if bytes.Contains(col.logs.Bytes(), []byte(firehoseAccessKey)) {
		t.Error("the access key is in the collector's output")
	}
	t.Logf("%d documents from one Firehose request, as the CLI gives the %d objects", len(want), len(objects))
}
