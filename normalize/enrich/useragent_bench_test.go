package enrich

import (
	"strconv"
	"strings"
	"testing"
)

var benchUAs = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.ls",
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"ec2.amazonaws.com",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
}

// BenchmarkUserAgentCold parses user agents never seen before: the full
// uap-core regex scan for browser, OS and device.
func BenchmarkUserAgentCold(b *testing.B) {
	p := NewUserAgentParser(0)
	p.fields("warm up the regexes")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// a new patch number each time defeats every cache, as new SDK
		// and browser releases do
		ua := strings.Replace(benchUAs[i%len(benchUAs)], ".", "."+strconv.Itoa(i), 1)
		if i%1024 == 0 {
			p.cache.init(1024) // keep ours from growing
		}
		p.fields(ua)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "user-agents/s")
}

// BenchmarkUserAgentCached is the usual case: a document whose user agent
// was parsed before.
func BenchmarkUserAgentCached(b *testing.B) {
	p := NewUserAgentParser(0)
	docs := make([]string, len(benchUAs))
	copy(docs, benchUAs)
	for _, ua := range docs {
		p.fields(ua)
	}
	doc := mustDoc(b, `{"user_agent": {"original": ""}}`)
	ua, _ := doc.Get("user_agent")
	m := ua.(interface{ Set(string, any) })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Set("original", docs[i%len(docs)])
		p.Enrich(doc, "user_agent")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
