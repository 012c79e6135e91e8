package objread

import "unicode/utf8"

// RemoveInvalidUTF8 drops the bytes of b that are not part of a valid
// UTF-8 sequence, as Python's decode(errors='ignore') does (surrogates,
// overlong forms and code points past U+10FFFF are invalid in both). It
// works in place, overwriting b, and returns b itself when it is valid.
func RemoveInvalidUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return removeInvalid(b)
}

// removeInvalid is RemoveInvalidUTF8 for callers that know b is invalid
// (or do not care to check first).
func removeInvalid(b []byte) []byte {
	// Copy the valid prefix not at all: start writing at the first
	// non-ASCII byte. The write index never passes the read index.
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	w := i
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			b[w] = c
			w++
			i++
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		if size == 1 {
			// Invalid: any valid rune from 0x80 up takes 2 bytes or more.
			i++
			continue
		}
		copy(b[w:], b[i:i+size])
		w += size
		i += size
	}
	return b[:w]
}

// hasValidUTF8 tells whether anything of b survives RemoveInvalidUTF8.
func hasValidUTF8(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] < utf8.RuneSelf {
			return true
		}
		if _, size := utf8.DecodeRune(b[i:]); size > 1 {
			return true
		}
	}
	return false
}

// incompleteTail is how many bytes at the end of b start a multi-byte
// rune that the next read may complete (0 to 3).
func incompleteTail(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		c := b[len(b)-k]
		if utf8.RuneStart(c) {
			if c >= utf8.RuneSelf && !utf8.FullRune(b[len(b)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}
