package logtypes

import (
	"strings"
	"sync"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Hand-written equivalents of the built-in log_pattern of [alb], [clb] and
// [nlb] in aws.ini. Each one walks the line once, left to right, and
// returns what the regex (Python re.match semantics: anchored at the start,
// trailing text allowed unless the pattern ends in $) returns: every named
// group in pattern order, nil for a group that did not take part.
//
// The regex makes choices (greedy and lazy quantifiers, alternations,
// optional groups) and takes the first combination, in priority order, with
// which the whole pattern matches. The parsers only accept lines on which
// every choice is forced or on which the choice they make is provably the
// regex's first successful one; the comments at each step say why. Anything
// else (IPv6 hosts in brackets, a quote inside the request, a non-ASCII
// byte where the pattern uses \w, \d or \s, ...) returns ok=false and the
// engine runs the regex. elb_parse_test.go compares the parsers with the
// regexes on the samples, on generated variants and under fuzzing.

func init() {
	registerLineParser("alb", parseALBLine)
	registerLineParser("clb", parseCLBLine)
	registerLineParser("nlb", parseNLBLine)
	registerFieldsParser("alb", FieldsParser{Names: albNames, Parse: elbFieldsParser(albNames, parseALB)})
	registerFieldsParser("clb", FieldsParser{Names: clbNames, Parse: elbFieldsParser(clbNames, parseCLB)})
	registerFieldsParser("nlb", FieldsParser{Names: nlbNames, Parse: elbFieldsParser(nlbNames, parseNLB)})
}

// Character classes of the patterns, ASCII only: a byte >= 0x80 is in none
// of them, so a parser that meets one where \w, \d or \s decides gives up.
const (
	elbDigit    = 1 << iota // [0-9], and \d on ASCII
	elbNum                  // [-.0-9]
	elbDigDash              // [-0-9]
	elbWord                 // \w on ASCII: [A-Za-z0-9_]
	elbWordDash             // [\w-] on ASCII
	elbHexIP                // [0-9a-f.:]
	elbCipher               // [()A-Z0-9_-]
	elbProto                // [A-Za-z0-9.-]
	elbVer                  // [0-9\.]
	elbTime                 // [0-9T:-]
	elbNotWS                // ASCII outside Python's \s (\t-\r, \x1c-\x20)
)

var elbClasses = func() (t [256]uint16) {
	set := func(chars string, c uint16) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] |= c
		}
	}
	const digits = "0123456789"
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const lower = "abcdefghijklmnopqrstuvwxyz"
	set(digits, elbDigit)
	set("-."+digits, elbNum)
	set("-"+digits, elbDigDash)
	set(upper+lower+digits+"_", elbWord)
	set(upper+lower+digits+"_-", elbWordDash)
	set(digits+"abcdef.:", elbHexIP)
	set("()"+upper+digits+"_-", elbCipher)
	set(upper+lower+digits+".-", elbProto)
	set(digits+".", elbVer)
	set(digits+"T:-", elbTime)
	for b := 0; b < 0x80; b++ {
		if !(b >= '\t' && b <= '\r') && !(b >= 0x1c && b <= ' ') {
			t[b] |= elbNotWS
		}
	}
	return t
}()

// elbAll reports whether every byte of s is in class c.
func elbAll(s string, c uint16) bool {
	for i := 0; i < len(s); i++ {
		if elbClasses[s[i]]&c == 0 {
			return false
		}
	}
	return true
}

// elbSpan returns the end of the run of class-c bytes starting at s[i].
func elbSpan(s string, i int, c uint16) int {
	for i < len(s) && elbClasses[s[i]]&c != 0 {
		i++
	}
	return i
}

// elbIndex returns the index of the first b in s[i:end], or -1.
func elbIndex(s string, i, end int, b byte) int {
	j := strings.IndexByte(s[i:end], b)
	if j < 0 {
		return -1
	}
	return i + j
}

// elbToken returns the end of the space-free token at s[i], which must be
// followed by a space (-1 when none follows).
func elbToken(s string, i int) int {
	if i > len(s) {
		return -1
	}
	return elbIndex(s, i, len(s), ' ')
}

// elbHostPort splits the token s[i:j], which must match `X:(P)` with P of
// class port and X free (greedy, so the last possible colon) and be
// followed by a space: P is the run of port bytes at the end and the byte
// before it is the separator. It returns the separator's index, or -1.
// With nonEmpty, X and P must not be empty. X is checked by the caller.
func elbHostPort(s string, i, j int, port uint16, seps string, nonEmpty bool) int {
	p := j - 1
	for p >= i && elbClasses[s[p]]&port != 0 {
		p--
	}
	if p < i || strings.IndexByte(seps, s[p]) < 0 {
		return -1
	}
	if nonEmpty && (p == i || p == j-1) {
		return -1
	}
	return p
}

// elbNotWSEnd returns the end of the run of bytes outside Python's \s at s[i],
// or -1 when the run stops at a non-ASCII byte (which may or may not be a
// Unicode space).
func elbNotWSEnd(s string, i int) int {
	w := elbSpan(s, i, elbNotWS)
	if w < len(s) && s[w] >= 0x80 {
		return -1
	}
	return w
}

// elbFields holds a parse before it becomes a map: values and a bit per
// group that did not take part. Nothing is allocated until the line is
// known to be accepted.
type elbFields struct {
	v    [40]string
	null uint64
}

// lineMapExtra is room for the keys the engine adds to a record's top
// level afterwards: the engine sizes its own regex-built maps with
// docExtraKeys (normalize/pipeline.go) and grows any other to that, which
// would copy a map sized exactly.
const lineMapExtra = 20

// elbSlabs box the values of many lines with one allocation per chunk (see
// pyjson.Slab), as the engine does for regex matches; a slab is only ever
// used by one line at a time.
var elbSlabs = sync.Pool{New: func() any { return new(pyjson.Slab) }}

// elbFieldsParser adapts a parser to the flat path's Fields.
func elbFieldsParser(names []string, parse func(string, *elbFields) bool) func(string, *Fields) bool {
	return func(line string, out *Fields) bool {
		var f elbFields
		if !parse(line, &f) {
			return false
		}
		out.Vals = append(out.Vals[:0], f.v[:len(names)]...)
		out.Null = f.null
		return true
	}
}

func (f *elbFields) toMap(names []string) *pyjson.Map {
	m := pyjson.NewMap(len(names) + lineMapExtra)
	sl := elbSlabs.Get().(*pyjson.Slab)
	for i, name := range names {
		if f.null&(1<<i) != 0 {
			m.Set(name, nil)
		} else if v, ok := elbCommon(f.v[i]); ok {
			m.Set(name, v)
		} else {
			m.Set(name, sl.String(f.v[i]))
		}
	}
	elbSlabs.Put(sl)
	return m
}

// elbCommon returns v boxed without allocating when it is one of the values
// that recur on most lines (a constant converts to a static interface).
// The result is the same string either way.
func elbCommon(v string) (any, bool) {
	switch v {
	case "-":
		return "-", true
	case "-1":
		return "-1", true
	case "0":
		return "0", true
	case "1":
		return "1", true
	case "2":
		return "2", true
	case "0.000":
		return "0.000", true
	case "0.001":
		return "0.001", true
	case "0.002":
		return "0.002", true
	case "200":
		return "200", true
	case "204":
		return "204", true
	case "301":
		return "301", true
	case "302":
		return "302", true
	case "304":
		return "304", true
	case "400":
		return "400", true
	case "403":
		return "403", true
	case "404":
		return "404", true
	case "460":
		return "460", true
	case "500":
		return "500", true
	case "502":
		return "502", true
	case "503":
		return "503", true
	case "504":
		return "504", true
	case "80":
		return "80", true
	case "443":
		return "443", true
	case "http":
		return "http", true
	case "https":
		return "https", true
	case "h2":
		return "h2", true
	case "ws":
		return "ws", true
	case "wss":
		return "wss", true
	case "tls":
		return "tls", true
	case "GET":
		return "GET", true
	case "POST":
		return "POST", true
	case "HEAD":
		return "HEAD", true
	case "PUT":
		return "PUT", true
	case "OPTIONS":
		return "OPTIONS", true
	case "1.0":
		return "1.0", true
	case "1.1":
		return "1.1", true
	case "2.0":
		return "2.0", true
	case "forward":
		return "forward", true
	case "waf,forward":
		return "waf,forward", true
	case "redirect":
		return "redirect", true
	case "fixed-response":
		return "fixed-response", true
	case "authenticate,forward":
		return "authenticate,forward", true
	case "TLSv1.2":
		return "TLSv1.2", true
	case "TLSv1.3":
		return "TLSv1.3", true
	case "tlsv12":
		return "tlsv12", true
	case "tlsv13":
		return "tlsv13", true
	case "x25519":
		return "x25519", true
	case "http/1.1":
		return "http/1.1", true
	case "ECDHE-RSA-AES128-GCM-SHA256":
		return "ECDHE-RSA-AES128-GCM-SHA256", true
	case "TLS_AES_128_GCM_SHA256":
		return "TLS_AES_128_GCM_SHA256", true
	case "Acceptable":
		return "Acceptable", true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// ALB

var albNames = []string{
	"request_type", "timestamp", "elb", "client_ip", "client_port",
	"target_ip", "target_port", "request_processing_time",
	"target_processing_time", "response_processing_time", "elb_status_code",
	"target_status_code", "received_bytes", "sent_bytes", "request",
	"http_method", "http_protocol", "http_host", "http_port", "http_path",
	"http_query", "http_version", "useragent", "ssl_cipher", "ssl_protocol",
	"target_group_arn", "trace_id", "domain_name", "chosen_cert_arn",
	"matched_rule_priority", "request_creation_time", "actions_executed",
	"redirect_url", "lambda_error_reason", "target_port_list",
	"target_status_code_list", "classification", "classification_reason",
}

const (
	albClientIP = 3
	albTargetIP = 5
	albFirstNum = 7 // request_processing_time .. sent_bytes
	albRequest  = 14
	albMethod   = 15
	albProtocol = 16
	albHost     = 17
	albPort     = 18
	albPath     = 19
	albQuery    = 20
	albVersion  = 21
	albUA       = 22
	albCipher   = 23
	albTraceID  = 26
	albPriority = 29
	albActions  = 31
	albLambda   = 33
	albPorts    = 34
	albCodes    = 35
	albClass    = 36
	albReason   = 37
)

// parseALBLine is the [alb] log_pattern.
func parseALBLine(s string) (*pyjson.Map, bool) {
	var f elbFields
	if !parseALB(s, &f) {
		return nil, false
	}
	return f.toMap(albNames), true
}

func parseALB(s string, f *elbFields) bool {
	i := 0
	// request_type, timestamp, elb: `[^ ]*` then a space. A class without
	// the space, followed by a space, ends at the next space: forced. The
	// same holds for every `[class]* ` below.
	for k := 0; k < 3; k++ {
		j := elbToken(s, i)
		if j < 0 {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	// `(?P<client_ip>[^ ]*):(?P<client_port>[0-9]*) ` and
	// `(?P<target_ip>[^ ]*)[:-](?P<target_port>[0-9]*) `: within the token
	// the port is the run of digits at its end (any other split leaves a
	// non-digit in the port), so the separator is the last non-digit.
	for k, seps := range [2]string{":", ":-"} {
		j := elbToken(s, i)
		if j < 0 {
			return false
		}
		p := elbHostPort(s, i, j, elbDigit, seps, false)
		if p < 0 {
			return false
		}
		f.v[albClientIP+2*k] = s[i:p]
		f.v[albClientIP+2*k+1] = s[p+1 : j]
		i = j + 1
	}
	// three `[-.0-9]*`, then `(|[-0-9]*)`, `(-|[-0-9]*)` and two
	// `[-0-9]*`: whichever alternative matches, the value is the token.
	for k := albFirstNum; k < albRequest; k++ {
		j := elbToken(s, i)
		if j < 0 {
			return false
		}
		c := uint16(elbNum)
		if k >= albFirstNum+3 {
			c = elbDigDash
		}
		if !elbAll(s[i:j], c) {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	// `"(?P<request>...)" "`: see albRequestParts.
	if i >= len(s) || s[i] != '"' {
		return false
	}
	i++
	q := elbIndex(s, i, len(s), '"')
	if q < 0 || !albRequestParts(s, i, q, f) {
		return false
	}
	f.v[albRequest] = s[i:q]
	if q+2 >= len(s) || s[q+1] != ' ' || s[q+2] != '"' {
		return false
	}
	// `(|(?P<useragent>[^"]+))" `: up to the next quote, absent when empty.
	i = q + 3
	q = elbIndex(s, i, len(s), '"')
	if q < 0 {
		return false
	}
	if q == i {
		f.null |= 1 << albUA
	} else {
		f.v[albUA] = s[i:q]
	}
	i = q + 1
	if i >= len(s) || s[i] != ' ' {
		return false
	}
	i++
	// ssl_cipher `[()A-Z0-9_-]+`, ssl_protocol `[A-Za-z0-9.-]*`,
	// target_group_arn `[^ ]*`.
	for k, c := range [3]uint16{elbCipher, elbProto, 0} {
		j := elbToken(s, i)
		if j < 0 || (k == 0 && j == i) || (c != 0 && !elbAll(s[i:j], c)) {
			return false
		}
		f.v[albCipher+k] = s[i:j]
		i = j + 1
	}
	// trace_id, domain_name, chosen_cert_arn: `"[^"]*" `
	for k := albTraceID; k < albPriority; k++ {
		v, n := elbQuoted(s, i)
		if n < 0 {
			return false
		}
		f.v[k], i = v, n
	}
	// matched_rule_priority `[-.0-9]*`, request_creation_time `[^ ]*`
	for k := albPriority; k < albActions; k++ {
		j := elbToken(s, i)
		if j < 0 || (k == albPriority && !elbAll(s[i:j], elbNum)) {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	// actions_executed, redirect_url: `"[^"]*" `
	for k := albActions; k < albLambda; k++ {
		v, n := elbQuoted(s, i)
		if n < 0 {
			return false
		}
		f.v[k], i = v, n
	}
	// `"(?P<lambda_error_reason>[^ ]*)" "`: the run up to the next space
	// must end in the quote (it may hold quotes before that).
	if i >= len(s) || s[i] != '"' {
		return false
	}
	j := elbToken(s, i+1)
	if j < 0 || j-1 < i+1 || s[j-1] != '"' || j+1 >= len(s) || s[j+1] != '"' {
		return false
	}
	f.v[albLambda] = s[i+1 : j-1]
	i = j + 2
	// `(?P<target_port_list>[^\s]+)" "`: the run of non-spaces must end
	// in the quote and be followed by a plain space.
	w := elbNotWSEnd(s, i)
	if w < 0 || w >= len(s) || s[w] != ' ' || w-1 <= i || s[w-1] != '"' || w+1 >= len(s) || s[w+1] != '"' {
		return false
	}
	f.v[albPorts] = s[i : w-1]
	i = w + 2
	// `(?P<target_status_code_list>[^\s]+)"` and nothing required after
	// it: greedy, so the value runs to the last quote of the run.
	w = elbNotWSEnd(s, i)
	if w < 0 {
		return false
	}
	k := strings.LastIndexByte(s[i:w], '"')
	if k <= 0 {
		return false
	}
	f.v[albCodes] = s[i : i+k]
	// `( "(?P<classification>[^\s]+)" "(?P<classification_reason>[^\s]+)")?`
	// is tried once, right after that quote (a shorter code list is never
	// tried: the match already succeeds without the group).
	p := i + k + 1
	f.null |= 1<<albClass | 1<<albReason
	if p+1 < len(s) && s[p] == ' ' && s[p+1] == '"' {
		a := p + 2
		w2 := elbNotWSEnd(s, a)
		if w2 < 0 {
			return false
		}
		if w2 < len(s) && s[w2] == ' ' && w2-1 > a && s[w2-1] == '"' && w2+1 < len(s) && s[w2+1] == '"' {
			b := w2 + 2
			w3 := elbNotWSEnd(s, b)
			if w3 < 0 {
				return false
			}
			if k3 := strings.LastIndexByte(s[b:w3], '"'); k3 > 0 {
				f.v[albClass] = s[a : w2-1]
				f.v[albReason] = s[b : b+k3]
				f.null &^= 1<<albClass | 1<<albReason
			}
		}
	}
	return true
}

// elbQuoted reads `"[^"]*" ` at s[i]: the value and the index after
// the space, or -1.
func elbQuoted(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '"' {
		return "", -1
	}
	q := elbIndex(s, i+1, len(s), '"')
	if q < 0 || q+1 >= len(s) || s[q+1] != ' ' {
		return "", -1
	}
	return s[i+1 : q], q + 2
}

// albRequestParts fills the sub-groups of the ALB request s[rs:q], where q
// is the first quote after the opening one:
//
//	(-|(?P<http_method>\w+)) (-|(?P<http_protocol>\w*)://\[?(?P<http_host>[^/]+?)\]?:(?P<http_port>\d+)(-|(?P<http_path>/[^?]*?))(\?(?P<http_query>.*?))?) (-?|\w+/(?P<http_version>[0-9\.]*))
//
// followed by `"`. The method is forced (a word run ends at the space).
// The URL ends at a space S after which the version part, which holds no
// space or quote, reaches a quote. Lazy path and query make the regex try
// the possible S in increasing order, and every S before the last space of
// s[rs:q] fails (its version part would contain that space), so S is the
// last space when the rest of the line matches, which the caller checks.
// The host is lazy too and ends at the first colon, given no bracket.
func albRequestParts(s string, rs, q int, f *elbFields) bool {
	m := elbIndex(s, rs, q, ' ')
	if m < 0 {
		return false
	}
	if m == rs+1 && s[rs] == '-' {
		f.null |= 1 << albMethod
	} else {
		if m == rs || !elbAll(s[rs:m], elbWord) {
			return false
		}
		f.v[albMethod] = s[rs:m]
	}
	u := m + 1
	ls := rs + strings.LastIndexByte(s[rs:q], ' ')
	if ls <= u {
		return false
	}
	// version: `-?` (so "-" or "") or `\w+/[0-9.]*`
	if v := s[ls+1 : q]; v == "" || v == "-" {
		f.null |= 1 << albVersion
	} else {
		w := elbSpan(v, 0, elbWord)
		if w == 0 || w >= len(v) || v[w] != '/' || !elbAll(v[w+1:], elbVer) {
			return false
		}
		f.v[albVersion] = v[w+1:]
	}
	// the host class is [^/]; `.*?` in the query does not match a newline
	return elbURL(s, u, ls, f, albURL, "/[]", '\n')
}

// elbURLGroups are the slots of the URL groups of a request pattern.
type elbURLGroups struct{ protocol, host, port, path, query int }

var (
	albURL = elbURLGroups{albProtocol, albHost, albPort, albPath, albQuery}
	clbURL = elbURLGroups{clbProtocol, clbHost, clbPort, clbPath, clbQuery}
)

// elbURL parses the URL part the ALB and CLB request patterns share, in
// s[u:ls]: "-" or `\w*://` host `:` port (`-` or a path) then an optional
// `?query`. hostStop lists the bytes the pattern's host class excludes
// (besides the brackets), queryStop the byte its query cannot hold.
func elbURL(s string, u, ls int, f *elbFields, g elbURLGroups, hostStop string, queryStop byte) bool {
	if s[u] == '-' {
		// `-` then the space: the URL is only "-".
		if ls != u+1 {
			return false
		}
		f.null |= 1<<g.protocol | 1<<g.host | 1<<g.port | 1<<g.path | 1<<g.query
		return true
	}
	// `\w*://`, forced.
	pe := elbSpan(s, u, elbWord)
	if pe+3 > ls || s[pe:pe+3] != "://" {
		return false
	}
	f.v[g.protocol] = s[u:pe]
	// `\[?` then the lazy host class then `\]?:`: without brackets, the
	// first colon.
	hs := pe + 3
	c := elbIndex(s, hs, ls, ':')
	if c <= hs || strings.ContainsAny(s[hs:c], hostStop) {
		return false
	}
	f.v[g.host] = s[hs:c]
	// `\d+` then `-` or `/`: forced.
	pe = elbSpan(s, c+1, elbDigit)
	if pe == c+1 || pe >= ls {
		return false
	}
	f.v[g.port] = s[c+1 : pe]
	qm := -1
	switch s[pe] {
	case '-':
		f.null |= 1 << g.path
		if k := pe + 1; k < ls {
			if s[k] != '?' {
				return false
			}
			qm = k
		}
	case '/':
		// `/[^?]*?` can only end at the first '?' or at the URL's end.
		qm = elbIndex(s, pe, ls, '?')
		if qm < 0 {
			f.v[g.path] = s[pe:ls]
		} else {
			f.v[g.path] = s[pe:qm]
		}
	default:
		return false
	}
	if qm < 0 {
		f.null |= 1 << g.query
	} else {
		if elbIndex(s, qm+1, ls, queryStop) >= 0 {
			return false
		}
		f.v[g.query] = s[qm+1 : ls]
	}
	return true
}

// ---------------------------------------------------------------------------
// CLB

var clbNames = []string{
	"timestamp", "elb", "client_ip", "client_port", "backend_ip",
	"backend_port", "request_processing_time", "backend_processing_time",
	"response_processing_time", "elb_status_code", "backend_status_code",
	"received_bytes", "sent_bytes", "request", "http_method",
	"http_protocol", "http_host", "http_port", "http_path", "http_query",
	"http_version", "useragent", "ssl_cipher", "ssl_protocol",
}

const (
	clbClientIP  = 2
	clbBackendIP = 4
	clbFirstNum  = 6
	clbRequest   = 13
	clbMethod    = 14
	clbProtocol  = 15
	clbHost      = 16
	clbPort      = 17
	clbPath      = 18
	clbQuery     = 19
	clbVersion   = 20
	clbUA        = 21
	clbCipher    = 22
	clbSSLProto  = 23
)

// parseCLBLine is the [clb] log_pattern (which ends in $).
func parseCLBLine(s string) (*pyjson.Map, bool) {
	var f elbFields
	if !parseCLB(s, &f) {
		return nil, false
	}
	return f.toMap(clbNames), true
}

func parseCLB(s string, f *elbFields) bool {
	i := 0
	// timestamp, elb: `[^ ]+ `
	for k := 0; k < 2; k++ {
		j := elbToken(s, i)
		if j <= i {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	// `(?P<client_ip>[0-9a-f.:]+):(?P<client_port>[0-9]+) `: the port is
	// the digits at the end of the token.
	j := elbToken(s, i)
	if j < 0 {
		return false
	}
	p := elbHostPort(s, i, j, elbDigit, ":", true)
	if p < 0 || !elbAll(s[i:p], elbHexIP) {
		return false
	}
	f.v[clbClientIP], f.v[clbClientIP+1] = s[i:p], s[p+1:j]
	i = j + 1
	// `(-|(?P<backend_ip>[0-9a-f.:]+):(?P<backend_port>[-0-9]+)) `
	j = elbToken(s, i)
	if j < 0 {
		return false
	}
	if j == i+1 && s[i] == '-' {
		f.null |= 1<<clbBackendIP | 1<<(clbBackendIP+1)
	} else {
		p = elbHostPort(s, i, j, elbDigDash, ":", true)
		if p < 0 || !elbAll(s[i:p], elbHexIP) {
			return false
		}
		f.v[clbBackendIP], f.v[clbBackendIP+1] = s[i:p], s[p+1:j]
	}
	i = j + 1
	// seven `[0-9\.-]+ `
	for k := clbFirstNum; k < clbRequest; k++ {
		j := elbToken(s, i)
		if j <= i || !elbAll(s[i:j], elbNum) {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	if i >= len(s) || s[i] != '"' {
		return false
	}
	i++
	q := elbIndex(s, i, len(s), '"')
	if q < 0 || !clbRequestParts(s, i, q, f) {
		return false
	}
	f.v[clbRequest] = s[i:q]
	// ` (-|"(|(?P<useragent>.+))") (?P<ssl_cipher>[^ ]+) (?P<ssl_protocol>[^ ]+)$`:
	// the last two tokens are fixed by the end of the line; the user
	// agent (`.+`, greedy) is what lies between.
	if q+2 >= len(s) || s[q+1] != ' ' {
		return false
	}
	u := q + 2
	l1 := strings.LastIndexByte(s, ' ')
	if l1 < u || l1 == len(s)-1 {
		return false
	}
	l2 := strings.LastIndexByte(s[:l1], ' ')
	if l2 <= u || l2 == l1-1 {
		return false
	}
	switch s[u] {
	case '-':
		if l2 != u+1 {
			return false
		}
		f.null |= 1 << clbUA
	case '"':
		if s[u+1] == '"' && l2 == u+2 {
			f.null |= 1 << clbUA
			break
		}
		if l2-1 <= u+1 || s[l2-1] != '"' || elbIndex(s, u+1, l2-1, '\n') >= 0 {
			return false
		}
		f.v[clbUA] = s[u+1 : l2-1]
	default:
		return false
	}
	f.v[clbCipher] = s[l2+1 : l1]
	f.v[clbSSLProto] = s[l1+1:]
	return true
}

// clbRequestParts fills the sub-groups of the CLB request s[rs:q]:
//
//	(-|(?P<http_method>[\w-]+)) (-|(?P<http_protocol>\w*)://\[?(?P<http_host>[^\[\]]+?)\]?:(?P<http_port>\d+)(-|(?P<http_path>/[^?]*?))(\?(?P<http_query>[^ ]*))?) (- |-|\w+/(?P<http_version>[0-9\.]*))
//
// As for ALB the URL ends at the first space S from which the version part
// reaches the quote; here that part may be "- ", so S is the space of a
// trailing " - " or else the last space. The query, `[^ ]*`, must run to S.
func clbRequestParts(s string, rs, q int, f *elbFields) bool {
	m := elbIndex(s, rs, q, ' ')
	if m <= rs {
		return false
	}
	if m == rs+1 && s[rs] == '-' {
		f.null |= 1 << clbMethod
	} else {
		if !elbAll(s[rs:m], elbWordDash) {
			return false
		}
		f.v[clbMethod] = s[rs:m]
	}
	u := m + 1
	var ls int
	if q-rs >= 3 && s[q-3:q] == " - " {
		ls = q - 3
		f.null |= 1 << clbVersion
	} else {
		ls = rs + strings.LastIndexByte(s[rs:q], ' ')
		if v := s[ls+1 : q]; v == "-" {
			f.null |= 1 << clbVersion
		} else {
			w := elbSpan(v, 0, elbWord)
			if w == 0 || w >= len(v) || v[w] != '/' || !elbAll(v[w+1:], elbVer) {
				return false
			}
			f.v[clbVersion] = v[w+1:]
		}
	}
	if ls <= u {
		return false
	}
	return elbURL(s, u, ls, f, clbURL, "[]", ' ')
}

// ---------------------------------------------------------------------------
// NLB

var nlbNames = []string{
	"listener_type", "log_entry_version", "timestamp", "elb", "listener",
	"client_ip", "client_port", "destination_ip", "destination_port",
	"connection_time", "tls_handshake_time", "received_bytes", "sent_bytes",
	"incoming_tls_alert", "chosen_cert_arn", "chosen_cert_serial",
	"tls_cipher", "tls_protocol_version", "tls_named_group", "domain_name",
	"alpn_fe_protocol", "alpn_be_protocol", "alpn_client_preference_list",
	"tls_connection_creation_time",
}

const (
	nlbClientIP   = 5
	nlbDestIP     = 7
	nlbConnTime   = 9
	nlbHandshake  = 10
	nlbReceived   = 11
	nlbSent       = 12
	nlbFirstOpt   = 13 // incoming_tls_alert .. alpn_be_protocol
	nlbClientPref = 22
	nlbCreation   = 23
)

// parseNLBLine is the [nlb] log_pattern.
func parseNLBLine(s string) (*pyjson.Map, bool) {
	var f elbFields
	if !parseNLB(s, &f) {
		return nil, false
	}
	return f.toMap(nlbNames), true
}

func parseNLB(s string, f *elbFields) bool {
	i := 0
	// five `[^ ]+ `
	for k := 0; k < nlbClientIP; k++ {
		j := elbToken(s, i)
		if j <= i {
			return false
		}
		f.v[k] = s[i:j]
		i = j + 1
	}
	// `(?P<client_ip>[0-9a-f.:]+):(?P<client_port>[0-9]+) ` and
	// `(?P<destination_ip>[^ ]+):(?P<destination_port>[0-9]+) `
	for k := 0; k < 2; k++ {
		j := elbToken(s, i)
		if j < 0 {
			return false
		}
		p := elbHostPort(s, i, j, elbDigit, ":", true)
		if p < 0 || (k == 0 && !elbAll(s[i:p], elbHexIP)) {
			return false
		}
		f.v[nlbClientIP+2*k], f.v[nlbClientIP+2*k+1] = s[i:p], s[p+1:j]
		i = j + 1
	}
	// connection_time `[0-9]+`, tls_handshake_time `(-|[0-9]+)`,
	// received_bytes `(-|[-0-9]+)`, sent_bytes `[-0-9]+`; a lone "-"
	// takes the first alternative.
	for k, c := range [4]uint16{elbDigit, elbDigit, elbDigDash, elbDigDash} {
		j := elbToken(s, i)
		if j <= i {
			return false
		}
		t := s[i:j]
		if (k == 1 || k == 2) && t == "-" {
			f.null |= 1 << (nlbConnTime + k)
		} else if !elbAll(t, c) {
			return false
		} else {
			f.v[nlbConnTime+k] = t
		}
		i = j + 1
	}
	// nine `(-|(?P<x>[^ ]+)) `
	for k := nlbFirstOpt; k < nlbClientPref; k++ {
		j := elbToken(s, i)
		if j <= i {
			return false
		}
		if j == i+1 && s[i] == '-' {
			f.null |= 1 << k
		} else {
			f.v[k] = s[i:j]
		}
		i = j + 1
	}
	// `(-|(?P<alpn_client_preference_list>[^ ]+))` and nothing required
	// after it: a leading '-' is taken alone; otherwise the whole token.
	var p int
	switch {
	case i >= len(s) || s[i] == ' ':
		return false
	case s[i] == '-':
		f.null |= 1 << nlbClientPref
		p = i + 1
	default:
		p = len(s)
		if j := elbIndex(s, i, len(s), ' '); j >= 0 {
			p = j
		}
		f.v[nlbClientPref] = s[i:p]
	}
	// `( (?P<tls_connection_creation_time>20[0-9T:-]+))?`, tried once.
	if p+4 <= len(s) && s[p] == ' ' && s[p+1] == '2' && s[p+2] == '0' && elbClasses[s[p+3]]&elbTime != 0 {
		f.v[nlbCreation] = s[p+1 : elbSpan(s, p+3, elbTime)]
	} else {
		f.null |= 1 << nlbCreation
	}
	return true
}
