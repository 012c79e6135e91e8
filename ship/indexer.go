package ship

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/opensearch-project/opensearch-go/v4"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Doc is one document to index. Body is the JSON source; the Indexer
// keeps it until the document is settled, so it must not change.
type Doc struct {
	LogType string
	Index   string
	ID      string
	Body    []byte
}

// Outcome is what became of one document.
type Outcome uint8

const (
	// Delivered: indexed, or found already there (409 on create).
	Delivered Outcome = iota
	// DeadLettered: refused for good (a mapping or argument error, a
	// document too large); written to the dead-letter with its reason.
	DeadLettered
	// Failed: still retryable when the attempts ran out or the context
	// ended. A caller may send it again later (Fluent Bit's FLB_RETRY,
	// the collector's returned records).
	Failed
)

// Indexer sends documents in bulk requests. Add and Flush may be called
// from several goroutines.
type Indexer struct {
	cfg    Config
	client *opensearch.Client
	dl     DeadLetterSink
	stats  *Stats
	signed bool
	// seen holds the _ids delivered when they are not sent (OmitIDs), so
	// that a document is not indexed twice by this process at least.
	seen *idSet

	mu      sync.Mutex
	pending []Doc
	bytes   int
	oldest  time.Time
	sem     chan struct{}
	wg      sync.WaitGroup
	stop    chan struct{}
	closed  bool
}

// New validates cfg and connects nothing yet.
func New(cfg Config) (*Indexer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	cfg.Op = strings.ToLower(cfg.Op)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.Workers * 2
	if cfg.CAFile != "" || cfg.InsecureSkipVerify {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("ca_file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", cfg.CAFile)
			}
			tc.RootCAs = pool
		}
		transport.TLSClientConfig = tc
	}
	osCfg := opensearch.Config{
		Addresses: cfg.URLs,
		Username:  cfg.Username,
		Password:  cfg.Password,
		Transport: transport,
		// retries are ours: per item, with backoff, counted
		DisableRetry: true,
	}
	cfg.AWS.resolve(cfg.URLs)
	var signer *sigV4Signer
	if cfg.AWS.Enabled() {
		var err error
		if signer, err = newSigner(context.Background(), cfg.AWS); err != nil {
			return nil, err
		}
		osCfg.Signer = signer
	}
	client, err := opensearch.NewClient(osCfg)
	if err != nil {
		return nil, fmt.Errorf("opensearch client: %w", err)
	}
	ix := &Indexer{cfg: cfg, client: client, signed: signer != nil, stats: newStats(), sem: make(chan struct{}, cfg.Workers), stop: make(chan struct{})}
	if cfg.OmitIDs {
		ix.seen = newIDSet(1 << 20)
	}
	ix.dl = cfg.DeadLetter
	if ix.dl == nil && cfg.DeadLetterDir != "" {
		if ix.dl, err = NewCappedDirDeadLetter(cfg.DeadLetterDir, cfg.DeadLetterFileBytes, cfg.DeadLetterMaxBytes); err != nil {
			return nil, err
		}
	}
	go ix.ticker()
	return ix, nil
}

// Stats are the counts so far.
func (ix *Indexer) Stats() *Stats { return ix.stats }

// Add queues d. When the queue makes a full batch it is sent; Add blocks
// while every worker is busy (back-pressure instead of buffering).
func (ix *Indexer) Add(ctx context.Context, d Doc) error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return errors.New("ship: indexer closed")
	}
	if len(ix.pending) == 0 {
		ix.oldest = time.Now()
	}
	ix.pending = append(ix.pending, d)
	ix.bytes += len(d.Body) + len(d.Index) + len(d.ID) + 40
	var batch []Doc
	if ix.bytes >= ix.cfg.FlushBytes || len(ix.pending) >= ix.cfg.FlushDocs {
		batch = ix.takeLocked()
	}
	ix.mu.Unlock()
	if batch != nil {
		return ix.dispatch(ctx, batch)
	}
	return nil
}

func (ix *Indexer) takeLocked() []Doc {
	b := ix.pending
	ix.pending, ix.bytes = nil, 0
	return b
}

// dispatch hands a batch to a worker, waiting for a free one.
func (ix *Indexer) dispatch(ctx context.Context, batch []Doc) error {
	select {
	case ix.sem <- struct{}{}:
	case <-ctx.Done():
		for _, d := range batch {
			ix.stats.add(d.LogType, func(s *TypeStats) { s.Failed++ })
		}
		return ctx.Err()
	}
	ix.wg.Add(1)
	go func() {
		defer func() { <-ix.sem; ix.wg.Done() }()
		ix.Send(context.Background(), batch)
	}()
	return nil
}

// ticker sends a partial batch once it is FlushInterval old.
func (ix *Indexer) ticker() {
	t := time.NewTicker(ix.cfg.FlushInterval / 4)
	defer t.Stop()
	for {
		select {
		case <-ix.stop:
			return
		case <-t.C:
			ix.mu.Lock()
			var batch []Doc
			if len(ix.pending) > 0 && time.Since(ix.oldest) >= ix.cfg.FlushInterval {
				batch = ix.takeLocked()
			}
			ix.mu.Unlock()
			if batch != nil {
				ix.dispatch(context.Background(), batch)
			}
		}
	}
}

// Flush sends what is queued and waits for every request in flight.
func (ix *Indexer) Flush(ctx context.Context) error {
	ix.mu.Lock()
	batch := ix.takeLocked()
	ix.mu.Unlock()
	if len(batch) > 0 {
		if err := ix.dispatch(ctx, batch); err != nil {
			return err
		}
	}
	ix.wg.Wait()
	return nil
}

// Close flushes and releases the indexer.
func (ix *Indexer) Close(ctx context.Context) error {
	err := ix.Flush(ctx)
	ix.mu.Lock()
	if !ix.closed {
		ix.closed = true
		close(ix.stop)
	}
	ix.mu.Unlock()
	if ix.dl != nil {
		if cerr := ix.dl.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Send delivers docs now, retrying what is retryable, and returns each
// document's outcome (in docs' order). It is what a caller that must
// answer per batch uses (a Fluent Bit flush, a collector batch).
func (ix *Indexer) Send(ctx context.Context, docs []Doc) []Outcome {
	out := make([]Outcome, len(docs))
	todo := make([]int, 0, len(docs))
	for i := range docs {
		ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Sent++ })
		if ix.seen != nil && ix.seen.has(docs[i].ID) {
			out[i] = Delivered
			ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Delivered++ })
			continue
		}
		todo = append(todo, i)
	}
	for attempt := 1; len(todo) > 0; attempt++ {
		retry := ix.attempt(ctx, docs, todo, out)
		if len(retry) == 0 {
			break
		}
		if attempt >= ix.cfg.MaxAttempts || ctx.Err() != nil {
			for _, i := range retry {
				out[i] = Failed
				ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Failed++ })
			}
			break
		}
		for _, i := range retry {
			ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Retried++ })
		}
		select {
		case <-time.After(ix.backoff(attempt)):
		case <-ctx.Done():
		}
		todo = retry
	}
	return out
}

// backoff is exponential with full jitter.
func (ix *Indexer) backoff(attempt int) time.Duration {
	d := ix.cfg.RetryInitial << min(attempt-1, 20)
	if d <= 0 || d > ix.cfg.RetryMax {
		d = ix.cfg.RetryMax
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// bulkResponse is the part of a bulk response that decides each item.
type bulkResponse struct {
	Errors bool       `json:"errors"`
	Items  []bulkItem `json:"items"`
}

// bulkItem names its operation; we send one kind per indexer.
type bulkItem struct {
	Create *bulkItemOutcome `json:"create"`
	Index  *bulkItemOutcome `json:"index"`
}

func (b bulkItem) outcome() bulkItemOutcome {
	switch {
	case b.Create != nil:
		return *b.Create
	case b.Index != nil:
		return *b.Index
	}
	return bulkItemOutcome{}
}

// bulkFilter trims the response to what decides each item, as es-loader
// asks too: a 10,000-item answer shrinks from ~2 MB to ~300 kB.
const bulkFilter = "/_bulk?filter_path=errors,items.*.status,items.*.error.type,items.*.error.reason"

// bulkErrors reads the top-level "errors" flag without decoding the
// items: when it is false, every item succeeded and there is nothing
// more to learn from the answer.
func bulkErrors(data []byte) (errs, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return false, false
		}
		if k == "errors" {
			v, err := dec.Token()
			b, isBool := v.(bool)
			return b, err == nil && isBool
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false, false
		}
	}
	return false, false
}

type bulkItemOutcome struct {
	Status int `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// bodies are reused bulk bodies: growing a fresh multi-megabyte buffer per
// request cost more than building it.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// attempt sends the documents todo names once and settles what it can;
// it returns those to try again.
func (ix *Indexer) attempt(ctx context.Context, docs []Doc, todo []int, out []Outcome) (retry []int) {
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	body := ix.body(buf, docs, todo)
	ctx, cancel := context.WithTimeout(ctx, ix.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, bulkFilter, bytes.NewReader(body))
	if err != nil {
		return todo
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if ix.signed {
		req.Header.Set("X-Amz-Content-Sha256", payloadSHA256(body))
	}
	if ix.cfg.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	start := time.Now()
	resp, err := ix.client.Perform(req)
	if err != nil {
		return todo // connection refused, reset or timed out: all again
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(resp.Body)
	lat := time.Since(start)
	ix.stats.request(len(body), lat)
	if ix.cfg.OnBulk != nil {
		ix.cfg.OnBulk(lat)
	}
	switch {
	case rerr != nil:
		return todo
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return ix.tooLarge(ctx, docs, todo, out)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
		// a whole request blocked (read-only after the flood-stage disk
		// watermark): the cluster lifts the block once space is freed
		resp.StatusCode == http.StatusForbidden && bytes.Contains(data, []byte("cluster_block_exception")):
		return todo
	case resp.StatusCode >= 300:
		// refused whole (auth, a bad request line): no document is at
		// fault and retrying will not help
		for _, i := range todo {
			out[i] = Failed
			ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Failed++ })
		}
		ix.stats.refused(resp.StatusCode, data)
		return nil
	}
	if errs, ok := bulkErrors(data); ok && !errs {
		for _, i := range todo {
			ix.delivered(docs, i, out)
		}
		return nil
	}
	var br bulkResponse
	if err := json.Unmarshal(data, &br); err != nil || len(br.Items) != len(todo) {
		return todo
	}
	for k, item := range br.Items {
		i := todo[k]
		res := item.outcome()
		switch {
		case res.Status >= 200 && res.Status < 300,
			res.Status == http.StatusConflict && ix.cfg.Op == "create":
			ix.delivered(docs, i, out)
		case retryableItem(res):
			retry = append(retry, i)
		default:
			typ, reason := "", ""
			if res.Error != nil {
				typ, reason = res.Error.Type, res.Error.Reason
			}
			out[i] = ix.deadLetter(docs[i], res.Status, typ, reason)
		}
	}
	return retry
}

func (ix *Indexer) delivered(docs []Doc, i int, out []Outcome) {
	out[i] = Delivered
	ix.stats.add(docs[i].LogType, func(s *TypeStats) { s.Delivered++ })
	if ix.seen != nil {
		ix.seen.add(docs[i].ID)
	}
}

// retryableItem: rejected executions (429), server errors, and blocks a
// cluster lifts by itself (read-only after the disk watermark).
func retryableItem(r bulkItemOutcome) bool {
	if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		return true
	}
	return r.Error != nil && r.Error.Type == "cluster_block_exception"
}

// tooLarge halves a request the cluster refused for its size; a single
// document that is too large is dead-lettered.
func (ix *Indexer) tooLarge(ctx context.Context, docs []Doc, todo []int, out []Outcome) []int {
	if len(todo) == 1 {
		i := todo[0]
		out[i] = ix.deadLetter(docs[i], http.StatusRequestEntityTooLarge, "request_entity_too_large", "the document alone exceeds http.max_content_length")
		return nil
	}
	half := len(todo) / 2
	return append(ix.attempt(ctx, docs, todo[:half], out), ix.attempt(ctx, docs, todo[half:], out)...)
}

// deadLetter writes d to the dead-letter. A document the sink refuses at
// once (a full folder, a file that cannot be created) is not settled: it
// is Failed, so that the caller retries or reports it instead of
// believing it kept. Errors a sink meets later (a buffered write, an
// upload) are reported by its Close.
func (ix *Indexer) deadLetter(d Doc, status int, typ, reason string) Outcome {
	if ix.dl != nil {
		if err := ix.dl.Write(newRecord(d, status, typ, reason)); err != nil {
			ix.stats.add(d.LogType, func(s *TypeStats) { s.Failed++ })
			ix.stats.deadLetterFailed(err)
			return Failed
		}
	}
	ix.stats.add(d.LogType, func(s *TypeStats) { s.DeadLettered++ })
	return DeadLettered
}

// body is the NDJSON of a bulk request, gzipped when configured, built in
// buf (valid until buf is reused). A gzipped body is compressed document
// by document as it is written, from where the documents lie: the plain
// NDJSON of a request (megabytes) is never put together only to be read
// again.
func (ix *Indexer) body(buf *bytes.Buffer, docs []Doc, todo []int) []byte {
	buf.Reset()
	if !ix.cfg.Gzip {
		size := 0
		for _, i := range todo {
			size += len(docs[i].Body) + len(docs[i].Index) + len(docs[i].ID) + 40
		}
		buf.Grow(size)
		for _, i := range todo {
			d := &docs[i]
			buf.Write(ix.action(buf.AvailableBuffer(), d))
			buf.Write(d.Body)
			buf.WriteByte('\n')
		}
		return buf.Bytes()
	}
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(buf)
	line := actionLines.Get().(*[]byte)
	defer actionLines.Put(line)
	for k, i := range todo {
		d := &docs[i]
		a := (*line)[:0]
		if k > 0 {
			a = append(a, '\n') // the end of the document before
		}
		a = ix.action(a, d)
		w.Write(a)
		w.Write(d.Body)
		*line = a
	}
	if len(todo) > 0 {
		w.Write([]byte{'\n'})
	}
	w.Close()
	return buf.Bytes()
}

// action appends d's action line, newline included.
func (ix *Indexer) action(line []byte, d *Doc) []byte {
	line = append(line, `{"`...)
	line = append(line, ix.cfg.Op...)
	line = append(line, `":{"_index":`...)
	line = pyjson.AppendQuoted(line, d.Index)
	if d.ID != "" && !ix.cfg.OmitIDs {
		line = append(line, `,"_id":`...)
		line = pyjson.AppendQuoted(line, d.ID)
	}
	return append(line, "}}\n"...)
}

// gzipWriters are reused compressors: a new one allocates and clears its
// tables (hundreds of kB) for every request. actionLines hold one action
// line at a time while a body is compressed.
var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
	actionLines = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}
)
