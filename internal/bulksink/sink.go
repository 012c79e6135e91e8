// Package bulksink is a lean OpenSearch _bulk endpoint on loopback that
// counts what it is sent, for end-to-end measurements of shippers that
// run in another process (Fluent Bit's native opensearch output, the siem
// plugin). It answers the bulk protocol as a cluster does — a 200 with
// one status per item, 409 for a create of an _id it already holds,
// gzip bodies, whole-request 429s on demand — but keeps only _ids and
// counts, and does as little per document as that allows, so that on a
// shared machine the sink takes as little CPU as possible from the
// shipper it measures. ship/opensearchtest is the richer test cluster.
package bulksink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Sink is one listening endpoint and what it received.
type Sink struct {
	// URL is http://127.0.0.1:<port>.
	URL string
	// Validate checks that each document line is JSON (a 400
	// mapper_parsing_exception item when not); off, document lines are
	// only counted.
	Validate bool

	srv *http.Server

	mu        sync.Mutex
	ids       map[string]struct{} // index + "\x00" + _id of documents sent with an _id
	stats     Stats
	reject429 int // whole bulk requests still to answer 429
	inFlight  int
	target    int
	reached   chan struct{}
	reachedAt time.Time
}

// Stats are the counts since the sink started.
type Stats struct {
	Docs      int // documents stored (created or indexed)
	Conflicts int // creates answered 409: the _id was already stored
	Invalid   int // document lines that were not JSON (Validate on)
	Requests  int // bulk requests, 429s included
	Gzipped   int // bulk requests with a gzip body
	Rejected  int // bulk requests answered 429
	// MaxInFlight is the most bulk requests the sink was handling at
	// once: how many flushes the shipper really ran side by side.
	MaxInFlight int
	WireBytes   int64
	PlainBytes  int64 // bodies once decompressed
	PerIndex    map[string]int
}

// New listens on a free loopback port and serves until Close.
func New() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{URL: "http://" + ln.Addr().String(), ids: map[string]struct{}{}, reached: make(chan struct{})}
	s.stats.PerIndex = map[string]int{}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops listening and drops open connections.
func (s *Sink) Close() error { return s.srv.Close() }

// Port is the port the sink listens on.
func (s *Sink) Port() string { return s.URL[strings.LastIndexByte(s.URL, ':')+1:] }

// Reject429 makes the next n bulk requests answer a whole-request 429
// es_rejected_execution_exception, as a cluster whose write queue is
// full does.
func (s *Sink) Reject429(n int) {
	s.mu.Lock()
	s.reject429 = n
	s.mu.Unlock()
}

// Wait blocks until n documents are stored or timeout passes, and
// returns the moment the n-th one was stored.
func (s *Sink) Wait(n int, timeout time.Duration) (time.Time, error) {
	s.mu.Lock()
	if s.target != 0 && s.target != n {
		s.mu.Unlock()
		return time.Time{}, fmt.Errorf("bulksink: already waiting for %d documents", s.target)
	}
	s.target = n
	if s.stats.Docs >= n && s.reachedAt.IsZero() {
		s.reachedAt = time.Now()
		close(s.reached)
	}
	s.mu.Unlock()
	select {
	case <-s.reached:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.reachedAt, nil
	case <-time.After(timeout):
		st := s.Stats()
		return time.Time{}, fmt.Errorf("bulksink: %d of %d documents after %v (%d requests, %d conflicts)", st.Docs, n, timeout, st.Requests, st.Conflicts)
	}
}

// Stats returns a copy of the counts.
func (s *Sink) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.PerIndex = make(map[string]int, len(s.stats.PerIndex))
	for k, v := range s.stats.PerIndex {
		st.PerIndex[k] = v
	}
	return st
}

var (
	bodies  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	answers = sync.Pool{New: func() any { return new([]byte) }}
	gunzips sync.Pool // *gzip.Reader
)

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/_bulk") {
		s.other(w, r)
		return
	}
	s.mu.Lock()
	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	wire := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(wire)
	wire.Reset()
	if _, err := wire.ReadFrom(r.Body); err != nil {
		http.Error(w, `{"error":"unreadable body"}`, http.StatusBadRequest)
		return
	}
	body := wire.Bytes()
	gzipped := r.Header.Get("Content-Encoding") == "gzip"
	if gzipped {
		plain := bodies.Get().(*bytes.Buffer)
		defer bodies.Put(plain)
		plain.Reset()
		if err := gunzip(plain, body); err != nil {
			http.Error(w, `{"error":{"type":"parse_exception","reason":"bad gzip body"},"status":400}`, http.StatusBadRequest)
			return
		}
		body = plain.Bytes()
	}
	s.mu.Lock()
	s.stats.Requests++
	s.stats.WireBytes += int64(wire.Len())
	s.stats.PlainBytes += int64(len(body))
	if gzipped {
		s.stats.Gzipped++
	}
	reject := s.reject429 > 0
	if reject {
		s.reject429--
		s.stats.Rejected++
	}
	s.mu.Unlock()
	if reject {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}],"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"},"status":429}`)
		return
	}
	items, err := parseBulk(body, s.Validate)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"error":{"type":"illegal_argument_exception","reason":%q},"status":400}`, err.Error()), http.StatusBadRequest)
		return
	}
	errs := s.store(items)
	// items point into the body: the answer is built in a buffer of its own
	answer := answers.Get().(*[]byte)
	defer answers.Put(answer)
	out := fmt.Appendf((*answer)[:0], `{"took":1,"errors":%t,"items":[`, errs)
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = it.appendJSON(out)
	}
	out = append(out, "]}"...)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
	*answer = out // grown once, reused
}

// other answers what a shipper may ask besides _bulk: the root (version)
// and nothing else.
func (s *Sink) other(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		io.WriteString(w, `{"name":"bulksink","cluster_name":"bulksink","version":{"distribution":"opensearch","number":"2.17.0"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`)
		return
	}
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, `{"error":{"type":"index_not_found_exception","reason":"bulksink answers _bulk only"},"status":404}`)
}

func gunzip(dst *bytes.Buffer, src []byte) error {
	zr, _ := gunzips.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(src))
	} else {
		err = zr.Reset(bytes.NewReader(src))
	}
	if err != nil {
		return err
	}
	defer gunzips.Put(zr)
	_, err = dst.ReadFrom(zr)
	return err
}

// item is one bulk action and, once stored, its answer. index and id are
// the JSON string contents as sent (still escaped), so they are written
// back verbatim.
type item struct {
	op, index, id []byte
	invalid       bool
	status        int
	errType, why  string
}

func (it *item) appendJSON(b []byte) []byte {
	b = append(b, `{"`...)
	b = append(b, it.op...)
	b = append(b, `":{"_index":"`...)
	b = append(b, it.index...)
	b = append(b, `","_id":"`...)
	b = append(b, it.id...)
	b = fmt.Appendf(b, `","status":%d`, it.status)
	if it.errType != "" {
		b = fmt.Appendf(b, `,"error":{"type":%q,"reason":%q}`, it.errType, it.why)
	}
	return append(b, "}}"...)
}

// store applies the items in order and reports whether any failed.
func (s *Sink) store(items []item) (errs bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range items {
		it := &items[i]
		switch {
		case it.invalid:
			it.status, it.errType, it.why = 400, "mapper_parsing_exception", "failed to parse"
			s.stats.Invalid++
		case string(it.op) == "delete":
			it.status = 404
			if len(it.id) > 0 {
				key := string(it.index) + "\x00" + string(it.id)
				if _, ok := s.ids[key]; ok {
					delete(s.ids, key)
					s.stats.Docs--
					s.stats.PerIndex[string(it.index)]--
					it.status = 200
				}
			}
		case len(it.id) == 0:
			s.stats.Docs++
			s.stats.PerIndex[string(it.index)]++
			it.id = fmt.Appendf(nil, "auto-%d", s.stats.Docs)
			it.status = 201
		default:
			key := string(it.index) + "\x00" + string(it.id)
			if _, ok := s.ids[key]; ok {
				if string(it.op) == "create" {
					it.status, it.errType, it.why = 409, "version_conflict_engine_exception", "document already exists"
					s.stats.Conflicts++
				} else {
					it.status = 200 // an index over an existing document
				}
				break
			}
			s.ids[key] = struct{}{}
			s.stats.Docs++
			s.stats.PerIndex[string(it.index)]++
			it.status = 201
		}
		errs = errs || it.status >= 300 && it.status != 404
	}
	if s.target > 0 && s.stats.Docs >= s.target && s.reachedAt.IsZero() {
		s.reachedAt = time.Now()
		close(s.reached)
	}
	return errs
}

// parseBulk reads action and document lines. A document line is not
// decoded (Validate only checks it is JSON): that is most of a body.
func parseBulk(data []byte, validate bool) ([]item, error) {
	items := make([]item, 0, bytes.Count(data, []byte{'\n'})/2+1)
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			nl = len(data) // a last line without its newline
		}
		line := bytes.TrimSpace(data[:nl])
		data = data[min(nl+1, len(data)):]
		if len(line) == 0 {
			continue
		}
		it, err := parseAction(line)
		if err != nil {
			return nil, err
		}
		if string(it.op) != "delete" {
			end := bytes.IndexByte(data, '\n')
			if end < 0 {
				end = len(data)
			}
			doc := data[:end]
			data = data[min(end+1, len(data)):]
			if len(bytes.TrimSpace(doc)) == 0 {
				return nil, fmt.Errorf("the %s action has no document line", it.op)
			}
			it.invalid = validate && !json.Valid(doc)
		}
		items = append(items, it)
	}
	return items, nil
}

// parseAction reads {"op":{"_index":"...","_id":"...",...}}. Lines made of
// plain strings take a fast path; anything else (escapes, numbers,
// spacing) goes through encoding/json.
func parseAction(line []byte) (item, error) {
	if it, ok := fastAction(line); ok {
		return it, nil
	}
	var action map[string]map[string]any
	if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
		return item{}, fmt.Errorf("malformed action line %.200q", line)
	}
	var it item
	for op, meta := range action {
		switch op {
		case "create", "index", "update", "delete":
		default:
			return item{}, fmt.Errorf("unknown bulk action %q", op)
		}
		it.op = []byte(op)
		for k, v := range meta {
			s, ok := v.(string)
			if !ok {
				continue
			}
			js, _ := json.Marshal(s)
			js = js[1 : len(js)-1] // the string's contents, escaped
			switch k {
			case "_index":
				it.index = js
			case "_id":
				it.id = js
			}
		}
	}
	if len(it.index) == 0 {
		return item{}, fmt.Errorf("action line without _index %.200q", line)
	}
	return it, nil
}

func fastAction(line []byte) (item, bool) {
	var it item
	rest, ok := bytes.CutPrefix(line, []byte(`{"`))
	if !ok {
		return it, false
	}
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return it, false
	}
	it.op, rest = rest[:q], rest[q+1:]
	switch string(it.op) {
	case "create", "index", "update", "delete":
	default:
		return it, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`:{`)); !ok {
		return it, false
	}
	for {
		if tail, done := bytes.CutPrefix(rest, []byte(`}}`)); done {
			return it, len(tail) == 0 && len(it.index) > 0
		}
		if len(rest) > 0 && rest[0] == ',' {
			rest = rest[1:]
		}
		key, tail, ok := plainString(rest)
		if !ok {
			return it, false
		}
		if tail, ok = bytes.CutPrefix(tail, []byte{':'}); !ok {
			return it, false
		}
		val, tail, ok := plainString(tail)
		if !ok {
			return it, false
		}
		switch string(key) {
		case "_index":
			it.index = val
		case "_id":
			it.id = val
		}
		rest = tail
	}
}

// plainString reads a JSON string without escapes at the start of b.
func plainString(b []byte) (s, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 {
		return nil, nil, false
	}
	s = b[1 : 1+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, nil, false
	}
	return s, b[2+end:], true
}
