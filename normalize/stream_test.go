package normalize_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// A record fed to a Stream must become the document the same record gives
// inside an S3 object: same _index, _id and fields.

func streamDocs(t *testing.T, n *normalize.Normalizer, src normalize.Source, feed func(s *normalize.Stream) error) ([]normalize.Document, *normalize.Result) {
	t.Helper()
	var docs []normalize.Document
	s := n.NewStream(src, func(d normalize.Document) error {
		d.Source = append([]byte(nil), d.Source...)
		docs = append(docs, d)
		return nil
	})
	if s == nil {
		t.Fatalf("%+v: no log type", src)
	}
	if err := feed(s); err != nil {
		t.Fatal(err)
	}
	return docs, s.Result()
}

func sameDocs(t *testing.T, what string, got, want []normalize.Document) {
	t.Helper()
	sameDocsBut(t, what, got, want, "")
}

// sameDocsBut compares all but the field named skip, which must hold the
// same JSON value (a JSON @message kept as it arrived rather than in
// json.dumps form).
func sameDocsBut(t *testing.T, what string, got, want []normalize.Document, skip string) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%s: %d documents from the stream, %d from the object", what, len(got), len(want))
	}
	for i := range want {
		if got[i].Index != want[i].Index || got[i].ID != want[i].ID {
			t.Fatalf("%s doc %d: stream %s/%s, object %s/%s", what, i, got[i].Index, got[i].ID, want[i].Index, want[i].ID)
		}
		var a, b map[string]any
		json.Unmarshal(got[i].Source, &a)
		json.Unmarshal(want[i].Source, &b)
		if skip != "" {
			var va, vb any
			json.Unmarshal([]byte(a[skip].(string)), &va)
			json.Unmarshal([]byte(b[skip].(string)), &vb)
			if ja, jb := fmtJSON(va), fmtJSON(vb); ja != jb || ja == "null" {
				t.Fatalf("%s doc %d: %s differs:\n%s\n%s", what, i, skip, ja, jb)
			}
			delete(a, skip)
			delete(b, skip)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s doc %d:\nstream %s\nobject %s", what, i, ja, jb)
		}
	}
}

// cwlMessages are the log lines inside a bundled CloudWatch Logs object.
func cwlMessages(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var env struct{ LogEvents []struct{ Message string } }
		if json.Unmarshal(sc.Bytes(), &env) == nil {
			for _, e := range env.LogEvents {
				msgs = append(msgs, e.Message)
			}
		}
	}
	return msgs
}

func TestStreamMessagesMatchObjects(t *testing.T) {
	n := newNormalizer(t, "")
	for _, tc := range []struct{ typ, glob string }{
		{"nginx-access", "EC2/Nginx/access"},
		{"linux-secure", "EC2/Linux/Secure"},
	} {
		files, _ := filepath.Glob(filepath.Join("../examples/samples/AWSLogs/*", tc.glob, "*/*/*/*/*"))
		if len(files) == 0 {
			t.Fatalf("%s: no bundled sample", tc.typ)
		}
		msgs := cwlMessages(t, files[0])
		key := "AWSLogs/111122223333/EC2/" + tc.typ + "/ap-northeast-1/plain.log"
		want := runPath(t, n, normalize.Source{LogType: tc.typ, Key: key}, []byte(strings.Join(msgs, "\n")+"\n"))
		got, res := streamDocs(t, n, normalize.Source{LogType: tc.typ, Key: key}, func(s *normalize.Stream) error {
			for _, m := range msgs {
				if err := s.Message(m); err != nil {
					return err
				}
			}
			return nil
		})
		sameDocs(t, tc.typ, got, want.docs)
		if res.Records != want.res.Records || res.Documents != want.res.Documents {
			t.Errorf("%s: stream counts %+v, object %+v", tc.typ, res, want.res)
		}
	}
}

// A CloudTrail record arriving alone (a Fluent Bit record, a collector
// log) is the record of a CloudTrail object's Records list.
func TestStreamJSONRecordsMatchObjects(t *testing.T) {
	n := newNormalizer(t, "")
	files, _ := filepath.Glob("../examples/samples/AWSLogs/*/CloudTrail/*/*/*/*/*.json")
	if len(files) == 0 {
		t.Fatal("no bundled CloudTrail sample")
	}
	data, _ := os.ReadFile(files[0])
	var obj struct{ Records []json.RawMessage }
	if err := json.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	key, _ := filepath.Rel("../examples/samples", files[0])
	src := normalize.Source{Key: filepath.ToSlash(key)}
	want := runPath(t, n, src, data)
	src.LogType = "cloudtrail"
	got, _ := streamDocs(t, n, src, func(s *normalize.Stream) error {
		for _, r := range obj.Records {
			if err := s.Message(string(r)); err != nil {
				return err
			}
		}
		return nil
	})
	// @message is the record as it arrived, as for a CloudWatch Logs
	// message, rather than es-loader's json.dumps of it
	sameDocsBut(t, "cloudtrail", got, want.docs, "@message")

	// A structured record (a Fluent Bit record a parser split, a collector
	// body map) gives exactly the document of S3, @message included.
	got, _ = streamDocs(t, n, src, func(s *normalize.Stream) error {
		for _, r := range obj.Records {
			if err := s.Record(r); err != nil {
				return err
			}
		}
		return nil
	})
	sameDocs(t, "cloudtrail records", got, want.docs)
	// and a whole {"Records": [...]} object as one record is the object
	got, _ = streamDocs(t, n, src, func(s *normalize.Stream) error { return s.Record(data) })
	sameDocs(t, "cloudtrail object", got, want.docs)
	// bad JSON is counted, not fatal
	_, res := streamDocs(t, n, src, func(s *normalize.Stream) error { return s.Record([]byte(`{"eventID": `)) })
	if res.Errors["invalid JSON"] != 1 {
		t.Errorf("errors %v", res.Errors)
	}
}

// FireLens records through a Stream are the lines of a FireLens object.
func TestStreamFirelensMatchesObjects(t *testing.T) {
	cfg, err := conf.ParseBytes([]byte("[apache-ecs]\nindex_name = log-web-apache\nvia_firelens = True\ns3_key = firelens\ntag = -firelens-\nfile_format = text\n" +
		"timestamp_key = datetime\ntimestamp_format = %d/%b/%Y:%H:%M:%S %z\n" +
		"log_pattern = (?P<remotehost>.*) (?P<rfc931>.*) (?P<authuser>.*) \\[(?P<datetime>.*?)\\] \\\"(-|(?P<request_method>.*) (?P<request_path>.*) HTTP/(?P<request_version>.*))\\\" (?P<response_status>.*) (-|(?P<response_bytes>.*))\n" +
		"ecs = http.request.method http.response.status_code source.ip url.path\nhttp.request.method = request_method\nhttp.response.status_code = response_status\nsource.ip = remotehost\nurl.path = request_path\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := conf.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := normalize.New(c, normalize.Options{Now: func() time.Time { return goldenNow }})
	records := []map[string]string{
		{"container_id": "c1", "container_name": "web", "source": "stdout", "log": `192.0.2.10 - - [20/May/2024:13:20:05 +0000] "GET /index.html HTTP/1.1" 200 512`,
			"ecs_cluster": "prod", "ecs_task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/abc", "ecs_task_definition": "web:3"},
		{"container_id": "c1", "container_name": "web", "source": "stderr", "log": "warning: something", "ecs_task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/abc"},
		{"container_id": "c1", "container_name": "web", "source": "stdout", "log": "not an apache line", "ecs_task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/abc"},
		{"container_id": "c2", "container_name": "api", "source": "stdout", "log": `198.51.100.7 - bob [20/May/2024:13:20:06 +0000] "POST /api HTTP/2.0" 201 -`, "ec2_instance_id": "i-0abc"},
	}
	var lines []string
	for _, r := range records {
		b, _ := json.Marshal(r)
		lines = append(lines, string(b))
	}
	key := "AWSLogs/123456789012/firelens/web/2024/05/20/firelens-1.json"
	want := runPath(t, n, normalize.Source{Key: key}, []byte(strings.Join(lines, "\n")))
	got, res := streamDocs(t, n, normalize.Source{Tag: "web-firelens-abc", Key: key}, func(s *normalize.Stream) error {
		for _, r := range records {
			m := pyjson.NewMap(len(r))
			for k, v := range r {
				m.Set(k, v)
			}
			if err := s.Firelens(m); err != nil {
				return err
			}
		}
		return nil
	})
	sameDocs(t, "firelens", got, want.docs)
	if res.ExcludedCount() != 1 || want.res.ExcludedCount() != 1 {
		t.Errorf("stderr exclusions: stream %v, object %v", res.Excluded, want.res.Excluded)
	}
}

// Host logs from Fluent Bit on EC2 carry the account, region and
// instance the plugin read from instance metadata.
func TestStreamStampsHostLogs(t *testing.T) {
	n := newNormalizer(t, "")
	docs, _ := streamDocs(t, n, normalize.Source{LogType: "linux-secure", Account: "123456789012", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
		func(s *normalize.Stream) error {
			return s.Message("May 20 13:20:05 ip-10-0-1-5 sshd[1234]: Accepted publickey for ec2-user from 192.0.2.10 port 50000 ssh2")
		})
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	var d struct {
		Cloud struct {
			Account  struct{ ID string }
			Region   string
			Instance struct{ ID string }
		}
	}
	json.Unmarshal(docs[0].Source, &d)
	if d.Cloud.Account.ID != "123456789012" || d.Cloud.Region != "eu-west-1" || d.Cloud.Instance.ID != "i-0123456789abcdef0" {
		t.Fatalf("cloud fields %+v in %s", d.Cloud, docs[0].Source)
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// VPC flow log lines arriving one by one: the header line names the
// fields of the lines after it, as an object's first line does; lines
// without one (CloudWatch Logs) are read with the default format.
func TestStreamCSVLinesMatchObjects(t *testing.T) {
	n := newNormalizer(t, "")
	files, _ := filepath.Glob("../examples/samples/AWSLogs/*/vpcflowlogs/*/*/*/*/*.log")
	if len(files) == 0 {
		t.Fatal("no bundled VPC flow log sample")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := filepath.Rel("../examples/samples", f)
		src := normalize.Source{Key: filepath.ToSlash(key)}
		want := runPath(t, n, src, data)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		got, res := streamDocs(t, n, src, func(s *normalize.Stream) error {
			for _, l := range lines {
				if err := s.Message(l); err != nil {
					return err
				}
			}
			return nil
		})
		sameDocs(t, key, got, want.docs)
		if res.Documents != len(lines)-1 || res.Records != want.res.Records {
			t.Errorf("%s: stream counts %+v, object %+v", key, res, want.res)
		}
		if !strings.HasPrefix(lines[0], "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status") {
			continue
		}
		headless, _ := streamDocs(t, n, src, func(s *normalize.Stream) error {
			for _, l := range lines[1:] {
				if err := s.Message(l); err != nil {
					return err
				}
			}
			return nil
		})
		sameDocs(t, key+" without its header", headless, want.docs)
	}
}

// The events of a CloudWatch Logs subscription, unpacked by a receiver,
// must become the documents the same envelopes give inside the S3 object
// Firehose writes: same _index, _id and fields, but the S3 ones.
func TestStreamCloudWatchEventsMatchObjects(t *testing.T) {
	n := newNormalizer(t, "")
	files, _ := filepath.Glob("../examples/samples/AWSLogs/*/EC2/*/*/*/*/*/*/*")
	if len(files) < 3 {
		t.Fatalf("bundled CloudWatch Logs objects missing: %v", files)
	}
	for _, f := range files {
		key := strings.TrimPrefix(f, "../examples/samples/")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := runPath(t, n, normalize.Source{Bucket: "b", Key: key}, data)
		lt := n.Classify(normalize.Source{Key: key})
		type envelope struct {
			Owner, LogGroup, LogStream string
			LogEvents                  []struct {
				ID, Message string
				Timestamp   int64
			}
		}
		var envs []envelope
		for _, l := range bytes.Split(data, []byte("\n")) {
			var e envelope
			if json.Unmarshal(l, &e) == nil && len(e.LogEvents) > 0 {
				envs = append(envs, e)
			}
		}
		var got []normalize.Document
		for _, e := range envs {
			src := normalize.Source{LogType: lt.Name, LogGroup: e.LogGroup, LogStream: e.LogStream, Region: "ap-northeast-1"}
			docs, _ := streamDocs(t, n, src, func(s *normalize.Stream) error {
				for _, ev := range e.LogEvents {
					if err := s.CloudWatchEvent(normalize.CloudWatchEvent{Message: ev.Message, ID: ev.ID, TimestampMs: ev.Timestamp, Owner: e.Owner}); err != nil {
						return err
					}
				}
				return nil
			})
			got = append(got, docs...)
		}
		sameDocs(t, key, withoutS3(t, got), withoutS3(t, want.docs))
	}
}

// withoutS3 drops @log_s3bucket and @log_s3key, which only an object has.
func withoutS3(t *testing.T, docs []normalize.Document) []normalize.Document {
	out := make([]normalize.Document, len(docs))
	for i, d := range docs {
		var m map[string]any
		if err := json.Unmarshal(d.Source, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "@log_s3bucket")
		delete(m, "@log_s3key")
		d.Source, _ = json.Marshal(m)
		out[i] = d
	}
	return out
}
