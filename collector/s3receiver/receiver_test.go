package s3receiver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
)

func snsWrapped(msg string) string {
	b, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:111122223333:logs", "Message": msg})
	return string(b)
}

func eventBridgeEvent(key string) string {
	b, _ := json.Marshal(map[string]any{"version": "0", "detail-type": "Object Created", "source": "aws.s3", "account": "111122223333",
		"detail": map[string]any{"bucket": map[string]string{"name": bucket}, "object": map[string]any{"key": key, "size": 10, "etag": "e"}}})
	return string(b)
}

// Every object announced (directly, through SNS, through EventBridge) is
// indexed once with the _index and _id the core gives it, and each
// message is deleted only after all its objects' parts were accepted.
func TestQueueIndexesEveryObjectOnce(t *testing.T) {
	e := newEnv(t, 3)
	want := map[string]bool{}
	msgOf := map[string]string{} // key -> message id
	var bodies []string
	for i, s := range exampleSamples(t) {
		key, body := s.key, s.body
		switch i {
		case 1:
			key = "my logs/" + key // a space: URL-encoded in the notification
		case 2:
			key += ".gz"
			body = gzipped(t, body)
		}
		e.put(t, key, body)
		for id := range expectedIDs(t, key, body) {
			want[id] = true
		}
		var msg string
		switch i % 3 {
		case 0:
			msg = s3Event(key)
		case 1:
			msg = snsWrapped(s3Event(key))
		default:
			msg = eventBridgeEvent(key)
		}
		bodies = append(bodies, msg)
		msgOf[key] = e.sqs.Send(msg)
	}
	testEvent := e.sqs.Send(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-05-20T13:00:00.000Z","Bucket":"` + bucket + `"}`)
	folder := e.sqs.Send(s3Event("AWSLogs/111122223333/CloudTrail/"))

	var mu sync.Mutex
	var early []string
	w := &watch{next: e.siemExporter(t), before: func(_ context.Context, key string, _ int) error {
		for _, m := range e.sqs.Messages() {
			if m.ID == msgOf[key] && !m.Deleted.IsZero() {
				mu.Lock()
				early = append(early, key)
				mu.Unlock()
			}
		}
		return nil
	}}
	cfg := e.queueConfig()
	cfg.PartBytes = 4 << 10 // several parts for the larger objects
	cfg.Concurrency = 3
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	r := startReceiverWith(t, cfg, w, tel)
	waitFor(t, "every message deleted", time.Minute, func() bool {
		for _, m := range e.sqs.Messages() {
			if m.Deleted.IsZero() {
				return false
			}
		}
		return true
	})
	if len(early) > 0 {
		t.Fatalf("messages deleted before their objects were done: %v", early)
	}
	e.indexedOnce(t, want)
	for _, m := range e.sqs.Messages() {
		if m.Receives != 1 {
			t.Errorf("message %s received %d times", m.ID, m.Receives)
		}
	}
	if w.count("AWSLogs/111122223333/CloudTrail/") != 0 {
		t.Error("a folder key was read")
	}
	if len(e.sqs.DeadLetters()) != 0 {
		t.Errorf("dead letters: %v", e.sqs.DeadLetters())
	}
	if r.objects.Load() != int64(len(msgOf)) || r.parts.Load() <= int64(len(msgOf)) {
		t.Errorf("%d objects in %d parts, want %d objects in more parts", r.objects.Load(), r.parts.Load(), len(msgOf))
	}
	if n := componenttestutil.MetricSum(t, tel, metricObjects, "outcome", objectRead); n != int64(len(msgOf)) {
		t.Errorf("%d objects read counted, want %d", n, len(msgOf))
	}
	if n := componenttestutil.MetricSum(t, tel, metricParts); n != r.parts.Load() {
		t.Errorf("%d parts counted, %d consumed", n, r.parts.Load())
	}
	if n := componenttestutil.MetricSum(t, tel, metricMessages, "outcome", messageDeleted); n != int64(len(msgOf)+2) {
		t.Errorf("%d messages deleted counted, want %d (with the test event and the folder)", n, len(msgOf)+2)
	}
	_, _ = testEvent, folder
}

// A consumer that keeps refusing: the message is never deleted, comes
// back after its visibility timeout and lands in the dead-letter queue
// after maxReceiveCount receives.
func TestRefusedObjectEndsInTheDeadLetterQueue(t *testing.T) {
	e := newEnv(t, 2)
	s := exampleSamples(t)[0]
	e.put(t, s.key, s.body)
	id := e.sqs.Send(s3Event(s.key))
	w := &watch{before: func(context.Context, string, int) error { return errRefused }}
	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Second
	startReceiver(t, cfg, w)
	waitFor(t, "the message in the dead-letter queue", 30*time.Second, func() bool { return len(e.sqs.DeadLetters()) == 1 })
	dl := e.sqs.DeadLetters()[0]
	if dl.ID != id || dl.Receives != 2 || !dl.Deleted.IsZero() {
		t.Fatalf("dead letter %+v", dl)
	}
	if n := w.count(s.key); n != 2 {
		t.Fatalf("object tried %d times, want 2 (one per receive)", n)
	}
}

// While a large object is still being read, its message's visibility is
// extended, so that no other consumer receives it meanwhile.
func TestHeartbeatKeepsALongObjectHidden(t *testing.T) {
	e := newEnv(t, 0)
	s := exampleSamples(t)[0]
	e.put(t, s.key, s.body)
	id := e.sqs.Send(s3Event(s.key))
	w := &watch{before: func(_ context.Context, _ string, n int) error {
		if n == 1 {
			time.Sleep(3500 * time.Millisecond) // 3.5 visibility timeouts
		}
		return nil
	}}
	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Second
	cfg.Concurrency = 2 // a free slot would take the message again if it showed
	startReceiver(t, cfg, w)
	waitFor(t, "the message deleted", 30*time.Second, func() bool { return !e.sqs.Messages()[0].Deleted.IsZero() })
	if m := e.sqs.Messages()[0]; m.Receives != 1 {
		t.Fatalf("received %d times while being processed", m.Receives)
	}
	if n := e.sqs.VisibilityChanges(id); n < 3 {
		t.Fatalf("%d visibility extensions in 3.5 s with a 1 s timeout", n)
	}
}

// A collector killed in the middle of an object: the message comes back,
// the object is read again from its start, and the documents sent before
// the kill keep their _ids, so the cluster holds each once.
func TestKillInTheMiddleOfAnObject(t *testing.T) {
	e := newEnv(t, 5)
	header := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	var b strings.Builder
	b.WriteString(header)
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "2 111122223333 eni-0a1b2c3d 10.0.%d.%d 10.1.0.1 %d 443 6 %d %d 1716211200 1716211260 ACCEPT OK\n", i/250%250, i%250, 1024+i%60000, 1+i%50, 40+i)
	}
	key := "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/20/111122223333_vpcflowlogs_us-east-1_fl-0123_20240520T1320Z_kill.log.gz"
	body := gzipped(t, []byte(b.String()))
	e.put(t, key, body)
	want := expectedIDs(t, key, body)
	e.sqs.Send(s3Event(key))

	cfg := e.queueConfig()
	cfg.PartBytes = 32 << 10
	cfg.VisibilityTimeout = time.Minute // only the test makes it visible again
	exp := e.siemExporter(t)
	// first is read by the consumer's goroutine: atomic, so that setting
	// and clearing it here is no race
	var first atomic.Pointer[s3Receiver]
	killed := make(chan struct{})
	w := &watch{next: exp, before: func(ctx context.Context, _ string, n int) error {
		if r := first.Load(); n == 10 && r != nil {
			go func() { r.Shutdown(context.Background()); close(killed) }()
			<-ctx.Done() // the part in flight when the process dies
			return ctx.Err()
		}
		return nil
	}}
	first.Store(startReceiver(t, cfg, w))
	select {
	case <-killed:
	case <-time.After(time.Minute):
		t.Fatal("the first receiver was never stopped")
	}
	if m := e.sqs.Messages()[0]; !m.Deleted.IsZero() {
		t.Fatal("the message was deleted although its object was cut short")
	}
	partial := len(e.os.Writes())
	if partial == 0 || partial >= len(want) {
		t.Fatalf("%d of %d documents before the kill", partial, len(want))
	}
	first.Store(nil)
	time.Sleep(cfg.WaitTime + 200*time.Millisecond) // the dead collector's long poll is over
	e.sqs.ExpireVisibility()                        // and so is its message's visibility timeout
	startReceiver(t, cfg, w)
	waitFor(t, "the message deleted", time.Minute, func() bool { return !e.sqs.Messages()[0].Deleted.IsZero() })
	e.indexedOnce(t, want)
	if m := e.sqs.Messages()[0]; m.Receives != 2 {
		t.Fatalf("received %d times", m.Receives)
	}
	if parts := w.count(key); parts < 20 {
		t.Fatalf("%d parts in both runs", parts)
	}
}

// Malformed messages are never deleted and reach the dead-letter queue
// at once (reading them again cannot help); test events are deleted.
func TestMalformedNotifications(t *testing.T) {
	e := newEnv(t, 2)
	bad := []string{
		"not json",
		`{"foo":1}`,
		`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}`,
		`{"Records":"x"}`,
		snsWrapped("garbage"),
		`{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{}}}`,
	}
	for _, b := range bad {
		e.sqs.Send(b)
	}
	e.sqs.Send(`{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"` + bucket + `"}`)
	w := &watch{}
	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Minute // the dead-letter queue is reached without waiting for it
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	startReceiverWith(t, cfg, w, tel)
	waitFor(t, "the malformed messages in the dead-letter queue", 30*time.Second, func() bool { return len(e.sqs.DeadLetters()) == len(bad) })
	for _, m := range e.sqs.DeadLetters() {
		if !m.Deleted.IsZero() || m.Receives != 2 {
			t.Errorf("%+v", m)
		}
	}
	msgs := e.sqs.Messages()
	if len(msgs) != 1 || msgs[0].Deleted.IsZero() {
		t.Fatalf("the test event: %+v", msgs)
	}
	if len(w.parts) != 0 {
		t.Fatalf("parts consumed: %v", w.parts)
	}
	// each malformed message was received twice before the queue moved it
	if n := componenttestutil.MetricSum(t, tel, metricMessages, "outcome", messageMalformed); n != int64(2*len(bad)) {
		t.Errorf("%d malformed messages counted, want %d", n, 2*len(bad))
	}
	if n := componenttestutil.MetricSum(t, tel, metricMessages, "outcome", messageDeleted); n != 1 {
		t.Errorf("%d messages deleted counted, want 1", n)
	}
}

// A missing object goes to the dead-letter queue at once; access denied
// (a role to fix) comes back after each visibility timeout and ends there
// too, never deleted.
func TestMissingObjectAndAccessDenied(t *testing.T) {
	e := newEnv(t, 2)
	missing := e.sqs.Send(s3Event("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/20/gone.json.gz"))
	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Minute
	w := &watch{}
	startReceiver(t, cfg, w)
	waitFor(t, "the missing object's message in the dead-letter queue", 30*time.Second, func() bool { return len(e.sqs.DeadLetters()) == 1 })
	if dl := e.sqs.DeadLetters()[0]; dl.ID != missing || !dl.Deleted.IsZero() {
		t.Fatalf("%+v", dl)
	}

	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
	}))
	defer denied.Close()
	e2 := newEnv(t, 2)
	id := e2.sqs.Send(s3Event("AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/20/x.json.gz"))
	cfg = e2.queueConfig()
	cfg.S3Endpoint = denied.URL
	cfg.VisibilityTimeout = time.Second
	start := time.Now()
	startReceiver(t, cfg, w)
	waitFor(t, "the denied object's message in the dead-letter queue", 30*time.Second, func() bool { return len(e2.sqs.DeadLetters()) == 1 })
	if dl := e2.sqs.DeadLetters()[0]; dl.ID != id || !dl.Deleted.IsZero() || dl.Receives != 2 {
		t.Fatalf("%+v", dl)
	}
	if time.Since(start) < time.Second {
		t.Fatal("access denied did not wait for the visibility timeout")
	}
}

// The back-fill lists a prefix once; a restart reads only what was not
// done (here: an object refused downstream on the first run).
func TestBackfillResumesFromItsCheckpoint(t *testing.T) {
	e := newEnv(t, 0)
	samples := exampleSamples(t)
	want := map[string]bool{}
	var keys []string
	for _, s := range samples {
		key := "archive/" + s.key
		e.put(t, key, s.body)
		keys = append(keys, key)
		for id := range expectedIDs(t, key, s.body) {
			want[id] = true
		}
	}
	e.put(t, "other/"+samples[0].key, samples[0].body) // outside the prefix
	refused := keys[2]
	cp := filepath.Join(t.TempDir(), "backfill.json")
	cfg := createDefaultConfig().(*Config)
	cfg.Backfill = &BackfillConfig{Bucket: bucket, Prefix: "archive/", Checkpoint: cp}
	cfg.S3Endpoint = e.minio.Endpoint
	cfg.S3ForcePathStyle = true
	cfg.Concurrency = 2
	exp := e.siemExporter(t)
	first := &watch{next: exp, before: func(_ context.Context, key string, _ int) error {
		if key == refused {
			return errRefused
		}
		return nil
	}}
	r := startReceiver(t, cfg, first)
	waitFor(t, "the first back-fill", time.Minute, func() bool { return r.objects.Load() == int64(len(keys)-1) })
	r.Shutdown(context.Background())
	data, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	var c checkpoint
	if err := json.Unmarshal(data, &c); err != nil || c.Through >= refused || c.Bucket != bucket {
		t.Fatalf("checkpoint %s (%v): through should stop before %s", data, err, refused)
	}
	second := &watch{next: exp}
	r2 := startReceiver(t, cfg, second)
	waitFor(t, "the second back-fill", time.Minute, func() bool { return r2.objects.Load() == 1 })
	time.Sleep(200 * time.Millisecond)
	if len(second.parts) != 1 || second.parts[refused] == 0 {
		t.Fatalf("second run read %v, want only %s", second.parts, refused)
	}
	if first.count("other/"+samples[0].key) != 0 {
		t.Fatal("an object outside the prefix was read")
	}
	e.indexedOnce(t, want)
}

// Lines that can never be indexed are counted by the exporter (a
// permanent error); the rest of the object is indexed and the message
// deleted: reading the object again would not make them parse.
func TestUnparsableLinesDoNotHoldTheMessage(t *testing.T) {
	e := newEnv(t, 2)
	var alb sample
	for _, s := range exampleSamples(t) {
		if strings.Contains(s.key, "app.web-prod-alb") {
			alb = s
		}
	}
	body := gzipped(t, append(gunzip(t, alb.body), []byte("this is not an ALB log line\n")...))
	key := alb.key
	e.put(t, key, body)
	want := expectedIDs(t, key, body)
	e.sqs.Send(s3Event(key))
	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Minute
	startReceiver(t, cfg, e.siemExporter(t))
	waitFor(t, "the message deleted", 30*time.Second, func() bool { return !e.sqs.Messages()[0].Deleted.IsZero() })
	e.indexedOnce(t, want)
	if m := e.sqs.Messages()[0]; m.Receives != 1 || len(e.sqs.DeadLetters()) != 0 {
		t.Fatalf("%+v, dead letters %v", m, e.sqs.DeadLetters())
	}
}
