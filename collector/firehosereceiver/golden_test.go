package firehosereceiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/siemloader/siemloader/collector/internal/siemexportertest"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// sharedDir is the shared corpus beside the repository, or
// SIEMLOADER_SHARED; "" when it is not there.
func sharedDir() string {
	if d := os.Getenv("SIEMLOADER_SHARED"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(filepath.Join(d, "golden")); err != nil {
		return ""
	}
	return d
}

// The CloudWatch Logs envelopes of the golden corpus (every via_cwl type
// es-loader was run on: syslog, RDS, Windows events, CloudHSM, OpenSearch
// audit, Client VPN...), each POSTed as Firehose sends it with the type
// as a delivery stream parameter, index what the engine makes of the
// same envelope as an S3 object: the same _index and _id.
func TestGoldenEnvelopesSameAsCLI(t *testing.T) {
	shared := sharedDir()
	if shared == "" {
		t.Skip("no shared corpus (../shared or SIEMLOADER_SHARED)")
	}
	envelopes, _ := filepath.Glob(filepath.Join(shared, "golden", "*", "*", "cwl-envelope.json"))
	if len(envelopes) == 0 {
		t.Fatalf("no cwl-envelope.json under %s/golden", shared)
	}
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	r := startReceiver(t, testConfig(), siemexportertest.Start(t, srv.URL), nil)
	n := normalize.New(mustConf(t), normalize.Options{})
	want := map[string]bool{}
	types := map[string]bool{}
	for i, path := range envelopes {
		var c struct {
			LogType  string `json:"logtype"`
			S3Bucket string `json:"s3_bucket"`
			S3Key    string `json:"s3_key"`
		}
		if err := json.Unmarshal(readFile(t, filepath.Join(filepath.Dir(path), "case.json")), &c); err != nil {
			t.Fatal(err)
		}
		envelope := readFile(t, path)
		if _, err := n.ProcessObject(normalize.Source{Bucket: c.S3Bucket, Key: c.S3Key}, bytes.NewReader(envelope), func(d normalize.Document) error {
			want[d.Index+"/"+d.ID] = true
			types[c.LogType] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(request{RequestID: filepath.Base(filepath.Dir(path)), Timestamp: int64(i), Records: []requestRecord{gzRecord(envelope)}})
		attrs, _ := json.Marshal(map[string]any{"commonAttributes": map[string]string{"siem.log_type": c.LogType}})
		if code, resp := post(t, r, body, true, map[string]string{headerCommonAttributes: string(attrs)}); code != http.StatusOK {
			t.Fatalf("%s: %d %+v", path, code, resp)
		}
	}
	writes := srv.Writes()
	for k := range want {
		if writes[k] != 1 {
			t.Errorf("%s: written %d times through the receiver", k, writes[k])
		}
	}
	if len(writes) != len(want) || len(types) < 10 {
		t.Errorf("%d documents through the receiver, %d from the objects (%d types)", len(writes), len(want), len(types))
	}
	t.Logf("%d envelopes of %d log types: %d documents, the CLI's", len(envelopes), len(types), len(want))
}
