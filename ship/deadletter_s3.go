package ship

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"
)

// s3DeadLetter buffers dead-letter lines gzipped in memory and puts them
// into a bucket as one object per maxSize uncompressed bytes: a Lambda or
// a container has no disk worth keeping, and an object per record would
// cost a request each.
type s3DeadLetter struct {
	ctx     context.Context
	client  s3Putter
	bucket  string
	prefix  string
	maxSize int64
	// token tells this sink's objects from those of every other process
	// writing to the same prefix in the same second.
	token string

	mu      sync.Mutex
	buf     *bytes.Buffer
	zw      *gzip.Writer
	raw     int64
	records int
	started time.Time
	seq     int
	err     error
	closed  bool
	uploads sync.WaitGroup
}

type s3Putter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Upload attempts on top of the SDK's own retries: these cover a longer
// outage (a network blip of minutes) than its few quick attempts do.
const (
	s3PutAttempts = 4
	s3PutTimeout  = 2 * time.Minute
)

var s3PutBackoff = time.Second

// NewS3DeadLetter writes dead-letter records as gzipped NDJSON objects
// <prefix>/deadletter-<UTC time>-<host>-<pid>-<random>-<seq>.ndjson.gz
// of at most maxSize uncompressed bytes (16 MB when 0). ctx carries values
// for the requests only: records already buffered are uploaded even once
// it is cancelled, since dropping them would lose them for good. The bucket
// is not checked here, so that a role allowed only s3:PutObject works; a
// missing bucket shows as the error of a Write or of Close.
func NewS3DeadLetter(ctx context.Context, client *s3.Client, bucket, prefix string, maxSize int64) (DeadLetterSink, error) {
	if client == nil {
		return nil, errors.New("s3 dead-letter: no S3 client")
	}
	return newS3DeadLetter(ctx, client, bucket, prefix, maxSize)
}

func newS3DeadLetter(ctx context.Context, client s3Putter, bucket, prefix string, maxSize int64) (*s3DeadLetter, error) {
	if bucket == "" {
		return nil, errors.New("s3 dead-letter: no bucket")
	}
	if maxSize <= 0 {
		maxSize = 16 << 20
	}
	return &s3DeadLetter{ctx: context.WithoutCancel(ctx), client: client, bucket: bucket,
		prefix: strings.Trim(prefix, "/"), maxSize: maxSize, token: uniqueToken()}, nil
}

// uniqueToken names the host and process for whoever reads the bucket,
// and adds randomness because pids repeat across containers.
func uniqueToken() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return '-'
	}, strings.SplitN(host, ".", 2)[0])
	if len(host) > 32 {
		host = host[:32]
	}
	if host == "" {
		host = "host"
	}
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// ParseS3URL splits s3://bucket/prefix; the prefix comes back without
// leading or trailing slashes and may be empty.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix URL", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" || strings.ContainsAny(bucket, " \t\r\n?#") {
		return "", "", fmt.Errorf("%q: no valid bucket name after s3://", u)
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

func (d *s3DeadLetter) Write(rec DeadLetterRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return errors.New("s3 dead-letter: write after close")
	}
	var up *s3Object
	if d.zw != nil && d.raw+int64(len(line)) > d.maxSize {
		up = d.takeLocked()
		// counted under the lock, so that a Close that follows waits
		// for this upload
		d.uploads.Add(1)
	}
	if d.zw == nil {
		d.buf = new(bytes.Buffer)
		d.zw, _ = gzip.NewWriterLevel(d.buf, gzip.DefaultCompression)
		d.started = time.Now().UTC()
	}
	d.zw.Write(line) // a bytes.Buffer does not fail
	d.raw += int64(len(line))
	d.records++
	d.mu.Unlock()
	if up == nil {
		return nil
	}
	// The upload runs in the writer's goroutine: an indexer worker then
	// waits for it, which is the back-pressure wanted rather than an
	// unbounded pile of buffers while S3 is slow.
	defer d.uploads.Done()
	return d.upload(up)
}

// s3Object is one buffer ready to be put.
type s3Object struct {
	key     string
	body    []byte
	records int
}

func (d *s3DeadLetter) takeLocked() *s3Object {
	d.zw.Close()
	d.seq++
	name := fmt.Sprintf("deadletter-%s-%s-%04d.ndjson.gz", d.started.Format("20060102T150405Z"), d.token, d.seq)
	if d.prefix != "" {
		name = d.prefix + "/" + name
	}
	o := &s3Object{key: name, body: d.buf.Bytes(), records: d.records}
	d.buf, d.zw, d.raw, d.records = nil, nil, 0, 0
	return o
}

func (d *s3DeadLetter) upload(o *s3Object) error {
	var err error
	for attempt := 1; attempt <= s3PutAttempts; attempt++ {
		ctx, cancel := context.WithTimeout(d.ctx, s3PutTimeout)
		_, err = d.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(d.bucket),
			Key:           aws.String(o.key),
			Body:          bytes.NewReader(o.body),
			ContentLength: aws.Int64(int64(len(o.body))),
			ContentType:   aws.String("application/gzip"),
		})
		cancel()
		if err == nil || !retryableS3(err) {
			break
		}
		if attempt < s3PutAttempts {
			time.Sleep(s3PutBackoff << (attempt - 1))
		}
	}
	if err != nil {
		err = fmt.Errorf("s3 dead-letter: %d record(s) not stored in s3://%s/%s: %w", o.records, d.bucket, o.key, err)
		d.mu.Lock()
		if d.err == nil {
			d.err = err
		}
		d.mu.Unlock()
	}
	return err
}

// retryableS3 tells a refusal that will not change by itself (no such
// bucket, access denied, a bad request) from a throttle, a server error
// or a network failure.
func retryableS3(err error) bool {
	var st interface{ HTTPStatusCode() int }
	if errors.As(err, &st) {
		code := st.HTTPStatusCode()
		return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
	}
	return true
}

// Close uploads what is buffered and waits for uploads in flight; it
// reports the first upload that failed, whichever Write started it.
func (d *s3DeadLetter) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		d.uploads.Wait()
		return d.firstErr()
	}
	d.closed = true
	var up *s3Object
	if d.zw != nil {
		up = d.takeLocked()
	}
	d.mu.Unlock()
	if up != nil {
		d.upload(up)
	}
	d.uploads.Wait()
	return d.firstErr()
}

func (d *s3DeadLetter) firstErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// NewS3Client is an S3 client from the AWS SDK's default credential chain
// (or profile), for the dead-letter bucket and redrive. endpoint, when
// set, is an S3-compatible server (MinIO, a VPC endpoint) addressed
// path-style.
func NewS3Client(ctx context.Context, profile, region, endpoint string) (*s3.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration for S3: %w", err)
	}
	if cfg.Region == "" {
		// S3 needs a region to sign; us-east-1 reaches buckets there
		// and any S3-compatible endpoint.
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	}), nil
}
