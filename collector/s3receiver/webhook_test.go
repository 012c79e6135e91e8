package s3receiver

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
	"github.com/siemloader/siemloader/internal/miniotest"
)

const webhookToken = "minio-webhook-token"

// minioEvent is a notification as MinIO's webhook target POSTs it: the
// event name and bucket/key on top, then one record shaped as AWS's, with
// MinIO's spelling (eventSource minio:s3, eventName s3:ObjectCreated:Put)
// and the key query-escaped as MinIO escapes it.
func minioEvent(eventName, key string) string {
	return `{"EventName":"` + eventName + `","Key":"` + bucket + "/" + key + `","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2024-05-20T13:25:00.123Z","eventName":"` + eventName + `","userIdentity":{"principalId":"minioadmin"},"requestParameters":{"principalId":"minioadmin","region":"","sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-id-2":"dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8","x-amz-request-id":"17D0A1B2C3D4E5F6","x-minio-deployment-id":"0170a4cc-dca6-4e72-86f1-c0cc760dff7f","x-minio-origin-endpoint":"http://127.0.0.1:9000"},"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"` + bucket + `","ownerIdentity":{"principalId":"minioadmin"},"arn":"arn:aws:s3:::` + bucket + `"},"object":{"key":"` + url.QueryEscape(key) + `","size":1,"eTag":"5fc7298143efe1276d39a3466d4e255f","contentType":"application/octet-stream","userMetadata":{"content-type":"application/octet-stream"},"sequencer":"17D0A1B2C3E0F1A2"}},"source":{"host":"127.0.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70"}}]}`
}

func (e *env) webhookConfig(token string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.S3Endpoint = e.minio.Endpoint
	cfg.S3ForcePathStyle = true
	wc := &WebhookConfig{ServerConfig: confighttp.NewDefaultServerConfig(), AuthToken: configopaque.String(token)}
	wc.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Webhook = wc
	return cfg
}

func post(t testing.TB, endpoint, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The handler answers each kind of request as MinIO needs: 200 only once
// the announced objects are all downstream, 503 so that MinIO retries,
// 400/401/403 for what no retry can mend.
func TestWebhookHandler(t *testing.T) {
	e := newEnv(t, 5)
	samples := exampleSamples(t)[:3] // CloudTrail and the VPC flow logs
	want := map[string]bool{}
	for _, s := range samples {
		e.put(t, s.key, s.body)
		for id := range expectedIDs(t, s.key, s.body) {
			want[id] = true
		}
	}
	var refuse sync.Map // keys whose first part the pipeline refuses once
	w := &watch{next: e.siemExporter(t), before: func(_ context.Context, key string, n int) error {
		if _, ok := refuse.LoadAndDelete(key); ok {
			return errRefused
		}
		return nil
	}}
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	r := startReceiverWith(t, e.webhookConfig(webhookToken), w, tel)
	url := "http://" + r.hook.addr + "/minio/events"

	// the checks MinIO makes before it enables the target
	if resp, err := http.Head(url); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD: %v %v", resp, err)
	}
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %v %v", resp, err)
	}

	put := minioEvent("s3:ObjectCreated:Put", samples[0].key)
	for _, c := range []struct {
		name, auth, body string
		code             int
	}{
		{"no token", "", put, http.StatusUnauthorized},
		{"wrong token", "Bearer not-" + webhookToken, put, http.StatusForbidden},
		{"token's prefix", webhookToken[:5], put, http.StatusForbidden},
		{"not JSON", webhookToken, `{"EventName":`, http.StatusBadRequest},
		{"no records", webhookToken, `{"EventName":"s3:ObjectCreated:Put","Key":"siem-logs/x"}`, http.StatusBadRequest},
		{"not an S3 record", webhookToken, `{"Records":[{"eventSource":"minio:sqs","eventName":"s3:ObjectCreated:Put"}]}`, http.StatusBadRequest},
		{"deletion", webhookToken, minioEvent("s3:ObjectRemoved:Delete", samples[1].key), http.StatusOK},
		{"read", webhookToken, minioEvent("s3:ObjectAccessed:Get", samples[1].key), http.StatusOK},
		{"test event", webhookToken, `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-05-20T13:25:00Z","Bucket":"siem-logs"}`, http.StatusOK},
		{"folder", webhookToken, minioEvent("s3:ObjectCreated:Put", "AWSLogs/"), http.StatusOK},
	} {
		if code, msg := post(t, url, c.auth, c.body); code != c.code {
			t.Errorf("%s: %d %s, want %d", c.name, code, msg, c.code)
		}
	}
	if n := r.parts.Load(); n != 0 {
		t.Fatalf("%d parts sent for requests that announce nothing to read", n)
	}

	// a part refused: 503, MinIO sends the event again, then 200
	refuse.Store(samples[0].key, true)
	if code, msg := post(t, url, webhookToken, put); code != http.StatusServiceUnavailable {
		t.Fatalf("refused part: %d %s", code, msg)
	}
	if code, msg := post(t, url, webhookToken, put); code != http.StatusOK {
		t.Fatalf("retry: %d %s", code, msg)
	}
	// the token alone (MinIO's older releases) and after Bearer (its newer)
	for i, s := range samples[1:] {
		auth := webhookToken
		if i == 1 {
			auth = "Bearer " + webhookToken
		}
		if code, msg := post(t, url, auth, minioEvent("s3:ObjectCreated:CompleteMultipartUpload", s.key)); code != http.StatusOK {
			t.Fatalf("%s: %d %s", s.key, code, msg)
		}
	}
	// an object deleted before it was read: retrying cannot help
	if code, msg := post(t, url, webhookToken, minioEvent("s3:ObjectCreated:Put", "AWSLogs/111122223333/vpcflowlogs/gone.log")); code != http.StatusOK {
		t.Fatalf("missing object: %d %s", code, msg)
	}
	e.indexedOnce(t, want)

	for _, c := range []struct {
		metric, outcome string
		n               int64
	}{
		{metricEvents, eventUnauthorized, 3},
		{metricEvents, eventMalformed, 3},
		{metricEvents, eventRejected, 1},
		{metricEvents, eventFailed, 1},
		{metricEvents, eventDone, 4 + 1 + 2 + 1},
		{metricObjects, objectRead, 3},
		{metricObjects, objectFailed, 1},
		{metricObjects, objectGone, 1},
	} {
		if n := componenttestutil.MetricSum(t, tel, c.metric, "outcome", c.outcome); n != c.n {
			t.Errorf("%s{outcome=%s} = %d, want %d", c.metric, c.outcome, n, c.n)
		}
	}
	if n := componenttestutil.MetricSum(t, tel, metricParts); n != r.parts.Load() || n == 0 {
		t.Errorf("parts counted %d, sent %d", n, r.parts.Load())
	}
}

// Stopping the receiver while an object is read answers 503: MinIO keeps
// the event and sends it again.
func TestWebhookShutdownAnswersRetry(t *testing.T) {
	e := newEnv(t, 5)
	s := exampleSamples(t)[0]
	e.put(t, s.key, s.body)
	inPart := make(chan struct{})
	w := &watch{before: func(ctx context.Context, _ string, _ int) error {
		close(inPart)
		<-ctx.Done()
		return ctx.Err()
	}}
	r := startReceiver(t, e.webhookConfig(""), w)
	url := "http://" + r.hook.addr + "/"
	got := make(chan int, 1)
	go func() {
		code, _ := post(t, url, "", minioEvent("s3:ObjectCreated:Put", s.key))
		got <- code
	}()
	<-inPart
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code := <-got; code != http.StatusServiceUnavailable {
		t.Fatalf("answered %d while shutting down", code)
	}
}

// A real MinIO with its webhook target pointed at the receiver: every
// record of the objects uploaded is indexed once, with the core's _ids.
func TestMinIOWebhookIndexesEveryObjectOnce(t *testing.T) {
	e := newEnv(t, 5) // the AWS SDK's environment and the test cluster
	// MinIO checks its target when it starts: a receiver listens first,
	// then gives its port to the receiver that reads from that MinIO
	first := startReceiver(t, e.webhookConfig(webhookToken), &watch{})
	addr := first.hook.addr
	m := miniotest.StartWithEnv(t,
		"MINIO_NOTIFY_WEBHOOK_ENABLE_SIEM=on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_SIEM=http://"+addr+"/minio/events",
		"MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_SIEM="+webhookToken,
		"MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_SIEM="+t.TempDir(),
	)
	if err := first.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", m.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", m.SecretKey)
	cfg := e.webhookConfig(webhookToken)
	cfg.S3Endpoint = m.Endpoint
	cfg.Webhook.NetAddr.Endpoint = addr
	w := &watch{next: e.siemExporter(t)}
	r := startReceiver(t, cfg, w)

	m.MakeBucket(t, bucket)
	ctx := context.Background()
	s3c := m.Client(t)
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String("arn:minio:sqs::SIEM:webhook"),
			Events:   []types.Event{types.EventS3ObjectCreated},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	samples := exampleSamples(t) // CloudTrail, VPC flow, ELB, CloudWatch Logs envelopes
	want := map[string]bool{}
	for _, s := range samples {
		ids := expectedIDs(t, s.key, s.body)
		for id := range ids {
			want[id] = true
		}
		if _, err := s3c.PutObject(ctx, putInput(bucket, s.key, s.body)); err != nil {
			t.Fatal(err)
		}
	}
	// a folder and an object removed announce nothing to read
	if _, err := s3c.PutObject(ctx, putInput(bucket, "AWSLogs/", nil)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every object read", 60*time.Second, func() bool { return int(r.objects.Load()) >= len(samples) })
	time.Sleep(500 * time.Millisecond) // nothing more may come
	for _, s := range samples {
		if w.count(s.key) == 0 {
			t.Errorf("%s: no part", s.key)
		}
	}
	if n := r.objects.Load(); n != int64(len(samples)) {
		t.Errorf("%d objects read, %d uploaded", n, len(samples))
	}
	e.indexedOnce(t, want)
}
