package siemexporter

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/siemloader/siemloader/ship"
)

// Config is the exporter's configuration; docs/collector.md lists every
// key with its default.
type Config struct {
	// Endpoints are the cluster's HTTP(S) URLs (one is enough).
	Endpoints []string `mapstructure:"endpoints"`
	// Username and Password: HTTP basic auth.
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	// AWS signs requests with SigV4 instead (OpenSearch Service or
	// Serverless), with the AWS SDK's credentials.
	AWS AWSConfig `mapstructure:"aws"`
	// OmitIDs: an OpenSearch Serverless time-series collection refuses
	// custom _ids.
	OmitIDs     bool      `mapstructure:"omit_ids"`
	TLS         TLSConfig `mapstructure:"tls"`
	Compression string    `mapstructure:"compression"`
	// Bootstrap installs the index templates, the ISM policy and the
	// write aliases at start.
	Bootstrap bool `mapstructure:"bootstrap"`
	// MaxAttempts bounds the sends of a retryable document within one
	// push; what is left is handed back for retry_on_failure.
	MaxAttempts int `mapstructure:"max_attempts"`

	// Config are user.ini files layered over the built-in aws.ini.
	Config []string `mapstructure:"config"`
	// LogType is the section of records that carry no classifying
	// attribute ("" leaves them unclassified: a permanent error).
	LogType string `mapstructure:"log_type"`
	// MessageKey is the key of a map body that holds the raw line (a
	// Fluent Bit record through fluentforward: "log").
	MessageKey string           `mapstructure:"message_key"`
	Enrichment EnrichmentConfig `mapstructure:"enrichment"`
	Cloud      CloudConfig      `mapstructure:"cloud"`
	// DeadLetter is a folder or s3://bucket/prefix for the documents the
	// cluster refuses for good.
	DeadLetter string `mapstructure:"dead_letter"`
	// DeadLetterMaxSize caps a dead_letter folder's files together (e.g.
	// "10GB"); past it a refused document is failed, not kept.
	DeadLetterMaxSize string `mapstructure:"dead_letter_max_size"`

	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	BackOffConfig                configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`
	QueueConfig                  configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
}

// AWSConfig is SigV4 signing.
type AWSConfig struct {
	// Service is es (OpenSearch Service), aoss (Serverless) or auto (from
	// an amazonaws.com endpoint); empty signs nothing.
	Service    string `mapstructure:"service"`
	Region     string `mapstructure:"region"`
	RoleARN    string `mapstructure:"role_arn"`
	ExternalID string `mapstructure:"external_id"`
	Profile    string `mapstructure:"profile"`
}

// TLSConfig: verification is on unless turned off.
type TLSConfig struct {
	CAFile             string `mapstructure:"ca_file"`
	InsecureSkipVerify bool   `mapstructure:"insecure_skip_verify"`
}

// EnrichmentConfig are the enrichment and exclusion files, as for
// siemloader load.
type EnrichmentConfig struct {
	GeoIPCity           string   `mapstructure:"geoip_city"`
	GeoIPASN            string   `mapstructure:"geoip_asn"`
	IoCDir              string   `mapstructure:"ioc_dir"`
	UserAgent           bool     `mapstructure:"user_agent"`
	TrustedProxies      []string `mapstructure:"trusted_proxies"`
	Exclusions          string   `mapstructure:"exclusions"`
	ExclusionConditions string   `mapstructure:"exclusion_conditions"`
}

// CloudConfig stands in for what an S3 key tells about host logs.
type CloudConfig struct {
	AccountID  string `mapstructure:"account_id"`
	Region     string `mapstructure:"region"`
	InstanceID string `mapstructure:"instance_id"`
}

// Validate reports every problem at once, each with its key's path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if len(c.Endpoints) == 0 {
		bad("endpoints", "at least one OpenSearch URL is needed")
	}
	for i, e := range c.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(fmt.Sprintf("endpoints[%d]", i), "%q is not an http(s) URL", e)
		}
	}
	if (c.Username == "") != (c.Password == "") {
		bad("username, password", "give both or neither")
	}
	switch c.AWS.Service {
	case "", "es", "aoss", "auto":
	default:
		bad("aws.service", "%q is none of es, aoss, auto", c.AWS.Service)
	}
	if c.AWS.Service == "" {
		for k, v := range map[string]string{"aws.region": c.AWS.Region, "aws.role_arn": c.AWS.RoleARN, "aws.external_id": c.AWS.ExternalID, "aws.profile": c.AWS.Profile} {
			if v != "" {
				bad(k, "set, but aws.service is empty (SigV4 off)")
			}
		}
	} else if c.Username != "" {
		bad("username, aws.service", "basic auth and SigV4 exclude each other")
	}
	if c.AWS.RoleARN != "" && !strings.HasPrefix(c.AWS.RoleARN, "arn:") {
		bad("aws.role_arn", "%q is not an ARN (arn:aws:iam::123456789012:role/name)", c.AWS.RoleARN)
	}
	if c.AWS.ExternalID != "" && c.AWS.RoleARN == "" {
		bad("aws.external_id", "only used when assuming a role (aws.role_arn)")
	}
	if c.OmitIDs && c.AWS.Service != "aoss" {
		bad("omit_ids", "only for OpenSearch Serverless time-series collections (aws.service: aoss)")
	}
	switch c.Compression {
	case "", "none", "gzip":
	default:
		bad("compression", "%q is neither gzip nor none", c.Compression)
	}
	if c.MessageKey == "" {
		bad("message_key", "must not be empty")
	}
	if c.MaxAttempts < 1 {
		bad("max_attempts", "must be at least 1")
	}
	if c.Cloud.AccountID != "" && (len(c.Cloud.AccountID) != 12 || strings.Trim(c.Cloud.AccountID, "0123456789") != "") {
		bad("cloud.account_id", "%q is not a 12-digit account id", c.Cloud.AccountID)
	}
	if strings.HasPrefix(c.DeadLetter, "s3://") {
		if _, _, err := ship.ParseS3URL(c.DeadLetter); err != nil {
			bad("dead_letter", "%v", err)
		}
	}
	if c.DeadLetterMaxSize != "" {
		if _, err := ship.ParseSize(c.DeadLetterMaxSize); err != nil {
			bad("dead_letter_max_size", "%v", err)
		} else if c.DeadLetter == "" || strings.HasPrefix(c.DeadLetter, "s3://") {
			bad("dead_letter_max_size", "caps a dead_letter folder, and none is set")
		}
	}
	if c.Timeout < 0 {
		bad("timeout", "must not be negative")
	}
	if err := c.BackOffConfig.Validate(); err != nil {
		bad("retry_on_failure", "%v", err)
	}
	if q := c.QueueConfig.Get(); q != nil {
		if err := q.Validate(); err != nil {
			bad("sending_queue", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// shipConfig is the indexer's configuration.
func (c *Config) shipConfig() ship.Config {
	s := ship.Config{
		URLs:               c.Endpoints,
		Username:           c.Username,
		Password:           string(c.Password),
		AWS:                ship.AWSAuth{Service: c.AWS.Service, Region: c.AWS.Region, RoleARN: c.AWS.RoleARN, ExternalID: c.AWS.ExternalID, Profile: c.AWS.Profile, SessionName: "siemloader-otelcol"},
		OmitIDs:            c.OmitIDs,
		CAFile:             c.TLS.CAFile,
		InsecureSkipVerify: c.TLS.InsecureSkipVerify,
		Gzip:               c.Compression == "gzip",
		MaxAttempts:        c.MaxAttempts,
		Timeout:            c.Timeout,
		// one push is one request (or a few when the cluster answers 413)
		FlushDocs:  1 << 30,
		FlushBytes: 100 << 20,
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	if c.DeadLetter != "" && !strings.HasPrefix(c.DeadLetter, "s3://") {
		s.DeadLetterDir = c.DeadLetter
		s.DeadLetterMaxBytes, _ = ship.ParseSize(c.DeadLetterMaxSize) // checked by Validate; 0 when unset
	}
	return s
}
