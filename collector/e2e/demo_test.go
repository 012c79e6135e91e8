package e2e

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/siemloader/siemloader/internal/miniotest"
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

	d := startDemoCollector(t, bin, cluster.URL, "http://127.0.0.1:9") // nothing announces an object here
	fluentPort := d.fluentPort
	col := d.col

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

// demoCollector is otelcol-siem running the demo's otelcol.yaml with only
// its addresses changed.
type demoCollector struct {
	col                     *collector
	fluentPort, webhookPort int
}

const demoWebhookToken = "demo-webhook-token"

func startDemoCollector(t *testing.T, bin, clusterURL, minioURL string, env ...string) demoCollector {
	data, err := os.ReadFile(demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d := demoCollector{fluentPort: freePort(t), webhookPort: freePort(t)}
	cfg := string(data)
	for old, repl := range map[string]string{
		"https://opensearch:9200":          clusterURL,
		"0.0.0.0:8006":                     "127.0.0.1:" + strconv.Itoa(d.fluentPort),
		"0.0.0.0:8088":                     "127.0.0.1:" + strconv.Itoa(d.webhookPort),
		"http://minio:9000":                minioURL,
		"/tmp/otelcol-siem/dead-letter\n":  filepath.Join(dir, "dead-letter") + "\n",
		"/tmp/otelcol-siem/dead-letter-s3": filepath.Join(dir, "dead-letter-s3"),
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
	env = append(env, "OPENSEARCH_ADMIN_PASSWORD="+demoPassword, "SIEM_WEBHOOK_TOKEN="+demoWebhookToken)
	d.col = startCollector(t, bin, cfgPath, env...)
	return d
}

// minioPutEvent is the body MinIO's webhook target POSTs for an object
// put (MinIO's spelling: minio:s3, s3:ObjectCreated:Put, the key
// query-escaped).
func minioPutEvent(bucket, key string, size int) string {
	return `{"EventName":"s3:ObjectCreated:Put","Key":"` + bucket + "/" + key + `","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2024-05-20T13:25:00.123Z","eventName":"s3:ObjectCreated:Put","userIdentity":{"principalId":"siemdemo"},"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"` + bucket + `","ownerIdentity":{"principalId":"siemdemo"},"arn":"arn:aws:s3:::` + bucket + `"},"object":{"key":"` + url.QueryEscape(key) + `","size":` + strconv.Itoa(size) + `,"eTag":"5fc7298143efe1276d39a3466d4e255f","contentType":"application/gzip","sequencer":"17D0A1B2C3E0F1A2"}},"source":{"host":"172.18.0.5","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.80 mc/RELEASE.2024-11-17T19-35-25Z"}}]}`
}

// The demo's S3 path, as the compose file wires it: the generator's
// objects in MinIO's siem-logs, each announced by a MinIO webhook event
// (the recorded shape, with the demo's token), are read back by the s3
// receiver and indexed by the siem/s3 exporter, each document once with
// the _index/_id `siemloader load` gives the object; a wrong token is
// refused.
func TestDemoCollectorReadsMinIOWebhook(t *testing.T) {
	bin := otelcolBinary(t)
	cli := cliBinary(t)
	minio := miniotest.Start(t)
	minio.MakeBucket(t, "siem-logs")
	s3c := minio.Client(t)
	objects := t.TempDir()
	if out, err := exec.Command(cli, "gen", "--count", "10", "--s3-dir", objects).CombinedOutput(); err != nil {
		t.Fatalf("siemloader gen: %v\n%s", err, out)
	}
	srv := opensearchtest.New(opensearchtest.Faults{}, 7)
	defer srv.Close()
	srv.RequireBasic("admin", demoPassword)
	target, _ := url.Parse(srv.URL)
	cluster := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer cluster.Close()
	d := startDemoCollector(t, bin, cluster.URL, minio.Endpoint,
		"AWS_ACCESS_KEY_ID="+minio.AccessKey, "AWS_SECRET_ACCESS_KEY="+minio.SecretKey, "AWS_REGION="+minio.Region,
		"AWS_CONFIG_FILE="+filepath.Join(objects, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(objects, "none"))
	hook := "http://127.0.0.1:" + strconv.Itoa(d.webhookPort) + "/"
	post := func(auth, body string) int {
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// the receiver listens once the collector is up
	deadline := time.Now().Add(60 * time.Second)
	for {
		d.col.checkRunning(t)
		if resp, err := http.Head(hook); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the webhook endpoint does not answer after 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	want := map[string]bool{}
	var events []string
	err := filepath.WalkDir(objects, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		key, _ := filepath.Rel(objects, path)
		key = filepath.ToSlash(key)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for id := range cliIDs(t, cli, key, path) {
			want[id] = true
		}
		if _, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("siem-logs"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			return err
		}
		events = append(events, minioPutEvent("siem-logs", key, len(body)))
		return nil
	})
	if err != nil || len(events) < 5 {
		t.Fatalf("%d objects generated: %v", len(events), err)
	}
	if code := post("Bearer wrong", events[0]); code != http.StatusForbidden {
		t.Errorf("a wrong token: %d", code)
	}
	// the objects are indexed when the answer comes: nothing to wait for
	for _, ev := range events {
		if code := post("Bearer "+demoWebhookToken, ev); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
	}
	d.col.stop(t)
	indexedOnce(t, want, srv.Writes())
}
