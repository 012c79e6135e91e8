package pytime

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// toASCIINumber is CPython's _PyUnicode_TransformDecimalAndSpaceToASCII,
// applied by float() and int() before parsing: non-ASCII whitespace becomes
// ' ', non-ASCII decimal digits become ASCII, anything else non-ASCII
// becomes '?' (which then fails to parse). ASCII input is returned as is.
func toASCIINumber(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 127:
			b = append(b, byte(r))
		case isPySpace(r):
			b = append(b, ' ')
		case ndValue(r) >= 0:
			b = append(b, byte('0'+ndValue(r)))
		default:
			b = append(b, '?')
		}
	}
	return string(b)
}

// isCSpace is Py_ISSPACE: the ASCII whitespace float()/int() strip.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func trimCSpace(s string) string {
	for len(s) > 0 && isCSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isCSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// dropUnderscores applies _Py_string_to_number_with_underscores: an
// underscore must sit between two digits; it returns the string without
// them, or ok == false.
func dropUnderscores(s string) (string, bool) {
	if strings.IndexByte(s, '_') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if prev < '0' || prev > '9' {
				return "", false
			}
		} else {
			if prev == '_' && (c < '0' || c > '9') {
				return "", false
			}
			b = append(b, c)
		}
		prev = c
	}
	if prev == '_' {
		return "", false
	}
	return string(b), true
}

// pyFloat is Python's float(str). Infinities and NaN parse (their callers
// then fail, as Python's fromtimestamp/timedelta do).
func pyFloat(s string) (float64, bool) {
	s = trimCSpace(toASCIINumber(s))
	s, ok := dropUnderscores(s)
	if !ok || s == "" {
		return 0, false
	}
	// Validate Python's grammar ourselves: strconv also takes hex floats
	// and other Go-only spellings.
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	switch rest := strings.ToLower(s[i:]); rest {
	case "inf", "infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			expDigits++
		}
		if expDigits == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	// Both dtoa and strconv round correctly, so the values agree; overflow
	// gives ±Inf in both (float() does not raise on overflow).
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// pyInt is Python's int(str) in base 10, limited to values that fit
// comfortably in int64 (larger ones only ever lead to failure for our
// callers).
func pyInt(s string) (int64, bool) {
	s = trimCSpace(toASCIINumber(s))
	s, ok := dropUnderscores(s)
	if !ok || s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if len(s) > 18 {
		return 0, false
	}
	v := int64(0)
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
