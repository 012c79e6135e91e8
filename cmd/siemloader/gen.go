package main

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// `siemloader gen` writes made-up but realistic security logs, so that a
// demo cluster's dashboards have something to show: the S3 log types as
// gzip objects under the keys AWS gives them (so that aws.ini classifies
// them by key, as it would in the real bucket) and the host logs as
// growing text files for a tailing agent.

// genS3Types are written as objects under --s3-dir, genTextTypes as lines
// appended to files under --text-dir.
var (
	genS3Types   = []string{"cloudtrail", "vpcflowlogs", "alb", "waf", "guardduty"}
	genTextTypes = []string{"nginx-access", "linux-secure"}
)

// genTextFiles are the files of the text log types, relative to --text-dir.
var genTextFiles = map[string]string{"nginx-access": "nginx/access.log", "linux-secure": "secure"}

const genAccount, genRegion = "123456789012", "eu-west-1"

// Public sources: the documentation ranges (RFC 5737, 3849) and addresses
// that GeoLite2 databases place in other countries (those of MaxMind's own
// test databases among them), so that a map has several countries on it.
var genPublicIPs = []string{
	"89.160.20.115", "89.160.20.128", // Sweden
	"175.16.199.30", "175.16.199.77", // China
	"216.160.83.58", "216.160.83.61", // United States
	"81.2.69.142", "81.2.69.160", // United Kingdom
	"2.125.160.216",                                                    // United Kingdom
	"67.43.156.12",                                                     // Bhutan
	"202.196.224.5",                                                    // Philippines
	"111.235.160.9",                                                    // China
	"149.101.100.4",                                                    // United States
	"203.0.113.45", "198.51.100.23", "192.0.2.80", "2001:db8:5f2a::44", // documentation
}

var genPrivateIPs = []string{"10.0.1.25", "10.0.1.37", "10.0.2.87", "10.0.0.12"}

var genUserAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
	"curl/8.5.0", "python-requests/2.31.0", "sqlmap/1.8#stable (https://sqlmap.org)",
}

type genFlags struct {
	s3Dir, textDir, stdoutType string
	types                      []string
	rate, count                int
	duration, interval         time.Duration
	seed                       int64
}

func cmdGen(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var g genFlags
	types := fl.String("types", strings.Join(append(append([]string{}, genS3Types...), genTextTypes...), ","), "log types to write (comma-separated)")
	fl.StringVar(&g.s3Dir, "s3-dir", "", "write "+strings.Join(genS3Types, ", ")+" as gzip objects under this folder, at their S3 keys (AWSLogs/...)")
	fl.StringVar(&g.textDir, "text-dir", "", "append nginx-access to DIR/nginx/access.log and linux-secure to DIR/secure")
	fl.StringVar(&g.stdoutType, "stdout", "", "write this one log type's raw records to stdout, one a line, instead")
	fl.IntVar(&g.rate, "rate", 5, "records per second of each log type")
	fl.IntVar(&g.count, "count", 0, "write this many records of each type at once and stop (timestamps over the last --interval)")
	fl.DurationVar(&g.duration, "duration", 0, "stop after this long (0: run until killed)")
	fl.DurationVar(&g.interval, "interval", 5*time.Second, "how often a batch (one object per S3 type) is written")
	fl.Int64Var(&g.seed, "seed", 0, "random seed (0: from the clock)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: siemloader gen [flags]\n\nWrites realistic security logs continuously (or --count of each at once).\n\nFlags:\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if genRecords(nil, t, time.Time{}, 0) == nil {
			fmt.Fprintf(stderr, "siemloader gen: unknown log type %q (one of %s, %s)\n", t, strings.Join(genS3Types, ", "), strings.Join(genTextTypes, ", "))
			return 2
		}
		g.types = append(g.types, t)
	}
	if g.stdoutType != "" {
		if genRecords(nil, g.stdoutType, time.Time{}, 0) == nil {
			fmt.Fprintf(stderr, "siemloader gen: unknown log type %q\n", g.stdoutType)
			return 2
		}
		g.types = []string{g.stdoutType}
	} else if g.s3Dir == "" && g.textDir == "" {
		fmt.Fprintln(stderr, "siemloader gen: give --s3-dir, --text-dir or --stdout TYPE")
		return 2
	}
	if g.rate <= 0 || g.interval <= 0 || g.count < 0 {
		fmt.Fprintln(stderr, "siemloader gen: --rate and --interval must be positive, --count not negative")
		return 2
	}
	if g.seed == 0 {
		g.seed = time.Now().UnixNano()
	}
	rng := rand.New(rand.NewSource(g.seed))
	if g.count > 0 {
		if err := g.batch(rng, stdout, time.Now().UTC(), g.interval, g.count); err != nil {
			fmt.Fprintln(stderr, "siemloader gen:", err)
			return 1
		}
		return 0
	}
	per := int(float64(g.rate) * g.interval.Seconds())
	if per < 1 {
		per = 1
	}
	start := time.Now()
	for {
		if err := g.batch(rng, stdout, time.Now().UTC(), g.interval, per); err != nil {
			fmt.Fprintln(stderr, "siemloader gen:", err)
			return 1
		}
		if g.duration > 0 && time.Since(start)+g.interval > g.duration {
			return 0
		}
		time.Sleep(g.interval)
	}
}

// batch writes n records of each type, stamped over the span before now.
func (g *genFlags) batch(rng *rand.Rand, stdout io.Writer, now time.Time, span time.Duration, n int) error {
	for _, t := range g.types {
		recs := genRecords(rng, t, now.Add(-span), span)
		lines := make([]string, 0, n)
		for len(lines) < n {
			lines = append(lines, recs(len(lines), n))
		}
		switch {
		case g.stdoutType != "":
			if _, err := io.WriteString(stdout, strings.Join(lines, "\n")+"\n"); err != nil {
				return err
			}
		case genTextFiles[t] != "":
			if g.textDir == "" {
				continue
			}
			if err := appendLines(filepath.Join(g.textDir, genTextFiles[t]), lines); err != nil {
				return err
			}
		default:
			if g.s3Dir == "" {
				continue
			}
			key, body := genObject(rng, t, now, lines)
			if err := writeGzip(filepath.Join(g.s3Dir, filepath.FromSlash(key)), body); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendLines(path string, lines []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeGzip writes the object under a temporary name first, so that a
// loader or mirror walking the folder never reads half of it.
func writeGzip(path, body string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	_, err = io.WriteString(zw, body)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// genObject gives an S3 type's key (the layout AWS writes, which aws.ini's
// s3_key patterns recognise) and its content.
func genObject(rng *rand.Rand, logType string, now time.Time, lines []string) (key, body string) {
	day := now.Format("2006/01/02")
	stamp := now.Format("20060102T1504Z")
	prefix := "AWSLogs/" + genAccount + "/"
	suffix := genHex(rng, 8)
	switch logType {
	case "cloudtrail":
		key = fmt.Sprintf("%sCloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", prefix, genRegion, day, genAccount, genRegion, stamp, genHex(rng, 16))
		body = `{"Records":[` + strings.Join(lines, ",") + "]}\n"
	case "vpcflowlogs":
		key = fmt.Sprintf("%svpcflowlogs/%s/%s/%s_vpcflowlogs_%s_fl-04a6c8e0b2d4f6a80_%s_%s.log.gz", prefix, genRegion, day, genAccount, genRegion, stamp, suffix)
		body = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + strings.Join(lines, "\n") + "\n"
	case "alb":
		key = fmt.Sprintf("%selasticloadbalancing/%s/%s/%s_elasticloadbalancing_%s_app.web-prod-alb.8a9b7c6d5e4f3a2b_%s_203.0.113.10_%s.log.gz", prefix, genRegion, day, genAccount, genRegion, stamp, suffix)
		body = strings.Join(lines, "\n") + "\n"
	case "waf":
		key = fmt.Sprintf("%sWAFLogs/%s/web-prod-acl/%s/%s/%s_waflogs_%s_web-prod-acl_%s_%s.log.gz", prefix, genRegion, day, now.Format("15/04"), genAccount, genRegion, stamp, suffix)
		body = strings.Join(lines, "\n") + "\n"
	case "guardduty":
		key = fmt.Sprintf("%sGuardDuty/%s/%s/%s-%s-%s-%s-%s.jsonl.gz", prefix, genRegion, day, genHex(rng, 8), genHex(rng, 4), genHex(rng, 4), genHex(rng, 4), genHex(rng, 12))
		body = strings.Join(lines, "\n") + "\n"
	}
	return key, body
}

// genRecords returns the maker of one log type's i-th record of n, stamped
// within [from, from+span); nil for a type it does not know.
func genRecords(rng *rand.Rand, logType string, from time.Time, span time.Duration) func(i, n int) string {
	at := func(i, n int) time.Time { return from.Add(time.Duration(int64(span) * int64(i) / int64(n))) }
	switch logType {
	case "cloudtrail":
		return func(i, n int) string { return genCloudTrail(rng, at(i, n)) }
	case "vpcflowlogs":
		return func(i, n int) string { return genFlow(rng, at(i, n)) }
	case "alb":
		return func(i, n int) string { return genALB(rng, at(i, n)) }
	case "waf":
		return func(i, n int) string { return genWAF(rng, at(i, n)) }
	case "guardduty":
		return func(i, n int) string { return genGuardDuty(rng, at(i, n)) }
	case "nginx-access":
		return func(i, n int) string { return genNginx(rng, at(i, n)) }
	case "linux-secure":
		return func(i, n int) string { return genSecure(rng, at(i, n)) }
	}
	return nil
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.Intn(len(xs))] }

func genHex(rng *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[rng.Intn(16)]
	}
	return string(b)
}

func genUUID(rng *rand.Rand) string {
	return genHex(rng, 8) + "-" + genHex(rng, 4) + "-4" + genHex(rng, 3) + "-a" + genHex(rng, 3) + "-" + genHex(rng, 12)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the generator's own maps always marshal
	}
	return string(b)
}

// genCloudTrail: mostly successful API calls, some AccessDenied and
// throttling errors, and console logins of which some fail.
func genCloudTrail(rng *rand.Rand, t time.Time) string {
	user := pick(rng, []string{"alice", "bob", "carol", "deploy-bot"})
	ip := pick(rng, genPublicIPs)
	ev := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDA" + strings.ToUpper(genHex(rng, 16)),
			"arn": "arn:aws:iam::" + genAccount + ":user/" + user, "accountId": genAccount, "userName": user,
			"accessKeyId": "AKIA" + strings.ToUpper(genHex(rng, 16)),
		},
		"eventTime": t.Format("2006-01-02T15:04:05Z"), "awsRegion": genRegion,
		"sourceIPAddress": ip, "userAgent": pick(rng, genUserAgents),
		"requestID": genUUID(rng), "eventID": genUUID(rng),
		"eventType": "AwsApiCall", "managementEvent": true, "eventCategory": "Management",
		"recipientAccountId": genAccount,
	}
	switch r := rng.Intn(10); {
	case r < 2: // console sign-in, a third of them failed
		ev["eventSource"], ev["eventName"], ev["eventType"] = "signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn"
		ev["readOnly"] = false
		ev["additionalEventData"] = map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": pick(rng, []string{"Yes", "No"})}
		if rng.Intn(3) == 0 {
			ev["errorMessage"] = "Failed authentication"
			ev["responseElements"] = map[string]any{"ConsoleLogin": "Failure"}
		} else {
			ev["responseElements"] = map[string]any{"ConsoleLogin": "Success"}
		}
	default:
		call := pick(rng, [][2]string{
			{"s3.amazonaws.com", "GetBucketAcl"}, {"s3.amazonaws.com", "PutBucketPolicy"},
			{"ec2.amazonaws.com", "DescribeInstances"}, {"ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"},
			{"iam.amazonaws.com", "CreateAccessKey"}, {"iam.amazonaws.com", "ListUsers"},
			{"sts.amazonaws.com", "GetCallerIdentity"}, {"kms.amazonaws.com", "Decrypt"},
			{"lambda.amazonaws.com", "ListFunctions20150331"}, {"guardduty.amazonaws.com", "ListDetectors"},
		})
		ev["eventSource"], ev["eventName"] = call[0], call[1]
		ev["readOnly"] = strings.HasPrefix(call[1], "Describe") || strings.HasPrefix(call[1], "Get") || strings.HasPrefix(call[1], "List")
		ev["requestParameters"] = nil
		ev["responseElements"] = nil
		switch rng.Intn(5) {
		case 0:
			ev["errorCode"] = "AccessDenied"
			ev["errorMessage"] = "User: arn:aws:iam::" + genAccount + ":user/" + user + " is not authorized to perform: " + strings.TrimSuffix(call[0], ".amazonaws.com") + ":" + call[1]
		case 1:
			if rng.Intn(2) == 0 {
				ev["errorCode"] = pick(rng, []string{"ThrottlingException", "Client.UnauthorizedOperation", "NoSuchBucket"})
				ev["errorMessage"] = "request failed"
			}
		}
	}
	return mustJSON(ev)
}

// genFlow: inbound probes of well-known ports (mostly REJECT) and
// accepted web traffic, in the default (version 2) format.
func genFlow(rng *rand.Rand, t time.Time) string {
	src, dst := pick(rng, genPublicIPs), pick(rng, genPrivateIPs)
	dport := pick(rng, []int{443, 443, 80, 22, 3389, 23, 445, 3306, 5432, 6379, 8080, 9200})
	sport := 1024 + rng.Intn(64000)
	action := "ACCEPT"
	if dport != 443 && dport != 80 || rng.Intn(10) == 0 {
		action = "REJECT"
	}
	if strings.Contains(src, ":") { // flow logs of an IPv4 VPC: keep IPv4
		src = "198.51.100.23"
	}
	packets := 1 + rng.Intn(40)
	end := t.Unix()
	return fmt.Sprintf("2 %s eni-0b7c2e4f6a8d13579 %s %s %d %d 6 %d %d %d %d %s OK",
		genAccount, src, dst, sport, dport, packets, packets*(60+rng.Intn(1400)), end-60, end, action)
}

// genALB: an Application Load Balancer's access log line.
func genALB(rng *rand.Rand, t time.Time) string {
	path := pick(rng, []string{"/", "/login", "/api/v1/orders", "/static/app.js", "/wp-login.php", "/.env", "/api/v1/users?id=1%27%20OR%201=1"})
	status := pick(rng, []int{200, 200, 200, 301, 403, 404, 500, 502})
	method := pick(rng, []string{"GET", "GET", "POST"})
	return fmt.Sprintf(`https %s app/web-prod-alb/8a9b7c6d5e4f3a2b %s:%d 10.0.1.25:80 0.001 0.%03d 0.000 %d %d %d %d "%s https://www.example.com:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:%s:%s:targetgroup/web-prod-tg/6d0ecf831eec9f09 "Root=1-%08x-%s" "www.example.com" "arn:aws:acm:%s:%s:certificate/2f6b1c9d-8e7a-4b3c-9d1e-0f5a6b7c8d9e" 1 %s "waf,forward" "-" "-" "10.0.1.25:80" "%d" "-" "-" TID_%s`,
		t.Format("2006-01-02T15:04:05.000000Z"), pick(rng, genPublicIPs[:15]), 1024+rng.Intn(64000), rng.Intn(900),
		status, status, 200+rng.Intn(800), 100+rng.Intn(20000), method, path, pick(rng, genUserAgents),
		genRegion, genAccount, t.Unix(), genHex(rng, 24), genRegion, genAccount,
		t.Add(-5*time.Millisecond).Format("2006-01-02T15:04:05.000000Z"), status, genHex(rng, 32))
}

// genWAF: a WAFv2 web ACL's log record, a quarter of them blocked by a
// managed or custom rule.
func genWAF(rng *rand.Rand, t time.Time) string {
	ip := pick(rng, genPublicIPs)
	rec := map[string]any{
		"timestamp": t.UnixMilli(), "formatVersion": 1,
		"webaclId":       "arn:aws:wafv2:" + genRegion + ":" + genAccount + ":regional/webacl/web-prod-acl/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
		"httpSourceName": "ALB", "httpSourceId": genAccount + "-app/web-prod-alb/8a9b7c6d5e4f3a2b",
		"terminatingRuleId": "Default_Action", "terminatingRuleType": "REGULAR", "action": "ALLOW",
		"terminatingRuleMatchDetails": []any{}, "ruleGroupList": []any{}, "rateBasedRuleList": []any{},
		"nonTerminatingMatchingRules": []any{},
		"httpRequest": map[string]any{
			"clientIp": ip, "country": "-", "uri": pick(rng, []string{"/", "/login", "/api/v1/orders", "/wp-admin/", "/.git/config"}),
			"args": "", "httpVersion": "HTTP/1.1", "httpMethod": pick(rng, []string{"GET", "POST"}),
			"requestId": "1-" + genHex(rng, 8) + "-" + genHex(rng, 24),
			"headers":   []map[string]string{{"name": "host", "value": "www.example.com"}, {"name": "user-agent", "value": pick(rng, genUserAgents)}},
		},
	}
	if rng.Intn(4) == 0 {
		rule := pick(rng, [][2]string{
			{"AWS-AWSManagedRulesCommonRuleSet", "MANAGED_RULE_GROUP"}, {"AWS-AWSManagedRulesSQLiRuleSet", "MANAGED_RULE_GROUP"},
			{"AWS-AWSManagedRulesKnownBadInputsRuleSet", "MANAGED_RULE_GROUP"}, {"AWS-AWSManagedRulesAmazonIpReputationList", "MANAGED_RULE_GROUP"},
			{"rate-limit-login", "RATE_BASED"}, {"block-listed-countries", "REGULAR"},
		})
		rec["terminatingRuleId"], rec["terminatingRuleType"], rec["action"] = rule[0], rule[1], "BLOCK"
	}
	return mustJSON(rec)
}

// genGuardDuty: findings of the common types, severity low to high.
func genGuardDuty(rng *rand.Rand, t time.Time) string {
	kind := pick(rng, []struct {
		typ      string
		severity float64
		port     int
	}{
		{"UnauthorizedAccess:EC2/SSHBruteForce", 2, 22}, {"Recon:EC2/PortProbeUnprotectedPort", 2, 3389},
		{"UnauthorizedAccess:EC2/RDPBruteForce", 5, 3389}, {"CryptoCurrency:EC2/BitcoinTool.B!DNS", 8, 53},
		{"Backdoor:EC2/C&CActivity.B", 8, 443}, {"UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", 5, 443},
		{"Trojan:EC2/DropPoint", 5, 80},
	})
	ip := pick(rng, genPublicIPs[:13])
	id := genHex(rng, 32)
	ts := t.Format("2006-01-02T15:04:05.000Z")
	return mustJSON(map[string]any{
		"schemaVersion": "2.0", "accountId": genAccount, "region": genRegion, "partition": "aws", "id": id,
		"arn":  "arn:aws:guardduty:" + genRegion + ":" + genAccount + ":detector/12abc34d567e8fa901bc2d34e56789f0/finding/" + id,
		"type": kind.typ, "severity": kind.severity, "createdAt": ts, "updatedAt": ts,
		"title":       kind.typ + " involving " + ip,
		"description": ip + " is connecting to instance i-0a1b2c3d4e5f60718 (" + kind.typ + ").",
		"resource": map[string]any{"resourceType": "Instance", "instanceDetails": map[string]any{
			"instanceId": "i-0a1b2c3d4e5f60718", "instanceType": "t3.medium", "availabilityZone": genRegion + "a",
			"networkInterfaces": []map[string]any{{"privateIpAddress": "10.0.1.25", "publicIp": "203.0.113.25", "vpcId": "vpc-0c3f5a7e9b1d24680"}},
		}},
		"service": map[string]any{
			"serviceName": "guardduty", "detectorId": "12abc34d567e8fa901bc2d34e56789f0", "archived": false,
			"resourceRole": "TARGET", "count": 1 + rng.Intn(50), "eventFirstSeen": ts, "eventLastSeen": ts,
			"action": map[string]any{"actionType": "NETWORK_CONNECTION", "networkConnectionAction": map[string]any{
				"blocked": false, "connectionDirection": "INBOUND", "protocol": "TCP",
				"localIpDetails":    map[string]any{"ipAddressV4": "10.0.1.25"},
				"localPortDetails":  map[string]any{"port": kind.port},
				"remoteIpDetails":   genRemoteIP(ip),
				"remotePortDetails": map[string]any{"port": 1024 + rng.Intn(64000)},
			}},
		},
	})
}

// genPlaces are where GuardDuty places some of the public sources:
// findings carry their own geolocation, so that the map has points even
// without GeoLite2 databases.
var genPlaces = map[string]struct {
	country, city string
	lat, lon      float64
}{
	"89.160.20.115": {"Sweden", "Linköping", 58.4167, 15.6167},
	"175.16.199.30": {"China", "Changchun", 43.88, 125.3228},
	"216.160.83.58": {"United States", "Milton", 47.2513, -122.3149},
	"81.2.69.142":   {"United Kingdom", "London", 51.5142, -0.0931},
	"67.43.156.12":  {"Bhutan", "", 27.5, 90.5},
	"202.196.224.5": {"Philippines", "", 13, 122},
}

func genRemoteIP(ip string) map[string]any {
	d := map[string]any{"ipAddressV4": ip}
	if p, ok := genPlaces[ip]; ok {
		d["country"] = map[string]any{"countryName": p.country}
		d["geoLocation"] = map[string]any{"lat": p.lat, "lon": p.lon}
		if p.city != "" {
			d["city"] = map[string]any{"cityName": p.city}
		}
	}
	return d
}

// genNginx: nginx's combined format, scanners among the visitors.
func genNginx(rng *rand.Rand, t time.Time) string {
	path := pick(rng, []string{"/", "/pricing", "/login", "/api/v1/orders", "/favicon.ico", "/phpmyadmin/index.php", "/.env", "/wp-login.php"})
	status := pick(rng, []int{200, 200, 200, 304, 301, 401, 403, 404, 500})
	return fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`,
		pick(rng, genPublicIPs), t.Format("02/Jan/2006:15:04:05 -0700"), pick(rng, []string{"GET", "GET", "POST"}),
		path, status, rng.Intn(20000), pick(rng, genUserAgents))
}

// genSecure: sshd brute force from the internet, a few good logins.
func genSecure(rng *rand.Rand, t time.Time) string {
	ip := pick(rng, genPublicIPs[:13])
	pid := 1000 + rng.Intn(30000)
	var msg string
	switch rng.Intn(5) {
	case 0:
		msg = fmt.Sprintf("Invalid user %s from %s port %d", pick(rng, []string{"admin", "test", "oracle", "ubuntu"}), ip, 1024+rng.Intn(64000))
	case 1, 2:
		msg = fmt.Sprintf("Failed password for %s from %s port %d ssh2", pick(rng, []string{"root", "ec2-user", "invalid user admin"}), ip, 1024+rng.Intn(64000))
	case 3:
		msg = fmt.Sprintf("Accepted publickey for ec2-user from 10.0.0.12 port %d ssh2: ED25519 SHA256:9xYq3lJ0b7mKc2VdT1sR8uN5hPz4wQaE6fGiL0oBnMs", 1024+rng.Intn(64000))
	default:
		msg = fmt.Sprintf("Connection closed by authenticating user root %s port %d [preauth]", ip, 1024+rng.Intn(64000))
	}
	return fmt.Sprintf("%s ip-10-0-1-25 sshd[%d]: %s", t.Format(time.Stamp), pid, msg)
}
