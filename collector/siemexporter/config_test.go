package siemexporter

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	id := "siem"
	if name != "" {
		id = component.MustNewIDWithName("siem", name).String()
	}
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	componenttestutil.LoadConfig(t, filepath.Join("testdata", "config.yaml"), id, cfg)
	return cfg
}

func TestConfigDefaults(t *testing.T) {
	cfg := loadConfig(t, "")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.Bootstrap || cfg.MaxAttempts != 3 || cfg.Compression != "none" || cfg.Timeout != 30*time.Second {
		t.Errorf("defaults: bootstrap %v, max_attempts %d, compression %q, timeout %v", cfg.Bootstrap, cfg.MaxAttempts, cfg.Compression, cfg.Timeout)
	}
	if !cfg.BackOffConfig.Enabled {
		t.Error("retry_on_failure is off by default")
	}
	q := cfg.QueueConfig.Get()
	if q == nil || q.StorageID != nil || q.QueueSize != 1000 {
		t.Errorf("sending_queue default: %+v", q)
	}
	sc := cfg.shipConfig()
	if sc.InsecureSkipVerify || sc.Gzip || sc.AWS.Enabled() || sc.Timeout != 30*time.Second {
		t.Errorf("indexer settings: %+v", sc)
	}
}

func TestConfigFull(t *testing.T) {
	cfg := loadConfig(t, "aoss")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	q := cfg.QueueConfig.Get()
	if q == nil || q.StorageID == nil || q.StorageID.String() != "file_storage" || q.QueueSize != 5000 || q.NumConsumers != 2 {
		t.Errorf("sending_queue: %+v", q)
	}
	if cfg.BackOffConfig.InitialInterval != time.Second || cfg.BackOffConfig.MaxElapsedTime != 0 {
		t.Errorf("retry_on_failure: %+v", cfg.BackOffConfig)
	}
	sc := cfg.shipConfig()
	if sc.AWS.Service != "aoss" || sc.AWS.Region != "eu-west-1" || sc.AWS.RoleARN != "arn:aws:iam::123456789012:role/siem-loader" ||
		sc.AWS.ExternalID != "siem-7f3a" || !sc.OmitIDs || !sc.Gzip || sc.MaxAttempts != 5 || sc.Timeout != 45*time.Second ||
		sc.DeadLetterDir != "/var/lib/otelcol/siem-dead" {
		t.Errorf("indexer settings: %+v", sc)
	}
	en := cfg.Enrichment
	if en.GeoIPCity == "" || en.GeoIPASN == "" || en.IoCDir == "" || !en.UserAgent || len(en.TrustedProxies) != 1 || en.Exclusions == "" || en.ExclusionConditions == "" {
		t.Errorf("enrichment: %+v", en)
	}
	if cfg.Cloud.AccountID != "123456789012" || cfg.LogType != "linux-os-syslog" || len(cfg.Config) != 1 || cfg.Bootstrap {
		t.Errorf("config: %+v", cfg)
	}
}

func TestConfigBasicAuth(t *testing.T) {
	cfg := loadConfig(t, "basic")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	sc := cfg.shipConfig()
	if sc.Username != "loader" || sc.Password != "s3cret" || sc.CAFile != "/etc/siem/ca.pem" || len(sc.URLs) != 2 || sc.DeadLetterDir != "" {
		t.Errorf("indexer settings: %+v", sc)
	}
	// the password is opaque: it never shows in a printed configuration
	if s := string(cfg.Password); s != "s3cret" {
		t.Fatal(s)
	}
	if strings.Contains(cfg.Password.String(), "s3cret") {
		t.Error("the password prints")
	}
}

// Each invalid field is reported with its path, and all of them at once.
func TestConfigInvalid(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]any
		want string
	}{
		{"no endpoint", map[string]any{"endpoints": []any{}}, "endpoints: at least one"},
		{"bad endpoint", map[string]any{"endpoints": []any{"ftp://x"}}, "endpoints[0]: \"ftp://x\" is not an http(s) URL"},
		{"user without password", map[string]any{"username": "u"}, "username, password: give both"},
		{"bad service", map[string]any{"aws": map[string]any{"service": "s3"}}, "aws.service: \"s3\""},
		{"role without service", map[string]any{"aws": map[string]any{"role_arn": "arn:aws:iam::1:role/r"}}, "aws.role_arn: set, but aws.service is empty"},
		{"basic and sigv4", map[string]any{"username": "u", "password": "p", "aws": map[string]any{"service": "es"}}, "username, aws.service: basic auth and SigV4"},
		{"bad role", map[string]any{"aws": map[string]any{"service": "es", "role_arn": "siem-loader"}}, "aws.role_arn: \"siem-loader\" is not an ARN"},
		{"external id alone", map[string]any{"aws": map[string]any{"service": "es", "external_id": "x"}}, "aws.external_id: only used when assuming a role"},
		{"omit ids on es", map[string]any{"omit_ids": true}, "omit_ids: only for OpenSearch Serverless"},
		{"compression", map[string]any{"compression": "zstd"}, "compression: \"zstd\""},
		{"max attempts", map[string]any{"max_attempts": 0}, "max_attempts: must be at least 1"},
		{"message key", map[string]any{"message_key": ""}, "message_key: must not be empty"},
		{"account", map[string]any{"cloud": map[string]any{"account_id": "12345"}}, "cloud.account_id: \"12345\""},
		{"s3 dead-letter", map[string]any{"dead_letter": "s3://"}, "dead_letter:"},
		{"dead-letter cap", map[string]any{"dead_letter": "/tmp/dl", "dead_letter_max_size": "lots"}, "dead_letter_max_size:"},
		{"dead-letter cap without a folder", map[string]any{"dead_letter_max_size": "10GB"}, "dead_letter_max_size: caps"},
		{"timeout", map[string]any{"timeout": "-1s"}, "timeout: must not be negative"},
		{"retry", map[string]any{"retry_on_failure": map[string]any{"multiplier": -1}}, "retry_on_failure:"},
		{"queue", map[string]any{"sending_queue": map[string]any{"queue_size": -5}}, "sending_queue:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig().(*Config)
			base := map[string]any{"endpoints": []any{"https://search.example.com"}}
			for k, v := range c.set {
				base[k] = v
			}
			if err := confmap.NewFromStringMap(base).Unmarshal(cfg); err != nil {
				t.Fatal(err)
			}
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// several problems come back together
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.Endpoints = []string{"nope"}
	cfg.Compression = "lz4"
	cfg.MaxAttempts = 0
	err := cfg.Validate()
	for _, want := range []string{"endpoints[0]", "compression", "max_attempts"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("joined error %v lacks %s", err, want)
		}
	}
}

// The configuration struct follows the collector's rules for one
// (mapstructure tags, supported field types), and the factory makes a
// logs exporter of type siem.
func TestConfigStructAndFactory(t *testing.T) {
	f := NewFactory()
	if f.Type().String() != "siem" {
		t.Fatalf("type %s", f.Type())
	}
	if err := componenttest.CheckConfigStruct(f.CreateDefaultConfig()); err != nil {
		t.Fatal(err)
	}
}
