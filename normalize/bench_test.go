package normalize_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
)

// The benchmarks measure the full path of the CLI and the shells: a
// compressed object in, bulk body bytes (action line + document) out, on
// one goroutine. Run with -cpu 1; records/s is reported per op.

func bulkSink(buf *bytes.Buffer) normalize.Emit {
	return func(d normalize.Document) error {
		buf.Reset() // keep memory flat: the bytes were produced, that is the cost
		buf.WriteString(`{"index":{"_index":"`)
		buf.WriteString(d.Index)
		buf.WriteString(`","_id":"`)
		buf.WriteString(d.ID)
		buf.WriteString("\"}}\n")
		buf.Write(d.Source)
		buf.WriteByte('\n')
		return nil
	}
}

// cliGCPercent is the GOGC the siemloader CLI runs with unless the
// environment sets one (cmd/siemloader/main.go): the benchmarks measure
// the CLI's path, so they collect as often as it does.
const cliGCPercent = 400

func benchObject(b *testing.B, key string, body []byte, records int) {
	benchWith(b, newNormalizer(b, ""), key, body, records)
}

// benchObjectGeoIP is benchObject with GeoIP on (the shared test
// databases: small, so lookups cost less than with GeoLite2's).
func benchObjectGeoIP(b *testing.B, key string, body []byte, records int) {
	shared := sharedDir(b)
	cfg := newNormalizer(b, "").Config()
	n := normalize.New(cfg, normalize.Options{Now: func() time.Time { return goldenNow }, GeoIP: goldenGeoIP(b, shared)})
	benchWith(b, n, key, body, records)
}

func benchWith(b *testing.B, n *normalize.Normalizer, key string, body []byte, records int) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(cliGCPercent))
	}
	var buf bytes.Buffer
	sink := bulkSink(&buf)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: key}, bytes.NewReader(body), sink)
		if err != nil || res.Documents != records {
			b.Fatalf("documents %d of %d, err %v, result %+v", res.Documents, records, err, res)
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// realistic CloudTrail records of several shapes
var ctShapes = []string{
	`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID:session-%d","arn":"arn:aws:sts::123456789012:assumed-role/Admin/session-%d","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE%d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"},"attributes":{"creationDate":"2024-05-20T09:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-20T10:%02d:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d","userAgent":"aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{},"maxResults":100},"responseElements":null,"requestID":"req-%d","eventID":"3f2b6c1e-0000-4000-8000-%012d","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE%d","arn":"arn:aws:iam::123456789012:user/alice%d","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE%d","userName":"alice"},"eventTime":"2024-05-20T11:%02d:30Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"[Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.6]","errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"bucketName":"example-bucket","Host":"example-bucket.s3.us-east-1.amazonaws.com","key":"reports/%d.csv"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"abc","bytesTransferredOut":243},"requestID":"R%d","eventID":"9a1c2d3e-0000-4000-8000-%012d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-bucket/reports/x.csv"},{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-bucket"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}`,
}

func cloudTrailObject(records int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"Records":[`)
	for i := 0; i < records; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		shape := ctShapes[i%len(ctShapes)]
		if i%len(ctShapes) == 0 {
			fmt.Fprintf(&sb, shape, i, i, i, i%60, i%250+1, i, i)
		} else {
			fmt.Fprintf(&sb, shape, i, i, i, i%60, i%250+1, i, i, i)
		}
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

func BenchmarkCloudTrailObject(b *testing.B) {
	const n = 2000
	benchObject(b, ctKey, gz(b, string(cloudTrailObject(n))), n)
}

func BenchmarkCloudTrailObjectGeoIP(b *testing.B) {
	const n = 2000
	benchObjectGeoIP(b, ctKey, gz(b, string(cloudTrailObject(n))), n)
}

const vpcKey = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_abcd.log.gz"

func vpcFlowObject(lines int) []byte {
	var sb strings.Builder
	sb.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for i := 0; i < lines; i++ {
		action := "ACCEPT"
		if i%7 == 0 {
			action = "REJECT"
		}
		fmt.Fprintf(&sb, "2 123456789012 eni-0a1b2c3d4e5f%05d 10.0.%d.%d 203.0.113.%d %d 443 6 %d %d 1716163200 1716163260 %s OK\n",
			i%100000, i%250, i%200+1, i%250+1, 1024+i%60000, i%90+1, (i%90+1)*60, action)
	}
	return []byte(sb.String())
}

func BenchmarkVPCFlowObject(b *testing.B) {
	const n = 20000
	benchObject(b, vpcKey, gz(b, string(vpcFlowObject(n))), n)
}

func BenchmarkVPCFlowObjectGeoIP(b *testing.B) {
	const n = 20000
	benchObjectGeoIP(b, vpcKey, gz(b, string(vpcFlowObject(n))), n)
}

const albKey = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/05/20/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20240520T1000Z_10.0.0.1_abcdefgh.log.gz"

func albObject(lines int) []byte {
	var sb strings.Builder
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&sb, `https 2024-05-20T10:%02d:%02d.%06dZ app/my-loadbalancer/50dc6c495c0c9188 198.51.100.%d:%d 10.0.0.%d:80 0.001 0.%03d 0.000 200 200 %d %d "GET https://www.example.com:443/api/items/%d?page=%d HTTP/1.1" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2024-05-20T10:%02d:%02d.%06dZ "forward" "-" "-" "10.0.0.%d:80" "200" "-" "-"`+"\n",
			i%60, i%60, i, i%250+1, 1024+i%60000, i%250+1, i%1000, 200+i%500, 1000+i%9000, i, i%10, i%60, i%60, i, i%250+1)
	}
	return []byte(sb.String())
}

func BenchmarkALBObject(b *testing.B) {
	const n = 20000
	benchObject(b, albKey, gz(b, string(albObject(n))), n)
}

func BenchmarkALBObjectGeoIP(b *testing.B) {
	const n = 20000
	benchObjectGeoIP(b, albKey, gz(b, string(albObject(n))), n)
}

// ctStream produces a CloudTrail object of the given uncompressed size
// without holding it in memory.
type ctStream struct {
	remaining int64
	i         int
	buf       []byte
	started   bool
	closed    bool
}

func (s *ctStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case !s.started:
			s.started = true
			s.buf = []byte(`{"Records":[`)
		case s.remaining > 0:
			shape := ctShapes[0]
			rec := fmt.Sprintf(shape, s.i, s.i, s.i, s.i%60, s.i%250+1, s.i, s.i)
			if s.i > 0 {
				rec = "," + rec
			}
			s.i++
			s.remaining -= int64(len(rec))
			s.buf = []byte(rec)
		case !s.closed:
			s.closed = true
			s.buf = []byte(`]}`)
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// peakRSSMiB reads the process's high-water mark of resident memory.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkCloudTrail1GB streams a 1 GB (uncompressed) CloudTrail object
// and reports the process's peak RSS: memory must not grow with the
// object. Run it alone (-bench CloudTrail1GB) for a meaningful peak.
func BenchmarkCloudTrail1GB(b *testing.B) {
	n := newNormalizer(b, "")
	var buf bytes.Buffer
	sink := bulkSink(&buf)
	const size = 1 << 30
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		s := &ctStream{remaining: size}
		res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: ctKey}, s, sink)
		if err != nil || res.Documents != s.i || res.ErrorCount() != 0 {
			b.Fatalf("documents %d of %d, err %v, %+v", res.Documents, s.i, err, res)
		}
	}
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// The enrichment benchmarks add to the full path GeoIP (the shared test
// databases), user-agent parsing and a million threat-intel indicators,
// a few of which the objects' addresses match.
var (
	bigIoCOnce sync.Once
	bigIoC     *enrich.IoC
)

func millionIndicators(b *testing.B) *enrich.IoC {
	bigIoCOnce.Do(func() {
		dir, err := os.MkdirTemp("", "siemloader-ioc")
		if err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "IOC", "TXT", "bench", "million.txt")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		for i := 0; i < 1_000_000; i++ {
			// public addresses spread over the space, every 50th a /24
			a, c := 11+i%200, (i/200)%256
			if i%50 == 0 {
				fmt.Fprintf(&sb, "%d.%d.%d.0/24\n", a, (i/51200)%256, c)
			} else {
				fmt.Fprintf(&sb, "%d.%d.%d.%d\n", a, (i/51200)%256, c, 1+i%254)
			}
		}
		sb.WriteString("203.0.113.0/24\n198.51.100.0/24\n")
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		ioc, _, err := enrich.LoadIoC(dir)
		if err != nil {
			b.Fatal(err)
		}
		bigIoC = ioc
	})
	return bigIoC
}

func benchObjectEnriched(b *testing.B, key string, body []byte, records int) {
	shared := sharedDir(b)
	cfg := newNormalizer(b, "").Config()
	n := normalize.New(cfg, normalize.Options{Now: func() time.Time { return goldenNow },
		GeoIP: goldenGeoIP(b, shared), UserAgent: enrich.NewUserAgentParser(10000), IoC: millionIndicators(b)})
	benchWith(b, n, key, body, records)
}

func BenchmarkCloudTrailObjectEnriched(b *testing.B) {
	const n = 2000
	benchObjectEnriched(b, ctKey, gz(b, string(cloudTrailObject(n))), n)
}

func BenchmarkVPCFlowObjectEnriched(b *testing.B) {
	const n = 20000
	benchObjectEnriched(b, vpcKey, gz(b, string(vpcFlowObject(n))), n)
}

func BenchmarkALBObjectEnriched(b *testing.B) {
	const n = 20000
	benchObjectEnriched(b, albKey, gz(b, string(albObject(n))), n)
}
