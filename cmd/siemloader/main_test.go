package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const ctObject = `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"eventTime":"2024-05-20T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"Mozilla/5.0","eventID":"e-1","recipientAccountId":"123456789012"},{"eventTime":"bad","eventID":"e-2"}]}`

func TestLoadFolderWritesBulkFilesAndSummary(t *testing.T) {
	in := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	writeFile(t, filepath.Join(in, "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/20/123456789012_CloudTrail_us-east-1_20240520T1000Z_x.json"), ctObject)
	writeFile(t, filepath.Join(in, "notes/readme.txt"), "this is not a log object at all")
	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--now", "2024-06-15T00:00:00Z", "--output", out, in}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(out, "log-aws-cloudtrail-2024-05.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one action line and one document, got %d lines", len(lines))
	}
	var action map[string]map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &action); err != nil || action["index"]["_id"] != "e-1" || action["index"]["_index"] != "log-aws-cloudtrail-2024-05" {
		t.Errorf("action line %s (%v)", lines[0], err)
	}
	sum := stderr.String()
	for _, want := range []string{"cloudtrail", "unknown", "unparsable timestamp × 1", "total"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

func TestLoadSingleFileToStdout(t *testing.T) {
	f := filepath.Join(t.TempDir(), "object.json")
	writeFile(t, f, ctObject)
	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--quiet", "--s3-bucket", "my-bucket", "--s3-key", "AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/20/o.json", "--output", "-", f}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"@log_s3bucket":"my-bucket"`) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("--quiet prints nothing: %s", stderr.String())
	}
}

func TestLoadErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := cmdLoad([]string{}, &stdout, &stderr); code != 2 {
		t.Errorf("no path: exit %d", code)
	}
	if code := cmdLoad([]string{"--log-type", "nope", "."}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `unknown log type "nope"`) {
		t.Errorf("unknown type: exit %d %s", code, stderr.String())
	}
	stderr.Reset()
	bad := filepath.Join(t.TempDir(), "bad.ini")
	writeFile(t, bad, "[alb]\nlog_pattern = (?<=x)y\n")
	if code := cmdLoad([]string{"--config", bad, "."}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "look-behind") {
		t.Errorf("bad config: exit %d %s", code, stderr.String())
	}
	stderr.Reset()
	empty := t.TempDir()
	if code := cmdLoad([]string{"--output", "-", empty}, &stdout, &stderr); code != 1 {
		t.Errorf("nothing processed must fail: exit %d", code)
	}
}

func TestCheckConfig(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := cmdCheckConfig(nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "42 log types") {
		t.Errorf("defaults: exit %d %s %s", code, stdout.String(), stderr.String())
	}
	bad := filepath.Join(t.TempDir(), "user.ini")
	writeFile(t, bad, "[alb]\nindex_rotation = hourly\n\n[x]\ns3_key = x/\nfile_format = yaml\n")
	stdout.Reset()
	if code := cmdCheckConfig([]string{bad}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{bad + ": [alb] index_rotation", bad + ": [x] file_format", "problem(s) found"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("missing %q in %s", want, stderr.String())
		}
	}
}
