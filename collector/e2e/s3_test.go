package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/siemloader/siemloader/collector/internal/sqstest"
	"github.com/siemloader/siemloader/internal/miniotest"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// cliIDs are the index/_id pairs `siemloader load` gives the object in
// file under its S3 key.
func cliIDs(t *testing.T, cli, key, file string) map[string]bool {
	cmd := exec.Command(cli, "load", "--quiet", "--s3-bucket", "siem-logs", "--s3-key", key, "--output", "-", file)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("siemloader load %s: %v\n%s", key, err, errOut.String())
	}
	ids := cliActionIDs(t, &out)
	if len(ids) == 0 {
		t.Fatalf("the CLI made no document of %s", key)
	}
	return ids
}

// S3 objects announced through SQS reach the cluster through the built
// otelcol-siem: the s3 receiver downloads them from MinIO, the siem
// exporter indexes them. Every document is indexed once with the _index
// and _id the CLI gives the object, and each message is deleted only
// once its object's documents are all in.
func TestOtelcolS3ToOpenSearch(t *testing.T) {
	bin := otelcolBinary(t)
	cli := cliBinary(t)
	dir := t.TempDir()
	minio := miniotest.Start(t)
	minio.MakeBucket(t, "siem-logs")
	client := minio.Client(t)
	queue := sqstest.Start(t, 3)
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()

	root := filepath.Join(repoRoot, "examples", "samples")
	var keys []string
	for _, glob := range []string{
		"AWSLogs/111122223333/CloudTrail/*/*/*/*/*.json",
		"AWSLogs/111122223333/vpcflowlogs/*/*/*/*/*.log",
		"AWSLogs/111122223333/elasticloadbalancing/*/*/*/*/*app.*.log.gz",
		"AWSLogs/111122223333/EC2/Linux/Secure/*/*/*/*/*", // CloudWatch Logs envelopes from Firehose
	} {
		files, _ := filepath.Glob(filepath.Join(root, glob))
		if len(files) == 0 {
			t.Fatalf("no sample %s", glob)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			keys = append(keys, filepath.ToSlash(rel))
		}
	}
	want := map[string]bool{}
	idsOf := map[string]map[string]bool{} // message id -> its object's documents
	for i, key := range keys {
		body, err := os.ReadFile(filepath.Join(root, key))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 { // one object gzipped on the way, as CloudTrail writes them
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(body)
			zw.Close()
			body, key = b.Bytes(), key+".gz"
		}
		file := filepath.Join(dir, fmt.Sprintf("object-%d", i))
		writeFile(t, file, body)
		ids := cliIDs(t, cli, key, file)
		for id := range ids {
			want[id] = true
		}
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("siem-logs"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		msg := `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"siem-logs"},"object":{"key":"` + key + `","size":` + fmt.Sprint(len(body)) + `}}}]}`
		idsOf[queue.Send(msg)] = ids
	}
	var mu sync.Mutex
	var early []string
	queue.OnDelete(func(m sqstest.Message) {
		writes := srv.Writes()
		for id := range idsOf[m.ID] {
			if writes[id] == 0 {
				mu.Lock()
				early = append(early, m.ID+": "+id)
				mu.Unlock()
			}
		}
	})

	cfgPath := filepath.Join(dir, "otelcol.yaml")
	writeFile(t, cfgPath, []byte(fmt.Sprintf(`
receivers:
  s3:
    queue_url: %q
    sqs_endpoint: %q
    s3_endpoint: %q
    s3_force_path_style: true
    wait_time: 1s
    visibility_timeout: 30s
    part_bytes: 4096
exporters:
  siem:
    endpoints: [%q]
    retry_on_failure:
      initial_interval: 100ms
    sending_queue:
      enabled: false
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [s3]
      exporters: [siem]
`, queue.QueueURL, queue.URL, minio.Endpoint, srv.URL)))

	col := startCollector(t, bin, cfgPath, "AWS_ACCESS_KEY_ID="+minio.AccessKey, "AWS_SECRET_ACCESS_KEY="+minio.SecretKey,
		"AWS_REGION="+minio.Region, "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED=true")
	defer col.stop(t)

	deadline := time.Now().Add(90 * time.Second)
	for {
		pending := 0
		for _, m := range queue.Messages() {
			if m.Deleted.IsZero() {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		col.checkRunning(t)
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages still in the queue after 90s; %d of %d documents", pending, len(keys), srv.Docs(), len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything more would be a duplicate
	mu.Lock()
	if len(early) > 0 {
		t.Errorf("messages deleted before their documents were in: %v", early)
	}
	mu.Unlock()
	indexedOnce(t, want, srv.Writes())
	for _, m := range queue.Messages() {
		if m.Receives != 1 {
			t.Errorf("message %s received %d times", m.ID, m.Receives)
		}
	}
	if len(queue.DeadLetters()) > 0 {
		t.Errorf("dead letters: %v", queue.DeadLetters())
	}
	t.Logf("%d documents from %d objects (%s), each once, as the CLI gives them", len(want), len(keys), strings.Join(keys, ", "))
}
