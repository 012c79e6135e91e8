package ship_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/siemloader/siemloader/ship"
)

// Copies stay intact while more are made, across chunks and for a body
// larger than a chunk; a released arena serves again.
func TestArenaCopiesStayIntact(t *testing.T) {
	var a ship.Arena
	for round := 0; round < 2; round++ {
		var want, got [][]byte
		for i := 0; i < 5000; i++ {
			b := []byte(fmt.Sprintf(`{"round":%d,"n":%d,"pad":"%s"}`, round, i, bytes.Repeat([]byte("x"), i%700)))
			if i == 2500 {
				b = bytes.Repeat([]byte("y"), 3<<20)
			}
			want = append(want, b)
			got = append(got, a.Copy(b))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("round %d: copy %d changed", round, i)
			}
			if cap(got[i]) != len(got[i]) {
				t.Fatalf("copy %d can be appended to in place (cap %d, len %d)", i, cap(got[i]), len(got[i]))
			}
		}
		a.Release()
	}
}
