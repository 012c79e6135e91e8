// Package harness tests out_siem.so as Fluent Bit runs it: a C program
// (c/harness.c) dlopens the shared object, registers it, initialises
// instances with their own keys and flushes msgpack chunks from two
// threads at once.
package harness

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/plugin/output"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

const samples = "../../../shared/samples"

// build makes out_siem.so and the harness in dir.
func build(t *testing.T, dir string) (so, harness string) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc is needed to build the harness")
	}
	so = filepath.Join(dir, "out_siem.so")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", so, ".")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building out_siem.so: %v\n%s", err, out)
	}
	harness = filepath.Join(dir, "harness")
	if out, err := exec.Command("gcc", "-Wall", "-O2", "-o", harness, "c/harness.c", "-ldl", "-lpthread").CombinedOutput(); err != nil {
		t.Fatalf("building the harness: %v\n%s", err, out)
	}
	return so, harness
}

// lines are the non-empty lines of a shared sample.
func lines(t *testing.T, rel string) []string {
	data, err := os.ReadFile(filepath.Join(samples, rel))
	if err != nil {
		t.Skipf("shared samples not found (%v)", err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// chunk encodes records as Fluent Bit does: [[EventTime, {}], record].
func chunk(recs []map[string]any) []byte {
	var b []byte
	for _, r := range recs {
		b = msgp.AppendArrayHeader(b, 2)
		b = msgp.AppendArrayHeader(b, 2)
		b = append(b, 0xd7, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Unix()))
		b = binary.BigEndian.AppendUint32(b, 0)
		b = msgp.AppendMapHeader(b, 0)
		var err error
		if b, err = msgp.AppendIntf(b, r); err != nil {
			panic(err)
		}
	}
	return b
}

type flush struct {
	instance, thread int
	tag              string
	data             []byte
}

// script writes the harness's script and chunk files.
func script(t *testing.T, dir string, instances []output.MapConfig, flushes []flush) string {
	var sb strings.Builder
	for _, keys := range instances {
		sb.WriteString("instance\n")
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&sb, "key %s %s\n", k, keys[k])
		}
	}
	for i, f := range flushes {
		p := filepath.Join(dir, fmt.Sprintf("chunk-%d.msgpack", i))
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "flush %d %d %s %s\n", f.instance, f.thread, f.tag, p)
	}
	p := filepath.Join(dir, "script")
	os.WriteFile(p, []byte(sb.String()), 0o644)
	return p
}

// expected runs the chunks through the plugin's Go type writing files,
// and returns index/_id → document of every document it makes.
func expected(t *testing.T, keys output.MapConfig, flushes []flush, instance int) map[string]string {
	dir := t.TempDir()
	k := output.MapConfig{"Output_Dir": dir}
	for n, v := range keys {
		switch strings.ToLower(n) {
		case "opensearch_url", "dead_letter", "max_attempts", "compress":
		default:
			k[n] = v
		}
	}
	cfg, err := output.LoadConfig(k)
	if err != nil {
		t.Fatal(err)
	}
	o, err := output.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flushes {
		if f.instance == instance {
			o.Flush(context.Background(), f.tag, f.data)
		}
	}
	o.Close(context.Background())
	docs := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		ls := strings.Split(strings.TrimSpace(string(data)), "\n")
		for i := 0; i+1 < len(ls); i += 2 {
			var a struct {
				Index struct {
					Index string `json:"_index"`
					ID    string `json:"_id"`
				} `json:"index"`
			}
			json.Unmarshal([]byte(ls[i]), &a)
			docs[a.Index.Index+"/"+a.Index.ID] = ls[i+1]
		}
	}
	return docs
}

func TestSharedObjectInTheHarness(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the harness uses dlopen on Linux")
	}
	nginx := lines(t, "nginx-access/AWSLogs/123456789012/EC2/nginx/access/i-0123456789abcdef0/2018/04/12/access-3d9fc4bd.log")
	secure := lines(t, "linux-secure/AWSLogs/123456789012/EC2/Linux/secure/i-0123456789abcdef0/2018/02/24/secure-53587cf8.log")
	var firelens []map[string]any
	for _, l := range lines(t, "_firelens/AWSLogs/123456789012/FireLens/default/2022/12/14/firelens-593f2d04.json") {
		var r map[string]any
		if json.Unmarshal([]byte(l), &r) == nil {
			firelens = append(firelens, r)
		}
	}
	// the shared nginx sample is short: its lines again from other clients
	for i, n := 0, len(nginx); i < 3*n; i++ {
		f := strings.SplitN(nginx[i%n], " ", 2)
		nginx = append(nginx, fmt.Sprintf("198.51.100.%d %s", i+1, f[1]))
	}
	if len(nginx) < 20 || len(secure) < 10 || len(firelens) == 0 {
		t.Fatalf("samples too small: %d nginx, %d secure, %d firelens lines", len(nginx), len(secure), len(firelens))
	}
	dir := t.TempDir()
	so, harness := build(t, dir)

	// Instance 0 routes by tag into a cluster that rejects 30 % of items
	// with 429 and refuses one nginx line's document with 400; instance 1
	// sends FireLens records to a cluster that rejects everything.
	marker := "198.51.100.7" // the client address of one line
	clusterA := opensearchtest.New(opensearchtest.Faults{ItemRejected: 0.3, RejectMarker: `"` + marker + `"`}, 11)
	defer clusterA.Close()
	clusterB := opensearchtest.New(opensearchtest.Faults{ItemRejected: 1}, 12)
	defer clusterB.Close()
	ini := filepath.Join(dir, "user.ini")
	os.WriteFile(ini, []byte("[nginx-access]\ntag = ^nginx\\.access$$\n\n[linux-secure]\ntag = ^linux\\.secure$$\n"), 0o644)
	dead := filepath.Join(dir, "dead")
	instances := []output.MapConfig{
		{"OpenSearch_URL": clusterA.URL, "Config": ini, "EC2_Metadata": "off", "AWS_Account_ID": "123456789012", "AWS_Region": "us-east-1",
			"EC2_Instance_ID": "i-0123456789abcdef0", "Max_Attempts": "40", "Dead_Letter": dead, "Compress": "gzip", "Bootstrap": "Off"},
		{"OpenSearch_URL": clusterB.URL, "Log_Type": "nginx-access", "EC2_Metadata": "off", "Max_Attempts": "2", "Bootstrap": "Off"},
	}
	var flushes []flush
	add := func(inst int, tag string, recs []map[string]any) {
		flushes = append(flushes, flush{inst, len(flushes) % 2, tag, chunk(recs)})
	}
	for i := 0; i < len(nginx); i += 10 {
		var recs []map[string]any
		for _, l := range nginx[i:min(i+10, len(nginx))] {
			recs = append(recs, map[string]any{"log": l})
		}
		add(0, "nginx.access", recs)
	}
	for i := 0; i < len(secure); i += 7 {
		var recs []map[string]any
		for _, l := range secure[i:min(i+7, len(secure))] {
			recs = append(recs, map[string]any{"log": l})
		}
		add(0, "linux.secure", recs)
	}
	var fl []map[string]any
	for i, l := range nginx[:5] {
		fl = append(fl, map[string]any{"container_id": "abc", "container_name": "web", "source": "stdout", "log": l,
			"ecs_cluster": "prod", "ecs_task_arn": fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task/prod/%d", i)})
	}
	add(1, "web-firelens-prod", append(fl, firelens...))

	out, err := exec.Command(harness, so, script(t, dir, instances, flushes)).CombinedOutput()
	if err != nil {
		t.Fatalf("harness: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "register 0 siem 2 11") || !strings.Contains(text, "init 0 1\n") || !strings.Contains(text, "init 1 1\n") {
		t.Fatalf("registration or init:\n%s", text)
	}
	codes := map[int]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var n, c int
		if _, err := fmt.Sscanf(sc.Text(), "flush %d %d", &n, &c); err == nil {
			codes[n] = fmt.Sprint(c)
		}
	}
	for i, f := range flushes {
		want := "1" // FLB_OK
		if f.instance == 1 {
			want = "2" // FLB_RETRY: the cluster never took the documents
		}
		if codes[i] != want {
			t.Errorf("flush %d (instance %d, %s): code %q, want %s\n%s", i, f.instance, f.tag, codes[i], want, text)
		}
	}
	if !strings.Contains(text, "exit 0 1\n") || !strings.Contains(text, "exit 1 1\n") {
		t.Errorf("exit codes:\n%s", text)
	}

	// Cluster A holds exactly the documents the plugin's Go type makes of
	// the same chunks, each once, but the one refused with 400, which is
	// in the dead-letter.
	want := expected(t, instances[0], flushes, 0)
	writes := clusterA.Writes()
	refused := 0
	for k, doc := range want {
		if strings.Contains(doc, `"`+marker+`"`) {
			refused++
			if writes[k] != 0 {
				t.Errorf("%s was refused, yet stored", k)
			}
			continue
		}
		if writes[k] != 1 {
			t.Errorf("%s stored %d times", k, writes[k])
		}
	}
	if refused == 0 || len(writes) != len(want)-refused {
		t.Errorf("%d documents stored, %d expected, %d refused", len(writes), len(want), refused)
	}
	files, _ := filepath.Glob(filepath.Join(dead, "*.ndjson"))
	if len(files) != 1 {
		t.Fatalf("dead-letter files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if n := strings.Count(string(data), "\n"); n != refused || !strings.Contains(string(data), "mapper_parsing_exception") {
		t.Errorf("dead-letter holds %d lines, want %d:\n%s", n, refused, data)
	}
	for k := range writes {
		if !strings.HasPrefix(k, "log-web-nginx-") && !strings.HasPrefix(k, "log-linux-secure-") {
			t.Errorf("unexpected index: %s", k)
		}
	}
}
