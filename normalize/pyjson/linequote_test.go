package pyjson

import (
	"math/rand"
	"strings"
	"testing"
)

// LineQuoter must write what AppendQuoted writes for the line, for every
// substring of it and for strings from elsewhere.
func TestLineQuoterMatchesAppendQuoted(t *testing.T) {
	lines := []string{
		"",
		"plain line of a log",
		`h2 2024-05-20T10:00:00Z "GET https://x/ HTTP/2.0" "curl/8" "-" "10.0.0.1:80 10.0.0.2:80"`,
		"tab\there and a \\ backslash and \x01 control and DEL \x7f " + strings.Repeat("x", 130) + `"`,
		"non-ASCII é in the line \"quoted\"",
		"bad byte \xff in the line",
	}
	rng := rand.New(rand.NewSource(1))
	var q LineQuoter
	for _, line := range lines {
		q.Reset(line)
		check := func(s string) {
			got := string(q.Append([]byte("x"), s))
			if want := string(AppendQuoted([]byte("x"), s)); got != want {
				t.Fatalf("line %q, value %q: %s, want %s", line, s, got, want)
			}
		}
		check(line)
		check("elsewhere \"quoted\"")
		for i := 0; i <= len(line); i++ {
			for j := i; j <= len(line); j++ {
				if rng.Intn(4) == 0 || len(line) < 40 {
					check(line[i:j])
				}
			}
		}
	}
}

func FuzzLineQuoter(f *testing.F) {
	f.Add("a \"b\" \\ c\t", 2, 7)
	f.Add("é\"", 0, 3)
	f.Fuzz(func(t *testing.T, line string, i, j int) {
		var q LineQuoter
		q.Reset(line)
		if i < 0 || j < i || j > len(line) {
			i, j = 0, len(line)
		}
		s := line[i:j]
		if got, want := string(q.Append(nil, s)), string(AppendQuoted(nil, s)); got != want {
			t.Fatalf("%q[%d:%d]: %s, want %s", line, i, j, got, want)
		}
	})
}

func BenchmarkLineQuoter(b *testing.B) {
	line := `https 2024-05-20T10:01:01.000001Z app/my-loadbalancer/50dc6c495c0c9188 198.51.100.2:1025 10.0.0.2:80 0.001 0.001 0.000 200 200 201 1001 "GET https://www.example.com:443/api/items/1?page=1 HTTP/1.1" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "www.example.com"`
	fields := strings.Fields(line)
	var q LineQuoter
	var dst []byte
	b.Run("LineQuoter", func(b *testing.B) {
		for b.Loop() {
			q.Reset(line)
			dst = q.Append(dst[:0], line)
			for _, f := range fields {
				dst = q.Append(dst, f)
			}
		}
	})
	b.Run("AppendQuoted", func(b *testing.B) {
		for b.Loop() {
			dst = AppendQuoted(dst[:0], line)
			for _, f := range fields {
				dst = AppendQuoted(dst, f)
			}
		}
	})
}
