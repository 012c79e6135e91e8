// Package opensearchtest is an in-process OpenSearch for tests: it speaks
// the bulk API with its real semantics (per-item statuses in a 200,
// create conflicts, rejected executions, whole-request 429/503, gzip
// bodies) and injects faults at chosen rates, recording every document it
// accepts so that a test can check nothing was lost or indexed twice.
package opensearchtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Faults are the rates (0..1) at which the server misbehaves.
type Faults struct {
	ItemRejected  float64 // an item answers 429 es_rejected_execution_exception
	Request503    float64 // the whole request answers 503
	Request429    float64 // the whole request answers 429
	DropAfterWork float64 // the connection is dropped after the items were applied
	// RejectMarker: a document whose body contains it answers 400
	// mapper_parsing_exception.
	RejectMarker string
}

// Server is the fake cluster.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	faults  Faults
	rng     *rand.Rand
	docs    map[string][]byte // index/_id → source
	created map[string]int    // successful creates and indexes per index/_id
	// Requests counts bulk requests received.
	Requests int
	Gzipped  int
}

// New starts a server with these faults and a fixed seed.
func New(f Faults, seed uint64) *Server {
	s := &Server{faults: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), docs: map[string][]byte{}, created: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *Server) chance(p float64) bool { return p > 0 && s.rng.Float64() < p }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/_bulk") {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	s.mu.Lock()
	s.Requests++
	if r.Header.Get("Content-Encoding") == "gzip" {
		s.Gzipped++
	}
	fail503, fail429 := s.chance(s.faults.Request503), s.chance(s.faults.Request429)
	s.mu.Unlock()
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, `{"error":"bad gzip"}`, http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, `{"error":"bad body"}`, http.StatusBadRequest)
		return
	}
	switch {
	case fail503:
		http.Error(w, `{"error":{"type":"unavailable"},"status":503}`, http.StatusServiceUnavailable)
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
	s.mu.Unlock()
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
	resp, _ := json.Marshal(map[string]any{"took": 1, "errors": hadErrors, "items": items})
	w.Write(resp)
}

// apply runs the bulk actions in order.
func (s *Server) apply(data []byte) (items []map[string]any, hadErrors bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc.Scan() {
		var action map[string]struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || len(action) != 1 {
			return nil, false, fmt.Errorf("malformed action line %q", sc.Text())
		}
		if !sc.Scan() {
			return nil, false, fmt.Errorf("action without a document")
		}
		src := append([]byte(nil), sc.Bytes()...)
		for op, meta := range action {
			key := meta.Index + "/" + meta.ID
			res := map[string]any{"_index": meta.Index, "_id": meta.ID}
			switch {
			case !json.Valid(src):
				res["status"], res["error"] = 400, map[string]any{"type": "mapper_parsing_exception", "reason": "failed to parse"}
			case s.faults.RejectMarker != "" && bytes.Contains(src, []byte(s.faults.RejectMarker)):
				res["status"], res["error"] = 400, map[string]any{"type": "mapper_parsing_exception", "reason": "failed to parse field [value] of type [long]"}
			case s.chance(s.faults.ItemRejected):
				res["status"], res["error"] = 429, map[string]any{"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}
			case op == "create" && s.docs[key] != nil:
				res["status"], res["error"] = 409, map[string]any{"type": "version_conflict_engine_exception", "reason": "document already exists"}
			default:
				s.docs[key] = src
				s.created[key]++
				res["status"] = 201
			}
			if st := res["status"].(int); st >= 300 {
				hadErrors = true
			}
			items = append(items, map[string]any{op: res})
		}
	}
	return items, hadErrors, sc.Err()
}

// Docs returns how many distinct documents are stored.
func (s *Server) Docs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.docs)
}

// Writes returns how many times each index/_id was written (1 for every
// document when nothing was duplicated).
func (s *Server) Writes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.created))
	for k, v := range s.created {
		out[k] = v
	}
	return out
}
