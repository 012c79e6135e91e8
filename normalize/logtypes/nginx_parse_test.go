package logtypes

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The nginx parser must give the regex's groups whenever it answers (see
// elb_parse_test.go for the same discipline on the ELB parsers).

var nginxTricky = []string{
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /index.html HTTP/1.1" 200 612 "https://a/" "curl/8.0" "198.51.100.1, 10.0.0.1"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /index.html HTTP/1.1" 304 - "-" "" "-"`,
	`2001:db8::1 - - [20/May/2024:13:20:05 +0000] "-" 400 0 "-" "-"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "\x16\x03\x01" 400 157 "-" "-"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /a HTTP/1.1 HTTP/1.0" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /a"b HTTP/1.1" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET  HTTP/1.1" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET HTTP/1.1" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1"x" 200 1 "-" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "" "x"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "-x" "y" "z`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b" "-" "c"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b" "c" "d"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b`,
	`192.0.2.1 - - [] "] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 - bob [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 x - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 20 1 "a" "b"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 -1 "a" "b"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200  "a" "b"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 5 "a" "b HTTP/1.1" 200 5 "c" "d"`,
	` 192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 5 "a" "b"`,
	`zz - - [x] "-" 200 5 "a" "b"`,
	`192.0.2.1 - bob smith [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 -  [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 - x [a [20/May/2024:13:20:05 +0000] "GET /x HTTP/1.1" 200 1 "a" "b"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "" 400 0 "-" "-"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "junk"more" 400 0 "-" "-"`,
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "junk 400 0 "-" "-"`,
}

// nginxSampleLines are the nginx access lines of the shared samples and the
// bundled CloudWatch Logs examples.
func nginxSampleLines(t testing.TB) []string {
	var lines []string
	files, _ := filepath.Glob("../../../shared/samples/nginx-access/AWSLogs/*/EC2/nginx/access/*/*/*/*/*.log")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	files, _ = filepath.Glob("../../../main/examples/samples/AWSLogs/*/EC2/Nginx/access/*/*/*/*/*")
	more, _ := filepath.Glob("../../examples/samples/AWSLogs/*/EC2/Nginx/access/*/*/*/*/*")
	for _, f := range append(files, more...) {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var env struct{ LogEvents []struct{ Message string } }
			if json.Unmarshal(sc.Bytes(), &env) == nil {
				for _, e := range env.LogEvents {
					lines = append(lines, e.Message)
				}
			}
		}
		fh.Close()
	}
	return lines
}

func checkNginx(t testing.TB, line string) (fast bool) {
	t.Helper()
	want, matched := regexFields(builtinPattern(t, "nginx-access"), line)
	got, ok := parseNginxAccessLine(line)
	if !ok {
		return false
	}
	if !matched {
		t.Fatalf("the parser accepts a line the regex refuses: %q", line)
	}
	if d := mapDiff(got, want); d != "" {
		t.Fatalf("%q: %s", line, d)
	}
	return true
}

func TestNginxAccessParserAgreesWithTheRegex(t *testing.T) {
	fast := 0
	for _, l := range nginxTricky {
		if checkNginx(t, l) {
			fast++
		}
	}
	if fast < 10 {
		t.Errorf("only %d of the tricky lines took the fast path", fast)
	}
	samples := nginxSampleLines(t)
	if len(samples) == 0 {
		t.Fatal("no nginx sample lines")
	}
	fast, matched := 0, 0
	for _, l := range samples {
		if _, ok := regexFields(builtinPattern(t, "nginx-access"), l); ok {
			matched++
		}
		if checkNginx(t, l) {
			fast++
		}
	}
	if fast*100 < 95*matched {
		t.Errorf("the fast path takes %d of the %d sample lines the regex matches, want ≥ 95 %%", fast, matched)
	}
}

func FuzzNginxAccessParser(f *testing.F) {
	for _, l := range nginxTricky {
		f.Add(l)
	}
	for _, l := range nginxSampleLines(f) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") {
			return // lines never hold one
		}
		checkNginx(t, line)
	})
}

func BenchmarkNginxAccessParser(b *testing.B) {
	line := nginxTricky[1]
	p := builtinPattern(b, "nginx-access")
	b.Run("parser", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			parseNginxAccessLine(line)
		}
	})
	b.Run("regex", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			regexFields(p, line)
		}
	})
}
