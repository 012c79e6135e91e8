package pytime

import (
	"unicode"
	"unicode/utf8"
)

// pyDigit reports the value of the decimal digit starting at s[i] and its
// encoded length, or size 0 when there is none. Python's re `\d` (str
// patterns) and int()/float() accept every Unicode Nd character, not only
// ASCII; ASCII is checked first because it is the only case seen in logs.
func pyDigit(s string, i int) (val, size int) {
	if i >= len(s) {
		return 0, 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		if c >= '0' && c <= '9' {
			return int(c - '0'), 1
		}
		return 0, 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if v := ndValue(r); v >= 0 {
		return v, n
	}
	return 0, 0
}

// ndValue is the decimal value of a Unicode Nd rune, -1 otherwise. Unicode
// guarantees Nd characters come in contiguous runs of ten starting at zero,
// and the unicode tables only merge whole runs, so the value is the distance
// from the start of the table range modulo ten.
func ndValue(r rune) int {
	if r < utf8.RuneSelf {
		if r >= '0' && r <= '9' {
			return int(r - '0')
		}
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if r < rune(rg.Lo) {
			return -1
		}
		if r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r < rune(rg.Lo) {
			return -1
		}
		if r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// isPySpace is CPython's Py_UNICODE_ISSPACE, used by re's `\s` and by
// float()/int() to normalise surrounding whitespace. It differs from
// unicode.IsSpace in including U+001C..U+001F.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f,
		0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// pySpaceAt returns the encoded length of the Python whitespace character
// at s[i], or 0.
func pySpaceAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		if isPySpace(rune(c)) {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if isPySpace(r) {
		return n
	}
	return 0
}

// foldEq compares two runes the way re.IGNORECASE does for literal
// characters: equal under simple case folding (so 'K' matches the Kelvin
// sign and 's' matches 'ſ', as in CPython's sre).
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return lowerASCII(byte(a)) == lowerASCII(byte(b))
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
