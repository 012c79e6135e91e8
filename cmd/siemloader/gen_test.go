package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
)

// genDocs runs `siemloader gen --count n` into a temporary tree and
// normalizes every object and text file with the built-in aws.ini the way
// the demo's loaders do: S3 objects classified by their key alone, text
// files with the log type their shipper names. It fails the test on any
// record the engine refuses, and returns the documents by log type.
func genDocs(t *testing.T, n int) map[string][]map[string]any {
	t.Helper()
	dir := t.TempDir()
	var stderr bytes.Buffer
	s3Dir, textDir := filepath.Join(dir, "s3"), filepath.Join(dir, "text")
	if rc := cmdGen([]string{"--count", strconv.Itoa(n), "--seed", "7", "--s3-dir", s3Dir, "--text-dir", textDir}, io.Discard, &stderr); rc != 0 {
		t.Fatalf("gen: rc %d: %s", rc, stderr.String())
	}
	cfg, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	eng := normalize.New(cfg, normalize.Options{Now: time.Now})
	docs := map[string][]map[string]any{}
	process := func(path string, src normalize.Source) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := eng.ProcessObject(src, f, func(d normalize.Document) error {
			var m map[string]any
			if err := json.Unmarshal(d.Source, &m); err != nil {
				return err
			}
			m["_index"] = d.Index
			docs[d.LogType] = append(docs[d.LogType], m)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", src.Key, err)
		}
		if res.Skipped != "" || res.Fatal != "" || len(res.Errors) > 0 || res.Documents != n {
			t.Errorf("%s (%s): %d of %d records became documents; skipped %q fatal %q errors %v %v",
				src.Key, res.LogType, res.Documents, n, res.Skipped, res.Fatal, res.Errors, res.Samples)
		}
	}
	objects := 0
	err = filepath.WalkDir(s3Dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		key, _ := filepath.Rel(s3Dir, path)
		process(path, normalize.Source{Bucket: "siem-logs", Key: filepath.ToSlash(key)})
		objects++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if objects != len(genS3Types) {
		t.Errorf("%d objects written, want one of each of %v", objects, genS3Types)
	}
	for _, lt := range genTextTypes {
		process(filepath.Join(textDir, genTextFiles[lt]), normalize.Source{LogType: lt})
	}
	return docs
}

// Every generated type classifies by its key (or the shipper's log type)
// and normalizes without an error, into the index es-loader gives it, and
// carries what the demo's dashboard shows.
func TestGenNormalizesWithoutErrors(t *testing.T) {
	docs := genDocs(t, 300)
	wantIndex := map[string]string{
		"cloudtrail": "log-aws-cloudtrail-", "vpcflowlogs": "log-aws-vpcflowlogs-", "alb": "log-aws-elb-",
		"waf": "log-aws-waf-", "guardduty": "log-aws-guardduty-", "nginx-access": "log-web-nginx-",
		"linux-secure": "log-linux-secure-",
	}
	for lt, prefix := range wantIndex {
		if len(docs[lt]) != 300 {
			t.Errorf("%s: %d documents, want 300", lt, len(docs[lt]))
			continue
		}
		if idx := docs[lt][0]["_index"].(string); !strings.HasPrefix(idx, prefix) {
			t.Errorf("%s: index %s, want %s*", lt, idx, prefix)
		}
		// stamped now, so that the dashboards' last hour shows them
		ts, err := time.Parse(time.RFC3339Nano, docs[lt][0]["@timestamp"].(string))
		if err != nil || time.Since(ts) > 10*time.Minute || time.Until(ts) > time.Minute {
			t.Errorf("%s: @timestamp %v (%v) is not about now", lt, docs[lt][0]["@timestamp"], err)
		}
	}
	count := func(lt string, match func(map[string]any) bool) int {
		n := 0
		for _, d := range docs[lt] {
			if match(d) {
				n++
			}
		}
		return n
	}
	kinds := []struct {
		what  string
		lt    string
		match func(map[string]any) bool
	}{
		{"failed console logins", "cloudtrail", func(d map[string]any) bool {
			return field(d, "event.action") == "ConsoleLogin" && field(d, "event.outcome") == "failure"
		}},
		{"AccessDenied API errors", "cloudtrail", func(d map[string]any) bool { return field(d, "error.code") == "AccessDenied" }},
		{"rejected flows", "vpcflowlogs", func(d map[string]any) bool { return field(d, "event.action") == "REJECT" }},
		{"accepted flows", "vpcflowlogs", func(d map[string]any) bool { return field(d, "event.action") == "ACCEPT" }},
		{"WAF blocks by a rule", "waf", func(d map[string]any) bool {
			return field(d, "event.action") == "BLOCK" && field(d, "rule.name") != "Default_Action"
		}},
		{"high-severity findings", "guardduty", func(d map[string]any) bool { return field(d, "event.severity") == "8" }},
		{"low-severity findings", "guardduty", func(d map[string]any) bool { return field(d, "event.severity") == "2" }},
		{"findings placed on the map", "guardduty", func(d map[string]any) bool { return field(d, "source.geo.location") != nil }},
		{"sshd failures", "linux-secure", func(d map[string]any) bool { return field(d, "event.outcome") == "failure" }},
		{"nginx errors", "nginx-access", func(d map[string]any) bool { return field(d, "event.outcome") == "failure" }},
	}
	for _, k := range kinds {
		if n := count(k.lt, k.match); n == 0 || n == len(docs[k.lt]) {
			t.Errorf("%s: %d of %d %s documents; want some, not all", k.what, n, len(docs[k.lt]), k.lt)
		}
	}
	// several destination ports rejected, so that the bar chart has bars
	ports := map[any]bool{}
	for _, d := range docs["vpcflowlogs"] {
		if field(d, "event.action") == "REJECT" {
			ports[field(d, "destination.port")] = true
		}
	}
	if len(ports) < 5 {
		t.Errorf("rejected flows to %d destination ports, want several", len(ports))
	}
}

// field is a dotted path's value in a document (nil when absent).
func field(doc map[string]any, path string) any {
	var cur any = doc
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[p]; !ok {
			return nil
		}
	}
	return cur
}

func TestGenWritesGzipObjectsAndAppendsText(t *testing.T) {
	dir := t.TempDir()
	for round := 1; round <= 2; round++ {
		if rc := cmdGen([]string{"--count", "10", "--s3-dir", dir + "/s3", "--text-dir", dir + "/text"}, io.Discard, io.Discard); rc != 0 {
			t.Fatalf("rc %d", rc)
		}
	}
	var keys []string
	filepath.WalkDir(dir+"/s3", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			keys = append(keys, path)
			f, _ := os.Open(path)
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Errorf("%s: not gzip: %v", path, err)
				return nil
			}
			if _, err := io.ReadAll(zr); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
		return nil
	})
	// each batch its own object: a second one never overwrites the first
	if len(keys) != 2*len(genS3Types) {
		t.Errorf("%d objects after two batches, want %d: %v", len(keys), 2*len(genS3Types), keys)
	}
	for _, lt := range genTextTypes {
		data, err := os.ReadFile(filepath.Join(dir, "text", genTextFiles[lt]))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "\n"); n != 20 {
			t.Errorf("%s: %d lines after two batches of 10, want 20", lt, n)
		}
	}
}

func TestGenStdoutAndFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := cmdGen([]string{"--stdout", "vpcflowlogs", "--count", "3"}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "2 "+genAccount+" eni-") {
		t.Errorf("stdout: %q", out.String())
	}
	for _, args := range [][]string{
		{"--count", "1"},                       // nowhere to write
		{"--stdout", "nosuch", "--count", "1"}, // unknown type
		{"--types", "cloudtrail,bogus", "--s3-dir", t.TempDir()},
		{"--rate", "0", "--s3-dir", t.TempDir()},
	} {
		errb.Reset()
		if rc := cmdGen(args, io.Discard, &errb); rc != 2 || errb.Len() == 0 {
			t.Errorf("%v: rc %d, stderr %q; want 2 and a message", args, rc, errb.String())
		}
	}
	// a duration ends the continuous mode: one batch of rate × interval
	out.Reset()
	start := time.Now()
	if rc := cmdGen([]string{"--stdout", "nginx-access", "--rate", "4", "--interval", "500ms", "--duration", "400ms"}, &out, io.Discard); rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 || time.Since(start) > 5*time.Second {
		t.Errorf("continuous run: %d lines in %v, want 2 at once", n, time.Since(start))
	}
}
