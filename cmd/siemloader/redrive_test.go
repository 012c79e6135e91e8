package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/siemloader/siemloader/internal/awstest"
	"github.com/siemloader/siemloader/internal/miniotest"
	"github.com/siemloader/siemloader/ship"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// writeDeadLetter fills dir through the real folder sink: n documents,
// those with i%10 == 3 holding STILLBAD.
func writeDeadLetter(t *testing.T, dir string, n int) {
	t.Helper()
	dl, err := ship.NewDirDeadLetter(dir, 4<<10) // a few files
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"n":%d}`, i)
		if i%10 == 3 {
			body = fmt.Sprintf(`{"n":%d,"v":"STILLBAD"}`, i)
		}
		rec := ship.DeadLetterRecord{Time: time.Now().UTC(), LogType: "vpcflowlogs", Index: "log-aws-vpcflowlogs-2024-05",
			ID: fmt.Sprintf("id-%04d", i), Status: 400, ErrorType: "mapper_parsing_exception", Reason: "failed to parse", Document: json.RawMessage(body)}
		if err := dl.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := dl.Close(); err != nil {
		t.Fatal(err)
	}
}

func countLines(t *testing.T, glob string) int {
	t.Helper()
	files, _ := filepath.Glob(glob)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(data, []byte("\n"))
	}
	return n
}

func TestRedriveCommandFolder(t *testing.T) {
	dir := t.TempDir()
	src, again := filepath.Join(dir, "dead"), filepath.Join(dir, "dead-again")
	writeDeadLetter(t, src, 200)
	files, _ := filepath.Glob(filepath.Join(src, "*.ndjson"))
	if len(files) < 2 {
		t.Fatalf("fixture: %d files", len(files))
	}

	// a dry run counts and touches nothing, without a cluster
	var stdout, stderr bytes.Buffer
	if code := runRedrive([]string{"--dry-run", src}, &stdout, &stderr); code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "dry run of "+src+": "+fmt.Sprint(len(files))+" file(s), 200 record(s)") {
		t.Errorf("dry run output:\n%s", stderr.String())
	}

	// the cluster is down: every file stays, exit 1
	down := opensearchtest.New(opensearchtest.Faults{}, 21)
	down.Close()
	stderr.Reset()
	if code := runRedrive([]string{"--opensearch", down.URL, "--max-attempts", "1", "--dead-letter", again, src}, &stdout, &stderr); code != 1 {
		t.Fatalf("cluster down: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "200 record(s) still failed") || !strings.Contains(stderr.String(), "left in place") {
		t.Errorf("cluster down output:\n%s", stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(src, "*.ndjson")); len(left) != len(files) {
		t.Fatalf("files after a failed run: %v", left)
	}

	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "STILLBAD"}, 22)
	defer srv.Close()
	stderr.Reset()
	code := runRedrive([]string{"--opensearch", srv.URL, "--gzip", "--batch-docs", "50", "--dead-letter", again, src}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if srv.Docs() != 180 {
		t.Errorf("server holds %d documents, want 180", srv.Docs())
	}
	for k, w := range srv.Writes() {
		if w != 1 {
			t.Errorf("%s written %d times", k, w)
		}
	}
	if n := countLines(t, filepath.Join(again, "*.ndjson")); n != 20 {
		t.Errorf("%d records refused again, want 20", n)
	}
	if left, _ := filepath.Glob(filepath.Join(src, "*.ndjson")); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	if moved, _ := filepath.Glob(filepath.Join(src, ship.RedrivenFolder, "*.ndjson")); len(moved) != len(files) {
		t.Errorf("redriven/: %v", moved)
	}
	out := stderr.String()
	for _, want := range []string{"delivered            180", "refused again        20 (in " + again + ")", "files moved to redriven/ " + fmt.Sprint(len(files)), "-> redriven/ after the dead-letter is written"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRedriveCommandUsage(t *testing.T) {
	src := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{src}, "--opensearch is required"},
		{[]string{"--opensearch", "http://127.0.0.1:1", src}, "--dead-letter is required"},
		{[]string{"--opensearch", "http://127.0.0.1:1", "--dead-letter", src + "/", src}, "records refused again need another folder"},
		{[]string{"--opensearch", "http://127.0.0.1:1", "--dead-letter", filepath.Join(src, "redriven"), src}, "another folder"},
		{[]string{"--opensearch", "http://127.0.0.1:1", "--dead-letter", "s3://b/dl/", "s3://b/dl"}, "another folder"},
		{[]string{"--opensearch", "http://127.0.0.1:1", "--dead-letter", "s3://b/dl/redriven", "s3://b/dl"}, "another folder"},
		{[]string{"--dry-run", src, src}, "exactly one"},
		{[]string{"--dry-run", "s3://"}, "no valid bucket"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runRedrive(c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, want 2 and %q in:\n%s", c.args, code, c.want, stderr.String())
		}
	}
}

// From an S3 prefix through the SDK chain's credentials and a custom
// endpoint, as against MinIO or a VPC endpoint.
func TestRedriveCommandS3(t *testing.T) {
	mio := miniotest.Start(t)
	mio.MakeBucket(t, "siem-dl")
	dir := t.TempDir()
	awstest.Isolate(t, mio.AccessKey, mio.SecretKey)

	ctx := context.Background()
	c := mio.Client(t)
	local := filepath.Join(dir, "local")
	writeDeadLetter(t, local, 50)
	files, _ := filepath.Glob(filepath.Join(local, "*.ndjson"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("siem-dl"), Key: aws.String("dl/" + filepath.Base(f)), Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
	}
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "STILLBAD"}, 23)
	defer srv.Close()
	again := filepath.Join(dir, "again")
	var stdout, stderr bytes.Buffer
	code := runRedrive([]string{"--quiet", "--opensearch", srv.URL, "--dead-letter", again, "--s3-endpoint", mio.Endpoint, "s3://siem-dl/dl"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if srv.Docs() != 45 || countLines(t, filepath.Join(again, "*.ndjson")) != 5 {
		t.Errorf("server %d documents, %d refused again", srv.Docs(), countLines(t, filepath.Join(again, "*.ndjson")))
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("siem-dl")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		if !strings.HasPrefix(*o.Key, "dl/redriven/") {
			t.Errorf("object %s not moved", *o.Key)
		}
	}
	if len(list.Contents) != len(files) {
		t.Errorf("%d objects, want %d", len(list.Contents), len(files))
	}
	if strings.Contains(stderr.String(), "[1/") {
		t.Errorf("--quiet printed per-file lines:\n%s", stderr.String())
	}
}
