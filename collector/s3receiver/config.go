package s3receiver

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// Config is the receiver's configuration; docs/s3receiver.md lists every
// key with its default. Exactly one mode is set: queue_url (S3 event
// notifications through SQS), backfill (list a bucket prefix once) or
// webhook (notifications POSTed by MinIO's webhook target).
type Config struct {
	// QueueURL is the SQS queue S3 (directly, through SNS or through
	// EventBridge) announces new objects to.
	QueueURL string `mapstructure:"queue_url"`
	// SQSEndpoint overrides the SQS endpoint (tests, VPC endpoints).
	SQSEndpoint string `mapstructure:"sqs_endpoint"`
	// WaitTime is ReceiveMessage's long poll (at most 20s).
	WaitTime time.Duration `mapstructure:"wait_time"`
	// VisibilityTimeout hides a received message from other consumers;
	// while its object is processed it is extended every
	// VisibilityTimeout/3.
	VisibilityTimeout time.Duration `mapstructure:"visibility_timeout"`
	// MaxMessages per ReceiveMessage (1-10).
	MaxMessages int32 `mapstructure:"max_messages"`

	Backfill *BackfillConfig `mapstructure:"backfill"`
	Webhook  *WebhookConfig  `mapstructure:"webhook"`

	// Region of S3 and SQS; the SDK's when empty (the queue URL's for SQS).
	Region  string `mapstructure:"region"`
	Profile string `mapstructure:"profile"`
	// S3Endpoint overrides the S3 endpoint (MinIO, tests, VPC endpoints).
	S3Endpoint       string `mapstructure:"s3_endpoint"`
	S3ForcePathStyle bool   `mapstructure:"s3_force_path_style"`
	// Buckets gives a bucket its own credentials: a role assumed in the
	// account that owns it (Control Tower's log archive, Security Lake).
	Buckets map[string]BucketConfig `mapstructure:"buckets"`

	// Concurrency is the number of objects in flight.
	Concurrency int `mapstructure:"concurrency"`
	// PartBytes is about the size of the pieces an object is handed
	// downstream in (one log record each).
	PartBytes int `mapstructure:"part_bytes"`
	// Config are the user.ini files of the siem exporter: the section of
	// an object says how it may be cut (its header lines, its format).
	Config []string `mapstructure:"config"`
}

// BackfillConfig lists a bucket prefix once, as es-loader's batch mode.
type BackfillConfig struct {
	Bucket string `mapstructure:"bucket"`
	Prefix string `mapstructure:"prefix"`
	// Checkpoint is a file that records the objects done, so that a
	// restart does not read them again.
	Checkpoint string `mapstructure:"checkpoint"`
}

// WebhookConfig is an HTTP endpoint for S3-compatible bucket event
// notifications, as MinIO's webhook target POSTs them.
type WebhookConfig struct {
	// ServerConfig brings endpoint, tls, max_request_body_size, timeouts.
	confighttp.ServerConfig `mapstructure:",squash"`
	// AuthToken is what the sender puts in Authorization (MinIO's
	// auth_token, alone or after "Bearer "); empty accepts any request
	// (a warning at start). Never printed.
	AuthToken configopaque.String `mapstructure:"auth_token"`
}

// defaultWebhookWriteTimeout leaves time to read a large object before
// the answer: the answer says whether it went downstream.
const defaultWebhookWriteTimeout = 10 * time.Minute

// Unmarshal starts from the collector's server defaults and reads
// auth_token beside them: the embedded ServerConfig's own Unmarshal
// would be promoted and fill the server's keys alone.
func (c *WebhookConfig) Unmarshal(conf *confmap.Conf) error {
	if c.NetAddr.Endpoint == "" && c.NetAddr.Transport == "" {
		c.ServerConfig = confighttp.NewDefaultServerConfig()
		c.WriteTimeout = defaultWebhookWriteTimeout
	}
	if err := c.ServerConfig.Unmarshal(conf); err != nil {
		return err
	}
	own := struct {
		AuthToken configopaque.String `mapstructure:"auth_token"`
	}{c.AuthToken}
	if err := conf.Unmarshal(&own, confmap.WithIgnoreUnused()); err != nil {
		return err
	}
	c.AuthToken = own.AuthToken
	return nil
}

// BucketConfig is how one bucket is read.
type BucketConfig struct {
	RoleARN    string `mapstructure:"role_arn"`
	ExternalID string `mapstructure:"external_id"`
	Region     string `mapstructure:"region"`
}

// Validate reports every problem at once, each with its key's path.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var modes []string
	for _, m := range []struct {
		key string
		set bool
	}{{"queue_url", c.QueueURL != ""}, {"backfill", c.Backfill != nil}, {"webhook", c.Webhook != nil}} {
		if m.set {
			modes = append(modes, m.key)
		}
	}
	switch {
	case len(modes) == 0:
		add("queue_url, backfill or webhook: one of them is required")
	case len(modes) > 1:
		add("%s: set only one (a receiver follows a queue, back-fills a prefix or listens for webhook notifications)", strings.Join(modes, " and "))
	}
	if c.QueueURL != "" {
		if u, err := url.Parse(c.QueueURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("queue_url: %q is not an http(s) URL", c.QueueURL)
		}
	}
	for key, v := range map[string]string{"sqs_endpoint": c.SQSEndpoint, "s3_endpoint": c.S3Endpoint} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("%s: %q is not an http(s) URL", key, v)
		}
	}
	if c.WaitTime < 0 || c.WaitTime > 20*time.Second {
		add("wait_time: %s is not within 0s-20s (SQS long polling)", c.WaitTime)
	}
	if c.VisibilityTimeout < 3*time.Second || c.VisibilityTimeout > 12*time.Hour {
		add("visibility_timeout: %s is not within 3s-12h", c.VisibilityTimeout)
	}
	if c.MaxMessages < 1 || c.MaxMessages > 10 {
		add("max_messages: %d is not within 1-10", c.MaxMessages)
	}
	if c.Concurrency < 1 {
		add("concurrency: %d objects in flight; at least 1", c.Concurrency)
	}
	if c.PartBytes < 4<<10 || c.PartBytes > 64<<20 {
		add("part_bytes: %d is not within 4 KiB-64 MiB", c.PartBytes)
	}
	if b := c.Backfill; b != nil {
		if b.Bucket == "" {
			add("backfill.bucket: required")
		}
		if strings.Contains(b.Bucket, "/") {
			add("backfill.bucket: %q is a bucket name, not a path (the prefix goes in backfill.prefix)", b.Bucket)
		}
		if b.Checkpoint == "" {
			add("backfill.checkpoint: required (the file that keeps a restart from reading finished objects again)")
		}
	}
	if w := c.Webhook; w != nil {
		if w.NetAddr.Endpoint == "" {
			add("webhook.endpoint: required (host:port to listen on)")
		} else if _, port, err := net.SplitHostPort(w.NetAddr.Endpoint); err != nil || port == "" {
			add("webhook.endpoint: %q is not host:port", w.NetAddr.Endpoint)
		}
		if w.MaxRequestBodySize < 0 {
			add("webhook.max_request_body_size: must not be negative")
		}
		if tls := w.TLS.Get(); tls != nil && ((tls.CertFile == "" && tls.CertPem == "") || (tls.KeyFile == "" && tls.KeyPem == "")) {
			add("webhook.tls: cert_file and key_file (or cert_pem and key_pem) are needed to serve TLS")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Buckets)) {
		bc := c.Buckets[name]
		if bc.RoleARN != "" && !strings.HasPrefix(bc.RoleARN, "arn:") {
			add("buckets.%s.role_arn: %q is not an ARN", name, bc.RoleARN)
		}
		if bc.ExternalID != "" && bc.RoleARN == "" {
			add("buckets.%s.external_id: only used when assuming a role (role_arn)", name)
		}
	}
	return errors.Join(errs...)
}
