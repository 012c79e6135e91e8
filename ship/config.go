// Package ship delivers normalized documents to OpenSearch with the bulk
// API: batched by size, count and age, with bounded concurrency and
// back-pressure, retrying only what is retryable and putting every
// document OpenSearch refuses for good into a dead-letter with its reason.
// Nothing is lost and, because documents carry deterministic _ids and are
// sent with the create operation, nothing is indexed twice.
package ship

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is what an Indexer needs.
type Config struct {
	// URLs of the cluster's HTTP endpoints.
	URLs []string
	// Username and Password for HTTP basic auth (none when empty).
	Username string
	Password string
	// AWS signs requests with SigV4 (Amazon OpenSearch Service and
	// Serverless) instead of basic auth.
	AWS AWSAuth
	// OmitIDs sends documents without _id, with the index operation:
	// OpenSearch Serverless time-series collections refuse a custom _id.
	// A document is then indexed again if a request's answer is lost;
	// within one process, documents already delivered are not resent.
	OmitIDs bool
	// CAFile is a PEM bundle to trust instead of the system roots.
	CAFile string
	// InsecureSkipVerify turns TLS verification off. Only for tests: the
	// caller should warn loudly.
	InsecureSkipVerify bool

	// Op is the bulk operation: "create" (default: a retried document that
	// already arrived answers 409 and counts as delivered) or "index"
	// (es-loader's: the document is overwritten, and a response lost after
	// the cluster applied it makes a second version).
	Op string
	// Gzip compresses request bodies.
	Gzip bool
	// FlushBytes bounds a bulk body (default 5 MB; keep it below the
	// cluster's http.max_content_length).
	FlushBytes int
	// FlushDocs bounds the documents of one request (default 10,000).
	FlushDocs int
	// FlushInterval sends a partial batch after this long (default 5s).
	FlushInterval time.Duration
	// Workers is the number of requests in flight (default 2). Add blocks
	// while all are busy and a full batch waits.
	Workers int
	// Timeout bounds one request (default 60s).
	Timeout time.Duration
	// MaxAttempts bounds the sends of one document before it is reported
	// as failed, still retryable (default 10).
	MaxAttempts int
	// RetryInitial and RetryMax shape the exponential backoff with full
	// jitter between attempts (defaults 200ms and 30s).
	RetryInitial time.Duration
	RetryMax     time.Duration
	// DeadLetterDir receives documents OpenSearch refuses for good
	// (NDJSON, one line per document, rotated); empty keeps them only in
	// the counts and the callback.
	DeadLetterDir string
	// DeadLetter, when set, is used instead of DeadLetterDir (an S3
	// bucket, a test's sink). Close closes it.
	DeadLetter DeadLetterSink
	// DeadLetterFileBytes rotates dead-letter files (default 64 MB).
	DeadLetterFileBytes int64
	// DeadLetterMaxBytes caps the dead-letter files of DeadLetterDir
	// together, those already there included (0: no cap). Past it a
	// refused document is reported Failed rather than filling the disk.
	DeadLetterMaxBytes int64
	// OnBulk, when set, is told the latency of every bulk request that
	// got an answer (a collector's own telemetry records it).
	OnBulk func(latency time.Duration)
}

func (c *Config) setDefaults() {
	if c.Op == "" {
		c.Op = "create"
		if c.OmitIDs {
			c.Op = "index"
		}
	}
	if c.FlushBytes == 0 {
		c.FlushBytes = 5 << 20
	}
	if c.FlushDocs == 0 {
		c.FlushDocs = 10000
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = 5 * time.Second
	}
	if c.Workers == 0 {
		c.Workers = 2
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.RetryInitial == 0 {
		c.RetryInitial = 200 * time.Millisecond
	}
	if c.RetryMax == 0 {
		c.RetryMax = 30 * time.Second
	}
	if c.DeadLetterFileBytes == 0 {
		c.DeadLetterFileBytes = 64 << 20
	}
}

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	if len(c.URLs) == 0 {
		errs = append(errs, errors.New("urls: at least one OpenSearch URL is needed"))
	}
	for i, u := range c.URLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("urls[%d]: %q is not an http(s) URL", i, u))
		}
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("username and password: give both or neither"))
	}
	errs = append(errs, c.AWS.validate()...)
	if c.AWS.Enabled() && c.Username != "" {
		errs = append(errs, errors.New("username and aws: basic auth and SigV4 exclude each other"))
	}
	if c.OmitIDs && strings.EqualFold(c.Op, "create") {
		errs = append(errs, errors.New("op: create needs an _id; with omit_ids the index operation is used"))
	}
	switch strings.ToLower(c.Op) {
	case "", "create", "index":
	default:
		errs = append(errs, fmt.Errorf("op: %q is neither create nor index", c.Op))
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"flush_bytes", int64(c.FlushBytes)}, {"flush_docs", int64(c.FlushDocs)}, {"workers", int64(c.Workers)},
		{"max_attempts", int64(c.MaxAttempts)}, {"flush_interval", int64(c.FlushInterval)}, {"timeout", int64(c.Timeout)},
		{"retry_initial", int64(c.RetryInitial)}, {"retry_max", int64(c.RetryMax)}, {"dead_letter_file_bytes", c.DeadLetterFileBytes},
		{"dead_letter_max_bytes", c.DeadLetterMaxBytes}} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative", f.name))
		}
	}
	if c.FlushBytes > 100<<20 {
		errs = append(errs, errors.New("flush_bytes: above 100 MB, OpenSearch's default http.max_content_length"))
	}
	return errors.Join(errs...)
}
