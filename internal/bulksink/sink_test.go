package bulksink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/siemloader/siemloader/ship"
)

func newSink(t *testing.T) *Sink {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type bulkAnswer struct {
	Errors bool `json:"errors"`
	Items  []map[string]struct {
		Index  string `json:"_index"`
		ID     string `json:"_id"`
		Status int    `json:"status"`
		Error  *struct {
			Type string `json:"type"`
		} `json:"error"`
	} `json:"items"`
}

func post(t *testing.T, s *Sink, body string, gz bool) (int, bulkAnswer) {
	t.Helper()
	var data []byte = []byte(body)
	if gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_bulk", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/x-ndjson")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a bulkAnswer
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, raw)
		}
	}
	return resp.StatusCode, a
}

// Every item gets its own status, in order, with the _index and _id a
// cluster would answer; a create of a stored _id is a 409 and is not
// counted again; documents without _id get one.
func TestItemsAnsweredInOrder(t *testing.T) {
	s := newSink(t)
	body := `{"create":{"_index":"a","_id":"1"}}
{"x":1}
{"create":{"_index":"a","_id":"2"}}
{"x":2}
{"create":{"_index":"a","_id":"1"}}
{"x":3}
{"create":{"_type":"_doc","_index":"b"}}
{"x":4}
{ "index" : { "_index" : "b", "_id" : "q\"uote" } }
{"x":5}
`
	code, a := post(t, s, body, false)
	if code != 200 || !a.Errors || len(a.Items) != 5 {
		t.Fatalf("code %d, answer %+v", code, a)
	}
	want := []struct {
		op, index, id string
		status        int
	}{{"create", "a", "1", 201}, {"create", "a", "2", 201}, {"create", "a", "1", 409}, {"create", "b", "auto-3", 201}, {"index", "b", `q"uote`, 201}}
	for i, w := range want {
		got, ok := a.Items[i][w.op]
		if !ok || got.Index != w.index || got.ID != w.id || got.Status != w.status {
			t.Errorf("item %d: %+v, want %+v", i, a.Items[i], w)
		}
	}
	if a.Items[2]["create"].Error == nil || a.Items[2]["create"].Error.Type != "version_conflict_engine_exception" {
		t.Errorf("409 without its error type: %+v", a.Items[2])
	}
	st := s.Stats()
	if st.Docs != 4 || st.Conflicts != 1 || st.PerIndex["a"] != 2 || st.PerIndex["b"] != 2 || st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestGzipBodyAndWait(t *testing.T) {
	s := newSink(t)
	var body strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&body, "{\"create\":{\"_index\":\"logs\",\"_id\":\"%d\"}}\n{\"n\":%d}\n", i, i)
	}
	done := make(chan time.Time, 1)
	go func() {
		at, err := s.Wait(100, 10*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- at
	}()
	time.Sleep(20 * time.Millisecond) // Wait is set before the documents arrive
	before := time.Now()
	code, a := post(t, s, body.String(), true)
	if code != 200 || a.Errors || len(a.Items) != 100 {
		t.Fatalf("code %d, errors %v, %d items", code, a.Errors, len(a.Items))
	}
	if at := <-done; at.Before(before) {
		t.Errorf("reached at %v, before the request was sent (%v)", at, before)
	}
	st := s.Stats()
	if st.Gzipped != 1 || st.WireBytes >= st.PlainBytes || st.PlainBytes != int64(body.Len()) {
		t.Errorf("stats %+v (plain body %d bytes)", st, body.Len())
	}
	if _, err := s.Wait(101, 50*time.Millisecond); err == nil {
		t.Error("waiting for another count answered")
	}
}

func TestWaitTimesOut(t *testing.T) {
	s := newSink(t)
	if _, err := s.Wait(1, 30*time.Millisecond); err == nil || !strings.Contains(err.Error(), "0 of 1") {
		t.Fatalf("err %v", err)
	}
}

func TestValidateRefusesBrokenDocuments(t *testing.T) {
	s := newSink(t)
	s.Validate = true
	code, a := post(t, s, "{\"create\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"x\":\n{\"create\":{\"_index\":\"a\",\"_id\":\"2\"}}\n{}\n", false)
	if code != 200 || !a.Errors || a.Items[0]["create"].Status != 400 || a.Items[1]["create"].Status != 201 {
		t.Fatalf("code %d, answer %+v", code, a)
	}
	if st := s.Stats(); st.Invalid != 1 || st.Docs != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestMalformedRequests(t *testing.T) {
	s := newSink(t)
	for _, body := range []string{"not json\n{}\n", "{\"create\":{\"_index\":\"a\"}}\n", "{\"frob\":{\"_index\":\"a\"}}\n{}\n"} {
		if code, _ := post(t, s, body, false); code != 400 {
			t.Errorf("%q: code %d, want 400", body, code)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_bulk", strings.NewReader("not gzip"))
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad gzip: code %d", resp.StatusCode)
	}
	if st := s.Stats(); st.Docs != 0 {
		t.Errorf("stored %d documents of malformed requests", st.Docs)
	}
}

// The project's own indexer against the sink: 429s are retried, and every
// document arrives once.
func TestIndexerThrough429s(t *testing.T) {
	s := newSink(t)
	s.Reject429(2)
	ix, err := ship.New(ship.Config{URLs: []string{s.URL}, Gzip: true, MaxAttempts: 5, RetryInitial: time.Millisecond, RetryMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var docs []ship.Doc
	for i := 0; i < 50; i++ {
		docs = append(docs, ship.Doc{LogType: "t", Index: "logs", ID: fmt.Sprint("id-", i), Body: []byte(`{"n":1}`)})
	}
	for i, out := range ix.Send(context.Background(), docs) {
		if out != ship.Delivered {
			t.Fatalf("doc %d: %v", i, out)
		}
	}
	ix.Close(context.Background())
	if st := s.Stats(); st.Docs != 50 || st.Rejected != 2 || st.Conflicts != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A request whose body is still arriving counts as in flight while
// another one is answered.
func TestMaxInFlight(t *testing.T) {
	s := newSink(t)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Post(s.URL+"/_bulk", "application/x-ndjson", pr)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	pw.Write([]byte("{\"create\":{\"_index\":\"a\",\"_id\":\"slow\"}}\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		n := s.inFlight
		s.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow request never reached the sink")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if code, _ := post(t, s, "{\"create\":{\"_index\":\"a\",\"_id\":\"fast\"}}\n{}\n", false); code != 200 {
		t.Fatalf("code %d", code)
	}
	pw.Write([]byte("{}\n"))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.MaxInFlight != 2 || st.Docs != 2 {
		t.Errorf("stats %+v, want 2 in flight at most and 2 documents", st)
	}
}
