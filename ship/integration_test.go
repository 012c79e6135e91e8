package ship_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/ship"
)

// integrationConfig is the real cluster named by OPENSEARCH_URL, with
// OPENSEARCH_USER / OPENSEARCH_PASSWORD for basic auth and
// OPENSEARCH_INSECURE=1 for a container's self-signed certificate. The
// test is skipped without OPENSEARCH_URL; docs/shipping.md says how to
// start a cluster for it.
func integrationConfig(t *testing.T) ship.Config {
	u := os.Getenv("OPENSEARCH_URL")
	if u == "" {
		t.Skip("OPENSEARCH_URL is not set: no real cluster to test against (see docs/shipping.md)")
	}
	return ship.Config{URLs: strings.Split(u, ","), Username: os.Getenv("OPENSEARCH_USER"), Password: os.Getenv("OPENSEARCH_PASSWORD"),
		InsecureSkipVerify: os.Getenv("OPENSEARCH_INSECURE") == "1", Gzip: true, FlushDocs: 300,
		RetryInitial: 50 * time.Millisecond, RetryMax: time.Second}
}

// rawRequest talks to the cluster directly, to check what the indexer did.
func rawRequest(t *testing.T, cfg ship.Config, method, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimRight(cfg.URLs[0], "/")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "" {
		req.SetBasicAuth(cfg.Username, cfg.Password)
	}
	client := http.DefaultClient
	if cfg.InsecureSkipVerify {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // a test container's certificate
		client = &http.Client{Transport: tr}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// Against a real OpenSearch: documents are indexed once even when sent
// twice, a mapping conflict lands in the dead-letter with OpenSearch's
// own reason, and the count on the cluster is exact.
func TestIntegrationRealCluster(t *testing.T) {
	cfg := integrationConfig(t)
	index := fmt.Sprintf("siemloader-it-%d", time.Now().UnixNano())
	dl := t.TempDir()
	cfg.DeadLetterDir = dl
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rawRequest(t, cfg, http.MethodDelete, "/"+index) })
	const n = 1000
	docs := make([]ship.Doc, 0, n+1)
	for i := 0; i < n; i++ {
		docs = append(docs, ship.Doc{LogType: "it", Index: index, ID: fmt.Sprintf("doc-%d", i),
			Body: fmt.Appendf(nil, `{"@timestamp":"2024-06-15T00:00:%02dZ","count":%d,"source":{"ip":"192.0.2.%d"}}`, i%60, i, i%250)})
	}
	ctx := context.Background()
	// the first document fixes count as a number; the conflict comes after
	if out := ix.Send(ctx, docs[:1]); out[0] != ship.Delivered {
		t.Fatalf("first document: %v (%s)", out[0], ix.Stats().LastRefusal)
	}
	docs = append(docs, ship.Doc{LogType: "it", Index: index, ID: "bad", Body: []byte(`{"count":"not a number"}`)})
	for round := 0; round < 2; round++ {
		for i := range docs {
			if err := ix.Add(ctx, docs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Close(ctx); err != nil {
		t.Fatal(err)
	}
	tot := ix.Stats().Total()
	if tot.Failed != 0 || tot.DeadLettered != 2 || tot.Delivered != 2*n+1 {
		t.Fatalf("counts %+v", tot)
	}
	rawRequest(t, cfg, http.MethodPost, "/"+index+"/_refresh")
	status, body := rawRequest(t, cfg, http.MethodGet, "/"+index+"/_count")
	var c struct{ Count int }
	if status != 200 || json.Unmarshal(body, &c) != nil || c.Count != n {
		t.Fatalf("_count: %d %s, want %d", status, body, n)
	}
	files, _ := filepath.Glob(filepath.Join(dl, "*.ndjson"))
	if len(files) != 1 {
		t.Fatalf("dead-letter files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	var rec ship.DeadLetterRecord
	if err := json.Unmarshal([]byte(strings.SplitN(string(data), "\n", 2)[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "bad" || rec.Status != 400 || rec.ErrorType != "mapper_parsing_exception" || rec.Index != index {
		t.Fatalf("dead-letter record %+v", rec)
	}
}
