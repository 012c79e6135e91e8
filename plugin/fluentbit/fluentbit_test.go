// Package fluentbit runs out_siem.so in a real Fluent Bit, given by the
// user: SIEMLOADER_FLUENT_BIT=/path/to/fluent-bit (every test and
// benchmark here is skipped without it; nothing here fetches or builds
// Fluent Bit). The tests check what docs/fluentbit.md promises of the
// plugin under Fluent Bit — the three ways of loading it, several
// [OUTPUT] sections, Workers, FLB_RETRY after 429s — and the benchmarks
// (compare_test.go) measure it end to end against Fluent Bit's native
// opensearch output on the same tail input and bulk sink.
package fluentbit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/siemloader/siemloader/internal/bulksink"
)

// fluentBit is the binary under test, or a skip.
func fluentBit(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("SIEMLOADER_FLUENT_BIT")
	if bin == "" {
		t.Skip("set SIEMLOADER_FLUENT_BIT=/path/to/fluent-bit to run the plugin in a real Fluent Bit")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("SIEMLOADER_FLUENT_BIT: %v", err)
	}
	return bin
}

var (
	buildOnce sync.Once
	builtSO   string
	buildErr  error
)

// pluginSO is SIEMLOADER_PLUGIN (what `make fluentbit-compare` passes:
// bin/out_siem.so), else the plugin built once into a temporary folder
// as `make plugin` builds it.
func pluginSO(t testing.TB) string {
	t.Helper()
	if so := os.Getenv("SIEMLOADER_PLUGIN"); so != "" {
		abs, err := filepath.Abs(so)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			t.Fatalf("SIEMLOADER_PLUGIN: %v", err)
		}
		return abs
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "siem-plugin-")
		if err != nil {
			buildErr = err
			return
		}
		builtSO = filepath.Join(dir, "out_siem.so")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-ldflags", "-s -w", "-o", builtSO, ".")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building out_siem.so: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtSO
}

// cloudTrailRecords are the bundled sample records (examples/samples), the
// ones the flush benchmark of plugin/output uses.
func cloudTrailRecords(t testing.TB) []map[string]any {
	t.Helper()
	files, _ := filepath.Glob("../../examples/samples/AWSLogs/*/CloudTrail/*/*/*/*/*.json")
	var all []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj struct{ Records []map[string]any }
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, obj.Records...)
	}
	if len(all) == 0 {
		t.Fatal("no bundled CloudTrail sample under examples/samples")
	}
	return all
}

// writeCloudTrailLines writes n CloudTrail records, one JSON object a
// line as an application logs them. Each has its own eventID (the
// section's doc_id, so every line is its own document), and the fields
// that differ from event to event in a real trail (time, request id,
// source address, access key) differ here too: a file of the bundled
// records repeated would compress many times better than a real one,
// and gzip's cost depends on it.
func writeCloudTrailLines(t testing.TB, path string, n int) {
	t.Helper()
	recs := cloudTrailRecords(t)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2024, 5, 20, 13, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		rec := recs[i%len(recs)]
		h1, h2 := mix(uint64(2*i)), mix(uint64(2*i+1))
		rec["eventID"] = fmt.Sprintf("%08x-%04x-4%03x-9%03x-%012x", uint32(h1), uint16(h1>>32), h1>>48&0xfff, h2&0xfff, h2>>16)
		rec["requestID"] = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h2), uint16(h2>>32), h2>>48&0xfff, h1>>20&0xfff, h1>>12&0xffffffffffff)
		rec["eventTime"] = start.Add(time.Duration(i) * 7 * time.Millisecond).Format("2006-01-02T15:04:05Z")
		if ip, ok := rec["sourceIPAddress"].(string); ok && strings.Count(ip, ".") == 3 && strings.Trim(ip, "0123456789.") == "" {
			rec["sourceIPAddress"] = fmt.Sprintf("%d.%d.%d.%d", 1+h1>>8%223, h1>>16%256, h1>>24%256, 1+h1>>32%254)
		}
		if id, ok := rec["userIdentity"].(map[string]any); ok {
			if _, ok := id["accessKeyId"]; ok {
				id["accessKeyId"] = fmt.Sprintf("ASIA%016X", h2>>1)
			}
		}
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// written back before any run starts: the kernel's writeback of a
	// few hundred MB would otherwise compete with the first run
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// mix is splitmix64: the same varied fields on every run.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// process is a running Fluent Bit.
type process struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// start runs Fluent Bit with args; it is stopped when the test ends.
func start(t testing.TB, args ...string) *process {
	t.Helper()
	p := &process{log: new(bytes.Buffer), mu: new(sync.Mutex), done: make(chan error, 1)}
	p.cmd = exec.Command(fluentBit(t), args...)
	p.cmd.Stdout = lockedWriter{p.mu, p.log}
	p.cmd.Stderr = lockedWriter{p.mu, p.log}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// Log is what Fluent Bit (and the plugin) printed so far.
func (p *process) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM (Fluent Bit flushes, then calls the plugin's exit)
// and kills it after 20 s. It can be called more than once.
func (p *process) stop(t testing.TB) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Errorf("Fluent Bit did not stop within 20 s of SIGTERM:\n%s", tail(p.Log(), 4000))
	}
}

// cpu is the user and system time Fluent Bit used, once stopped.
func (p *process) cpu() time.Duration {
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// service is the [SERVICE] section every run shares: a short flush
// interval, so that the last chunk is not held back a whole second, and
// quick retries.
const service = `[SERVICE]
    Flush           0.2
    Grace           5
    Log_Level       info
    HTTP_Server     Off
    scheduler.base  1
    scheduler.cap   2
`

// tailInput reads path from its start, one record a line under the log
// key.
func tailInput(path, tag string) string {
	return fmt.Sprintf(`[INPUT]
    Name              tail
    Path              %s
    Tag               %s
    Read_from_Head    On
    Buffer_Chunk_Size 256k
    Buffer_Max_Size   1m
`, path, tag)
}

// siemOutput is an [OUTPUT] of the plugin toward sink with extra keys.
func siemOutput(match string, sink *bulksink.Sink, extra ...string) string {
	s := fmt.Sprintf(`[OUTPUT]
    Name            siem
    Match           %s
    OpenSearch_URL  %s
    Bootstrap       Off
    EC2_Metadata    off
`, match, sink.URL)
	for _, kv := range extra {
		s += "    " + kv + "\n"
	}
	return s
}

func writeFile(t testing.TB, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// expectDocs waits for n documents in sink and checks they are exactly n,
// each once, all in indices starting with prefix.
func expectDocs(t *testing.T, p *process, sink *bulksink.Sink, n int, prefix string) bulksink.Stats {
	t.Helper()
	if _, err := sink.Wait(n, 60*time.Second); err != nil {
		t.Fatalf("%v\nFluent Bit's log:\n%s", err, tail(p.Log(), 6000))
	}
	time.Sleep(500 * time.Millisecond) // anything sent twice would arrive by now
	st := sink.Stats()
	if st.Docs != n || st.Invalid != 0 {
		t.Errorf("sink holds %d documents (%d invalid), want %d", st.Docs, st.Invalid, n)
	}
	for index, c := range st.PerIndex {
		if !strings.HasPrefix(index, prefix) {
			t.Errorf("%d documents in index %q, want only %s*", c, index, prefix)
		}
	}
	return st
}

func newSink(t testing.TB) *bulksink.Sink {
	t.Helper()
	s, err := bulksink.New()
	if err != nil {
		t.Fatal(err)
	}
	s.Validate = true
	t.Cleanup(func() { s.Close() })
	return s
}

// prepare skips without a Fluent Bit, and returns the plugin, a folder
// for the test's files and a file of n CloudTrail lines in it.
func prepare(t *testing.T, n int) (so, dir, input string) {
	t.Helper()
	fluentBit(t)
	so, dir = pluginSO(t), t.TempDir()
	input = filepath.Join(dir, "cloudtrail.log")
	writeCloudTrailLines(t, input, n)
	return so, dir, input
}

var summaryLine = regexp.MustCompile(`(?m)^cloudtrail +\d+ +200 +200 +0 +0$`)

// The three ways docs/fluentbit.md gives of loading the plugin.
func TestLoadPlugin(t *testing.T) {
	so, dir, input := prepare(t, 200)
	for _, how := range []string{"-e", "plugins_file", "yaml"} {
		t.Run(how, func(t *testing.T) {
			sink := newSink(t)
			var p *process
			switch how {
			case "-e":
				conf := writeFile(t, filepath.Join(dir, "e.conf"), service+tailInput(input, "cloudtrail")+siemOutput("*", sink, "Log_Type cloudtrail"))
				p = start(t, "-e", so, "-c", conf)
			case "plugins_file":
				plugins := writeFile(t, filepath.Join(dir, "plugins.conf"), "[PLUGINS]\n    Path "+so+"\n")
				conf := writeFile(t, filepath.Join(dir, "pf.conf"), strings.Replace(service, "[SERVICE]\n", "[SERVICE]\n    Plugins_File    "+plugins+"\n", 1)+
					tailInput(input, "cloudtrail")+siemOutput("*", sink, "Log_Type cloudtrail"))
				p = start(t, "-c", conf)
			case "yaml":
				conf := writeFile(t, filepath.Join(dir, "fluent-bit.yaml"), fmt.Sprintf(`plugins:
  - %s

service:
  flush: 0.2
  log_level: info

pipeline:
  inputs:
    - name: tail
      path: %s
      tag: cloudtrail
      read_from_head: true
  outputs:
    - name: siem
      match: "*"
      OpenSearch_URL: %s
      Log_Type: cloudtrail
      Bootstrap: "Off"
      EC2_Metadata: "off"
`, so, input, sink.URL))
				p = start(t, "-c", conf)
			}
			expectDocs(t, p, sink, 200, "log-aws-cloudtrail")
			p.stop(t)
			// the plugin's exit: its summary, 200 records made 200 documents
			if log := p.Log(); !summaryLine.MatchString(log) || strings.Contains(log, "[error]") {
				t.Errorf("Fluent Bit's log has an error or no summary of 200 cloudtrail documents:\n%s", tail(log, 4000))
			}
		})
	}
}

// Two [OUTPUT] sections of the plugin, each with its own keys and sink,
// and one of them with Workers 2: each gets its own records, once.
func TestOutputsSideBySide(t *testing.T) {
	so, dir, trail := prepare(t, 20000)
	secure := filepath.Join(dir, "secure")
	var lines strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&lines, "Jun  1 00:%02d:%02d ip-10-0-0-1 sshd[%d]: Accepted publickey for ec2-user from 192.0.2.%d port 22 ssh2: RSA SHA256:x\n", i/60, i%60, 1000+i, i%250)
	}
	writeFile(t, secure, lines.String())
	trailSink, secureSink := newSink(t), newSink(t)
	conf := writeFile(t, filepath.Join(dir, "two.conf"), service+
		tailInput(trail, "trail")+tailInput(secure, "linux.secure")+
		siemOutput("trail", trailSink, "Log_Type cloudtrail", "Compress gzip", "Workers 2")+
		siemOutput("linux.secure", secureSink, "AWS_Account_ID 111122223333", "AWS_Region eu-west-1", "EC2_Instance_ID i-0abc", "Log_Type linux-secure"))
	p := start(t, "-e", so, "-c", conf)
	st := expectDocs(t, p, trailSink, 20000, "log-aws-cloudtrail")
	if st.Gzipped != st.Requests || st.Requests < 2 {
		t.Errorf("cloudtrail output: %d of %d requests gzipped", st.Gzipped, st.Requests)
	}
	st = expectDocs(t, p, secureSink, 300, "log-linux-secure")
	if st.Gzipped != 0 {
		t.Errorf("linux output: %d gzipped requests, Compress is not set there", st.Gzipped)
	}
	p.stop(t)
	if log := p.Log(); strings.Contains(log, "[error]") {
		t.Errorf("Fluent Bit's log has an error:\n%s", tail(log, 4000))
	}
}

// A cluster answering 429s: with Max_Attempts 1 the plugin answers
// FLB_RETRY, Fluent Bit's scheduler flushes the chunk again, and every
// document arrives once.
func TestRetryAfter429(t *testing.T) {
	so, dir, input := prepare(t, 500)
	sink := newSink(t)
	sink.Reject429(3)
	conf := writeFile(t, filepath.Join(dir, "retry.conf"), service+tailInput(input, "cloudtrail")+
		siemOutput("*", sink, "Log_Type cloudtrail", "Max_Attempts 1", "Retry_Limit 10"))
	p := start(t, "-e", so, "-c", conf)
	st := expectDocs(t, p, sink, 500, "log-aws-cloudtrail")
	if st.Rejected != 3 {
		t.Errorf("%d requests answered 429, want 3", st.Rejected)
	}
	p.stop(t)
	log := p.Log()
	// each 429 is one FLB_RETRY and one rescheduled flush in Fluent
	// Bit's log ("failed to flush chunk ..., retry in N seconds")
	if retries := grepLines(log, "retry"); len(retries) < 3 {
		t.Errorf("Fluent Bit's log shows %d retries, want 3:\n%s", len(retries), tail(log, 4000))
	}
}

// An invalid key stops Fluent Bit at start-up with a message naming the
// key; a key the plugin does not know is not seen at all.
func TestStartupKeys(t *testing.T) {
	so, dir, input := prepare(t, 50)

	sink := newSink(t)
	conf := writeFile(t, filepath.Join(dir, "bad.conf"), service+tailInput(input, "cloudtrail")+siemOutput("*", sink, "Log_Type cloudtrail", "Compress brotli"))
	p := start(t, "-e", so, "-c", conf)
	select {
	case err := <-p.done:
		p.done <- err // for stop
		if err == nil {
			t.Errorf("Fluent Bit exited 0 with Compress brotli")
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Fluent Bit still runs 20 s after an invalid key:\n%s", tail(p.Log(), 4000))
	}
	if log := p.Log(); !strings.Contains(log, `Compress: "brotli"`) {
		t.Errorf("the log does not name the key:\n%s", tail(log, 4000))
	}
	if n := sink.Stats().Docs; n != 0 {
		t.Errorf("%d documents shipped by an output that failed to start", n)
	}

	sink = newSink(t)
	conf = writeFile(t, filepath.Join(dir, "typo.conf"), service+tailInput(input, "cloudtrail")+siemOutput("*", sink, "Log_Type cloudtrail", "Compres gzip"))
	p = start(t, "-e", so, "-c", conf)
	if st := expectDocs(t, p, sink, 50, "log-aws-cloudtrail"); st.Gzipped != 0 {
		t.Errorf("%d gzipped requests: the misspelt key was read", st.Gzipped)
	}
}

func grepLines(s, sub string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// The EC2 examples are configurations Fluent Bit accepts (`--dry-run`),
// with their paths moved to a test folder.
func TestEC2ExamplesParse(t *testing.T) {
	fluentBit(t)
	so := pluginSO(t)
	etc := t.TempDir()
	files, _ := filepath.Glob("../../examples/ec2/*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "/usr/local/lib/fluent-bit/out_siem.so", so)
		writeFile(t, filepath.Join(etc, filepath.Base(f)), strings.ReplaceAll(text, "/etc/fluent-bit/", etc+"/"))
	}
	for _, conf := range []string{"fluent-bit.conf", "fluent-bit.yaml"} {
		out, err := exec.Command(fluentBit(t), "--dry-run", "-c", filepath.Join(etc, conf)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "configuration test is successful") {
			t.Errorf("%s: %v\n%s", conf, err, tail(string(out), 3000))
		}
	}
}
