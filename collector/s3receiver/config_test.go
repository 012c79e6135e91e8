package s3receiver

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	id := component.NewID(typeStr)
	if name != "" {
		id = component.MustNewIDWithName("s3", name)
	}
	sub, err := cm.Sub(id.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigQueueMode(t *testing.T) {
	cfg := loadConfig(t, "")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.VisibilityTimeout != 10*time.Minute || cfg.Concurrency != 8 || cfg.WaitTime != 20*time.Second || cfg.PartBytes != 1<<20 || cfg.MaxMessages != 10 {
		t.Fatalf("%+v", cfg)
	}
	b := cfg.Buckets["aws-controltower-logs-222233334444-eu-west-1"]
	if b.RoleARN != "arn:aws:iam::222233334444:role/siem-log-reader" || b.ExternalID != "siem" {
		t.Fatalf("buckets: %+v", cfg.Buckets)
	}
	if err := componenttest.CheckConfigStruct(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestConfigBackfillMode(t *testing.T) {
	cfg := loadConfig(t, "backfill")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Backfill == nil || cfg.Backfill.Prefix != "o-abc123/AWSLogs/" || !cfg.S3ForcePathStyle || cfg.S3Endpoint != "http://127.0.0.1:9000" {
		t.Fatalf("%+v", cfg)
	}
}

func TestConfigWebhookMode(t *testing.T) {
	cfg := loadConfig(t, "webhook")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	w := cfg.Webhook
	if w == nil || w.NetAddr.Endpoint != "0.0.0.0:8443" || string(w.AuthToken) != "webhook-token-from-minio" || !cfg.S3ForcePathStyle {
		t.Fatalf("%+v", cfg)
	}
	if tls := w.TLS.Get(); tls == nil || tls.CertFile != "/etc/otelcol-siem/tls.crt" || tls.KeyFile != "/etc/otelcol-siem/tls.key" {
		t.Fatalf("tls: %+v", w.TLS)
	}
	// the collector's server defaults, with time to read an object before answering
	if w.WriteTimeout != defaultWebhookWriteTimeout || w.ReadHeaderTimeout == 0 || w.MaxRequestBodySize != 0 && w.MaxRequestBodySize < 1<<20 {
		t.Fatalf("server defaults: write %s, read header %s, body %d", w.WriteTimeout, w.ReadHeaderTimeout, w.MaxRequestBodySize)
	}
	if got := fmt.Sprint(w.AuthToken); strings.Contains(got, "webhook-token-from-minio") {
		t.Fatalf("the token prints as %q", got)
	}
}

func TestConfigWebhookInvalid(t *testing.T) {
	err := loadConfig(t, "webhook_invalid").Validate()
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{
		"queue_url and webhook: set only one",
		`webhook.endpoint: "8443" is not host:port`,
		"webhook.tls: cert_file and key_file",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	both := loadConfig(t, "webhook")
	both.Backfill = &BackfillConfig{Bucket: "b", Checkpoint: "c"}
	both.QueueURL = "https://sqs.eu-west-1.amazonaws.com/1/q"
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "queue_url and backfill and webhook: set only one") {
		t.Errorf("three modes: %v", err)
	}
}

// Every problem is reported at once, each with its key's path.
func TestConfigInvalid(t *testing.T) {
	err := loadConfig(t, "invalid").Validate()
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{
		"queue_url and backfill: set only one",
		`queue_url: "ftp://queue" is not an http(s) URL`,
		"visibility_timeout: 1s is not within 3s-12h",
		"concurrency: 0 objects in flight",
		"backfill.bucket: required",
		"backfill.checkpoint: required",
		`buckets.b1.role_arn: "role" is not an ARN`,
		"buckets.b2.external_id: only used when assuming a role",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if err := (&Config{}).Validate(); err == nil || !strings.Contains(err.Error(), "queue_url, backfill or webhook: one of them is required") {
		t.Errorf("empty configuration: %v", err)
	}
}

// A bucket with a role is read with the role's credentials (assumed
// through STS), any other with the receiver's own.
func TestBucketClients(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	cfg := loadConfig(t, "")
	cfg.Buckets["security-lake-eu"] = BucketConfig{Region: "eu-central-1"}
	cl, err := newClients(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	archive := cl.forBucket("aws-controltower-logs-222233334444-eu-west-1")
	if archive == cl.forBucket("other") || cl.forBucket("other") != cl.fallback {
		t.Fatal("the role's bucket and another share a client")
	}
	cache, ok := archive.Options().Credentials.(*aws.CredentialsCache)
	if !ok || !cache.IsCredentialsProvider(&stscreds.AssumeRoleProvider{}) {
		t.Fatalf("the role's bucket is read with %T, not an assumed role", archive.Options().Credentials)
	}
	if cl.fallback.Options().Credentials == archive.Options().Credentials {
		t.Fatal("the receiver's own credentials are the role's")
	}
	if r := cl.forBucket("security-lake-eu").Options().Region; r != "eu-central-1" {
		t.Fatalf("bucket region %q", r)
	}
	if r := cl.forBucket("other").Options().Region; r != "eu-west-1" {
		t.Fatalf("default region %q", r)
	}
	if queueRegion("https://sqs.ap-northeast-1.amazonaws.com/111122223333/q") != "ap-northeast-1" || queueRegion("http://127.0.0.1:9/q") != "" {
		t.Fatal("queue region")
	}
}
