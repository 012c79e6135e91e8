package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// load --opensearch ships instead of writing files; what the cluster
// refuses lands in the dead-letter folder and the summary says so.
func TestLoadShipsToOpenSearch(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{ItemRejected: 0.3, RejectMarker: "203.0.113.9"}, 7)
	defer srv.Close()
	dir := t.TempDir()
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n"+
		"2 45.33.32.156 10.0.0.1 1 22 6 ACCEPT 1716163260\n"+
		"2 203.0.113.9 10.0.0.1 2 22 6 REJECT 1716163260\n"+
		"2 45.33.32.157 10.0.0.1 3 443 6 ACCEPT 1716163260\n")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	dl := filepath.Join(dir, "dead")
	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--now", "2024-06-15T00:00:00Z", "--s3-key", key, "--opensearch", srv.URL, "--gzip", "--dead-letter", dl, obj}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if srv.Docs() != 2 {
		t.Errorf("server holds %d documents, want 2", srv.Docs())
	}
	if files, _ := filepath.Glob(filepath.Join(dl, "*.ndjson")); len(files) != 1 {
		t.Errorf("dead-letter files: %v", files)
	}
	if !strings.Contains(stderr.String(), "shipped to OpenSearch") || !strings.Contains(stderr.String(), "vpcflowlogs") {
		t.Errorf("no shipping summary:\n%s", stderr.String())
	}
	// a cluster that never answers leaves documents undelivered: exit 1
	srv.Close()
	stderr.Reset()
	if code := cmdLoad([]string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--max-attempts", "2", obj}, &stdout, &stderr); code == 0 {
		t.Error("exit 0 with nothing delivered")
	}
}
