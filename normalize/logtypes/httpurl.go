package logtypes

import (
	"github.com/siemloader/siemloader/conf"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Helpers shared by the web and syslog transforms: the split of an HTTP
// request line into ECS http.* and url.* fields (es-loader's
// utils.extract_url_http_fields_from_http_request), X-Forwarded-For parsing
// (utils.parse_xff), urllib.parse.unquote, the EC2 instance id search
// (utils.extract_aws_instanceid_from_text) and the Python flavour of a few
// regex classes.

// URL field presence bits of httpURL.
const (
	huVersion uint16 = 1 << iota
	huMethod
	huOriginal
	huDomain
	huPort
	huFragment
	huQuery
	huExtension
)

// httpURL is what es-loader derives from a request line. url.path is
// always set (possibly empty); the others only when has says so.
type httpURL struct {
	has       uint16
	version   string
	method    string
	original  string
	domain    string
	port      string
	fragment  string
	path      string
	query     string
	extension string
}

// parseHTTPRequest splits a request line the way es-loader does. An empty
// argument stands for Python's None: the function only ever tests them for
// truth, so None and "" behave alike.
//
// Quirks kept on purpose, because es-loader's documents have them: an
// absolute URI without a path ("http://example.com") keeps its host as the
// path ("/example.com", extension "com"); an IPv6 literal host with a port
// gives neither domain nor port; the path is URL-decoded before it is split
// into path, query and fragment, so an encoded '?' or '#' splits too.
func parseHTTPRequest(method, path, version, raw string) httpURL {
	var u httpURL
	if version != "" {
		u.has |= huVersion
		u.version = version
	}
	if method != "" {
		u.has |= huMethod
		u.method = method
	}
	switch {
	case raw != "":
		u.has |= huOriginal
		u.original = raw
	case method != "" && path != "" && version != "":
		u.has |= huOriginal
		u.original = path
	}

	switch {
	case strings.HasPrefix(path, "/"):
	case strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://"):
		// "scheme://authority/rest": Python's split('/', 3) gives
		// ["scheme:", "", authority, rest]; without a rest the last
		// element is the authority itself.
		after := path[strings.Index(path, "//")+2:]
		authority, rest := after, after
		if i := strings.IndexByte(after, '/'); i >= 0 {
			authority, rest = after[:i], after[i+1:]
		}
		path = "/" + rest
		switch strings.Count(authority, ":") {
		case 0:
			u.has |= huDomain
			u.domain = authority
		case 1:
			i := strings.IndexByte(authority, ':')
			u.has |= huDomain | huPort
			u.domain, u.port = authority[:i], authority[i+1:]
		}
	case strings.EqualFold(method, "connect"):
		// EqualFold is Python's method.lower() == 'connect' here: the
		// only non-ASCII characters that fold to ASCII letters are the
		// Kelvin sign (k) and the long s (s), neither in "connect".
		if strings.Count(path, ":") == 1 {
			i := strings.IndexByte(path, ':')
			u.has |= huDomain | huPort
			u.domain, u.port = path[:i], path[i+1:]
			path = ""
		}
	}

	// URL-decoded up to twice (double encoding), strictly: a %-sequence
	// that is not UTF-8 stops the decoding at the last good result.
	if strings.IndexByte(path, '%') >= 0 {
		if p, ok := pyUnquote(path, true); ok {
			path = p
			if strings.IndexByte(path, '%') >= 0 {
				if p, ok := pyUnquote(path, true); ok {
					path = p
				}
			}
		}
	}

	// A single '#' starts a fragment, unless the text after it holds a
	// character es-loader deems foreign to fragments (RE_NOT_FRAGMENT_STR).
	if i := strings.IndexByte(path, '#'); i >= 0 && strings.IndexByte(path[i+1:], '#') < 0 {
		if frag := path[i+1:]; !hasNonFragmentChar(frag) {
			u.has |= huFragment
			u.fragment = frag
			path = path[:i]
		}
	}

	if i := strings.IndexByte(path, '?'); i >= 0 {
		u.has |= huQuery
		u.query = path[i+1:]
		path = path[:i]
	}
	u.path = path

	filename := path[strings.LastIndexByte(path, '/')+1:]
	if i := strings.LastIndexByte(filename, '.'); i >= 0 {
		if ext := filename[i+1:]; strings.IndexByte(ext, '\\') < 0 {
			u.has |= huExtension
			u.extension = ext
		}
	}
	return u
}

// hasNonFragmentChar is es-loader's RE_NOT_FRAGMENT_STR
// ([&(){}@_;<>\s], Python's Unicode \s) searched in s.
func hasNonFragmentChar(s string) bool {
	for _, c := range s {
		switch c {
		case '&', '(', ')', '{', '}', '@', '_', ';', '<', '>':
			return true
		}
		if PyIsSpace(c) {
			return true
		}
	}
	return false
}

// pyUnquote is Python's urllib.parse.unquote(s) with errors='strict' (ok is
// false when a decoded byte run is not UTF-8) or errors='replace' (invalid
// bytes become U+FFFD, one per maximal invalid subsequence, as CPython's
// decoder does). Like Python, it decodes %XX (either case) within runs of
// ASCII text, leaves malformed sequences as they are and never touches
// non-ASCII characters.
func pyUnquote(s string, strict bool) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	out := make([]byte, 0, len(s))
	runStart := 0    // start in out of the current ASCII run
	runHigh := false // the run holds a decoded byte >= 0x80
	flush := func() bool {
		if runHigh && !utf8.Valid(out[runStart:]) {
			if strict {
				return false
			}
			fixed := appendUTF8Replacing(nil, out[runStart:])
			out = append(out[:runStart], fixed...)
		}
		runHigh = false
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			if !flush() {
				return "", false
			}
			j := i + 1
			for j < len(s) && s[j] >= utf8.RuneSelf {
				j++
			}
			out = append(out, s[i:j]...)
			i = j
			runStart = len(out)
		case c == '%' && i+2 < len(s) && pctHexDigit(s[i+1]) && pctHexDigit(s[i+2]):
			b := pctHexValue(s[i+1])<<4 | pctHexValue(s[i+2])
			if b >= utf8.RuneSelf {
				runHigh = true
			}
			out = append(out, b)
			i += 3
		default:
			out = append(out, c)
			i++
		}
	}
	if !flush() {
		return "", false
	}
	return string(out), true
}

func pctHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func pctHexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// appendUTF8Replacing decodes b as UTF-8 with Python's errors='replace':
// each maximal prefix of a valid sequence that is cut short, and each byte
// that cannot start one, becomes a single U+FFFD.
func appendUTF8Replacing(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if r, n := utf8.DecodeRune(b[i:]); r != utf8.RuneError || n > 1 {
			dst = append(dst, b[i:i+n]...)
			i += n
			continue
		}
		// invalid: consume the longest well-formed prefix
		need, lo, hi := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lo = 2, 0xA0
		case c == 0xED:
			need, hi = 2, 0x9F
		case c >= 0xE1 && c <= 0xEF:
			need = 2
		case c == 0xF0:
			need, lo = 3, 0x90
		case c == 0xF4:
			need, hi = 3, 0x8F
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		}
		j := i + 1
		for k := 0; k < need && j < len(b); k++ {
			cb := b[j]
			if k == 0 {
				if cb < lo || cb > hi {
					break
				}
			} else if cb < 0x80 || cb > 0xBF {
				break
			}
			j++
		}
		dst = append(dst, "\uFFFD"...)
		i = j
	}
	return dst
}

// parseXFF is es-loader's utils.parse_xff: the comma-separated entries,
// stripped, that are IP addresses, in order (duplicates kept).
func parseXFF(xff string) []any {
	out := make([]any, 0, strings.Count(xff, ",")+1)
	for len(xff) > 0 {
		item := xff
		if i := strings.IndexByte(xff, ','); i >= 0 {
			item, xff = xff[:i], xff[i+1:]
		} else {
			xff = ""
		}
		item = PyStrip(item)
		if isPyIPAddress(item) {
			out = append(out, item)
		}
	}
	return out
}

// isPyIPAddress is Python's ipaddress.ip_address(s) succeeding.
func isPyIPAddress(s string) bool { return ValidIP(s) }

// SortedUniqueStrings is Python's sorted(set(values)) for strings.
func SortedUniqueStrings(values []string) []any {
	values = SortUnique(values)
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// SortUnique is sorted(set(values)), in place.
func SortUnique(values []string) []string {
	sort.Strings(values)
	out := values[:0]
	for i, v := range values {
		if i > 0 && v == values[i-1] {
			continue
		}
		out = append(out, v)
	}
	return out
}

// PyIsSpace is Python's str.isspace() for one character (what \s and
// str.strip() use): Go's unicode.IsSpace plus the ASCII separators
// U+001C..U+001F.
func PyIsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f:
			return true
		}
		return false
	}
	return unicode.IsSpace(r)
}

// PyStrip is Python's str.strip().
func PyStrip(s string) string {
	return strings.TrimFunc(s, PyIsSpace)
}

// isPyWordRune is a character of Python's Unicode \w (letters, numbers,
// '_').
func isPyWordRune(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// instanceIDInText is es-loader's utils.extract_aws_instanceid_from_text:
// the first "i-" followed by 8 or 17 [0-9a-z] characters, delimited on both
// sides by the text's ends, '_' or a non-word character (RE_INSTANCEID).
func instanceIDInText(s string) string {
	for off := 0; ; {
		i := strings.Index(s[off:], "i-")
		if i < 0 {
			return ""
		}
		p := off + i
		off = p + 1
		if p > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:p])
			if r != '_' && isPyWordRune(r) {
				continue
			}
		}
		rest := s[p+2:]
		n := 0
		for n < len(rest) && n < 17 && (rest[n] >= '0' && rest[n] <= '9' || rest[n] >= 'a' && rest[n] <= 'z') {
			n++
		}
		for _, l := range [2]int{8, 17} {
			if n >= l && idBoundaryAt(rest, l) {
				return s[p : p+2+l]
			}
		}
	}
}

// idBoundaryAt reports whether rest[i:] is empty or starts with '_' or a
// non-word character.
func idBoundaryAt(rest string, i int) bool {
	if i == len(rest) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest[i:])
	return r == '_' || !isPyWordRune(r)
}

// pyRegexp compiles a pattern written for Python's re module, keeping the
// Unicode meaning of \s, \d and \w (see conf.TranslatePython).
func pyRegexp(src string) *regexp.Regexp {
	return regexp.MustCompile(conf.TranslatePython(src))
}
