package normalize

import (
	"bytes"
	"testing"
)

func TestQuoteOrBackslash(t *testing.T) {
	for n := 0; n <= 20; n++ {
		for pos := -1; pos < n; pos++ {
			for _, c := range []byte{'"', '\\'} {
				b := bytes.Repeat([]byte{'a'}, n)
				if pos >= 0 {
					b[pos] = c
					if pos+1 < n {
						b[pos+1] = '"' // a later match must not win
					}
				}
				want := bytes.IndexAny(b, "\"\\")
				if got := quoteOrBackslash(b); got != want {
					t.Fatalf("%q: %d, want %d", b, got, want)
				}
			}
		}
	}
	// bytes that borrow in the word trick (0x00, 0x01, 0x21, 0x23, 0x5b, 0x5d)
	b := []byte{0x21, 0x00, 0x23, 0x01, 0x5b, 0x5d, 0x21, 0x00, 0x5c}
	if got := quoteOrBackslash(b); got != 8 {
		t.Fatalf("%q: %d, want 8", b, got)
	}
}
