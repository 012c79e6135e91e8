package firehosereceiver

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/collector/internal/siemexportertest"
	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// cliDocs are the index/_id of the documents siemloader load gives for
// the bundled objects (the engine on each S3 object, keyed as in
// examples/samples), with the same user.ini.
func cliDocs(t testing.TB, userINI ...string) map[string]bool {
	t.Helper()
	c, err := conf.Load(userINI...)
	if err != nil {
		t.Fatal(err)
	}
	n := normalize.New(c, normalize.Options{})
	out := map[string]bool{}
	for _, path := range ec2Objects(t) {
		key := strings.TrimPrefix(path, "../../examples/samples/")
		res, err := n.ProcessObject(normalize.Source{Bucket: "aes-siem-111122223333-log", Key: key}, bytes.NewReader(readFile(t, path)),
			func(d normalize.Document) error {
				out[d.Index+"/"+d.ID] = true
				return nil
			})
		if err != nil || res.LogType == "" {
			t.Fatalf("%s: %v %+v", key, err, res)
		}
	}
	return out
}

// The recorded request through the receiver and the siem exporter gives
// the documents siemloader load gives for the S3 objects Firehose would
// have written of the same envelopes: the same _index and _id each. A
// request sent again (Firehose retrying) adds no document.
func TestSameDocumentsAsTheCLI(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	r := startReceiver(t, testConfig(), siemexportertest.Start(t, srv.URL, "testdata/user.ini"), nil)
	body := readFile(t, requestEC2)
	for attempt := 1; attempt <= 2; attempt++ {
		if code, resp := post(t, r, body, true, nil); code != http.StatusOK {
			t.Fatalf("attempt %d: %d %+v", attempt, code, resp)
		}
	}
	want := cliDocs(t, "testdata/user.ini")
	writes := srv.Writes()
	got := slices.Sorted(maps.Keys(writes))
	if w := slices.Sorted(maps.Keys(want)); !slices.Equal(got, w) || len(w) < 10 {
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(w, "", " ")
		t.Fatalf("indexed through the receiver:\n%s\nsiemloader load:\n%s", gj, wj)
	}
	for k, n := range writes {
		if n != 1 {
			t.Errorf("%s written %d times", k, n)
		}
	}
}

// The delivery stream's HTTP endpoint parameters arrive as common
// attributes: siem.log_type there routes records no section's loggroup
// claims (no user.ini here).
func TestCommonAttributeLogType(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	r := startReceiver(t, testConfig(), siemexportertest.Start(t, srv.URL), nil)
	path := ""
	for _, p := range ec2Objects(t) {
		if strings.Contains(p, "/Linux/Secure/") {
			path = p
		}
	}
	req := request{RequestID: "attrs-1", Timestamp: 1}
	for _, l := range envelopeLines(t, path) {
		req.Records = append(req.Records, gzRecord(l))
	}
	data, _ := json.Marshal(req)
	code, resp := post(t, r, data, false, map[string]string{headerCommonAttributes: `{"commonAttributes":{"siem.log_type":"linux-secure"}}`})
	if code != http.StatusOK {
		t.Fatalf("%d %+v", code, resp)
	}
	n := normalize.New(mustConf(t), normalize.Options{})
	want := 0
	res, _ := n.ProcessObject(normalize.Source{Key: strings.TrimPrefix(path, "../../examples/samples/")}, bytes.NewReader(readFile(t, path)),
		func(d normalize.Document) error {
			if srv.Writes()[d.Index+"/"+d.ID] != 1 {
				t.Errorf("%s/%s not indexed through the receiver", d.Index, d.ID)
			}
			want++
			return nil
		})
	if want == 0 || srv.Docs() != want {
		t.Errorf("%d documents indexed, the CLI gives %d (%+v)", srv.Docs(), want, res)
	}
}

func mustConf(t testing.TB) *conf.Config {
	t.Helper()
	c, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
