package ship

import "sync"

// idSet remembers recently delivered _ids in two generations: when the
// current one is full it becomes the previous one, so memory stays bounded
// and the newest ids are always remembered.
type idSet struct {
	mu        sync.Mutex
	max       int
	cur, prev map[string]struct{}
}

func newIDSet(max int) *idSet {
	return &idSet{max: max, cur: make(map[string]struct{})}
}

func (s *idSet) has(id string) bool {
	if id == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cur[id]; ok {
		return true
	}
	_, ok := s.prev[id]
	return ok
}

func (s *idSet) add(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cur) >= s.max {
		s.prev, s.cur = s.cur, make(map[string]struct{}, s.max)
	}
	s.cur[id] = struct{}{}
}
