package exclude

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

// A CloudTrail document checked against what a typical deployment has:
// two conditions and two patterns for the type, none matching.
const benchRecord = `{"eventVersion": "1.08", "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:session", "arn": "arn:aws:sts::123456789012:assumed-role/Admin/session", "accountId": "123456789012", "sessionContext": {"attributes": {"creationDate": "2024-06-01T00:00:00Z", "mfaAuthenticated": "false"}}}, "eventTime": "2024-06-01T00:00:01Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.30", "requestParameters": {"bucketName": "logs", "key": "a/b.gz"}, "responseElements": null, "eventID": "5a9e3b1c-0000-4000-8000-000000000000", "readOnly": true, "eventType": "AwsApiCall", "recipientAccountId": "123456789012", "source": {"ip": "198.51.100.7"}, "event": {"module": "cloudtrail", "action": "GetObject"}, "@timestamp": "2024-06-01T00:00:01+00:00"}`

func benchFilter(b *testing.B) *Filter {
	pats, problems, err := ParsePatterns("b.csv", strings.NewReader("log_type,field,pattern,pattern_type,comment\n"+
		"cloudtrail,userIdentity.invokedBy,.*\\.amazonaws\\.com,regex,\n"+
		"cloudtrail,sourceIPAddress,192.0.2.10,text,\n"))
	if err != nil || len(problems) > 0 {
		b.Fatal(err, problems)
	}
	conds, problems := ParseConditions("b.jsonl", strings.NewReader(
		`{"cloudtrail/describe": {"action": "EXCLUDE", "expression": "starts_with(eventName, 'Describe') && userIdentity.type == 'AWSService'"}}`+"\n"+
			`{"cloudtrail/root": {"action": "COUNT", "expression": "userIdentity.type == `+"`Root`"+`"}}`+"\n"))
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	f, _ := NewFilter(pats, conds, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return f
}

// BenchmarkExclusionCheck is the final check of one document (conditions,
// then patterns).
func BenchmarkExclusionCheck(b *testing.B) {
	f := benchFilter(b)
	rec := doc(b, benchRecord)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d := f.Check("cloudtrail", rec); d.Action != None {
			b.Fatal(d)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkExclusionCheckRaw is the first check (patterns only), and
// BenchmarkExclusionUnconfigured a type without rules.
func BenchmarkExclusionCheckRaw(b *testing.B) {
	f := benchFilter(b)
	rec := doc(b, benchRecord)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.CheckRaw("cloudtrail", rec)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkExclusionUnconfigured(b *testing.B) {
	f := benchFilter(b)
	rec := doc(b, benchRecord)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Check("vpcflowlogs", rec)
	}
}
