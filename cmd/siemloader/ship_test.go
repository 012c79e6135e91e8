package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/siemloader/siemloader/internal/awstest"
	"github.com/siemloader/siemloader/internal/miniotest"
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

// Serverless: SigV4 for aoss from the SDK chain, one index per type named
// as es-loader names it there, and no _id for a time-series collection.
func TestLoadShipsToServerless(t *testing.T) {
	dir := t.TempDir()
	awstest.Isolate(t, "AKIDCLI", "cli-secret")
	srv := opensearchtest.New(opensearchtest.Faults{}, 7)
	defer srv.Close()
	srv.RequireSigV4(aws.Credentials{AccessKeyID: "AKIDCLI", SecretAccessKey: "cli-secret"}, "aoss", "eu-west-3")
	srv.TimeSeries()
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n"+
		"2 45.33.32.156 10.0.0.1 1 22 6 ACCEPT 1716163260\n"+
		"2 45.33.32.157 10.0.0.1 3 443 6 ACCEPT 1716163260\n")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	var stdout, stderr bytes.Buffer
	args := []string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--aws-sigv4", "aoss", "--aws-region", "eu-west-3", "--aoss-timeseries", obj}
	if code := cmdLoad(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	writes := srv.Writes()
	if len(writes) != 2 {
		t.Fatalf("writes %v", writes)
	}
	for k := range writes {
		if !strings.HasPrefix(k, "log-aws-vpcflowlogs-001/auto-") {
			t.Errorf("stored as %s: want the Serverless index name and a generated id", k)
		}
	}
	if ok, refused := srv.AuthCounts(); ok == 0 || refused != 0 {
		t.Errorf("signatures accepted %d, refused %d", ok, refused)
	}
	// a time-series collection without SigV4 for aoss is a usage error
	if code := cmdLoad([]string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--aoss-timeseries", obj}, &stdout, &stderr); code == 0 {
		t.Error("--aoss-timeseries without --aws-sigv4 aoss accepted")
	}
}

// load prepares the cluster first: templates, and a write alias for a
// type rotated by ISM; without permission it warns and loads anyway.
func TestLoadBootstrapsTheCluster(t *testing.T) {
	dir := t.TempDir()
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n2 45.33.32.156 10.0.0.1 1 22 6 ACCEPT 1716163260\n")
	ini := filepath.Join(dir, "user.ini")
	writeFile(t, ini, "[vpcflowlogs]\nindex_rotation = auto\n")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"

	srv := opensearchtest.New(opensearchtest.Faults{}, 7)
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	if code := cmdLoad([]string{"--quiet", "--config", ini, "--s3-key", key, "--opensearch", srv.URL, obj}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, ok := srv.IndexTemplates()["siem-log"]; !ok {
		t.Errorf("no siem-log index template: %v", srv.IndexTemplates())
	}
	if a := srv.Aliases()["log-aws-vpcflowlogs"]; len(a) != 1 || a[0] != "log-aws-vpcflowlogs-000001" {
		t.Errorf("write alias: %v", srv.Aliases())
	}
	if w := srv.Writes(); len(w) != 1 {
		t.Errorf("writes %v", w)
	}

	denied := opensearchtest.New(opensearchtest.Faults{}, 7)
	defer denied.Close()
	denied.ForbidAdmin()
	stderr.Reset()
	if code := cmdLoad([]string{"--quiet", "--s3-key", key, "--opensearch", denied.URL, obj}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d without bootstrap permission: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning") || denied.Docs() != 1 {
		t.Errorf("no warning or no document: %q, %d docs", stderr.String(), denied.Docs())
	}

	skipped := opensearchtest.New(opensearchtest.Faults{}, 7)
	defer skipped.Close()
	if code := cmdLoad([]string{"--quiet", "--bootstrap=false", "--s3-key", key, "--opensearch", skipped.URL, obj}, &stdout, &stderr); code != 0 || len(skipped.IndexTemplates()) != 0 {
		t.Errorf("--bootstrap=false: exit %d, templates %v", code, skipped.IndexTemplates())
	}
}

// --dead-letter s3://bucket/prefix keeps refused documents in a bucket (a
// real S3 server: MinIO).
func TestLoadDeadLettersToS3(t *testing.T) {
	minio := miniotest.Start(t)
	minio.MakeBucket(t, "siem-dead")
	awstest.Isolate(t, minio.AccessKey, minio.SecretKey)
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "203.0.113.9"}, 7)
	defer srv.Close()
	dir := t.TempDir()
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n"+
		"2 45.33.32.156 10.0.0.1 1 22 6 ACCEPT 1716163260\n2 203.0.113.9 10.0.0.1 2 22 6 REJECT 1716163260\n")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	var stdout, stderr bytes.Buffer
	args := []string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--dead-letter", "s3://siem-dead/refused",
		"--s3-endpoint", minio.Endpoint, "--s3-region", minio.Region, obj}
	if code := cmdLoad(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out, err := minio.Client(t).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("siem-dead"), Prefix: aws.String("refused/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || !strings.HasSuffix(*out.Contents[0].Key, ".ndjson.gz") {
		t.Fatalf("objects %+v", out.Contents)
	}
}

// --dead-letter-max-size: a refused document that would pass the cap is
// not dead-lettered; it counts as failed, the run says why and exits 1.
func TestLoadDeadLetterCap(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "203.0.113.9"}, 8)
	defer srv.Close()
	dir := t.TempDir()
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n"+
		"2 45.33.32.156 10.0.0.1 1 22 6 ACCEPT 1716163260\n"+
		"2 203.0.113.9 10.0.0.1 2 22 6 REJECT 1716163260\n")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	dl := filepath.Join(dir, "dead")
	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--dead-letter", dl, "--dead-letter-max-size", "100", obj}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "could not be dead-lettered") || !strings.Contains(stderr.String(), "full") {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if srv.Docs() != 1 {
		t.Errorf("server holds %d documents, want the good one", srv.Docs())
	}
	stderr.Reset()
	if code := cmdLoad([]string{"--quiet", "--s3-key", key, "--opensearch", srv.URL, "--dead-letter", dl, "--dead-letter-max-size", "lots", obj}, &stdout, &stderr); code == 0 ||
		!strings.Contains(stderr.String(), "--dead-letter-max-size") {
		t.Fatalf("a bad size: exit %d:\n%s", code, stderr.String())
	}
}
