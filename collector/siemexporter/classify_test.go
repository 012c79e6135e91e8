package siemexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// Each attribute kind routes a record to its log type, the record's
// attribute winning over its resource's.
func TestClassifyFromAttributes(t *testing.T) {
	s := loadSamples(t)
	e := exporterWithINI(t, "[linux-secure]\ntag = ^linux\\.secure$$\n")

	ctKey := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/20/111122223333_CloudTrail_us-east-1_20240520T1315Z_x.json.gz"
	cases := []struct {
		name     string
		res, rec map[string]any
		body     string
		want     string
		header   string // the object's first line, before body
	}{
		{"siem.log_type", nil, map[string]any{AttrLogType: "linux-secure"}, s.secure[0], "linux-secure", ""},
		{"siem.log_type on the resource", map[string]any{AttrLogType: "nginx-access"}, nil, s.nginx[0], "nginx-access", ""},
		{"the record's attribute wins", map[string]any{AttrLogType: "linux-os-syslog"}, map[string]any{AttrLogType: "linux-secure"}, s.secure[0], "linux-secure", ""},
		{"aws.s3.key", map[string]any{AttrS3Bucket: "aes-siem-111122223333-log",
			AttrS3Key: "AWSLogs/111122223333/vpcflowlogs/ap-northeast-1/2024/05/20/111122223333_vpcflowlogs_ap-northeast-1_fl-1_20240520T1320Z_3e9b1c7d.log.gz"}, nil, s.vpc[1], "vpcflowlogs", s.vpc[0]},
		{"cloudwatch.log.group.name", map[string]any{AttrLogGroup: "aws-cloudtrail-logs-111122223333", AttrLogStream: "111122223333_CloudTrail_us-east-1"}, nil, string(s.cloudtrail[0]), "cloudtrail", ""},
		{"fluent.tag", nil, map[string]any{AttrFluentTag: "linux.secure"}, s.secure[1], "linux-secure", ""},
		{"log.file.path", nil, map[string]any{AttrLogFilePath: "/var/log/siem/AWSLogs/111122223333/EC2/Nginx/access/web-1/access.log"}, s.nginx[1], "nginx-access", ""},
		{"aws.s3.key before log.file.path", map[string]any{AttrS3Key: ctKey}, map[string]any{AttrLogFilePath: "/var/log/nginx/access/x.log"}, string(s.cloudtrail[1]), "cloudtrail", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bodies := []string{c.body}
			if c.header != "" {
				bodies = []string{c.header, c.body}
			}
			p := e.normalize(logsOf(c.res, c.rec, bodies...))
			if len(p.docs) != 1 {
				t.Fatalf("%d documents, failures %v", len(p.docs), p.failReasons)
			}
			if p.docs[0].LogType != c.want {
				t.Fatalf("log type %s, want %s", p.docs[0].LogType, c.want)
			}
		})
	}

	// the bucket and key are the document's, as from S3
	p := e.normalize(logsOf(map[string]any{AttrS3Bucket: "aes-siem-111122223333-log", AttrS3Key: ctKey}, nil, string(s.cloudtrail[0])))
	var doc map[string]any
	if err := json.Unmarshal(p.docs[0].Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["@log_s3bucket"] != "aes-siem-111122223333-log" || doc["@log_s3key"] != ctKey {
		t.Errorf("@log_s3bucket %v, @log_s3key %v", doc["@log_s3bucket"], doc["@log_s3key"])
	}

	// host logs take the account, region and instance from the resource
	p = e.normalize(logsOf(map[string]any{AttrLogType: "linux-secure", AttrAccountID: "123456789012", AttrRegion: "eu-west-1", AttrHostID: "i-0123456789abcdef0"}, nil, s.secure[0]))
	doc = nil
	json.Unmarshal(p.docs[0].Body, &doc)
	cloud, _ := doc["cloud"].(map[string]any)
	if acct, _ := cloud["account"].(map[string]any); acct["id"] != "123456789012" || cloud["region"] != "eu-west-1" {
		t.Errorf("cloud fields: %v", cloud)
	}

	// nothing classifies it: a permanent failure, not a document
	p = e.normalize(logsOf(nil, map[string]any{AttrLogFilePath: "/var/log/messages"}, "hello"))
	if len(p.docs) != 0 || p.failed != 1 {
		t.Errorf("unclassified record: %d docs, %d failed", len(p.docs), p.failed)
	}
}

// With log_type set, a record no attribute classifies falls back to it;
// an explicit siem.log_type still wins.
func TestClassifyDefaultLogType(t *testing.T) {
	s := loadSamples(t)
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	cfg := testConfig(srv.URL)
	cfg.LogType = "linux-secure"
	e := startExporter(t, cfg, nil)
	ld := appendLogs(logsOf(nil, nil, s.secure[0]), logsOf(nil, map[string]any{AttrLogType: "nginx-access"}, s.nginx[0]))
	p := e.normalize(ld)
	if len(p.docs) != 2 || p.docs[0].LogType != "linux-secure" || p.docs[1].LogType != "nginx-access" {
		t.Fatalf("docs %+v", p.docs)
	}
}

// A structured body (a map, as a receiver that parsed JSON leaves it)
// gives the document its JSON text gives: the same _index and _id.
func TestMapBodyIsTheJSONRecord(t *testing.T) {
	s := loadSamples(t)
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	e := startExporter(t, testConfig(srv.URL), nil)
	for i, raw := range s.cloudtrail {
		text := e.normalize(logsOf(nil, map[string]any{AttrLogType: "cloudtrail"}, string(raw)))
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Attributes().PutStr(AttrLogType, "cloudtrail")
		if err := lr.Body().SetEmptyMap().FromRaw(m); err != nil {
			t.Fatal(err)
		}
		structured := e.normalize(ld)
		if len(text.docs) != 1 || len(structured.docs) != 1 {
			t.Fatalf("record %d: %d and %d documents", i, len(text.docs), len(structured.docs))
		}
		if text.docs[0].ID != structured.docs[0].ID || text.docs[0].Index != structured.docs[0].Index {
			t.Errorf("record %d: text %s/%s, map %s/%s", i, text.docs[0].Index, text.docs[0].ID, structured.docs[0].Index, structured.docs[0].ID)
		}
	}
}

// Fluent Bit's records through fluentforward are maps: the line under
// message_key ("log"), or a FireLens record around a container's line.
func TestFluentForwardRecords(t *testing.T) {
	s := loadSamples(t)
	e := exporterWithINI(t, "[nginx-access]\ntag = ^web-firelens-|^nginx\\.access$$\n")
	line := s.nginx[0]
	text := e.normalize(logsOf(nil, map[string]any{AttrLogType: "nginx-access"}, line))

	mapOf := func(tag string, rec map[string]any) plog.Logs {
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Attributes().PutStr(AttrFluentTag, tag)
		if err := lr.Body().SetEmptyMap().FromRaw(rec); err != nil {
			t.Fatal(err)
		}
		return ld
	}
	tail := e.normalize(mapOf("nginx.access", map[string]any{"log": line}))
	if len(tail.docs) != 1 || tail.docs[0].ID != text.docs[0].ID || tail.docs[0].Index != text.docs[0].Index {
		t.Fatalf("tail record: %+v, want the line's %s/%s", tail.docs, text.docs[0].Index, text.docs[0].ID)
	}
	bin := e.normalize(mapOf("nginx.access", map[string]any{"log": []byte(line)}))
	if len(bin.docs) != 1 || bin.docs[0].ID != text.docs[0].ID {
		t.Fatalf("a bin line: %+v", bin.docs)
	}

	fl := e.normalize(mapOf("web-firelens-7f3a", map[string]any{"container_id": "0123abcd", "container_name": "web", "source": "stdout", "log": line,
		"ecs_cluster": "prod", "ecs_task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/7f3a", "ecs_task_definition": "web:12"}))
	if len(fl.docs) != 1 || fl.docs[0].LogType != "nginx-access" {
		t.Fatalf("FireLens record: %+v", fl.docs)
	}
	var doc map[string]any
	if err := json.Unmarshal(fl.docs[0].Body, &doc); err != nil {
		t.Fatal(err)
	}
	if c, _ := doc["container"].(map[string]any); c["id"] != "0123abcd" || c["name"] != "web" {
		t.Errorf("FireLens container fields: %v", doc["container"])
	}
	// the same document as the map route of the stream (Stream.Firelens)
	rec := pyjson.NewMap(8)
	for _, kv := range [][2]string{{"container_id", "0123abcd"}, {"container_name", "web"}, {"source", "stdout"}, {"log", line},
		{"ecs_cluster", "prod"}, {"ecs_task_arn", "arn:aws:ecs:eu-west-1:123456789012:task/prod/7f3a"}, {"ecs_task_definition", "web:12"}} {
		rec.Set(kv[0], kv[1])
	}
	var want []normalize.Document
	st := e.norm.NewStream(normalize.Source{Tag: "web-firelens-7f3a"}, func(d normalize.Document) error {
		d.Source = append([]byte(nil), d.Source...)
		want = append(want, d)
		return nil
	})
	if err := st.Firelens(rec); err != nil || len(want) != 1 {
		t.Fatalf("the map route: %v, %d documents", err, len(want))
	}
	// event.ingested is the time of each run
	ingested := regexp.MustCompile(`"ingested":"[^"]*"`)
	if want[0].ID != fl.docs[0].ID || want[0].Index != fl.docs[0].Index ||
		!bytes.Equal(ingested.ReplaceAll(want[0].Source, nil), ingested.ReplaceAll(fl.docs[0].Body, nil)) {
		t.Errorf("FireLens record differs from the map route:\n%s %s %s\n%s %s %s", fl.docs[0].Index, fl.docs[0].ID, fl.docs[0].Body, want[0].Index, want[0].ID, want[0].Source)
	}
}

// exporterWithINI is an exporter with a user.ini of this text, against a
// test cluster.
func exporterWithINI(t *testing.T, ini string) *siemExporter {
	t.Helper()
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	t.Cleanup(srv.Close)
	userINI := filepath.Join(t.TempDir(), "user.ini")
	if err := os.WriteFile(userINI, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(srv.URL)
	cfg.Config = []string{userINI}
	return startExporter(t, cfg, nil)
}

// A record marked with cloudwatch.log.event.id is one CloudWatch Logs
// event: its document is the one the event gives inside the via_cwl S3
// object (the id hashed into the _id), not the one of the bare line.
func TestCloudWatchLogsEventRecords(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	e := startExporter(t, testConfig(srv.URL), nil)
	files, _ := filepath.Glob("../../examples/samples/AWSLogs/111122223333/EC2/Linux/Secure/*/*/*/*/*")
	if len(files) != 1 {
		t.Fatalf("bundled Linux secure object: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimPrefix(files[0], "../../examples/samples/")
	want := map[string]bool{}
	if _, err := e.norm.ProcessObject(normalize.Source{Key: key}, bytes.NewReader(data), func(d normalize.Document) error {
		want[d.Index+"/"+d.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ld := plog.NewLogs()
	events := 0
	for _, l := range splitLines(string(data)) {
		var env struct {
			Owner, LogGroup, LogStream string
			LogEvents                  []struct {
				ID        string
				Timestamp int64
				Message   string
			}
		}
		if err := json.Unmarshal([]byte(l), &env); err != nil {
			t.Fatal(err)
		}
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().FromRaw(map[string]any{AttrLogType: "linux-secure", AttrLogGroup: env.LogGroup,
			AttrLogStream: env.LogStream, AttrAccountID: env.Owner, AttrRegion: "ap-northeast-1"})
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for _, ev := range env.LogEvents {
			lr := lrs.AppendEmpty()
			lr.Body().SetStr(ev.Message)
			lr.SetTimestamp(pcommon.Timestamp(ev.Timestamp * 1e6))
			lr.Attributes().PutStr(AttrLogEventID, ev.ID)
			events++
		}
	}
	if err := e.pushLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	writes := srv.Writes()
	if len(writes) != len(want) || len(want) != events {
		t.Fatalf("%d documents indexed, %d from the object, %d events", len(writes), len(want), events)
	}
	for k := range want {
		if writes[k] != 1 {
			t.Errorf("%s: written %d times", k, writes[k])
		}
	}
}
