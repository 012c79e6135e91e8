package s3receiver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// stsDouble answers AssumeRole (the query protocol STS speaks) with the
// credentials it was given, and records what was asked.
type stsDouble struct {
	*httptest.Server
	mu      sync.Mutex
	assumed []url.Values
}

func newSTSDouble(t testing.TB, accessKey, secretKey string) *stsDouble {
	d := &stsDouble{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("Action") != "AssumeRole" {
			http.Error(w, "only AssumeRole", http.StatusBadRequest)
			return
		}
		d.mu.Lock()
		d.assumed = append(d.assumed, r.Form)
		d.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken></SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>%s/siemloader-s3receiver</Arn><AssumedRoleId>AROAEXAMPLE:siemloader-s3receiver</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			accessKey, secretKey, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), r.Form.Get("RoleArn"))
	}))
	t.Cleanup(d.Close)
	return d
}

// A bucket with a role is read with the credentials STS gives for it:
// here the receiver's own keys are unknown to MinIO, so only the bucket
// whose role was assumed can be read.
func TestBucketReadWithAssumedRole(t *testing.T) {
	e := newEnv(t, 2)
	sts := newSTSDouble(t, e.minio.AccessKey, e.minio.SecretKey)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDRECEIVERSOWN")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-known-to-minio")
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	e.minio.MakeBucket(t, "log-archive")
	s := exampleSamples(t)[0]
	if _, err := e.s3.PutObject(t.Context(), putInput("log-archive", s.key, s.body)); err != nil {
		t.Fatal(err)
	}
	e.put(t, s.key, s.body) // the same object in a bucket without a role
	archived := e.sqs.Send(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"log-archive"},"object":{"key":"` + s.key + `"}}}]}`)
	own := e.sqs.Send(s3Event(s.key))

	cfg := e.queueConfig()
	cfg.VisibilityTimeout = time.Second
	cfg.Buckets = map[string]BucketConfig{"log-archive": {RoleARN: "arn:aws:iam::222233334444:role/siem-log-reader", ExternalID: "siem"}}
	w := &watch{}
	startReceiver(t, cfg, w)
	waitFor(t, "the role's bucket read", 30*time.Second, func() bool {
		for _, m := range e.sqs.Messages() {
			if m.ID == archived {
				return !m.Deleted.IsZero()
			}
		}
		return false
	})
	waitFor(t, "the other bucket's message in the dead-letter queue", 30*time.Second, func() bool { return len(e.sqs.DeadLetters()) == 1 })
	if dl := e.sqs.DeadLetters()[0]; dl.ID != own {
		t.Fatalf("dead letter %+v", dl)
	}
	sts.mu.Lock()
	defer sts.mu.Unlock()
	if len(sts.assumed) == 0 {
		t.Fatal("no AssumeRole call")
	}
	a := sts.assumed[0]
	if a.Get("RoleArn") != "arn:aws:iam::222233334444:role/siem-log-reader" || a.Get("ExternalId") != "siem" || a.Get("RoleSessionName") != "siemloader-s3receiver" {
		t.Fatalf("AssumeRole %v", a)
	}
	if len(sts.assumed) > 1 {
		t.Errorf("%d AssumeRole calls for one bucket: the credentials are not cached", len(sts.assumed))
	}
}
