package e2e

import (
	"bytes"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// The docker-compose demo's collector configuration (examples/demo) is
// checked by the collector it runs in.

const demoConfig = repoRoot + "/examples/demo/otelcol.yaml"

// demoPassword stands for the .env password the compose file passes.
const demoPassword = "demo-password"

func runValidate(t *testing.T, bin, path string) (string, error) {
	cmd := exec.Command(bin, "validate", "--config", path)
	cmd.Env = append(os.Environ(), "OPENSEARCH_ADMIN_PASSWORD="+demoPassword)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// `otelcol-siem validate` builds every component of the file, the siem
// exporter's Validate included, and refuses a key it does not know.
func TestDemoCollectorConfigValidates(t *testing.T) {
	bin := otelcolBinary(t)
	if out, err := runValidate(t, bin, demoConfig); err != nil {
		t.Fatalf("otelcol-siem validate %s: %v\n%s", demoConfig, err, out)
	}
	data, err := os.ReadFile(demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "otelcol.yaml")
	writeFile(t, broken, []byte(strings.Replace(string(data), "    log_type:", "    log_typ:", 1)))
	if out, err := runValidate(t, bin, broken); err == nil || !strings.Contains(out, "log_typ") {
		t.Errorf("a misspelt key validated: %v\n%s", err, out)
	}
}

// The demo's nginx path, as the compose file wires it: records Fluent
// Bit forwards under the tag demo.nginx.access reach the collector's
// fluentforward receiver and are indexed as nginx-access, over HTTPS with
// basic auth and a certificate nobody can verify (the demo cluster's),
// each once. Only the addresses are changed from the demo's file.
func TestDemoCollectorForwardsNginx(t *testing.T) {
	bin := otelcolBinary(t)
	cli := cliBinary(t)
	var lines bytes.Buffer
	gen := exec.Command(cli, "gen", "--stdout", "nginx-access", "--count", "40")
	gen.Stdout = &lines
	if err := gen.Run(); err != nil {
		t.Fatalf("siemloader gen: %v", err)
	}

	srv := opensearchtest.New(opensearchtest.Faults{}, 41)
	defer srv.Close()
	srv.RequireBasic("admin", demoPassword)
	target, _ := url.Parse(srv.URL)
	cluster := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer cluster.Close()

	data, err := os.ReadFile(demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fluentPort := freePort(t)
	cfg := string(data)
	for old, repl := range map[string]string{
		"https://opensearch:9200":       cluster.URL,
		"0.0.0.0:8006":                  "127.0.0.1:" + strconv.Itoa(fluentPort),
		"/tmp/otelcol-siem/dead-letter": filepath.Join(dir, "dead-letter"),
		// other collectors may run on this machine: no telemetry port
		"\nservice:\n": "\nservice:\n  telemetry:\n    metrics:\n      level: none\n",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("the demo's otelcol.yaml has no %q any more: update this test", old)
		}
		cfg = strings.ReplaceAll(cfg, old, repl)
	}
	cfgPath := filepath.Join(dir, "otelcol.yaml")
	writeFile(t, cfgPath, []byte(cfg))
	col := startCollector(t, bin, cfgPath, "OPENSEARCH_ADMIN_PASSWORD="+demoPassword)

	forwardLines(t, fluentPort, "demo.nginx.access", strings.Split(strings.TrimSpace(lines.String()), "\n"))
	deadline := time.Now().Add(90 * time.Second)
	for srv.Docs() < 40 {
		col.checkRunning(t)
		if time.Now().After(deadline) {
			t.Fatalf("%d of 40 documents after 90s", srv.Docs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // anything more would be a duplicate
	col.stop(t)
	for k, n := range srv.Writes() {
		if !strings.HasPrefix(k, "log-web-nginx") || n != 1 {
			t.Errorf("%s written %d times; want log-web-nginx-* once", k, n)
		}
	}
	if len(srv.IndexTemplates()) == 0 {
		t.Errorf("the exporter installed no index template at start: %v", srv.AdminRequests())
	}
}
