package normalize_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
)

// The flat path (flatplan.go) must give the documents of the general path
// (pipeline.go) for every input: the same _index, _id and fields, and the
// same counts. These tests run both over the shared samples, the bundled
// examples, generated objects and fuzzed lines.

var flatTypes = []string{"vpcflowlogs", "alb", "clb", "nlb", "nginx-access", "apache-access"}

type pathRun struct {
	res  *normalize.Result
	docs []normalize.Document
}

func runPath(t testing.TB, n *normalize.Normalizer, src normalize.Source, body []byte) pathRun {
	var r pathRun
	res, err := n.ProcessObject(src, bytes.NewReader(body), func(d normalize.Document) error {
		d.Source = append([]byte(nil), d.Source...)
		r.docs = append(r.docs, d)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", src.Key, err)
	}
	r.res = res
	return r
}

// compareFlat fails t when the two paths disagree on body.
func compareFlat(t testing.TB, flat, general *normalize.Normalizer, src normalize.Source, body []byte) int {
	t.Helper()
	a, b := runPath(t, flat, src, body), runPath(t, general, src, body)
	if a.res.Records != b.res.Records || a.res.Documents != b.res.Documents ||
		a.res.ErrorCount() != b.res.ErrorCount() || a.res.Fatal != b.res.Fatal ||
		!reflect.DeepEqual(a.res.Errors, b.res.Errors) {
		t.Fatalf("%s: counts differ\nflat:    %+v\ngeneral: %+v", src.Key, a.res, b.res)
	}
	for i := range a.docs {
		da, db := a.docs[i], b.docs[i]
		if da.Index != db.Index || da.ID != db.ID || da.LogType != db.LogType {
			t.Fatalf("%s doc %d: flat %s/%s/%s, general %s/%s/%s", src.Key, i, da.LogType, da.Index, da.ID, db.LogType, db.Index, db.ID)
		}
		var ma, mb any
		if err := json.Unmarshal(da.Source, &ma); err != nil {
			t.Fatalf("%s doc %d: flat document is not JSON: %v\n%s", src.Key, i, err, da.Source)
		}
		if err := json.Unmarshal(db.Source, &mb); err != nil {
			t.Fatalf("%s doc %d: general document is not JSON: %v", src.Key, i, err)
		}
		if !reflect.DeepEqual(ma, mb) {
			t.Fatalf("%s doc %d differs\nflat:    %s\ngeneral: %s", src.Key, i, da.Source, db.Source)
		}
		if !bytes.Equal(da.Source, db.Source) {
			// the same fields, but not in the same order (or a key twice)
			t.Fatalf("%s doc %d: the same fields, other bytes\nflat:    %s\ngeneral: %s", src.Key, i, da.Source, db.Source)
		}
	}
	return len(a.docs)
}

func flatPair(t testing.TB, userINI string) (flat, general *normalize.Normalizer) {
	return newNormalizer(t, userINI), normalize.WithoutFlatPlans(newNormalizer(t, userINI))
}

func TestFlatPlanCompiles(t *testing.T) {
	n := newNormalizer(t, "")
	v2 := strings.Fields("version account_id interface_id srcaddr dstaddr srcport dstport protocol packets bytes start end action log_status")
	for _, c := range []struct {
		logType string
		names   []string
		want    bool
	}{
		{"vpcflowlogs", v2, true},
		{"vpcflowlogs", append(append([]string{}, v2...), "version"), false}, // a field twice
		{"vpcflowlogs", append(append([]string{}, v2...), "event"), false},   // a field named like an ECS object
		{"vpcflowlogs", append(append([]string{}, v2...), "@timestamp"), false},
		{"cloudtrail", []string{"eventTime"}, false}, // its transform has no flat counterpart
	} {
		if got := normalize.FlatPlanned(n, c.logType, c.names); got != c.want {
			t.Errorf("%s %v: planned %v, want %v", c.logType, c.names, got, c.want)
		}
	}
	for _, lt := range []string{"alb", "clb", "nlb", "nginx-access", "apache-access"} {
		names := newNormalizer(t, "").Config().Type(lt).LogPattern.SubexpNames()
		var groups []string
		for _, g := range names[1:] {
			if g != "" {
				groups = append(groups, g)
			}
		}
		if !normalize.FlatPlanned(n, lt, groups) {
			t.Errorf("%s: no flat plan for the built-in pattern", lt)
		}
	}
	// what the plan does not model keeps the general path
	renamed := newNormalizer(t, "[vpcflowlogs]\nrenamed_newfields = src\nsrc = srcaddr\n")
	if normalize.FlatPlanned(renamed, "vpcflowlogs", v2) {
		t.Error("a section with renamed_newfields was planned flat")
	}
}

// geoPair is flatPair with the shared test GeoIP databases.
func geoPair(t testing.TB, shared string) (flat, general *normalize.Normalizer) {
	cfg := newNormalizer(t, "").Config()
	opts := normalize.Options{Now: func() time.Time { return goldenNow }, GeoIP: goldenGeoIP(t, shared)}
	return normalize.New(cfg, opts), normalize.WithoutFlatPlans(normalize.New(cfg, opts))
}

func TestFlatPlanMatchesGeneralOnSamples(t *testing.T) {
	shared := sharedDir(t)
	t.Run("GeoIP off", func(t *testing.T) {
		flat, general := flatPair(t, "")
		compareSamples(t, shared, flat, general)
	})
	t.Run("GeoIP on", func(t *testing.T) {
		flat, general := geoPair(t, shared)
		if !normalize.FlatPlanned(flat, "vpcflowlogs", strings.Fields("srcaddr dstaddr end")) {
			t.Fatal("GeoIP keeps VPC flow logs off the flat path")
		}
		compareSamples(t, shared, flat, general)
		// addresses the test databases know, in every position
		var sb strings.Builder
		sb.WriteString("version srcaddr dstaddr srcport dstport protocol action end\n")
		for _, a := range []string{"81.2.69.142", "89.160.20.128", "2001:480::1", "216.160.83.56", "10.0.0.1", "175.16.199.1", "2a02:cf40::1", "1.128.0.1"} {
			for _, b := range []string{"89.160.20.112", "67.43.156.1", "-", "81.2.69.160"} {
				fmt.Fprintf(&sb, "2 %s %s 1 2 6 ACCEPT 1716163260\n", a, b)
			}
		}
		compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: vpcKey}, []byte(sb.String()))
	})
}

func TestFlatPlanMatchesGeneralWithEnrichment(t *testing.T) {
	shared := sharedDir(t)
	dir := t.TempDir()
	txt := filepath.Join(dir, "IOC", "TXT", "acme", "scanners.txt")
	if err := os.MkdirAll(filepath.Dir(txt), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(txt, []byte("81.2.69.0/24\n89.160.20.128\n2001:480::/32\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ioc, problems, err := enrich.LoadIoC(dir)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	cfg := newNormalizer(t, "").Config()
	opts := normalize.Options{Now: func() time.Time { return goldenNow }, GeoIP: goldenGeoIP(t, shared), IoC: ioc,
		UserAgent: enrich.NewUserAgentParser(100)}
	flat, general := normalize.New(cfg, opts), normalize.WithoutFlatPlans(normalize.New(cfg, opts))
	if !normalize.FlatPlanned(flat, "vpcflowlogs", strings.Fields("srcaddr dstaddr end")) {
		t.Fatal("IoC keeps VPC flow logs off the flat path")
	}
	var sb strings.Builder
	sb.WriteString("version srcaddr dstaddr srcport dstport protocol action end\n")
	for _, a := range []string{"81.2.69.142", "89.160.20.128", "2001:480::1", "10.0.0.1", "-"} {
		for _, b := range []string{"81.2.69.160", "67.43.156.1", "-", "89.160.20.128"} {
			fmt.Fprintf(&sb, "2 %s %s 1 2 6 ACCEPT 1716163260\n", a, b)
		}
	}
	body := []byte(sb.String())
	res := runPath(t, flat, normalize.Source{Bucket: "b", Key: vpcKey}, body)
	matched := 0
	for _, d := range res.docs {
		if bytes.Contains(d.Source, []byte(`"threat.matched"`)) {
			matched++
		}
	}
	if matched < 10 {
		t.Fatalf("only %d of %d documents matched an indicator", matched, len(res.docs))
	}
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: vpcKey}, body)
	compareSamples(t, shared, flat, general)
	// user agents, parsed on the flat path too
	if !normalize.FlatPlanned(flat, "alb", albGroups(t)) {
		t.Fatal("user-agent parsing keeps ALB off the flat path")
	}
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: albKey}, albObject(300))
	agents := strings.Join([]string{
		`https 2024-05-20T10:00:01.000000Z app/lb/1 81.2.69.142:5000 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://www.example.com:443/ HTTP/1.1" "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_0%20like%20Mac%20OS%20X)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1" "www.example.com" "arn:cert" 0 2024-05-20T10:00:01.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
		`https 2024-05-20T10:00:02.000000Z app/lb/1 89.160.20.128:5000 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://www.example.com:443/ HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1" "www.example.com" "arn:cert" 0 2024-05-20T10:00:02.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
		`https 2024-05-20T10:00:03.000000Z app/lb/1 89.160.20.128:5000 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://www.example.com:443/ HTTP/1.1" "curl/8.4.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1" "www.example.com" "arn:cert" 0 2024-05-20T10:00:03.000000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
	}, "\n")
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: albKey}, []byte(agents))
}

func albGroups(t *testing.T) []string {
	var groups []string
	for _, g := range newNormalizer(t, "").Config().Type("alb").LogPattern.SubexpNames()[1:] {
		if g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}

func compareSamples(t *testing.T, shared string, flat, general *normalize.Normalizer) {
	docs := 0
	for _, lt := range flatTypes {
		docs += compareTree(t, filepath.Join(shared, "samples", lt), "aes-siem-123456789012-log", flat, general)
	}
	if docs < 40 {
		t.Fatalf("only %d documents compared", docs)
	}
}

func TestFlatPlanMatchesGeneralOnExamples(t *testing.T) {
	flat, general := flatPair(t, "")
	if compareTree(t, "../examples/samples", "b", flat, general) == 0 {
		t.Fatal("no documents compared")
	}
}

// eachObject calls fn with every object below root, its path there being
// its key (README files aside).
func eachObject(t *testing.T, root, bucket string, fn func(src normalize.Source, body []byte)) {
	t.Helper()
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		key, _ := filepath.Rel(root, p)
		fn(normalize.Source{Bucket: bucket, Key: filepath.ToSlash(key)}, body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compareTree runs compareFlat over every object below root and returns
// how many documents it compared.
func compareTree(t *testing.T, root, bucket string, flat, general *normalize.Normalizer) int {
	docs := 0
	eachObject(t, root, bucket, func(src normalize.Source, body []byte) {
		docs += compareFlat(t, flat, general, src, body)
	})
	return docs
}

func TestFlatPlanMatchesGeneralOnGenerated(t *testing.T) {
	flat, general := flatPair(t, "")
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: vpcKey}, vpcFlowObject(2000))
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: albKey}, albObject(2000))
	// VPC flow log versions 3-5, a transit gateway, missing and odd values
	v5 := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path resource-type\n" +
		"5 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 10 840 1716163200 1716163260 ACCEPT OK vpc-1 subnet-1 i-1 19 IPv4 10.0.0.1 10.0.0.2 us-east-1 use1-az1 - - - - egress 1 -\n" +
		"5 123456789012 eni-1 - - - - - - - 1716163200 1716163260 - NODATA vpc-1 subnet-1 - - - - - us-east-1 use1-az1 - - - - - - -\n" +
		"5 123456789012 tgw-attach-1 2001:db8::1 2001:db8::2 443 5000 17 1 100 1716163200 1716163260 ACCEPT OK - - - - IPv6 - - eu-west-1 euw1-az1 - - S3 - ingress 2 TransitGateway\n" +
		"5 123456789012 eni-2 10.0.0.3\n" +
		"5 - eni-3 not-an-ip 10.0.0.4 1 2 99 1 1 1716163200 nope REJECT OK\n" +
		"5 123456789012 eni-3 10.0.0.5 10.0.0.6 1 2 1 1 1 1716163200 1716163260 ACCEPT SKIPDATA extra fields beyond the header are ignored a b c d e f g h i j k l m\n"
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: vpcKey}, gz(t, v5))
	// ELB lines the hand-written parsers leave to the regex, and retries
	// that only the rescue reads
	albOdd := strings.Join([]string{
		`h2 2024-05-20T10:00:00.000000Z app/lb/1 [2001:db8::1]:443 - -1 -1 -1 503 - 100 200 "GET https://[2001:db8::9]:443/p?q HTTP/2.0" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "-" "-" "-" 0 2024-05-20T10:00:00.000000Z "fixed-response" "-" "-" "-" "-" "-" "-"`,
		`https 2024-05-20T10:00:01.000000Z app/lb/1 198.51.100.1:5000 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://www.example.com:443/ HTTP/1.1" "curl/8" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:tg "Root=1" "www.example.com" "arn:cert" 0 2024-05-20T10:00:01.000000Z "forward" "-" "-" "10.0.0.1:80 10.0.0.2:80" "200 200" "-" "-"`,
		`garbage line`,
	}, "\n")
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: albKey}, []byte(albOdd))
}

const (
	nginxKey  = "AWSLogs/123456789012/EC2/nginx/access/i-0123456789abcdef0/2024/05/20/access.log"
	apacheKey = "AWSLogs/123456789012/EC2/apache/access/web-site-name=shop/2024/05/20/access_log"
)

// webAccessLines are nginx and apache access lines at the edges of the
// web transform: X-Forwarded-For, raw and empty requests, absolute and
// CONNECT targets, encoded paths, fragments, queries, extensions, odd
// statuses.
var webAccessLines = []string{
	`192.0.2.1 - - [20/May/2024:13:20:05 +0000] "GET /item/1 HTTP/1.1" 200 1001 "https://www.example.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"`,
	`192.0.2.2 - alice [20/May/2024:13:20:06 +0000] "POST /api/v1/login.json?next=%2Fhome HTTP/2.0" 401 12 "-" "curl/8.4.0"`,
	`192.0.2.3 - - [20/May/2024:13:20:07 +0000] "GET /a%2520b/c.tar.gz#frag HTTP/1.1" 404 0 "-" "-"`,
	`192.0.2.4 ident bob [20/May/2024:13:20:08 +0000] "GET http://www.example.com:8080/x.php?q=1 HTTP/1.0" 500 - "-" ""`,
	`192.0.2.5 - - [20/May/2024:13:20:09 +0000] "CONNECT www.example.com:443 HTTP/1.1" 200 0 "-" "-"`,
	`192.0.2.6 - - [20/May/2024:13:20:10 +0000] "-" 400 0 "-" "-"`,
	`192.0.2.7 - - [20/May/2024:13:20:11 +0000] "garbage" 400 157 "-" "-"`,
	`192.0.2.8 - - [20/May/2024:13:20:12 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" "198.51.100.7, 10.0.0.1"`,
	`192.0.2.9 - - [20/May/2024:13:20:13 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" "-"`,
	`2001:db8::1 - - [20/May/2024:13:20:14 +0000] "GET  HTTP/1.1" 000 5 "-" "ua"`,
	`192.0.2.10 - - [20/May/2024:13:20:15 +0000] "GET /café/ü.html HTTP/1.1" 302 5 "-" "ua "quoted""`,
	`198.51.100.9 192.0.2.11 - - [20/May/2024:13:20:16 +0000] "GET /y HTTP/1.1" 200 5 "-" "ua" 10 20`,
	`::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209`,
	`not a web access line`,
}

func TestFlatPlanMatchesGeneralOnWebAccess(t *testing.T) {
	flat, general := flatPair(t, "")
	body := []byte(strings.Join(webAccessLines, "\n") + "\n")
	for _, key := range []string{nginxKey, apacheKey} {
		if compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: key}, body) < 8 {
			t.Fatalf("%s: too few documents", key)
		}
	}
}

func TestFlatPlanMatchesGeneralWithUserINI(t *testing.T) {
	// a user.ini that changes what the plan compiles: mappings, statics,
	// rotation, a list field, and a field that fails IP validation
	ini := `[vpcflowlogs]
index_rotation = daily
index_suffix = team-a
ecs = cloud.account.id cloud.region destination.address destination.ip destination.port event.action network.bytes network.direction network.iana_number network.packets related.ip source.address source.ip source.port related.hosts
network.direction = flow_direction
related.hosts = [interface_id, vpc_id]
static_ecs = event.kind event.category event.dataset
event.dataset = vpc.flow

[alb]
index_rotation = weekly
`
	flat, general := flatPair(t, ini)
	if !normalize.FlatPlanned(flat, "vpcflowlogs", strings.Fields("version srcaddr dstaddr action end")) {
		t.Fatal("user.ini's vpcflowlogs is not planned flat")
	}
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: vpcKey}, vpcFlowObject(500))
	compareFlat(t, flat, general, normalize.Source{Bucket: "b", Key: albKey}, albObject(500))
}

func FuzzFlatPlan(f *testing.F) {
	f.Add(byte(0), []byte(vpcFlowObject(2)))
	f.Add(byte(0), []byte("version srcaddr dstaddr action end\n2 1.2.3.4 - ACCEPT 1716163260\n2 x y z\n\n"))
	f.Add(byte(1), albObject(2))
	f.Add(byte(2), []byte(`2024-05-20T10:00:00.000000Z my-clb 198.51.100.1:5000 10.0.0.1:80 0.001 0.002 0.000 200 200 10 20 "GET https://www.example.com:443/ HTTP/1.1" "curl/8" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`))
	f.Add(byte(3), []byte(`tls 2.0 2024-05-20T10:00:00 net/nlb/1 listener 198.51.100.1:5000 10.0.0.1:443 5 - 100 200 - - - - - - - - - - -`))
	for i, l := range webAccessLines {
		f.Add(byte(4+i%2), []byte(l))
	}
	keys := []string{
		vpcKey, albKey,
		"AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/05/20/123456789012_elasticloadbalancing_us-east-1_my-clb_20240520T1000Z_10.0.0.1_abc.log",
		"AWSLogs/123456789012/elasticloadbalancing/us-east-1/2024/05/20/123456789012_elasticloadbalancing_us-east-1_net.my-nlb.1_20240520T1000Z_abc.log.gz",
		nginxKey, apacheKey,
	}
	flat, general := flatPair(f, "")
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		src := normalize.Source{Bucket: "b", Key: keys[int(which)%len(keys)]}
		compareFlat(t, flat, general, src, body)
	})
}
