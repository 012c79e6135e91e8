package ship

import (
	"sort"
	"sync"
	"time"
)

// TypeStats are the counts of one log type.
type TypeStats struct {
	Sent, Delivered, Retried, DeadLettered, Failed int64
}

// Stats are an indexer's counts per log type, bytes out and bulk latency.
type Stats struct {
	mu       sync.Mutex
	types    map[string]*TypeStats
	Requests int64
	BytesOut int64
	Latency  time.Duration // summed over requests
	MaxLat   time.Duration
	// LastRefusal is the status and start of the body of the last request
	// the cluster refused whole (auth, a malformed request).
	LastRefusal string
	// DeadLetterErrors counts documents the dead-letter could not take
	// (they are Failed); LastDeadLetterError says why.
	DeadLetterErrors    int64
	LastDeadLetterError string
}

func newStats() *Stats { return &Stats{types: map[string]*TypeStats{}} }

func (s *Stats) add(logType string, f func(*TypeStats)) {
	s.mu.Lock()
	t := s.types[logType]
	if t == nil {
		t = &TypeStats{}
		s.types[logType] = t
	}
	f(t)
	s.mu.Unlock()
}

func (s *Stats) request(bytes int, lat time.Duration) {
	s.mu.Lock()
	s.Requests++
	s.BytesOut += int64(bytes)
	s.Latency += lat
	s.MaxLat = max(s.MaxLat, lat)
	s.mu.Unlock()
}

func (s *Stats) deadLetterFailed(err error) {
	s.mu.Lock()
	s.DeadLetterErrors++
	s.LastDeadLetterError = err.Error()
	s.mu.Unlock()
}

func (s *Stats) refused(status int, body []byte) {
	s.mu.Lock()
	if len(body) > 300 {
		body = body[:300]
	}
	s.LastRefusal = itoa(status) + " " + string(body)
	s.mu.Unlock()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Types returns a copy of the per-type counts, sorted by log type.
func (s *Stats) Types() (names []string, counts []TypeStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.types {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		counts = append(counts, *s.types[k])
	}
	return names, counts
}

// Total sums the per-type counts.
func (s *Stats) Total() TypeStats {
	_, counts := s.Types()
	var t TypeStats
	for _, c := range counts {
		t.Sent += c.Sent
		t.Delivered += c.Delivered
		t.Retried += c.Retried
		t.DeadLettered += c.DeadLettered
		t.Failed += c.Failed
	}
	return t
}
