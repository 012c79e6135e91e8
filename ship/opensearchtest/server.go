// Package opensearchtest is an in-process OpenSearch for tests: it speaks
// the bulk API with its real semantics (per-item statuses in a 200,
// create conflicts, rejected executions, whole-request 429/503, gzip
// bodies) and injects faults at chosen rates, recording every document it
// accepts so that a test can check nothing was lost or indexed twice.
package opensearchtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Faults are the rates (0..1) at which the server misbehaves.
type Faults struct {
	ItemRejected float64 // an item answers 429 es_rejected_execution_exception
	Request503   float64 // the whole request answers 503
	Request429   float64 // the whole request answers 429
	// RequestBlocked answers the whole request 403
	// cluster_block_exception, as a cluster past its flood-stage disk
	// watermark does until space is freed.
	RequestBlocked float64
	DropAfterWork  float64 // the connection is dropped after the items were applied
	// SlowAfterWork answers only after SlowDelay, once the items were
	// applied: a client whose timeout is shorter gives up on a request
	// that succeeded.
	SlowAfterWork float64
	SlowDelay     time.Duration
	// RejectMarker: a document whose body contains it answers 400
	// mapper_parsing_exception.
	RejectMarker string
}

// Server is the fake cluster.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	// writes counts the successful creates and indexes per index/_id; the
	// sources are not kept, so that a million-document test stays small.
	writes map[string]int
	// Requests counts bulk requests received.
	Requests int
	Gzipped  int
	// auth, when set, is what every request must carry (sigv4.go).
	auth *authCheck
	// timeSeries refuses a custom _id, as a Serverless time-series
	// collection does, and generates ids.
	timeSeries bool
	autoID     int
	// cluster is the admin endpoints' state (admin.go).
	cluster *clusterState
}

// New starts a server with these faults and a fixed seed.
func New(f Faults, seed uint64) *Server {
	s := &Server{faults: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), writes: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) chance(p float64) bool { return p > 0 && s.rng.Float64() < p }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	buf := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(buf)
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, `{"error":"bad body"}`, http.StatusBadRequest)
		return
	}
	if !s.authorized(w, r, buf.Bytes()) {
		return
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/_bulk") {
		s.admin(w, r, buf.Bytes())
		return
	}
	s.mu.Lock()
	s.Requests++
	gzipped := r.Header.Get("Content-Encoding") == "gzip"
	if gzipped {
		s.Gzipped++
	}
	fail503, fail429, blocked := s.chance(s.faults.Request503), s.chance(s.faults.Request429), s.chance(s.faults.RequestBlocked)
	s.mu.Unlock()
	if gzipped {
		zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			http.Error(w, `{"error":"bad gzip"}`, http.StatusBadRequest)
			return
		}
		plain := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(plain)
		plain.Reset()
		if _, err := plain.ReadFrom(zr); err != nil {
			http.Error(w, `{"error":"bad gzip"}`, http.StatusBadRequest)
			return
		}
		buf = plain
	}
	data := buf.Bytes()
	switch {
	case fail503:
		http.Error(w, `{"error":{"type":"unavailable"},"status":503}`, http.StatusServiceUnavailable)
		return
	case blocked:
		http.Error(w, `{"error":{"root_cause":[{"type":"cluster_block_exception","reason":"index [log-aws] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];"}],"type":"cluster_block_exception"},"status":403}`, http.StatusForbidden)
		return
	case fail429:
		http.Error(w, `{"error":{"type":"es_rejected_execution_exception"},"status":429}`, http.StatusTooManyRequests)
		return
	}
	items, hadErrors, err := s.apply(data)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"error":{"type":"illegal_argument_exception","reason":%q},"status":400}`, err.Error()), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	drop := s.chance(s.faults.DropAfterWork)
	slow := s.chance(s.faults.SlowAfterWork)
	s.mu.Unlock()
	if slow {
		select {
		case <-time.After(s.faults.SlowDelay):
		case <-r.Context().Done(): // the client gave up
			return
		}
	}
	if drop {
		// the work is done but the client never hears of it
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	out := buf.Bytes()[:0:0]
	out = fmt.Appendf(out, `{"took":1,"errors":%t,"items":[`, hadErrors)
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = it.appendJSON(out)
	}
	w.Write(append(out, "]}"...))
}

// bufs are reused request bodies.
var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// item is one answer of a bulk response.
type item struct {
	op, index, id string
	status        int
	errType, why  string
}

func (it item) appendJSON(b []byte) []byte {
	b = fmt.Appendf(b, `{%q:{"_index":%q,"_id":%q,"status":%d`, it.op, it.index, it.id, it.status)
	if it.errType != "" {
		b = fmt.Appendf(b, `,"error":{"type":%q,"reason":%q}`, it.errType, it.why)
	}
	return append(b, "}}"...)
}

// bulkAction is an action line; exactly one operation is set.
type bulkAction struct {
	Create, Index, Update, Delete *actionMeta
}

type actionMeta struct {
	Index string `json:"_index"`
	ID    string `json:"_id"`
}

func (a *bulkAction) count() (n int) {
	for _, m := range []*actionMeta{a.Create, a.Index, a.Update, a.Delete} {
		if m != nil {
			n++
		}
	}
	return n
}

// op is the line's operation, named as a bulk response names it.
func (a *bulkAction) op() (string, actionMeta) {
	switch {
	case a.Create != nil:
		return "create", *a.Create
	case a.Index != nil:
		return "index", *a.Index
	case a.Update != nil:
		return "update", *a.Update
	}
	return "delete", *a.Delete
}

// apply runs the bulk actions in order. Lines are parsed and documents
// checked before the lock is taken, so that concurrent requests share the
// work as a cluster's nodes would.
func (s *Server) apply(data []byte) (items []item, hadErrors bool, err error) {
	type parsed struct {
		op       string
		meta     actionMeta
		src      []byte
		valid    bool
		customID bool
	}
	var lines []parsed
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return nil, false, fmt.Errorf("action line without a newline")
		}
		var action bulkAction
		if err := json.Unmarshal(data[:nl], &action); err != nil || action.count() != 1 {
			return nil, false, fmt.Errorf("malformed action line %q", data[:nl])
		}
		data = data[nl+1:]
		p := parsed{valid: true}
		p.op, p.meta = action.op()
		p.customID = p.meta.ID != ""
		if p.op != "delete" { // the only operation without a document line
			end := bytes.IndexByte(data, '\n')
			if end < 0 {
				return nil, false, fmt.Errorf("action without a document")
			}
			p.src, data = data[:end], data[end+1:]
			p.valid = json.Valid(p.src)
		}
		lines = append(lines, p)
	}
	items = make([]item, 0, len(lines))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range lines {
		if !p.customID {
			s.autoID++
			p.meta.ID = fmt.Sprintf("auto-%d", s.autoID)
		}
		key := p.meta.Index + "/" + p.meta.ID
		it := item{op: p.op, index: p.meta.Index, id: p.meta.ID, status: 201}
		switch {
		case s.timeSeries && p.customID:
			it.status, it.errType, it.why = 400, "illegal_argument_exception", "Document ID is not supported in create/index operation request"
		case !p.valid:
			it.status, it.errType, it.why = 400, "mapper_parsing_exception", "failed to parse"
		case s.faults.RejectMarker != "" && bytes.Contains(p.src, []byte(s.faults.RejectMarker)):
			it.status, it.errType, it.why = 400, "mapper_parsing_exception", "failed to parse field [value] of type [long]"
		case s.chance(s.faults.ItemRejected):
			it.status, it.errType, it.why = 429, "es_rejected_execution_exception", "rejected execution of coordinating operation"
		case p.op == "delete":
			it.status = 200
			if s.writes[key] == 0 {
				it.status = 404
			}
			delete(s.writes, key)
		case p.op == "create" && s.writes[key] > 0:
			it.status, it.errType, it.why = 409, "version_conflict_engine_exception", "document already exists"
		default:
			s.writes[key]++
		}
		hadErrors = hadErrors || (it.status >= 300 && it.status != 404)
		items = append(items, it)
	}
	return items, hadErrors, nil
}

// TimeSeries makes the server behave as an OpenSearch Serverless
// time-series collection: a document with its own _id is refused.
func (s *Server) TimeSeries() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timeSeries = true
}

// Docs returns how many distinct documents are stored.
func (s *Server) Docs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.writes)
}

// Writes returns how many times each index/_id was written (1 for every
// document when nothing was duplicated).
func (s *Server) Writes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.writes))
	for k, v := range s.writes {
		out[k] = v
	}
	return out
}
