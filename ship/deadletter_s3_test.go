package ship

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/siemloader/siemloader/internal/miniotest"
)

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct{ in, bucket, prefix string }{
		{"s3://b", "b", ""},
		{"s3://b/", "b", ""},
		{"s3://my-bucket/dead/letter/", "my-bucket", "dead/letter"},
		{"s3://my-bucket//x", "my-bucket", "x"},
	} {
		b, p, err := ParseS3URL(c.in)
		if err != nil || b != c.bucket || p != c.prefix {
			t.Errorf("ParseS3URL(%q) = %q, %q, %v; want %q, %q", c.in, b, p, err, c.bucket, c.prefix)
		}
	}
	for _, bad := range []string{"", "dead/", "s3:/b/x", "s3:///x", "https://b/x", "s3://a b/x"} {
		if _, _, err := ParseS3URL(bad); err == nil {
			t.Errorf("ParseS3URL(%q) accepted", bad)
		}
	}
}

func dlRecord(i int) DeadLetterRecord {
	return newRecord(Doc{LogType: "alb", Index: "log-aws-alb-2024-05", ID: fmt.Sprintf("id-%05d", i),
		Body: []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", 100)))}, 400, "mapper_parsing_exception", "failed to parse")
}

// readS3DeadLetter returns the records of every object under prefix,
// by key, checking that each is gzip.
func readS3DeadLetter(t *testing.T, c *s3.Client, bucket, prefix string) map[string][]DeadLetterRecord {
	t.Helper()
	ctx := context.Background()
	out := map[string][]DeadLetterRecord{}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(obj.Body)
		if err != nil {
			t.Fatalf("%s is not gzip: %v", *o.Key, err)
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			var rec DeadLetterRecord
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", *o.Key, err)
			}
			out[*o.Key] = append(out[*o.Key], rec)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", *o.Key, err)
		}
		obj.Body.Close()
	}
	return out
}

// Records go to gzipped NDJSON objects, a new one per maxSize
// uncompressed bytes, the tail on Close; two sinks writing the same
// prefix at the same second never overwrite each other's objects.
func TestS3DeadLetterRoundTrip(t *testing.T) {
	srv := miniotest.Start(t)
	srv.MakeBucket(t, "deadletters")
	c := srv.Client(t)
	ctx := context.Background()
	const maxSize = 8 << 10
	a, err := NewS3DeadLetter(ctx, c, "deadletters", "/refused/", maxSize)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewS3DeadLetter(ctx, c, "deadletters", "refused", maxSize)
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				sink := a
				if i%2 == 1 {
					sink = b
				}
				if err := sink.Write(dlRecord(i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	before := 0
	for _, recs := range readS3DeadLetter(t, c, "deadletters", "refused/") {
		before += len(recs)
	}
	if before == 0 || before == n {
		t.Fatalf("%d records uploaded before Close: want full objects only, the tail kept", before)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	if err := a.Write(dlRecord(0)); err == nil {
		t.Error("Write after Close accepted")
	}
	objects := readS3DeadLetter(t, c, "deadletters", "")
	keyRE := regexp.MustCompile(`^refused/deadletter-\d{8}T\d{6}Z-[A-Za-z0-9-]+-\d+-[0-9a-f]{8}-(\d{4})\.ndjson\.gz$`)
	seen := map[string]bool{}
	tokens := map[string]bool{}
	for key, recs := range objects {
		m := keyRE.FindStringSubmatch(key)
		if m == nil {
			t.Fatalf("object key %q", key)
		}
		tokens[key[:len(key)-len("-0001.ndjson.gz")]] = true
		raw := 0
		for _, rec := range recs {
			line, _ := json.Marshal(rec)
			raw += len(line) + 1
			if seen[rec.ID] {
				t.Fatalf("%s twice", rec.ID)
			}
			seen[rec.ID] = true
			if rec.Index != "log-aws-alb-2024-05" || rec.Status != 400 || !strings.Contains(string(rec.Document), `"pad"`) {
				t.Fatalf("record %+v", rec)
			}
		}
		if raw > maxSize {
			t.Errorf("%s holds %d bytes uncompressed, above %d", key, raw, maxSize)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d records stored, want %d", len(seen), n)
	}
	if len(objects) < 4 {
		t.Errorf("%d objects: no rotation", len(objects))
	}
	if len(tokens) < 2 {
		t.Errorf("objects of both sinks share one name stem: %v", tokens)
	}
}

// An object that cannot be stored is reported by Close, with how many
// records it held, and quickly: a missing bucket is not retried.
func TestS3DeadLetterReportsAFailedUpload(t *testing.T) {
	srv := miniotest.Start(t)
	sink, err := NewS3DeadLetter(context.Background(), srv.Client(t), "no-such-bucket", "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := sink.Write(dlRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	err = sink.Close()
	if err == nil || !strings.Contains(err.Error(), "3 record(s)") || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Fatalf("Close = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v: a missing bucket was retried", d)
	}
}

type flakyPutter struct {
	failures int // first calls that fail
	calls    atomic.Int32
	keys     sync.Map
}

type statusErr int

func (e statusErr) Error() string       { return fmt.Sprintf("status %d", int(e)) }
func (e statusErr) HTTPStatusCode() int { return int(e) }

func (p *flakyPutter) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if int(p.calls.Add(1)) <= p.failures {
		return nil, fmt.Errorf("put: %w", statusErr(503))
	}
	body, _ := io.ReadAll(in.Body)
	p.keys.Store(*in.Key, body)
	return &s3.PutObjectOutput{}, nil
}

// A throttled or failing S3 is tried again; once the attempts are spent
// the loss is reported, never dropped silently.
func TestS3DeadLetterRetriesUploads(t *testing.T) {
	defer func(b time.Duration) { s3PutBackoff = b }(s3PutBackoff)
	s3PutBackoff = time.Millisecond

	p := &flakyPutter{failures: s3PutAttempts - 1}
	d, _ := newS3DeadLetter(context.Background(), p, "b", "", 0)
	d.Write(dlRecord(1))
	if err := d.Close(); err != nil {
		t.Fatalf("Close after %d failed attempts: %v", p.failures, err)
	}
	n := 0
	p.keys.Range(func(k, _ any) bool {
		n++
		if strings.Contains(k.(string), "/") {
			t.Errorf("key %q: an empty prefix adds a slash", k)
		}
		return true
	})
	if n != 1 {
		t.Fatalf("%d objects", n)
	}

	p = &flakyPutter{failures: 1 << 30}
	d, _ = newS3DeadLetter(context.Background(), p, "b", "p", 0)
	d.Write(dlRecord(1))
	err := d.Close()
	var st statusErr
	if err == nil || !errors.As(err, &st) || int(p.calls.Load()) != s3PutAttempts {
		t.Fatalf("Close = %v after %d calls", err, p.calls.Load())
	}

	// the error of an upload a Write started is Close's too, even when
	// Close's own upload succeeds
	p = &flakyPutter{failures: s3PutAttempts}
	d, _ = newS3DeadLetter(context.Background(), p, "b", "p", 1)
	if err := d.Write(dlRecord(1)); err != nil {
		t.Fatal(err) // the first record only fills the buffer
	}
	if err := d.Write(dlRecord(2)); err == nil {
		t.Fatal("a Write whose upload failed returned nil")
	}
	if err := d.Close(); err == nil || !strings.Contains(err.Error(), "-0001.ndjson.gz") {
		t.Fatalf("Close = %v: the failed upload of the first object is forgotten", err)
	}
	if _, ok := p.keys.Load(d.prefix + "/deadletter-" + d.started.Format("20060102T150405Z") + "-" + d.token + "-0002.ndjson.gz"); !ok {
		t.Error("the tail was not uploaded")
	}
}
