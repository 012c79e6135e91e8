package normalize_test

import (
	"strings"
	"testing"
)

// A user-defined text type exercising the mapping language and the index
// settings through a user.ini, as an es-loader user would write one.
const appINI = `
[myapp]
s3_key = myapp/logs/
file_format = text
log_pattern = (?P<ts>\S+ \S+) (?P<level>[A-Z]+) (?P<client>\S+) (?P<user>\S+) (?P<msg>.*)
timestamp_key = ts
timestamp_format = %Y-%m-%d %H:%M:%S.%f
timestamp_tz = +09:00
index_name = log-myapp
index_suffix = prod
index_rotation = daily
index_tz = +09:00
renamed_newfields = severity
severity = level
field_prefix = myapp
ecs = source.ip
    user.name
    related.ip
    log.level
source.ip = client
user.name = user
related.ip = [client, user]
log.level = severity
static_ecs = event.kind event.category
event.kind = event
event.category = web
json_to_text = msg
`

func TestUserDefinedTextType(t *testing.T) {
	n := newNormalizer(t, appINI)
	body := "2024-05-20 23:30:00.250 WARN 198.51.100.7 alice {\"k\": 1} failed\n" +
		"2024-05-20 23:31:00.000 INFO not-an-ip bob - plain\n"
	res, c := process(t, n, "myapp/logs/app-1.log", []byte(body))
	if res.Documents != 2 {
		t.Fatalf("%+v", res)
	}
	// 23:30 +09:00 is 14:30 UTC; the index uses index_tz +09:00: the 20th
	if c.docs[0].Index != "log-myapp-prod-2024-05-20" {
		t.Errorf("index %s", c.docs[0].Index)
	}
	d := c.source(t, 0)
	if d["@timestamp"] != "2024-05-20T23:30:00.250000+09:00" {
		t.Errorf("@timestamp %v (naive times take timestamp_tz)", d["@timestamp"])
	}
	if d["source"].(map[string]any)["ip"] != "198.51.100.7" {
		t.Errorf("source %v", d["source"])
	}
	if d["log"].(map[string]any)["level"] != "WARN" {
		t.Errorf("renamed field not mapped: %v", d["log"])
	}
	rel := d["related"].(map[string]any)["ip"].([]any)
	if len(rel) != 1 || rel[0] != "198.51.100.7" {
		t.Errorf("related.ip keeps only valid IPs: %v", rel)
	}
	ev := d["event"].(map[string]any)
	if ev["kind"] != "event" || ev["category"].([]any)[0] != "web" || ev["module"] != "myapp" {
		t.Errorf("event %v", ev)
	}
	raw := d["myapp"].(map[string]any)
	if raw["severity"] != "WARN" || raw["client"] != "198.51.100.7" {
		t.Errorf("field_prefix must hold the raw fields, renamed: %v", raw)
	}
	if _, ok := d["client"]; ok {
		t.Error("raw fields moved under field_prefix must not stay at the top")
	}
	if raw["msg"] != `'{"k": 1} failed'` {
		t.Errorf("json_to_text of a string with { is its Python repr: %v", raw["msg"])
	}
	d1 := c.source(t, 1)
	if _, ok := d1["source"]; ok {
		t.Errorf("an invalid IP is not mapped to source.ip: %v", d1["source"])
	}
	if _, ok := d1["myapp"].(map[string]any)["user"]; !ok {
		t.Error("raw user kept")
	}
}

func TestIndexRotations(t *testing.T) {
	base := `
[myapp]
s3_key = myapp/
file_format = text
log_pattern = (?P<ts>\S+) (?P<msg>.*)
timestamp_key = ts
index_name = log-x
`
	cases := map[string]string{
		"index_rotation = yearly":                             "log-x-2024",
		"index_rotation = weekly":                             "log-x-2024-w21", // %W: weeks start on Monday, 2024-01-01 was one
		"index_rotation = auto":                               "log-x",
		"index_rotation = monthly\nindex_suffix = eu":         "log-x-eu-2024-05",
		"index_rotation = daily\nindex_time = event_ingested": "log-x-2024-06-15",
	}
	for extra, want := range cases {
		n := newNormalizer(t, base+extra+"\n")
		_, c := process(t, n, "myapp/a.log", []byte("2024-05-20T10:00:00Z hello world\n"))
		if len(c.docs) != 1 || c.docs[0].Index != want {
			t.Errorf("%q: index %v, want %s", extra, c.docs, want)
		}
	}
}

func TestTimestampOptions(t *testing.T) {
	ini := `
[nano]
s3_key = nano/
file_format = json
timestamp_key = time
timestamp_nano = True
index_name = log-nano

[fromkey]
s3_key = fromkey/
file_format = text
log_pattern = (?P<msg>.*)
timestamp_key = file_timestamp
file_timestamp_format = (?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<hour>\d{2})
index_name = log-fromkey

[multi]
s3_key = multi/
file_format = json
timestamp_key = t
timestamp_format_list = ["epoch", "%d/%b/%Y:%H:%M:%S %z"]
index_name = log-multi
`
	n := newNormalizer(t, ini)
	_, c := process(t, n, "nano/a.json", []byte(`{"time": "2024-05-20T10:00:00.123456789Z", "x": 1}`))
	if len(c.docs) != 1 || c.source(t, 0)["@timestamp"] != "2024-05-20T10:00:00.123456+00:00" {
		t.Errorf("nano: %v", c.docs)
	}
	_, c = process(t, n, "fromkey/2024/05/20/13/object.log", []byte("a line that has no time in it\n"))
	if len(c.docs) != 1 || c.source(t, 0)["@timestamp"] != "2024-05-20T13:00:00+00:00" {
		t.Errorf("file_timestamp: %s", c.docs)
	}
	_, c = process(t, n, "multi/a.json", []byte(`{"t": 1716199200}`+"\n"+`{"t": "20/May/2024:10:00:00 +0200"}`))
	if len(c.docs) != 2 || c.source(t, 0)["@timestamp"] != "2024-05-20T10:00:00+00:00" || c.source(t, 1)["@timestamp"] != "2024-05-20T10:00:00+02:00" {
		t.Errorf("timestamp_format_list: %d docs", len(c.docs))
	}
}

func TestCloudWatchLogsEnvelope(t *testing.T) {
	n := newNormalizer(t, "")
	key := "AWSLogs/123456789012/EC2/Linux/secure/i-0123456789abcdef0/2024/05/20/secure-1.log"
	env := `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}` +
		`{"messageType":"DATA_MESSAGE","owner":"210987654321","logGroup":"/ec2/linux/secure","logStream":"i-0abcdef1234567890","logEvents":[` +
		`{"id":"3500000000000000000000000000000000000000000000000000001","timestamp":1716199200000,"message":"May 20 10:00:00 ip-10-0-0-1 sshd[123]: Failed password for invalid user admin from 198.51.100.7 port 50000 ssh2"},` +
		`{"id":"3500000000000000000000000000000000000000000000000000002","timestamp":1716199201000,"message":"not syslog at all"}]}`
	res, c := process(t, n, key, []byte(env))
	if res.Documents != 1 || res.ErrorCount() != 1 {
		t.Fatalf("%+v", res)
	}
	d := c.source(t, 0)
	if d["@log_group"] != "/ec2/linux/secure" || d["@log_stream"] != "i-0abcdef1234567890" {
		t.Errorf("log group/stream %v %v", d["@log_group"], d["@log_stream"])
	}
	if d["cloud"].(map[string]any)["account"].(map[string]any)["id"] != "210987654321" {
		t.Errorf("the envelope's owner is the account: %v", d["cloud"])
	}
	// _id = md5(message + event id)
	if c.docs[0].ID != md5hex("May 20 10:00:00 ip-10-0-0-1 sshd[123]: Failed password for invalid user admin from 198.51.100.7 port 50000 ssh2"+"3500000000000000000000000000000000000000000000000000001") {
		t.Errorf("_id %s", c.docs[0].ID)
	}
	if !strings.HasPrefix(c.docs[0].Index, "log-linux-secure-") {
		t.Errorf("index %s", c.docs[0].Index)
	}
}

func TestFirelensRecords(t *testing.T) {
	ini := `
[apache-ecs]
index_name = log-ecs-apache
s3_key = firelens
via_firelens = True
file_format = text
log_pattern = (?P<remotehost>\S+) \S+ (?P<user>\S+) \[(?P<datetime>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d+) (?P<size>\S+)
timestamp_key = datetime
timestamp_format = %d/%b/%Y:%H:%M:%S %z
ecs = source.ip
source.ip = remotehost
`
	n := newNormalizer(t, ini)
	meta := `"container_id":"abc123","container_name":"/ecs-web-1","ecs_cluster":"prod","ecs_task_arn":"arn:aws:ecs:eu-west-1:123456789012:task/prod/0123","ecs_task_definition":"web:3"`
	body := `{"source":"stdout","log":"198.51.100.7 - - [20/May/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 512",` + meta + "}\n" +
		`{"source":"stderr","log":"AH00558: warning",` + meta + "}\n" +
		`{"source":"stdout","log":"not an access log line",` + meta + "}\n"
	res, c := process(t, n, "firelens/2024/05/20/web.json", []byte(body))
	if res.Documents != 2 || res.ExcludedCount() != 1 {
		t.Fatalf("stdout lines load (parsed or raw), stderr is excluded: %+v", res)
	}
	d := c.source(t, 0)
	cloud := d["cloud"].(map[string]any)
	if cloud["region"] != "eu-west-1" || cloud["account"].(map[string]any)["id"] != "123456789012" {
		t.Errorf("cloud from the task ARN: %v", cloud)
	}
	if d["container"].(map[string]any)["name"] != "/ecs-web-1" || d["source"].(map[string]any)["ip"] != "198.51.100.7" {
		t.Errorf("doc %v", d)
	}
	raw := c.source(t, 1)
	if raw["error"].(map[string]any)["message"] != "not an access log line" || raw["@message"] != "not an access log line" {
		t.Errorf("an unparsable line is kept raw with the reason: %v", raw)
	}
}
