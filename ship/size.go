package ship

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSize reads a byte size as users write it in flags and Fluent Bit
// keys: a plain number of bytes, or one with a unit K, M, G or T, with or
// without a trailing B ("64MB", "10G", "512k"). Units are powers of 1024,
// as Fluent Bit reads its own sizes, so that one value means the same in
// both places.
func ParseSize(s string) (int64, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	if v == "" {
		return 0, fmt.Errorf("empty size")
	}
	v = strings.TrimSuffix(strings.TrimSuffix(v, "B"), "I")
	shift := 0
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		}
		if shift > 0 {
			v = strings.TrimSpace(v[:n-1])
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (a number of bytes, or with K, M, G or T)", s)
	}
	if n > (1<<62)>>shift {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n << shift, nil
}
