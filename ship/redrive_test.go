package ship_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/siemloader/siemloader/internal/miniotest"
	"github.com/siemloader/siemloader/ship"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

func redriveConfig(url string) ship.Config {
	return ship.Config{URLs: []string{url}, Workers: 2, MaxAttempts: 50, RetryInitial: time.Millisecond,
		RetryMax: 10 * time.Millisecond, Timeout: 10 * time.Second}
}

// dlRec is the dead-letter line of a document as the indexer writes it:
// a body that is not JSON kept as a string.
func dlRec(id, body string) ship.DeadLetterRecord {
	doc := json.RawMessage(body)
	if !json.Valid(doc) {
		doc, _ = json.Marshal(body)
	}
	return ship.DeadLetterRecord{Time: time.Now().UTC(), LogType: "alb", Index: "log-aws-alb-2024-05", ID: id,
		Status: 400, ErrorType: "mapper_parsing_exception", Reason: "failed to parse", Document: doc}
}

func ndjson(t *testing.T, recs []ship.DeadLetterRecord, gz bool) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.Writer = &b
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&b)
		w = zw
	}
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(append(line, '\n'))
	}
	if zw != nil {
		zw.Close()
	}
	return b.Bytes()
}

func writeDL(t *testing.T, path string, recs []ship.DeadLetterRecord) {
	t.Helper()
	if err := os.WriteFile(path, ndjson(t, recs, strings.HasSuffix(path, ".gz")), 0o640); err != nil {
		t.Fatal(err)
	}
}

// readDL returns the records of every *.ndjson* file in dir.
func readDL(t *testing.T, dir string) []ship.DeadLetterRecord {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson*"))
	var out []ship.DeadLetterRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parseDL(t, f, data)...)
	}
	return out
}

func parseDL(t *testing.T, name string, data []byte) []ship.DeadLetterRecord {
	t.Helper()
	var r io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var out []ship.DeadLetterRecord
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var rec ship.DeadLetterRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, rec)
	}
	return out
}

// redriveFixture is three dead-letter files: plain, gzipped, and one with
// bodies that are not JSON; ids whose body holds STILLBAD are refused
// again by the test cluster.
type redriveFixture struct {
	files    map[string][]ship.DeadLetterRecord
	good     map[string]bool // ids that must end up indexed
	bad      map[string]bool // ids that must be dead-lettered again
	notJSON  map[string]json.RawMessage
	nRecords int
}

func newRedriveFixture() *redriveFixture {
	f := &redriveFixture{files: map[string][]ship.DeadLetterRecord{}, good: map[string]bool{}, bad: map[string]bool{}, notJSON: map[string]json.RawMessage{}}
	add := func(file, id, body string, good bool) {
		r := dlRec(id, body)
		f.files[file] = append(f.files[file], r)
		f.nRecords++
		if good {
			f.good[id] = true
		} else {
			f.bad[id] = true
		}
		if !json.Valid([]byte(body)) {
			f.notJSON[id] = r.Document
		}
	}
	for i := 0; i < 1500; i++ {
		add("deadletter-20240601T000000Z-0001.ndjson", fmt.Sprintf("a-%04d", i), fmt.Sprintf(`{"n":%d}`, i), true)
	}
	for i := 0; i < 500; i++ {
		if i%50 == 3 {
			add("deadletter-20240601T000000Z-0002.ndjson.gz", fmt.Sprintf("b-%04d", i), fmt.Sprintf(`{"n":%d,"v":"STILLBAD"}`, i), false)
		} else {
			add("deadletter-20240601T000000Z-0002.ndjson.gz", fmt.Sprintf("b-%04d", i), fmt.Sprintf(`{"n":%d}`, i), true)
		}
	}
	add("other.ndjson", "c-0", `{"fine":true}`, true)
	add("other.ndjson", "c-1", `{"truncated": 12`, false)
	add("other.ndjson", "c-2", "line one\nline two", false)
	return f
}

func (f *redriveFixture) write(t *testing.T, dir string) {
	t.Helper()
	for name, recs := range f.files {
		writeDL(t, filepath.Join(dir, name), recs)
	}
}

func (f *redriveFixture) names() []string {
	var n []string
	for k := range f.files {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// checkServer: every good id indexed exactly once, nothing else.
func (f *redriveFixture) checkServer(t *testing.T, srv *opensearchtest.Server) {
	t.Helper()
	writes := srv.Writes()
	for id := range f.good {
		if w := writes["log-aws-alb-2024-05/"+id]; w != 1 {
			t.Errorf("%s written %d times", id, w)
		}
	}
	if len(writes) != len(f.good) {
		t.Errorf("server holds %d documents, want %d", len(writes), len(f.good))
	}
}

// checkDeadLetter: the records refused again, each once, the bodies
// that were not JSON with their original bytes.
func (f *redriveFixture) checkDeadLetter(t *testing.T, recs []ship.DeadLetterRecord) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range recs {
		if !f.bad[r.ID] || seen[r.ID] {
			t.Errorf("dead-letter record %s (unexpected or twice)", r.ID)
		}
		seen[r.ID] = true
		if want, ok := f.notJSON[r.ID]; ok && !bytes.Equal(r.Document, want) {
			t.Errorf("%s came back as %s, was %s", r.ID, r.Document, want)
		}
		if r.Index != "log-aws-alb-2024-05" || r.LogType != "alb" || r.Status != 400 {
			t.Errorf("record %+v", r)
		}
	}
	if len(seen) != len(f.bad) {
		t.Errorf("%d records dead-lettered again, want %d", len(seen), len(f.bad))
	}
}

func TestRedriveFromFolder(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "STILLBAD", ItemRejected: 0.2}, 11)
	defer srv.Close()
	src, again := t.TempDir(), t.TempDir()
	fx := newRedriveFixture()
	fx.write(t, src)
	os.WriteFile(filepath.Join(src, "README.txt"), []byte("not a dead-letter file"), 0o640)
	ctx := context.Background()

	// a few documents arrived before (a run whose answer was lost):
	// create answers 409 and they count as delivered, not twice
	pre, err := ship.New(redriveConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	pre.Send(ctx, []ship.Doc{{LogType: "alb", Index: "log-aws-alb-2024-05", ID: "a-0007", Body: []byte(`{"n":7}`)}})
	pre.Close(ctx)

	cfg := redriveConfig(srv.URL)
	cfg.DeadLetterDir = again
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var events []ship.RedriveProgress
	rep, err := ship.Redrive(ctx, ix, ship.RedriveSource{Dir: src, BatchDocs: 400}, func(p ship.RedriveProgress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	wantBad := int64(len(fx.bad))
	if rep.Files != 3 || rep.Moved != 3 || len(rep.Kept) != 0 || rep.Records != int64(fx.nRecords) ||
		rep.DeadLettered != wantBad || rep.Delivered != int64(fx.nRecords)-wantBad || rep.Failed != 0 || rep.Invalid != 0 {
		t.Fatalf("report %+v", rep)
	}
	fx.checkServer(t, srv)
	fx.checkDeadLetter(t, readDL(t, again))
	left, _ := filepath.Glob(filepath.Join(src, "*.ndjson*"))
	if len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(src, "README.txt")); err != nil {
		t.Error("a file that is not dead-letter was touched")
	}
	for _, n := range fx.names() {
		if _, err := os.Stat(filepath.Join(src, ship.RedrivenFolder, n)); err != nil {
			t.Errorf("%s not in redriven/: %v", n, err)
		}
	}
	var moved []string
	batches := 0
	for _, e := range events {
		switch e.Event {
		case ship.RedriveMoved:
			moved = append(moved, filepath.Base(e.MovedTo))
			if e.Files != 3 || e.Counts.Records == 0 {
				t.Errorf("event %+v", e)
			}
		case ship.RedriveBatch:
			batches++
		}
	}
	slices.Sort(moved)
	if !slices.Equal(moved, fx.names()) || batches < 6 {
		t.Errorf("moved events %v, %d batch events", moved, batches)
	}

	// the same files redriven once more (copied back by a user): nothing
	// is indexed twice, and a name redriven before is not overwritten
	for _, n := range fx.names() {
		data, _ := os.ReadFile(filepath.Join(src, ship.RedrivenFolder, n))
		os.WriteFile(filepath.Join(src, n), data, 0o640)
	}
	cfg.DeadLetterDir = t.TempDir()
	ix, _ = ship.New(cfg)
	if _, err := ship.Redrive(ctx, ix, ship.RedriveSource{Dir: src}, nil); err != nil {
		t.Fatal(err)
	}
	fx.checkServer(t, srv)
	if n, _ := filepath.Glob(filepath.Join(src, ship.RedrivenFolder, "*")); len(n) != 6 {
		t.Errorf("redriven/ holds %v", n)
	}
}

// A cluster that does not answer leaves every file where it was and an
// error that says how much remains.
func TestRedriveKeepsFilesWhenTheClusterIsDown(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 12)
	srv.Close()
	src := t.TempDir()
	fx := newRedriveFixture()
	fx.write(t, src)
	cfg := redriveConfig(srv.URL)
	cfg.MaxAttempts = 2
	cfg.DeadLetterDir = t.TempDir()
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ship.Redrive(context.Background(), ix, ship.RedriveSource{Dir: src}, nil)
	// the body with a newline cannot be sent at all: it goes straight to
	// the dead-letter; everything else fails
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d record(s) still failed", fx.nRecords-1)) ||
		!strings.Contains(err.Error(), "3 file(s) left in place") {
		t.Fatalf("err = %v", err)
	}
	if rep.Moved != 0 || len(rep.Kept) != 3 || rep.Delivered != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, n := range fx.names() {
		if _, err := os.Stat(filepath.Join(src, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(src, ship.RedrivenFolder)); err == nil {
		t.Error("redriven/ made with nothing settled")
	}
}

// Lines that are not dead-letter records are counted, sent nothing for,
// and keep their file for a person to look at; the rest is delivered.
func TestRedriveKeepsFilesWithUnreadableLines(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 13)
	defer srv.Close()
	src := t.TempDir()
	data := append(ndjson(t, []ship.DeadLetterRecord{dlRec("x-1", `{"a":1}`)}, false), "{\"time\":\"2024-06-01T00:00:00Z\",\"_ind\n"...)
	data = append(data, ndjson(t, []ship.DeadLetterRecord{dlRec("x-2", `{"a":2}`)}, false)...)
	os.WriteFile(filepath.Join(src, "torn.ndjson"), data, 0o640)
	cfg := redriveConfig(srv.URL)
	cfg.DeadLetterDir = t.TempDir()
	ix, _ := ship.New(cfg)
	rep, err := ship.Redrive(context.Background(), ix, ship.RedriveSource{Dir: src}, nil)
	if err == nil || !strings.Contains(err.Error(), "1 unreadable line(s)") {
		t.Fatalf("err = %v", err)
	}
	if rep.Invalid != 1 || rep.Delivered != 2 || len(rep.Kept) != 1 || srv.Docs() != 2 {
		t.Fatalf("report %+v, server %d", rep, srv.Docs())
	}
	if _, err := os.Stat(filepath.Join(src, "torn.ndjson")); err != nil {
		t.Fatal(err)
	}
}

func TestRedriveDryRunCountsOnly(t *testing.T) {
	src := t.TempDir()
	fx := newRedriveFixture()
	fx.write(t, src)
	os.WriteFile(filepath.Join(src, "junk.ndjson"), []byte("not json\n\n"), 0o640)
	var counted int
	rep, err := ship.Redrive(context.Background(), nil, ship.RedriveSource{Dir: src, DryRun: true}, func(p ship.RedriveProgress) {
		if p.Event == ship.RedriveCounted {
			counted++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 4 || counted != 4 || rep.Records != int64(fx.nRecords) || rep.Invalid != 1 || rep.Delivered != 0 || rep.Moved != 0 {
		t.Fatalf("report %+v, %d counted", rep, counted)
	}
	if left, _ := filepath.Glob(filepath.Join(src, "*.ndjson*")); len(left) != 4 {
		t.Fatalf("files %v", left)
	}
}

// Records refused again must not land among those being read.
func TestRedriveRefusesItsSourceAsDeadLetter(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 14)
	defer srv.Close()
	src := t.TempDir()
	writeDL(t, filepath.Join(src, "a.ndjson"), []ship.DeadLetterRecord{dlRec("x", `{}`)})
	cfg := redriveConfig(srv.URL)
	cfg.DeadLetterDir = src + "/."
	ix, _ := ship.New(cfg)
	if _, err := ship.Redrive(context.Background(), ix, ship.RedriveSource{Dir: src}, nil); err == nil || !strings.Contains(err.Error(), "another folder") {
		t.Fatalf("err = %v", err)
	}
	if srv.Requests != 0 {
		t.Error("documents were sent")
	}
}

func s3Keys(t *testing.T, c *s3.Client, bucket, prefix string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}

func putObject(t *testing.T, c *s3.Client, bucket, key string, data []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
}

// The same from an S3 prefix written by the S3 dead-letter, records
// refused again going to another prefix; objects below the prefix's
// level are not read.
func TestRedriveFromS3(t *testing.T) {
	mio := miniotest.Start(t)
	mio.MakeBucket(t, "siem-dead")
	c := mio.Client(t)
	ctx := context.Background()
	fx := newRedriveFixture()
	sink, err := ship.NewS3DeadLetter(ctx, c, "siem-dead", "dl", 32<<10)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range fx.names() {
		for _, r := range fx.files[n] {
			sink.Write(r)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	putObject(t, c, "siem-dead", "dl/elsewhere/x.ndjson", ndjson(t, []ship.DeadLetterRecord{dlRec("zz", `{}`)}, false))
	objects := s3Keys(t, c, "siem-dead", "dl/deadletter-")
	if len(objects) < 2 {
		t.Fatalf("objects %v", objects)
	}

	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "STILLBAD", ItemRejected: 0.2}, 15)
	defer srv.Close()
	cfg := redriveConfig(srv.URL)
	if cfg.DeadLetter, err = ship.NewS3DeadLetter(ctx, c, "siem-dead", "dl-again", 0); err != nil {
		t.Fatal(err)
	}
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ship.Redrive(ctx, ix, ship.RedriveSource{S3: c, Bucket: "siem-dead", Prefix: "dl/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != len(objects) || rep.Moved != len(objects) || rep.Records != int64(fx.nRecords) {
		t.Fatalf("report %+v", rep)
	}
	fx.checkServer(t, srv)
	if left := s3Keys(t, c, "siem-dead", "dl/deadletter-"); len(left) != 0 {
		t.Errorf("objects left: %v", left)
	}
	redriven := s3Keys(t, c, "siem-dead", "dl/redriven/")
	if len(redriven) != len(objects) {
		t.Errorf("redriven %v", redriven)
	}
	if s3Keys(t, c, "siem-dead", "dl/elsewhere/") == nil {
		t.Error("an object below the prefix's level was moved")
	}
	var again []ship.DeadLetterRecord
	for _, k := range s3Keys(t, c, "siem-dead", "dl-again/") {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("siem-dead"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(out.Body)
		out.Body.Close()
		again = append(again, parseDL(t, k, data)...)
	}
	fx.checkDeadLetter(t, again)

	// with the cluster gone, a new object stays where it is
	putObject(t, c, "siem-dead", "dl/late.ndjson", ndjson(t, []ship.DeadLetterRecord{dlRec("late", `{"n":1}`)}, false))
	srv.Close()
	cfg = redriveConfig(srv.URL)
	cfg.MaxAttempts = 2
	ix, _ = ship.New(cfg)
	_, err = ship.Redrive(ctx, ix, ship.RedriveSource{S3: c, Bucket: "siem-dead", Prefix: "dl"}, nil)
	if err == nil || !strings.Contains(err.Error(), "1 record(s) still failed") {
		t.Fatalf("err = %v", err)
	}
	if k := s3Keys(t, c, "siem-dead", "dl/late"); len(k) != 1 {
		t.Fatalf("late object: %v", k)
	}
}

// lossySink accepts records and loses them: its Close fails.
type lossySink struct{ n int }

func (s *lossySink) Write(ship.DeadLetterRecord) error { s.n++; return nil }
func (s *lossySink) Close() error                      { return fmt.Errorf("lost %d record(s)", s.n) }

// A file whose records were refused again is moved only once they are
// safe in the new dead-letter: when that fails, the file stays.
func TestRedriveKeepsFilesWhoseDeadLetterFailed(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "STILLBAD"}, 16)
	defer srv.Close()
	src := t.TempDir()
	fx := newRedriveFixture()
	fx.write(t, src)
	cfg := redriveConfig(srv.URL)
	cfg.DeadLetter = &lossySink{}
	ix, _ := ship.New(cfg)
	rep, err := ship.Redrive(context.Background(), ix, ship.RedriveSource{Dir: src}, nil)
	if err == nil || !strings.Contains(err.Error(), "lost 12 record(s)") || !strings.Contains(err.Error(), "2 file(s) left in place") {
		t.Fatalf("err = %v", err)
	}
	if rep.Moved != 1 || len(rep.Kept) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, n := range fx.names() {
		_, err := os.Stat(filepath.Join(src, n))
		if kept := !strings.HasSuffix(n, "0001.ndjson"); kept != (err == nil) {
			t.Errorf("%s: kept %v, stat %v", n, kept, err)
		}
	}
	fx.checkServer(t, srv)
}
