// Package sqstest is an in-process SQS queue for tests: it speaks the
// AWS JSON 1.0 protocol aws-sdk-go-v2's sqs client uses (POST with
// X-Amz-Target: AmazonSQS.<Action>) for ReceiveMessage, DeleteMessage,
// ChangeMessageVisibility and SendMessage, hides a received message for
// its visibility timeout, hands it out again when that expires, and moves
// it to a dead-letter queue once it was received maxReceiveCount times,
// as a queue with a redrive policy does.
package sqstest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is a queued message as the test sees it.
type Message struct {
	ID       string
	Body     string
	Receives int       // times handed out
	Deleted  time.Time // zero while in the queue
	handle   string
	visible  time.Time
}

// Server is one queue and its dead-letter queue.
type Server struct {
	URL      string // the endpoint (sqs_endpoint)
	QueueURL string
	srv      *httptest.Server

	mu sync.Mutex
	// MaxReceiveCount is the redrive policy's maxReceiveCount (0: none).
	maxReceive int
	msgs       []*Message
	dlq        []*Message
	seq        int
	// onDelete, when set, sees each message as it is deleted, before the
	// answer goes out (what else was done by then).
	onDelete func(Message)
	// Visibility changes asked for, per message id.
	visibilityChanges map[string]int
	requests          map[string]int
}

// Start runs a queue on loopback until the test ends.
func Start(t testing.TB, maxReceiveCount int) *Server {
	s := &Server{maxReceive: maxReceiveCount, visibilityChanges: map[string]int{}, requests: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	s.QueueURL = s.srv.URL + "/123456789012/logs"
	t.Cleanup(s.srv.Close)
	return s
}

// Send queues a message body.
func (s *Server) Send(body string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("msg-%d", s.seq)
	s.msgs = append(s.msgs, &Message{ID: id, Body: body})
	return id
}

// Messages are copies of every message still queued or deleted, in the
// order they were sent (moved to the DLQ: not listed).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.msgs))
	for _, m := range s.msgs {
		out = append(out, *m)
	}
	return out
}

// DeadLetters are the messages moved to the dead-letter queue.
func (s *Server) DeadLetters() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.dlq))
	for _, m := range s.dlq {
		out = append(out, *m)
	}
	return out
}

// VisibilityChanges counts the ChangeMessageVisibility calls for a message.
func (s *Server) VisibilityChanges(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.visibilityChanges[id]
}

// OnDelete calls f with each message as it is deleted, before the
// DeleteMessage call is answered.
func (s *Server) OnDelete(f func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onDelete = f
}

// Requests counts the requests per action.
func (s *Server) Requests(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[action]
}

// ExpireVisibility makes every hidden message visible now, as if its
// visibility timeout had passed (a receiver that was killed).
func (s *Server) ExpireVisibility() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		m.visible = time.Time{}
	}
}

type apiError struct {
	status int
	typ    string
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	action, ok := strings.CutPrefix(target, "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeErr(w, &apiError{400, "InvalidAction", "only the JSON protocol (X-Amz-Target: AmazonSQS.*) is served"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeErr(w, &apiError{403, "MissingAuthenticationToken", "request is not signed"})
		return
	}
	var in struct {
		QueueURL            string `json:"QueueUrl"`
		MaxNumberOfMessages int
		WaitTimeSeconds     int
		VisibilityTimeout   *int
		ReceiptHandle       string
		MessageBody         string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, &apiError{400, "InvalidParameterValue", err.Error()})
		return
	}
	s.mu.Lock()
	s.requests[action]++
	s.mu.Unlock()
	if in.QueueURL != s.QueueURL {
		writeErr(w, &apiError{400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist."})
		return
	}
	var out any
	var aerr *apiError
	switch action {
	case "ReceiveMessage":
		out = s.receive(r, in.MaxNumberOfMessages, in.WaitTimeSeconds, in.VisibilityTimeout)
	case "DeleteMessage":
		var deleted Message
		aerr = s.withHandle(in.ReceiptHandle, func(m *Message) { m.Deleted = time.Now(); deleted = *m })
		s.mu.Lock()
		hook := s.onDelete
		s.mu.Unlock()
		if aerr == nil && hook != nil {
			hook(deleted)
		}
		out = struct{}{}
	case "ChangeMessageVisibility":
		if in.VisibilityTimeout == nil {
			aerr = &apiError{400, "MissingParameter", "VisibilityTimeout"}
			break
		}
		aerr = s.withHandle(in.ReceiptHandle, func(m *Message) {
			m.visible = time.Now().Add(time.Duration(*in.VisibilityTimeout) * time.Second)
			s.visibilityChanges[m.ID]++
		})
		out = struct{}{}
	case "SendMessage":
		id := s.Send(in.MessageBody)
		out = map[string]string{"MessageId": id, "MD5OfMessageBody": md5Hex(in.MessageBody)}
	default:
		aerr = &apiError{400, "InvalidAction", action + " is not served by sqstest"}
	}
	if aerr != nil {
		writeErr(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(out)
}

func (s *Server) withHandle(h string, f func(*Message)) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.handle == h && h != "" && m.Deleted.IsZero() {
			f(m)
			return nil
		}
	}
	return &apiError{400, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "The input receipt handle is invalid: " + h}
}

type wireMessage struct {
	MessageID     string `json:"MessageId"`
	ReceiptHandle string
	MD5OfBody     string
	Body          string
	Attributes    map[string]string
}

func (s *Server) receive(r *http.Request, maxN, waitSeconds int, visibility *int) map[string][]wireMessage {
	if maxN <= 0 {
		maxN = 1
	}
	vis := 30 * time.Second
	if visibility != nil {
		vis = time.Duration(*visibility) * time.Second
	}
	deadline := time.Now().Add(time.Duration(waitSeconds) * time.Second)
	for {
		if r.Context().Err() != nil {
			return nil // the client is gone: hand it nothing
		}
		got := s.take(maxN, vis)
		if len(got) > 0 || time.Now().After(deadline) {
			return map[string][]wireMessage{"Messages": got}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) take(maxN int, vis time.Duration) []wireMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var out []wireMessage
	kept := s.msgs[:0]
	for _, m := range s.msgs {
		if len(out) >= maxN || !m.Deleted.IsZero() || now.Before(m.visible) {
			kept = append(kept, m)
			continue
		}
		if s.maxReceive > 0 && m.Receives >= s.maxReceive {
			s.dlq = append(s.dlq, m) // the redrive policy moves it instead of handing it out again
			continue
		}
		m.Receives++
		s.seq++
		m.handle = fmt.Sprintf("%s-r%d-%d", m.ID, m.Receives, s.seq)
		m.visible = now.Add(vis)
		kept = append(kept, m)
		out = append(out, wireMessage{MessageID: m.ID, ReceiptHandle: m.handle, MD5OfBody: md5Hex(m.Body), Body: m.Body,
			Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.Receives)}})
	}
	s.msgs = kept
	return out
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func writeErr(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", strings.TrimPrefix(e.typ, "com.amazonaws.sqs#")+";Sender")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}
