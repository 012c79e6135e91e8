package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The docker-compose demo's collector configuration (examples/demo) is
// checked by the collector it runs in: `otelcol-siem validate` builds
// every component from it, the siem exporter's Validate included.
func TestDemoCollectorConfigValidates(t *testing.T) {
	bin := otelcolBinary(t)
	config := filepath.Join(repoRoot, "examples", "demo", "otelcol.yaml")
	validate := func(path string) (string, error) {
		cmd := exec.Command(bin, "validate", "--config", path)
		// the compose file passes the admin password in the environment
		cmd.Env = append(os.Environ(), "OPENSEARCH_ADMIN_PASSWORD=demo-password")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := validate(config); err != nil {
		t.Fatalf("otelcol-siem validate %s: %v\n%s", config, err, out)
	}
	// and validate does refuse a broken one: the same file with a key
	// the exporter does not know
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "otelcol.yaml")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(data), "    log_type:", "    log_typ:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := validate(broken); err == nil || !strings.Contains(out, "log_typ") {
		t.Errorf("a misspelt key validated: %v\n%s", err, out)
	}
}
