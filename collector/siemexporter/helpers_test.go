package siemexporter

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/collector/internal/telemetrytest"
)

// samples are lines of the bundled demo objects (examples/samples), by
// log type: CloudWatch Logs messages for the host logs, the lines of a
// VPC flow log and the records of a CloudTrail object.
type samples struct {
	secure, nginx, vpc []string // vpc[0] is a header line
	cloudtrail         []json.RawMessage
}

func loadSamples(t testing.TB) samples {
	t.Helper()
	root := "../../examples/samples/AWSLogs/111122223333/"
	var s samples
	s.secure = cwlMessages(t, root+"EC2/Linux/Secure")
	s.nginx = cwlMessages(t, root+"EC2/Nginx/access")
	files, _ := filepath.Glob(root + "vpcflowlogs/*/*/*/*/*.log")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if lines := splitLines(string(data)); strings.HasPrefix(lines[0], "version account-id interface-id srcaddr") {
			s.vpc = append(s.vpc, lines...) // the default format, its header line first
		}
	}
	files, _ = filepath.Glob(root + "CloudTrail/*/*/*/*/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj struct{ Records []json.RawMessage }
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		s.cloudtrail = append(s.cloudtrail, obj.Records...)
	}
	if len(s.secure) == 0 || len(s.nginx) == 0 || len(s.vpc) == 0 || len(s.cloudtrail) == 0 {
		t.Fatalf("bundled samples missing: %d %d %d %d", len(s.secure), len(s.nginx), len(s.vpc), len(s.cloudtrail))
	}
	return s
}

// cwlMessages are the log events of the Firehose objects (one CloudWatch
// Logs subscription message per line) under dir.
func cwlMessages(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, l := range splitLines(string(data)) {
			var m struct{ LogEvents []struct{ Message string } }
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				return err
			}
			for _, e := range m.LogEvents {
				out = append(out, e.Message)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if l := s[:i]; l != "" {
			out = append(out, l)
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// startExporter builds and starts the exporter type itself (no
// exporterhelper), so that a test sees pushLogs' own answer.
func startExporter(t testing.TB, cfg *Config, tel *componenttest.Telemetry) *siemExporter {
	t.Helper()
	set := exportertest.NewNopSettings(typeStr)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	e, err := newExporter(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.shutdown(context.Background()) })
	return e
}

func testConfig(url string) *Config {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.Endpoints = []string{url}
	cfg.Bootstrap = false
	return cfg
}

// logsOf makes Logs with one resource (attributes res) holding one log
// record per body, each with the record attributes rec.
func logsOf(res, rec map[string]any, bodies ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().FromRaw(res)
	sl := rl.ScopeLogs().AppendEmpty()
	for _, b := range bodies {
		lr := sl.LogRecords().AppendEmpty()
		lr.Body().SetStr(b)
		lr.Attributes().FromRaw(rec)
	}
	return ld
}

// appendLogs moves src's resources into dst.
func appendLogs(dst, src plog.Logs) plog.Logs {
	src.ResourceLogs().MoveAndAppendTo(dst.ResourceLogs())
	return dst
}

// metricSum is the sum of a counter's points whose attributes include
// attrs (name=value pairs).
func metricSum(t testing.TB, tel *componenttest.Telemetry, name string, attrs ...string) int64 {
	t.Helper()
	return telemetrytest.Sum(t, tel, name, attrs...)
}
