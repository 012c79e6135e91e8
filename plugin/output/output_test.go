package output

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// appendEvent adds one Fluent Bit event to a chunk: the v2 layout
// [[EventTime, {}], record] or the older [EventTime, record].
func appendEvent(b []byte, t time.Time, rec map[string]any, v2 bool) []byte {
	b = msgp.AppendArrayHeader(b, 2)
	if v2 {
		b = msgp.AppendArrayHeader(b, 2)
	}
	b = append(b, 0xd7, 0x00)
	b = binary.BigEndian.AppendUint32(b, uint32(t.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	if v2 {
		b = msgp.AppendMapHeader(b, 0)
	}
	b, err := msgp.AppendIntf(b, rec)
	if err != nil {
		panic(err)
	}
	return b
}

func chunkOf(recs ...map[string]any) []byte {
	var b []byte
	for i, r := range recs {
		b = appendEvent(b, time.Date(2024, 5, 20, 13, 20, 5, 0, time.UTC), r, i%2 == 0)
	}
	return b
}

// nginxLine is an nginx combined line of the bundled samples' shape.
func nginxLine(i int) string {
	return fmt.Sprintf(`192.0.2.%d - - [20/May/2024:13:20:%02d +0000] "GET /item/%d HTTP/1.1" 200 %d "https://www.example.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"`, i%250+1, i%60, i, 1000+i)
}

func firelensRecord(line, source string) map[string]any {
	return map[string]any{"container_id": "0123abcd", "container_name": "web", "source": source, "log": line,
		"ecs_cluster": "prod", "ecs_task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/7f3a", "ecs_task_definition": "web:12"}
}

func writeINI(t testing.TB, body string) string {
	p := filepath.Join(t.TempDir(), "user.ini")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// routing is a user.ini that routes FireLens and tail tags to sections.
const routing = "[nginx-access]\ntag = ^web-firelens-|^nginx\\.access$$\n\n[linux-secure]\ntag = ^linux\\.secure$$\n"

func newOutput(t testing.TB, keys MapConfig) *Output {
	t.Helper()
	cfg, err := LoadConfig(keys)
	if err != nil {
		t.Fatal(err)
	}
	o, err := New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestConfigErrorsNameTheirKeys(t *testing.T) {
	for _, tc := range []struct {
		keys MapConfig
		want []string
	}{
		{MapConfig{}, []string{"OpenSearch_URL: missing"}},
		{MapConfig{"OpenSearch_URL": "http://x", "Output_Dir": "/tmp/x"}, []string{"not both"}},
		{MapConfig{"opensearch_url": "http://x", "compress": "zstd", "tls_verify": "maybe", "max_attempts": "0", "request_timeout": "soon"},
			[]string{"Compress:", "TLS_Verify:", "Max_Attempts:", "Request_Timeout:"}},
		{MapConfig{"OpenSearch_URL": "http://x", "AWS_Role_ARN": "arn:aws:iam::1:role/r"}, []string{"AWS_Role_ARN: set, but AWS_Auth is Off"}},
		{MapConfig{"OpenSearch_URL": "ftp://x"}, []string{"OpenSearch settings", "not an http(s) URL"}},
		{MapConfig{"Output_Dir": "/tmp/x", "AWS_Account_ID": "12345", "EC2_Metadata": "sometimes"}, []string{"AWS_Account_ID:", "EC2_Metadata:"}},
		{MapConfig{"Output_Dir": "/tmp/x", "Log_Type": "a", "Log_Type_Key": "b"}, []string{"Log_Type and Log_Type_Key"}},
	} {
		_, err := LoadConfig(tc.keys)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: err %v, want %q", tc.keys, err, w)
			}
		}
	}
	cfg, err := LoadConfig(MapConfig{"OPENSEARCH_URL": "https://a:9200, https://b:9200", "compress": "gzip", "Config": "a.ini,b.ini"})
	if err != nil || len(cfg.Ship.URLs) != 2 || !cfg.Ship.Gzip || cfg.MessageKey != "log" || len(cfg.UserINI) != 2 || !cfg.Bootstrap || cfg.Ship.MaxAttempts != 3 {
		t.Fatalf("%+v %v", cfg, err)
	}
	o := MapConfig{"Output_Dir": t.TempDir(), "Log_Type": "no-such-type", "EC2_Metadata": "off"}
	c, _ := LoadConfig(o)
	if _, err := New(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), "Log_Type") {
		t.Fatalf("unknown Log_Type: %v", err)
	}
}

// Routing: FireLens tags and tail tags reach their sections through the
// tag patterns of user.ini; Log_Type_Key overrides per record; an
// unrouted tag is dropped and counted.
func TestFlushRoutesByTagAndWritesFiles(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, MapConfig{"Output_Dir": dir, "Config": writeINI(t, routing), "EC2_Metadata": "off", "Log_Type_Key": "siem_type"})
	ctx := context.Background()
	if c := o.Flush(ctx, "web-firelens-7f3a", chunkOf(firelensRecord(nginxLine(1), "stdout"), firelensRecord("panic: boom", "stderr"), firelensRecord(nginxLine(2), "stdout"))); c != OK {
		t.Fatalf("firelens flush: %v", c)
	}
	secure := "May 20 13:20:05 ip-10-0-1-5 sshd[1234]: Accepted publickey for ec2-user from 192.0.2.10 port 50000 ssh2"
	// a tail record whose message arrives as bin, as some inputs send it
	if c := o.Flush(ctx, "linux.secure", chunkOf(map[string]any{"log": []byte(secure)})); c != OK {
		t.Fatalf("tail flush: %v", c)
	}
	if c := o.Flush(ctx, "app.other", chunkOf(map[string]any{"log": "x"}, map[string]any{"log": nginxLine(3), "siem_type": "nginx-access"})); c != OK {
		t.Fatalf("unrouted flush: %v", c)
	}
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	lines := map[string][]string{}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		name := filepath.Base(f)
		if strings.HasPrefix(name, "log-linux-secure-") {
			name = "secure" // syslog lines have no year: es-loader takes this year's
		}
		lines[name] = strings.Split(strings.TrimSpace(string(data)), "\n")
	}
	if n := len(lines["log-web-nginx-2024-05.ndjson"]); n != 6 { // 3 documents, action + source each
		t.Fatalf("nginx files %v", lines)
	}
	var doc struct {
		Container struct{ Name string }
		Cloud     struct {
			Account struct{ ID string }
			Region  string
		}
		Source struct{ IP string }
	}
	json.Unmarshal([]byte(lines["log-web-nginx-2024-05.ndjson"][1]), &doc)
	if doc.Container.Name != "web" || doc.Cloud.Account.ID != "123456789012" || doc.Cloud.Region != "eu-west-1" || doc.Source.IP != "192.0.2.2" {
		t.Fatalf("FireLens document %s", lines["log-web-nginx-2024-05.ndjson"][1])
	}
	if n := len(lines["secure"]); n != 2 {
		t.Fatalf("secure files %v", lines)
	}
	var sum bytes.Buffer
	o.Summary(&sum)
	if !strings.Contains(sum.String(), "tag app.other: 1 record(s) no section claims") || !strings.Contains(sum.String(), "nginx-access") {
		t.Fatalf("summary:\n%s", sum.String())
	}
}

// Delivery answers: all delivered or dead-lettered → OK; retryable items
// left after the plugin's own attempts → Retry, and the retried chunk
// indexes nothing twice.
func TestFlushAnswersFluentBit(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "/item/5 "}, 3)
	defer srv.Close()
	dl := t.TempDir()
	o := newOutput(t, MapConfig{"OpenSearch_URL": srv.URL, "Log_Type": "nginx-access", "EC2_Metadata": "off", "Dead_Letter": dl, "Compress": "gzip"})
	var recs []map[string]any
	for i := 0; i < 10; i++ {
		recs = append(recs, firelensRecord(nginxLine(i), "stdout"))
	}
	chunk := chunkOf(recs...)
	ctx := context.Background()
	if c := o.Flush(ctx, "web-firelens-1", chunk); c != OK {
		t.Fatalf("flush: %v", c)
	}
	if srv.Docs() != 9 {
		t.Fatalf("%d documents on the server, want 9", srv.Docs())
	}
	if files, _ := filepath.Glob(filepath.Join(dl, "*.ndjson")); len(files) != 1 {
		t.Fatalf("dead-letter %v", files)
	}
	// the same chunk again (Fluent Bit retrying): nothing new, nothing twice
	if c := o.Flush(ctx, "web-firelens-1", chunk); c != OK {
		t.Fatalf("second flush: %v", c)
	}
	for k, n := range srv.Writes() {
		if n != 1 {
			t.Fatalf("%s written %d times", k, n)
		}
	}
	o.Close(ctx)

	busy := opensearchtest.New(opensearchtest.Faults{ItemRejected: 1}, 3)
	defer busy.Close()
	o = newOutput(t, MapConfig{"OpenSearch_URL": busy.URL, "Log_Type": "nginx-access", "EC2_Metadata": "off", "Max_Attempts": "2"})
	if c := o.Flush(ctx, "web-firelens-1", chunk); c != Retry {
		t.Fatalf("flush against a cluster rejecting everything: %v, want Retry", c)
	}
	o.Close(ctx)
}

// Several Fluent Bit workers flush at once.
func TestConcurrentFlushes(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{ItemRejected: 0.1}, 9)
	defer srv.Close()
	o := newOutput(t, MapConfig{"OpenSearch_URL": srv.URL, "Config": writeINI(t, routing), "EC2_Metadata": "off", "Max_Attempts": "20", "User_Agent": "On"})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for c := 0; c < 10; c++ {
				var recs []map[string]any
				for i := 0; i < 50; i++ {
					recs = append(recs, firelensRecord(nginxLine(w*100000+c*1000+i), "stdout"))
				}
				if code := o.Flush(context.Background(), "web-firelens-x", chunkOf(recs...)); code != OK {
					t.Errorf("worker %d chunk %d: %v", w, c, code)
				}
			}
		}(w)
	}
	wg.Wait()
	o.Close(context.Background())
	if srv.Docs() != 4*10*50 {
		t.Fatalf("%d documents, want 2000", srv.Docs())
	}
}

// A damaged chunk: what came before the damage is delivered, the rest is
// counted, and the answer is OK (a retry could not read it either).
func TestUndecodableChunk(t *testing.T) {
	dir := t.TempDir()
	o := newOutput(t, MapConfig{"Output_Dir": dir, "Log_Type": "nginx-access", "EC2_Metadata": "off"})
	chunk := chunkOf(firelensRecord(nginxLine(1), "stdout"))
	chunk = append(chunk, 0x92, 0xc1) // an array whose first element is the never-used 0xc1
	if c := o.Flush(context.Background(), "t", chunk); c != OK {
		t.Fatalf("flush: %v", c)
	}
	o.Close(context.Background())
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	var sum bytes.Buffer
	o.Summary(&sum)
	if !strings.Contains(sum.String(), "unknown") {
		t.Fatalf("summary:\n%s", sum.String())
	}
}

// On EC2, account, region and instance id come from instance metadata
// (IMDSv2: a token first), read once.
func TestHostLogsFromInstanceMetadata(t *testing.T) {
	var calls int
	var mu sync.Mutex
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			fmt.Fprint(w, "tok")
		case r.URL.Path == "/latest/dynamic/instance-identity/document" && r.Header.Get("X-Aws-Ec2-Metadata-Token") == "tok":
			fmt.Fprint(w, `{"accountId":"210987654321","region":"ap-southeast-2","instanceId":"i-0fedcba9876543210","availabilityZone":"ap-southeast-2a"}`)
		default:
			http.Error(w, "no", http.StatusUnauthorized)
		}
	}))
	defer imds.Close()
	imdsEndpoint = imds.URL
	defer func() { imdsEndpoint = "" }()
	dir := t.TempDir()
	o := newOutput(t, MapConfig{"Output_Dir": dir, "Config": writeINI(t, routing), "EC2_Metadata": "on"})
	secure := "May 20 13:20:05 ip-10-0-1-5 sshd[1234]: Accepted publickey for ec2-user from 192.0.2.10 port 50000 ssh2"
	o.Flush(context.Background(), "linux.secure", chunkOf(map[string]any{"log": secure}))
	o.Close(context.Background())
	files, _ := filepath.Glob(filepath.Join(dir, "log-linux-secure-*.ndjson"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	for _, want := range []string{`"210987654321"`, `"ap-southeast-2"`, `"i-0fedcba9876543210"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("no %s in %s", want, data)
		}
	}
}

func TestFirelensKeyIndex(t *testing.T) {
	for i, k := range firelensKeys {
		if got := firelensKeyIndex(k); got != i {
			t.Errorf("%s: %d, want %d", k, got, i)
		}
	}
	if firelensKeyIndex("logs") != -1 || firelensKeyIndex("") != -1 {
		t.Error("a key that is not FireLens metadata has an index")
	}
}

// cloudTrailLines are n CloudTrail records as a tail input without a
// parser leaves them (the line under log), each with its own eventID.
func cloudTrailLines(t testing.TB, n int) []map[string]any {
	all := cloudTrailSamples(t)
	recs := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		r := map[string]any{}
		for k, v := range all[i%len(all)] {
			r[k] = v
		}
		r["eventID"] = fmt.Sprintf("split-%05d", i)
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, map[string]any{"log": string(line)})
	}
	return recs
}

// A flush alone with a big chunk normalizes it in two halves side by side
// and sends its documents in parts while it goes: every document arrives
// once, under the _index and _id the same chunk gets written whole to
// Output_Dir, in several requests; a part that cannot be delivered makes
// the answer Retry, once every part has been waited for.
func TestLoneFlushSplitsAndPipelines(t *testing.T) {
	const n = 3000
	chunk := chunkOf(cloudTrailLines(t, n)...)
	if at := splitPoint(chunk); at < len(chunk)/2 || at >= len(chunk) {
		t.Fatalf("split point %d of %d", at, len(chunk))
	}
	dir := t.TempDir()
	whole := newOutput(t, MapConfig{"Output_Dir": dir, "Log_Type": "cloudtrail", "EC2_Metadata": "off"})
	if c := whole.Flush(context.Background(), "cloudtrail", chunk); c != OK {
		t.Fatalf("Output_Dir flush: %v", c)
	}
	whole.Close(context.Background())
	want := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for i := 0; i < len(lines); i += 2 {
			var action map[string]struct {
				Index string `json:"_index"`
				ID    string `json:"_id"`
			}
			if err := json.Unmarshal([]byte(lines[i]), &action); err != nil {
				t.Fatalf("%s: %v", lines[i], err)
			}
			for _, a := range action {
				want[a.Index+"/"+a.ID]++
			}
		}
	}
	if len(want) != n {
		t.Fatalf("Output_Dir holds %d documents, want %d", len(want), n)
	}

	srv := opensearchtest.New(opensearchtest.Faults{}, 3)
	defer srv.Close()
	o := newOutput(t, MapConfig{"OpenSearch_URL": srv.URL, "Log_Type": "cloudtrail", "EC2_Metadata": "off", "Compress": "gzip"})
	if c := o.Flush(context.Background(), "cloudtrail", chunk); c != OK {
		t.Fatalf("flush: %v", c)
	}
	o.Close(context.Background())
	got := srv.Writes()
	if len(got) != n {
		t.Fatalf("%d documents on the server, want %d", len(got), n)
	}
	for k, c := range got {
		if c != 1 || want[k] != 1 {
			t.Fatalf("%s written %d times (Output_Dir: %d)", k, c, want[k])
		}
	}
	// 11 MB of documents: two halves, each in parts of pipelineBytes
	if srv.Requests < 4 {
		t.Fatalf("%d bulk requests: the chunk was not sent in parts", srv.Requests)
	}

	busy := opensearchtest.New(opensearchtest.Faults{ItemRejected: 1}, 3)
	defer busy.Close()
	o = newOutput(t, MapConfig{"OpenSearch_URL": busy.URL, "Log_Type": "cloudtrail", "EC2_Metadata": "off", "Max_Attempts": "1"})
	if c := o.Flush(context.Background(), "cloudtrail", chunk); c != Retry {
		t.Fatalf("flush against a cluster rejecting everything: %v, want Retry", c)
	}
	o.Close(context.Background())
	if busy.Requests < 4 {
		t.Fatalf("%d bulk requests to the rejecting cluster", busy.Requests)
	}
}

// splitPoint finds no split in what is not a sequence of events, and
// none in a chunk of one event.
func TestSplitPointOfOddChunks(t *testing.T) {
	if at := splitPoint([]byte{0xc1, 0xc1, 0xc1}); at != 0 {
		t.Fatalf("garbage split at %d", at)
	}
	one := chunkOf(firelensRecord(nginxLine(1), "stdout"))
	if at := splitPoint(one); at != 0 && at != len(one) {
		t.Fatalf("one event split at %d of %d", at, len(one))
	}
}
