package normalize_test

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
)

func newNormalizer(t testing.TB, userINI string) *normalize.Normalizer {
	t.Helper()
	var cfg *conf.Config
	var err error
	if userINI == "" {
		cfg, err = conf.Load()
	} else {
		f, perr := conf.ParseBytes([]byte(userINI))
		if perr != nil {
			t.Fatal(perr)
		}
		cfg, err = conf.Build(f)
	}
	if err != nil {
		t.Fatal(err)
	}
	return normalize.New(cfg, normalize.Options{Now: func() time.Time { return goldenNow }})
}

type collected struct {
	docs []normalize.Document
}

func (c *collected) emit(d normalize.Document) error {
	d.Source = append([]byte(nil), d.Source...) // only valid during the call
	c.docs = append(c.docs, d)
	return nil
}

func (c *collected) source(t *testing.T, i int) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.docs[i].Source, &m); err != nil {
		t.Fatalf("document %d is not JSON: %v", i, err)
	}
	return m
}

func process(t *testing.T, n *normalize.Normalizer, key string, body []byte) (*normalize.Result, *collected) {
	t.Helper()
	var c collected
	res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: key}, bytes.NewReader(body), c.emit)
	if err != nil {
		t.Fatal(err)
	}
	return res, &c
}

func gz(t testing.TB, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

const ctKey = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/20/123456789012_CloudTrail_us-east-1_20240520T0000Z_abc.json.gz"

const ctRecord = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","userName":"alice"},"eventTime":"2024-05-20T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"eventID":"ev-%d","recipientAccountId":"123456789012"}`

func ctRecords(n int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, strings.Replace(ctRecord, "%d", string(rune('a'+i%26))+strings.Repeat("x", i/26), 1))
	}
	return `{"Records":[` + strings.Join(parts, ",") + `]}`
}

func TestCloudTrailObject(t *testing.T) {
	n := newNormalizer(t, "")
	res, c := process(t, n, ctKey, gz(t, ctRecords(3)))
	if res.LogType != "cloudtrail" || res.Documents != 3 || res.ErrorCount() != 0 {
		t.Fatalf("result %+v", res)
	}
	d := c.docs[0]
	if d.Index != "log-aws-cloudtrail-2024-05" || d.ID != "ev-a" {
		t.Errorf("index %s id %s", d.Index, d.ID)
	}
	src := c.source(t, 0)
	if src["@timestamp"] != "2024-05-20T10:00:00+00:00" {
		t.Errorf("@timestamp %v", src["@timestamp"])
	}
	if !strings.HasPrefix(src["@message"].(string), `{"eventVersion": "1.08", "userIdentity": {"type": "IAMUser"`) {
		t.Errorf("@message must be Python's json.dumps of the record: %v", src["@message"])
	}
	if _, ok := src["requestParameters"]; ok {
		t.Error("null values are cleaned up")
	}
	src0 := src["source"].(map[string]any)
	if src0["ip"] != "198.51.100.7" {
		t.Errorf("source.ip %v", src0["ip"])
	}
	cloud := src["cloud"].(map[string]any)
	if cloud["provider"] != "aws" || cloud["region"] != "us-east-1" {
		t.Errorf("cloud %v", cloud)
	}
}

func TestBadInputKeepsTheRest(t *testing.T) {
	n := newNormalizer(t, "")
	wafKey := "AWSLogs/123456789012/WAFLogs/us-east-1/acl/2024/05/20/10/00/123456789012_waflogs_us-east-1_acl_20240520T1000Z_ab12.log"
	good := `{"timestamp":1716199200000,"action":"ALLOW","terminatingRuleId":"Default_Action","webaclId":"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/1","httpRequest":{"clientIp":"198.51.100.7","httpMethod":"GET","uri":"/","headers":[{"name":"Host","value":"example.com"}]}}`
	cases := []struct {
		name      string
		body      []byte
		docs      int
		errReason string
	}{
		{"invalid JSON line", []byte(good + "\n{\"timestamp\": oops}\n" + good + "\n"), 2, "invalid JSON"},
		{"not an object", []byte(good + "\n[1,2]\n" + good + "\n"), 2, "JSON value is not an object"},
		{"missing timestamp", []byte(good + "\n{\"action\":\"ALLOW\"}\n"), 1, "no timestamp"},
		{"truncated gzip", gz(t, good+"\n"+good+"\n"+good+"\n")[:60], 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, c := process(t, n, wafKey, tc.body)
			if len(c.docs) != tc.docs {
				t.Errorf("docs %d, want %d (result %+v)", len(c.docs), tc.docs, res)
			}
			if tc.errReason != "" && res.Errors[tc.errReason] == 0 {
				t.Errorf("want error %q counted, got %v", tc.errReason, res.Errors)
			}
			if tc.name == "truncated gzip" && res.Fatal == "" {
				t.Errorf("a truncated gzip must be reported: %+v", res)
			}
		})
	}
}

func TestSkippedObjects(t *testing.T) {
	n := newNormalizer(t, "")
	for _, tc := range []struct{ key, body, want string }{
		{"AWSLogs/123456789012/unknown/thing.log", "some text that is long enough", "unknown log type"},
		{"AWSLogs/123456789012/CloudTrail/", "", "the S3 key is a folder"},
		{ctKey, "{}", "object is smaller than 20 bytes"},
	} {
		res, c := process(t, n, tc.key, []byte(tc.body))
		if res.Skipped != tc.want || len(c.docs) != 0 {
			t.Errorf("%s: skipped %q, want %q", tc.key, res.Skipped, tc.want)
		}
	}
	res, _ := process(t, n, ctKey, []byte("\x00\x01\x02binary garbage that is not a log at all"))
	if res.Fatal == "" {
		t.Errorf("binary garbage must be reported: %+v", res)
	}
}

func TestTextLineErrorsAreCounted(t *testing.T) {
	n := newNormalizer(t, "")
	key := "AWSLogs/123456789012/elasticloadbalancing/us-west-2/2015/05/13/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20150513T2340Z_10.0.0.1_kjfdcsds.log"
	good := `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2`
	res, c := process(t, n, key, []byte(good+"\nthis is not an ELB line\n\n"+good+"\n"))
	if len(c.docs) != 2 || res.Errors["line does not match log_pattern"] != 1 {
		t.Fatalf("docs %d errors %v", len(c.docs), res.Errors)
	}
	src := c.source(t, 0)
	if src["url"].(map[string]any)["full"] != "https://www.example.com:443/" {
		t.Errorf("url %v", src["url"])
	}
}

func TestVPCFlowLastLineIsKept(t *testing.T) {
	n := newNormalizer(t, "")
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_abcd.log"
	body := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		"2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1716163200 1716163260 ACCEPT OK\n" +
		"2 123456789012 eni-1 10.0.0.3 10.0.0.4 53 49153 17 1 76 1716163200 1716163260 REJECT OK"
	res, c := process(t, n, key, []byte(body))
	if res.Documents != 2 {
		t.Fatalf("es-loader drops the last line; siemloader must not: %+v", res)
	}
	src := c.source(t, 1)
	if src["event"].(map[string]any)["outcome"] != "failure" || src["network"].(map[string]any)["transport"] != "udp" {
		t.Errorf("doc %v", src)
	}
	if c.docs[1].Index != "log-aws-vpcflowlogs-2024-05" {
		t.Errorf("index %s", c.docs[1].Index)
	}
}

func TestOwnLogsAreExcluded(t *testing.T) {
	n := newNormalizer(t, "")
	rec := strings.Replace(ctRecord, `"userAgent":"Mozilla/5.0"`, `"userAgent":"aws-sdk-go siem-es-loader/2.10.4"`, 1)
	rec = strings.Replace(rec, "%d", "own", 1)
	res, c := process(t, n, ctKey, []byte(`{"Records":[`+rec+`]}`))
	if len(c.docs) != 0 || res.ExcludedCount() != 1 {
		t.Errorf("own log not excluded: %+v", res)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestALBRetriesAreKept(t *testing.T) {
	n := newNormalizer(t, "")
	line := `https 2024-05-20T10:00:00.000000Z app/my-lb/50dc6c495c0c9188 198.51.100.7:50000 10.0.0.2:80 0.001 0.020 0.000 200 200 100 200 "GET https://www.example.com:443/api HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "www.example.com" "-" 0 2024-05-20T10:00:00.000000Z "forward" "-" "-" "10.0.0.1:80 10.0.0.2:80" "502 200" "-" "-"`
	res, c := process(t, n, albKey, gz(t, line+"\n"))
	if res.Documents != 1 {
		t.Fatalf("es-loader drops a retried request; siemloader must load it: %+v", res)
	}
	d := c.source(t, 0)
	rel := d["related"].(map[string]any)["ip"].([]any)
	got := map[string]bool{}
	for _, ip := range rel {
		got[ip.(string)] = true
	}
	for _, want := range []string{"10.0.0.1", "10.0.0.2", "198.51.100.7"} {
		if !got[want] {
			t.Errorf("related.ip %v lacks %s", rel, want)
		}
	}
	if d["target_status_code_list"] != "502 200" {
		t.Errorf("raw list kept: %v", d["target_status_code_list"])
	}
}

func TestOverlongRecordsAreSkippedAndCounted(t *testing.T) {
	cfg, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := normalize.New(cfg, normalize.Options{Now: func() time.Time { return goldenNow }, MaxRecordBytes: 4096})
	key := "AWSLogs/123456789012/elasticloadbalancing/us-west-2/2015/05/13/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20150513T2340Z_10.0.0.1_kjfdcsds.log"
	good := `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2`
	body := good + "\n" + strings.Repeat("x", 100000) + "\n" + good + "\n"
	res, c := process(t, n, key, []byte(body))
	if len(c.docs) != 2 || res.Errors["line too long"] != 1 {
		t.Errorf("docs %d, errors %v", len(c.docs), res.Errors)
	}
	// the same for a JSON value
	wafKey := "AWSLogs/123456789012/WAFLogs/us-east-1/acl/2024/05/20/10/00/123456789012_waflogs_us-east-1_acl_20240520T1000Z_ab12.log"
	rec := `{"timestamp":1716199200000,"action":"ALLOW","httpRequest":{"clientIp":"198.51.100.7"}}`
	big := `{"timestamp":1716199200000,"pad":"` + strings.Repeat("y", 100000) + `"}`
	res, c = process(t, n, wafKey, []byte(rec+"\n"+big+"\n"+rec+"\n"))
	if len(c.docs) != 2 || res.Errors["record too large"] != 1 {
		t.Errorf("docs %d, errors %v", len(c.docs), res.Errors)
	}
}

func TestSyslogWithRFC3339Timestamps(t *testing.T) {
	n := newNormalizer(t, "")
	key := "AWSLogs/123456789012/EC2/Linux/messages/i-0123456789abcdef0/2024/05/20/messages-1.log"
	body := "2018-08-14T14:30:02.203151+02:00 linux-sqrz systemd[4179]: Stopped target Basic System.\n" +
		"1986-04-26T01:23:45.101+0400 rmbkmonitor04 shutdown[2649]: shutting down for system halt\n" +
		"May 20 10:00:00 ip-10-0-0-1 systemd[1]: Started Session 1 of user ec2-user.\n"
	res, c := process(t, n, key, []byte(body))
	if res.Documents != 3 {
		t.Fatalf("es-loader aborts such objects; all three lines must load: %+v", res)
	}
	d := c.source(t, 0)
	if d["@timestamp"] != "2018-08-14T14:30:02.203151+02:00" || d["hostname"] != "linux-sqrz" || d["proc"] != "systemd" || d["pid"] != "4179" {
		t.Errorf("fields of an RFC 3339 line: %v", d)
	}
	if c.source(t, 1)["@timestamp"] != "1986-04-26T01:23:45.101000+04:00" {
		t.Errorf("+0400 offset: %v", c.source(t, 1)["@timestamp"])
	}
	if c.source(t, 2)["@timestamp"] != "2024-05-20T10:00:00+00:00" {
		t.Errorf("classic syslog line: %v", c.source(t, 2)["@timestamp"])
	}
}

// A document of 65,536 characters or more gets its long strings cut (not
// @message), and empty values are still cleaned away in it.
func TestBigDocumentFieldsAreCut(t *testing.T) {
	n := newNormalizer(t, "")
	long := strings.Repeat("a", 40000)
	rec := `{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-east-1","sourceIPAddress":"-","eventID":"big-1","requestParameters":{"bucketName":"b","key":"` + long + `","empty":"","nothing":null},"responseElements":null}]}`
	res, c := process(t, n, ctKey, []byte(rec))
	if res.Documents != 1 {
		t.Fatalf("%+v", res)
	}
	src := c.source(t, 0)
	req := src["requestParameters"].(map[string]any)
	key := req["key"].(string)
	if !strings.HasSuffix(key, "<<TRUNCATED>>") || len(key) != 32753+len("<<TRUNCATED>>") {
		t.Errorf("requestParameters.key: %d bytes, ends %q", len(key), key[len(key)-20:])
	}
	if _, ok := req["empty"]; ok {
		t.Error("an empty string survived del_none in a big document")
	}
	if _, ok := req["nothing"]; ok {
		t.Error("a null survived del_none in a big document")
	}
	if _, ok := src["sourceIPAddress"]; ok {
		t.Error(`"-" survived del_none in a big document`)
	}
	if msg := src["@message"].(string); !strings.Contains(msg, long) {
		t.Error("@message was cut")
	}
}

// Lines before the first record of a multiline object are counted, not
// dropped silently as es-loader drops them.
func TestMultilineLinesBeforeFirstRecordAreCounted(t *testing.T) {
	n := newNormalizer(t, "")
	body := "stray line\n\n" +
		"2024/05/20 10:00:00 [error] 123#123: *1 open() \"/var/www/x\" failed (2: No such file or directory), client: 198.51.100.7, server: example.com, request: \"GET /x HTTP/1.1\", host: \"example.com\"\n"
	var c collected
	res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: "x/error.log", LogType: "nginx-error"}, strings.NewReader(body), c.emit)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 1 || res.ErrorCount() != 1 || res.Records != 2 {
		t.Fatalf("want 1 document and 1 counted stray line: %+v", res)
	}
}
