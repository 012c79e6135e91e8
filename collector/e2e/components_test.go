package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The distribution holds what builder-config.yaml lists.
func TestOtelcolComponents(t *testing.T) {
	bin := otelcolBinary(t)
	out, err := exec.Command(bin, "components").CombinedOutput()
	if err != nil {
		t.Fatalf("otelcol-siem components: %v\n%s", err, out)
	}
	text := string(out)
	// contrib v0.160.0 names the receivers file_log and fluent_forward,
	// still accepting filelog and fluentforward in configurations
	for _, want := range [][]string{{"siem"}, {"debug"}, {"otlp"}, {"filelog", "file_log"}, {"fluentforward", "fluent_forward"},
		{"s3"}, {"batch"}, {"memory_limiter"}, {"file_storage"}, {"firehose"}} {
		found := false
		for _, name := range want {
			found = found || strings.Contains(text, "name: "+name+"\n")
		}
		if !found {
			t.Errorf("components lack %s:\n%s", want[0], text)
		}
	}
}

// The example configurations are ones the distribution accepts.
func TestExampleConfigValidates(t *testing.T) {
	bin := otelcolBinary(t)
	for _, name := range []string{"config.yaml", "firehose.yaml", "s3.yaml"} {
		cfg, _ := filepath.Abs(filepath.Join(repoRoot, "examples", "otelcol", name))
		if out, err := exec.Command(bin, "validate", "--config", cfg).CombinedOutput(); err != nil {
			t.Errorf("otelcol-siem validate %s: %v\n%s", cfg, err, out)
		}
	}
}
