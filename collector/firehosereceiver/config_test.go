package firehosereceiver

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
)

func loadConfig(t *testing.T, id component.ID) *Config {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	componenttestutil.LoadConfig(t, filepath.Join("testdata", "config.yaml"), id.String(), cfg)
	return cfg
}

func TestConfigDefaults(t *testing.T) {
	cfg := loadConfig(t, component.NewID(typeStr))
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.NetAddr.Endpoint != "localhost:4433" || cfg.MaxRequestBodySize != 64<<20 || cfg.AccessKey != "" || cfg.TLS.HasValue() {
		t.Errorf("defaults: endpoint %q, max_request_body_size %d, access key set %v, tls %v",
			cfg.NetAddr.Endpoint, cfg.MaxRequestBodySize, cfg.AccessKey != "", cfg.TLS.HasValue())
	}
}

func TestConfigFull(t *testing.T) {
	cfg := loadConfig(t, component.MustNewIDWithName("firehose", "full"))
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.NetAddr.Endpoint != "0.0.0.0:8443" || cfg.MaxRequestBodySize != 10<<20 || cfg.TLS.Get().CertFile != "/etc/otelcol/tls.crt" {
		t.Errorf("full: %+v", cfg)
	}
	if string(cfg.AccessKey) != "k3y-from-the-delivery-stream" {
		t.Errorf("access_key %q", string(cfg.AccessKey))
	}
	// the key never shows in what a log line or an error would print
	for _, s := range []string{fmt.Sprint(cfg.AccessKey), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", *cfg)} {
		if strings.Contains(s, "k3y-from") {
			t.Errorf("access key printed: %s", s)
		}
	}
}

func TestConfigInvalid(t *testing.T) {
	cfg := loadConfig(t, component.MustNewIDWithName("firehose", "bad"))
	cfg.AccessKey = "x"
	for len(cfg.AccessKey) <= maxAccessKeyBytes {
		cfg.AccessKey += cfg.AccessKey
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`endpoint: "nohost" is not host:port`,
		"access_key: longer than the 4096 bytes",
		"max_request_body_size: must not be negative",
		"tls: cert_file and key_file",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	cfg = NewFactory().CreateDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = ""
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "endpoint: must be host:port") {
		t.Errorf("empty endpoint: %v", err)
	}
}
