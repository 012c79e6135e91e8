// Package e2e runs the built otelcol-siem distribution: filelog tails
// sample files and fluentforward takes Fluent Bit records, the siem
// exporter ships them to the test cluster, and every line must be indexed
// once with the _index and _id the CLI gives the same file.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// repoRoot is the siemloader repository (this module is its collector/).
const repoRoot = "../.."

// otelcolBinary is bin/otelcol-siem (make otelcol), or SIEMLOADER_OTELCOL.
// CI sets SIEMLOADER_REQUIRE_OTELCOL: a missing binary fails there
// instead of skipping.
func otelcolBinary(t *testing.T) string {
	path := os.Getenv("SIEMLOADER_OTELCOL")
	if path == "" {
		path = filepath.Join(repoRoot, "bin", "otelcol-siem")
	}
	abs, _ := filepath.Abs(path)
	if _, err := os.Stat(abs); err != nil {
		if os.Getenv("SIEMLOADER_REQUIRE_OTELCOL") != "" {
			t.Fatalf("otelcol-siem is required (SIEMLOADER_REQUIRE_OTELCOL) but %s is missing: run make otelcol", abs)
		}
		t.Skipf("%s is missing: run make otelcol (or set SIEMLOADER_OTELCOL)", abs)
	}
	return abs
}

// cliBinary is bin/siemloader (make test builds it first, so that it is
// the CLI of this tree), built into a temporary folder when absent.
func cliBinary(t *testing.T) string {
	abs, _ := filepath.Abs(filepath.Join(repoRoot, "bin", "siemloader"))
	if _, err := os.Stat(abs); err == nil {
		return abs
	}
	out := filepath.Join(t.TempDir(), "siemloader")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/siemloader")
	cmd.Dir = repoRoot
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, msg)
	}
	return out
}

// sampleFile is a file the collector tails, with how the CLI is told the
// same thing.
type sampleFile struct {
	path    string
	logType string // set through the filelog receiver's attributes; "" classifies by path
	// forwarded: its lines reach the collector as Fluent Bit records over
	// the forward protocol (tag routing), not through filelog
	forwarded bool
}

// forwardTag is the Fluent Bit tag of the forwarded records; the user.ini
// routes it.
const (
	forwardTag = "host.messages"
	routingINI = "[linux-os-syslog]\ntag = ^host\\.messages$$\n"
)

// samples writes the tailed files: the shared corpus' plain Linux secure
// and nginx access files under their S3 keys (classified by
// log.file.path), when the corpus is there, and the lines of the bundled
// demo objects (CloudWatch Logs messages), one routed by path and one by
// siem.log_type.
func samples(t *testing.T, dir string) []sampleFile {
	var files []sampleFile
	shared := os.Getenv("SIEMLOADER_SHARED")
	if shared == "" {
		shared = filepath.Join(repoRoot, "..", "shared")
	}
	for _, glob := range []string{"linux-secure/AWSLogs/*/EC2/Linux/secure/*/*/*/*/*.log", "nginx-access/AWSLogs/*/EC2/nginx/access/*/*/*/*/*.log"} {
		matches, _ := filepath.Glob(filepath.Join(shared, "samples", glob))
		for _, m := range matches {
			rel, _ := filepath.Rel(filepath.Join(shared, "samples"), m)
			data, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, "shared", rel)
			writeFile(t, dst, data)
			files = append(files, sampleFile{path: dst})
		}
	}
	if len(files) == 0 {
		t.Logf("no shared corpus at %s: the bundled samples only", shared)
	}
	demo := filepath.Join(repoRoot, "examples", "samples", "AWSLogs", "111122223333", "EC2")
	secure := cwlMessages(t, filepath.Join(demo, "Linux", "Secure"))
	nginx := cwlMessages(t, filepath.Join(demo, "Nginx", "access"))
	p := filepath.Join(dir, "demo", "AWSLogs", "111122223333", "EC2", "Linux", "Secure", "ip-10-0-1-25", "secure")
	writeFile(t, p, []byte(strings.Join(secure, "\n")+"\n"))
	files = append(files, sampleFile{path: p})
	p = filepath.Join(dir, "demo", "var", "log", "nginx", "access.log")
	writeFile(t, p, []byte(strings.Join(nginx, "\n")+"\n"))
	files = append(files, sampleFile{path: p, logType: "nginx-access"})
	messages := cwlMessages(t, filepath.Join(demo, "Linux", "Messages"))
	p = filepath.Join(dir, "forwarded", "messages")
	writeFile(t, p, []byte(strings.Join(messages, "\n")+"\n"))
	files = append(files, sampleFile{path: p, logType: "linux-os-syslog", forwarded: true})
	return files
}

// forward sends the file's lines as Fluent Bit's forward output does: one
// Forward-mode message [tag, [[time, {"log": line}], ...]].
func forward(t *testing.T, port int, f sampleFile) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	forwardLines(t, port, forwardTag, strings.Split(strings.TrimSpace(string(data)), "\n"))
}

// forwardLines sends lines under this tag in one Forward-mode message.
func forwardLines(t *testing.T, port int, tag string, lines []string) {
	msg := msgp.AppendArrayHeader(nil, 2)
	msg = msgp.AppendString(msg, tag)
	msg = msgp.AppendArrayHeader(msg, uint32(len(lines)))
	now := time.Now().Unix()
	for _, l := range lines {
		msg = msgp.AppendArrayHeader(msg, 2)
		msg = msgp.AppendInt64(msg, now)
		msg = msgp.AppendMapHeader(msg, 1)
		msg = msgp.AppendString(msg, "log")
		msg = msgp.AppendString(msg, l)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			_, err = conn.Write(msg)
			conn.Close()
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fluentforward receiver on :%d: %v", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func cwlMessages(t *testing.T, dir string) []string {
	var out []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m struct{ LogEvents []struct{ Message string } }
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				return err
			}
			for _, e := range m.LogEvents {
				out = append(out, e.Message)
			}
		}
		return sc.Err()
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("demo samples under %s: %d messages, %v", dir, len(out), err)
	}
	return out
}

// expected are the index/_id pairs the CLI gives each file.
func expected(t *testing.T, cli, userINI string, files []sampleFile) map[string]bool {
	want := map[string]bool{}
	for _, f := range files {
		args := []string{"load", "--quiet", "--config", userINI, "--s3-key", f.path, "--output", "-"}
		if f.logType != "" {
			args = append(args, "--log-type", f.logType)
		}
		cmd := exec.Command(cli, append(args, f.path)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("siemloader %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		ids := cliActionIDs(t, &out)
		if len(ids) == 0 {
			t.Fatalf("the CLI made no document of %s", f.path)
		}
		for id := range ids {
			want[id] = true
		}
	}
	return want
}

// cliActionIDs are the index/_id pairs of the action lines of a bulk body
// the CLI wrote (--output -).
func cliActionIDs(t *testing.T, out io.Reader) map[string]bool {
	ids := map[string]bool{}
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 16<<20)
	for i := 0; sc.Scan(); i++ {
		if i%2 == 1 {
			continue // the document
		}
		var action struct {
			Index struct {
				Index string `json:"_index"`
				ID    string `json:"_id"`
			} `json:"index"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || action.Index.ID == "" {
			t.Fatalf("CLI action line %q: %v", sc.Text(), err)
		}
		ids[action.Index.Index+"/"+action.Index.ID] = true
	}
	return ids
}

// indexedOnce checks that the cluster holds each wanted document once and
// nothing else.
func indexedOnce(t *testing.T, want map[string]bool, writes map[string]int) {
	var missing, extra []string
	for k := range want {
		if writes[k] == 0 {
			missing = append(missing, k)
		}
	}
	for k, n := range writes {
		if !want[k] {
			extra = append(extra, k)
		}
		if n != 1 {
			t.Errorf("%s indexed %d times", k, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("documents differ from the CLI's: %d missing %v, %d unexpected %v", len(missing), missing, len(extra), extra)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// collectorConfig tails files with one filelog receiver per routing (the
// log.file.path kind and the siem.log_type attribute kind).
func collectorConfig(files []sampleFile, endpoint, userINI, storageDir string, metricsPort, fluentPort int) string {
	var byPath, typed []string
	typeOf := ""
	for _, f := range files {
		if f.forwarded {
			continue
		}
		if f.logType == "" {
			byPath = append(byPath, f.path)
		} else {
			typed = append(typed, f.path)
			typeOf = f.logType
		}
	}
	q := func(list []string) string {
		b, _ := json.Marshal(list)
		return string(b)
	}
	return fmt.Sprintf(`
extensions:
  file_storage:
    directory: %q
receivers:
  filelog/bypath:
    include: %s
    start_at: beginning
    include_file_path: true
  filelog/typed:
    include: %s
    start_at: beginning
    include_file_path: true
    attributes:
      siem.log_type: %s
  fluentforward:
    endpoint: 127.0.0.1:%d
processors:
  batch:
    timeout: 200ms
exporters:
  siem:
    endpoints: [%q]
    config: [%q]
    retry_on_failure:
      initial_interval: 100ms
    sending_queue:
      storage: file_storage
service:
  extensions: [file_storage]
  telemetry:
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    logs:
      receivers: [filelog/bypath, filelog/typed, fluentforward]
      processors: [batch]
      exporters: [siem]
`, storageDir, q(byPath), q(typed), typeOf, fluentPort, endpoint, userINI, metricsPort)
}

func TestOtelcolFilelogToOpenSearch(t *testing.T) {
	bin := otelcolBinary(t)
	cli := cliBinary(t)
	dir := t.TempDir()
	files := samples(t, dir)
	userINI := filepath.Join(dir, "user.ini")
	writeFile(t, userINI, []byte(routingINI))
	want := expected(t, cli, userINI, files)

	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	port, fluentPort := freePort(t), freePort(t)
	storage := filepath.Join(dir, "queue")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "otelcol.yaml")
	writeFile(t, cfgPath, []byte(collectorConfig(files, srv.URL, userINI, storage, port, fluentPort)))

	col := startCollector(t, bin, cfgPath)

	for _, f := range files {
		if f.forwarded {
			forward(t, fluentPort, f)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for srv.Docs() < len(want) {
		col.checkRunning(t)
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d documents after 90s", srv.Docs(), len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// the telemetry says the same, per log type: the exporter counts a
	// request's documents once it has read the answer, which can be a
	// moment after the cluster holds them
	var metrics string
	delivered := map[string]bool{}
	for scrapes := 0; ; scrapes++ {
		metrics = scrape(t, port)
		for _, l := range strings.Split(metrics, "\n") {
			if strings.HasPrefix(l, "otelcol_siem_exporter_documents_delivered") {
				for _, lt := range []string{"linux-secure", "nginx-access", "linux-os-syslog"} {
					if strings.Contains(l, `log_type="`+lt+`"`) {
						delivered[lt] = true
					}
				}
			}
		}
		if len(delivered) == 3 || scrapes == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // anything more would be a duplicate
	col.stop(t)
	indexedOnce(t, want, srv.Writes())
	if !delivered["linux-secure"] || !delivered["nginx-access"] || !delivered["linux-os-syslog"] {
		t.Errorf("telemetry lacks documents_delivered per log type:\n%s", grepLines(metrics, "otelcol_siem_"))
	}
	t.Logf("%d documents from %d files, each once, as the CLI gives them", len(want), len(files))
}

// collector is a running otelcol-siem.
type collector struct {
	cmd    *exec.Cmd
	logs   bytes.Buffer // written by exec's copying goroutines until the process ends
	exited chan error
	done   bool
}

// startCollector runs bin with the configuration; env is added to the
// test's environment.
func startCollector(t *testing.T, bin, cfgPath string, env ...string) *collector {
	c := &collector{cmd: exec.Command(bin, "--config", cfgPath), exited: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.logs, &c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { c.stop(t) })
	return c
}

// checkRunning fails the test when the collector has exited.
func (c *collector) checkRunning(t *testing.T) {
	select {
	case err := <-c.exited:
		c.done = true
		t.Logf("collector output:\n%s", c.logs.String())
		t.Fatalf("otelcol-siem exited: %v", err)
	default:
	}
}

// stop ends the collector with SIGTERM (killed after 30 s) and shows
// its output when the test failed; it may be called more than once.
func (c *collector) stop(t *testing.T) {
	if c.done {
		return
	}
	c.done = true
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
		t.Error("otelcol-siem did not stop on SIGTERM")
	}
	if t.Failed() {
		t.Logf("collector output:\n%s", c.logs.String())
	}
}

func scrape(t *testing.T, port int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/metrics", port), nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "otelcol_siem_exporter_documents_delivered") {
				return string(body)
			}
		}
		select {
		case <-ctx.Done():
			t.Errorf("no siem exporter metrics on :%d: %v", port, err)
			return ""
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
