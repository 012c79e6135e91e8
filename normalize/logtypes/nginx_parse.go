package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// nginx-access's built-in log_pattern (aws.ini) on the common combined
// line, without the regex engine, which is half the cost of a FireLens
// nginx record. The regex backtracks; the parser follows its
// highest-priority choice at every point and gives up (ok=false, so that
// the regex decides) whenever that choice would not be the only way to
// match, which keeps it exact:
//
//	(?P<remotehost>[0-9a-fA-F:.]+) (-|(?P<ident>.+)) (-|(?P<authuser>.*))
//	\[(?P<datetime>.+?)\] \"(-|(?P<request_method>[^ ]+) (?P<request_path>.*)
//	HTTP/(?P<request_version>[^ ]*)|(?P<request_raw>.*?))\"
//	(?P<response_status>[0-9]{3}) (-|(?P<response_body_bytes>[0-9]+))
//	\"(-|(?P<referer>.+?))\" \"(|(?P<useragent>.*?))\"( \"(-|(?P<xff>.*))\")?

func init() {
	registerLineParser("nginx-access", parseNginxAccessLine)
	registerFieldsParser("nginx-access", FieldsParser{Names: nginxAccessNames, Parse: parseNginxAccessFields})
}

var nginxAccessNames = []string{"remotehost", "ident", "authuser", "datetime", "request_method", "request_path",
	"request_version", "request_raw", "response_status", "response_body_bytes", "referer", "useragent", "xff"}

func isHostByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
}

func parseNginxAccessLine(s string) (*pyjson.Map, bool) {
	var v [13]string
	var set [13]bool
	if !parseNginxAccess(s, &v, &set) {
		return nil, false
	}
	m := pyjson.NewMap(len(nginxAccessNames) + 20)
	for k, name := range nginxAccessNames {
		if set[k] {
			m.Set(name, v[k])
		} else {
			m.Set(name, nil)
		}
	}
	return m, true
}

// parseNginxAccessFields is parseNginxAccessLine for the flat path.
func parseNginxAccessFields(s string, f *Fields) bool {
	var v [13]string
	var set [13]bool
	if !parseNginxAccess(s, &v, &set) {
		return false
	}
	f.Vals = append(f.Vals[:0], v[:]...)
	f.Null = 0
	for k := range set {
		if !set[k] {
			f.Null |= 1 << uint(k)
		}
	}
	return true
}

// parseNginxAccess fills the groups in nginxAccessNames order; set tells
// which took part.
func parseNginxAccess(s string, v *[13]string, set *[13]bool) bool {
	put := func(k int, val string) { v[k], set[k] = val, true }

	// remotehost: the run of address bytes, then a space (a shorter run
	// would be followed by an address byte, not the space).
	i := 0
	for i < len(s) && isHostByte(s[i]) {
		i++
	}
	if i == 0 || !strings.HasPrefix(s[i:], " - ") {
		// ident other than "-": `.+` and `.*` can split the text before
		// the date in several ways; the regex decides.
		return false
	}
	put(0, s[:i])
	i += len(" - ")
	// authuser: "-", else `.*` greedy up to the last " [" the rest
	// matches from, which is the only one when the line has one.
	if strings.HasPrefix(s[i:], "- [") {
		i += len("- [")
	} else {
		k := strings.Index(s[i:], " [")
		if k < 0 || strings.Count(s, " [") != 1 {
			return false
		}
		put(2, s[i:i+k])
		i += k + len(" [")
	}
	// datetime: lazy, up to the first `] "`.
	j := strings.Index(s[i:], `] "`)
	if j < 1 {
		return false
	}
	put(3, s[i:i+j])
	i += j + len(`] "`)

	// request: "-", else method path HTTP/version, else raw. The second is
	// decided when the line has one " HTTP/", the third when it has none.
	rest := s[i:]
	var after string // the line after the request's closing quote
	switch {
	case strings.HasPrefix(rest, `-"`):
		after = rest[2:]
	case !strings.Contains(s, " HTTP/"):
		// no method-path-version request can match anywhere: the raw
		// request, lazily up to the first quote
		q := strings.IndexByte(rest, '"')
		if q < 0 {
			return false
		}
		put(7, rest[:q])
		after = rest[q+1:]
	default:
		sp := strings.IndexByte(rest, ' ')
		if sp < 1 || strings.Count(s, " HTTP/") != 1 {
			return false
		}
		// the path may be empty, but the " HTTP/" cannot start at the
		// space after the method
		h := strings.Index(rest, " HTTP/")
		if h <= sp {
			return false
		}
		// the version: `[^ ]*` then `"`, so the run of non-spaces must end
		// at its only quote
		ver := rest[h+len(" HTTP/"):]
		end := strings.IndexByte(ver, ' ')
		if end < 0 {
			end = len(ver)
		}
		if end == 0 || ver[end-1] != '"' || strings.IndexByte(ver[:end-1], '"') >= 0 {
			return false
		}
		put(4, rest[:sp])
		put(5, rest[sp+1:h])
		put(6, ver[:end-1])
		after = ver[end:]
	}

	// ` 200 ` then bytes or "-", then ` "`
	if len(after) < 6 || after[0] != ' ' || !isDigit3(after[1:4]) || after[4] != ' ' {
		return false
	}
	put(8, after[1:4])
	after = after[5:]
	if strings.HasPrefix(after, `- "`) {
		after = after[3:]
	} else {
		n := 0
		for n < len(after) && after[n] >= '0' && after[n] <= '9' {
			n++
		}
		if n == 0 || !strings.HasPrefix(after[n:], ` "`) {
			return false
		}
		put(9, after[:n])
		after = after[n+2:]
	}

	// referer: "-", else lazy up to the first `" "` (at least one byte)
	q := strings.Index(after, `" "`)
	if q < 1 && !strings.HasPrefix(after, `-" "`) {
		return false
	}
	if strings.HasPrefix(after, `-" "`) {
		q = 1
	} else {
		put(10, after[:q])
	}
	after = after[q+len(`" "`):]
	// useragent: empty (the group takes no part), else up to the next quote
	e := strings.IndexByte(after, '"')
	if e < 0 {
		// the lazy referer would reach for a later `" "`
		return false
	}
	if e > 0 {
		put(11, after[:e])
	}
	after = after[e+1:]

	// xff: optional ` "`, then "-" or everything up to the last quote
	if strings.HasPrefix(after, ` "`) {
		x := after[2:]
		if !strings.HasPrefix(x, `-"`) {
			if last := strings.LastIndexByte(x, '"'); last >= 0 {
				put(12, x[:last])
			}
		}
	}

	return true
}

func isDigit3(s string) bool {
	return len(s) == 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}
