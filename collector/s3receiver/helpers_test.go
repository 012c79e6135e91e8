package s3receiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap/zaptest"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
	"github.com/siemloader/siemloader/collector/internal/siemexportertest"
	"github.com/siemloader/siemloader/collector/internal/sqstest"
	"github.com/siemloader/siemloader/collector/siemexporter"
	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/internal/miniotest"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

const bucket = "siem-logs"

// env is MinIO with a log bucket, the SQS double and the test cluster,
// with the AWS SDK's environment pointed at them.
type env struct {
	minio *miniotest.Server
	s3    *s3.Client
	sqs   *sqstest.Server
	os    *opensearchtest.Server
}

func newEnv(t testing.TB, maxReceiveCount int) *env {
	t.Helper()
	m := miniotest.Start(t)
	m.MakeBucket(t, bucket)
	t.Setenv("AWS_ACCESS_KEY_ID", m.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", m.SecretKey)
	t.Setenv("AWS_REGION", m.Region)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	t.Cleanup(srv.Close)
	return &env{minio: m, s3: m.Client(t), sqs: sqstest.Start(t, maxReceiveCount), os: srv}
}

func (e *env) put(t testing.TB, key string, body []byte) {
	t.Helper()
	if _, err := e.s3.PutObject(context.Background(), putInput(bucket, key, body)); err != nil {
		t.Fatal(err)
	}
}

func putInput(bucket, key string, body []byte) *s3.PutObjectInput {
	return &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
}

// queueConfig is the receiver's configuration against the env.
func (e *env) queueConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.QueueURL = e.sqs.QueueURL
	cfg.SQSEndpoint = e.sqs.URL
	cfg.S3Endpoint = e.minio.Endpoint
	cfg.S3ForcePathStyle = true
	cfg.WaitTime = time.Second
	cfg.VisibilityTimeout = 2 * time.Second
	return cfg
}

// siemExporter is the real siem exporter writing to the test cluster,
// without a sending queue: a part is accepted once it is indexed.
func (e *env) siemExporter(t testing.TB) exporter.Logs {
	t.Helper()
	return siemexportertest.Start(t, e.os.URL)
}

func startReceiver(t testing.TB, cfg *Config, next consumer.Logs) *s3Receiver {
	t.Helper()
	if err := cfg.Validate(); err != nil && cfg.VisibilityTimeout >= 3*time.Second {
		t.Fatal(err)
	}
	return startReceiverWith(t, cfg, next, nil)
}

// startReceiverWith records the receiver's telemetry in tel.
func startReceiverWith(t testing.TB, cfg *Config, next consumer.Logs, tel *componenttest.Telemetry) *s3Receiver {
	t.Helper()
	set := receivertest.NewNopSettings(typeStr)
	set.Logger = zaptest.NewLogger(t)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
		set.Logger = zaptest.NewLogger(t)
	}
	r, err := newReceiver(cfg, set, next)
	if err != nil {
		t.Fatal(err)
	}
	return componenttestutil.Start(t, r)
}

// watch is a consumer in front of the exporter: it counts the parts of
// each object and can refuse them.
type watch struct {
	next consumer.Logs
	mu   sync.Mutex
	// parts per key; before is called ahead of each, and may refuse it
	parts  map[string]int
	before func(ctx context.Context, key string, n int) error
}

func (w *watch) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (w *watch) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	v, _ := ld.ResourceLogs().At(0).Resource().Attributes().Get(siemexporter.AttrS3Key)
	key := v.Str()
	w.mu.Lock()
	if w.parts == nil {
		w.parts = map[string]int{}
	}
	w.parts[key]++
	n := w.parts[key]
	before := w.before
	w.mu.Unlock()
	if before != nil {
		if err := before(ctx, key, n); err != nil {
			return err
		}
	}
	if w.next == nil {
		return nil
	}
	return w.next.ConsumeLogs(ctx, ld)
}

func (w *watch) count(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.parts[key]
}

var errRefused = errors.New("refused by the test")

// expectedIDs are the index/_id pairs the core (siemloader load's
// engine) gives the object.
func expectedIDs(t testing.TB, key string, body []byte) map[string]bool {
	t.Helper()
	c, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	n := normalize.New(c, normalize.Options{})
	res, err := n.ProcessObject(normalize.Source{Bucket: bucket, Key: key}, bytes.NewReader(body), func(d normalize.Document) error {
		ids[d.Index+"/"+d.ID] = true
		return nil
	})
	if err != nil || res.Fatal != "" || len(ids) == 0 {
		t.Fatalf("%s: %v %q, %d documents", key, err, res.Fatal, len(ids))
	}
	return ids
}

// indexedOnce checks that the cluster holds each wanted document once and
// nothing else.
func (e *env) indexedOnce(t testing.TB, want map[string]bool) {
	t.Helper()
	writes := e.os.Writes()
	for id := range want {
		if writes[id] != 1 {
			t.Errorf("%s written %d times", id, writes[id])
		}
	}
	if len(writes) != len(want) {
		t.Fatalf("%d documents indexed, %d expected", len(writes), len(want))
	}
}

func waitFor(t testing.TB, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sample is an object of the repository's examples/samples.
type sample struct {
	key  string
	body []byte
}

func exampleSamples(t testing.TB) []sample {
	t.Helper()
	root := "../../examples/samples/"
	var out []sample
	for _, glob := range []string{
		"AWSLogs/111122223333/CloudTrail/*/*/*/*/*.json",
		"AWSLogs/111122223333/vpcflowlogs/*/*/*/*/*.log",
		"AWSLogs/111122223333/elasticloadbalancing/*/*/*/*/*",
		"AWSLogs/111122223333/EC2/Linux/Secure/*/*/*/*/*",
	} {
		files, _ := filepath.Glob(root + glob)
		if len(files) == 0 {
			t.Fatalf("no sample %s", glob)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, sample{strings.TrimPrefix(f, root), b})
		}
	}
	return out
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// s3Event is a direct S3 event notification for key (URL-encoded as S3
// does).
func s3Event(key string) string {
	return `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"` + bucket + `"},"object":{"key":"` + encodeKey(key) + `","size":1,"eTag":"x"}}}]}`
}

func encodeKey(k string) string {
	var b strings.Builder
	for _, c := range []byte(k) {
		switch {
		case c == ' ':
			b.WriteByte('+')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-_./", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}
