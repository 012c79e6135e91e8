package ship

import "sync"

// Arena holds the bodies of a batch's documents until Send has settled
// them (a Fluent Bit flush, a collector push): the normalizer reuses its
// buffer, so each body is copied, into pooled chunks rather than one
// growing buffer, which would copy every body kept so far at each growth
// and be allocated and zeroed anew for every batch. Send keeps no body
// past its return, so Release may follow it.
type Arena struct {
	cur    []byte
	chunks []*[]byte // back to arenaPool on Release
}

const arenaChunk = 1 << 20

var arenaPool = sync.Pool{New: func() any { b := make([]byte, 0, arenaChunk); return &b }}

// Copy returns a copy of b that stays valid until Release.
func (a *Arena) Copy(b []byte) []byte {
	if cap(a.cur)-len(a.cur) < len(b) {
		if len(b) > arenaChunk {
			a.cur = make([]byte, 0, len(b))
		} else {
			c := arenaPool.Get().(*[]byte)
			a.chunks = append(a.chunks, c)
			a.cur = (*c)[:0]
		}
	}
	start := len(a.cur)
	a.cur = append(a.cur, b...)
	return a.cur[start:len(a.cur):len(a.cur)]
}

// Release hands the chunks back; every copy is invalid after it.
func (a *Arena) Release() {
	for _, c := range a.chunks {
		arenaPool.Put(c)
	}
	a.chunks, a.cur = nil, nil
}
