package normalize_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// JSON records are decoded where they lie in the read buffer and their
// @message is transcoded from their text (jsonstream.go,
// pyjson.AppendDumpsRaw). These tests hold the documents byte for byte to
// those of the route that copies every value and renders @message from the
// decoded record (WithoutInPlaceJSON), over the shared samples, the
// examples, generated objects, reads cut into small pieces, and fuzzed
// input.

// chunkReader returns at most n bytes per Read, so that records straddle
// many buffer refills.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[k:]
	r.n = r.n%13 + 1 // vary the piece sizes: 1..13 bytes
	return k, nil
}

func runInPlace(t testing.TB, n *normalize.Normalizer, src normalize.Source, r io.Reader) pathRun {
	var out pathRun
	res, err := n.ProcessObject(src, r, func(d normalize.Document) error {
		d.Source = append([]byte(nil), d.Source...)
		out.docs = append(out.docs, d)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", src.Key, err)
	}
	out.res = res
	return out
}

// compareInPlace fails t when the two routes give different documents or
// counts for body (read whole, and in small pieces when chunked); it
// returns the number of documents compared.
func compareInPlace(t testing.TB, fast, slow *normalize.Normalizer, src normalize.Source, body []byte, chunked bool) int {
	t.Helper()
	want := runInPlace(t, slow, src, bytes.NewReader(body))
	runs := []io.Reader{bytes.NewReader(body)}
	if chunked {
		runs = append(runs, &chunkReader{b: body, n: 1})
	}
	for _, r := range runs {
		got := runInPlace(t, fast, src, r)
		if got.res.Records != want.res.Records || got.res.Documents != want.res.Documents ||
			got.res.ErrorCount() != want.res.ErrorCount() || got.res.Fatal != want.res.Fatal ||
			!reflect.DeepEqual(got.res.Errors, want.res.Errors) || !reflect.DeepEqual(got.res.Excluded, want.res.Excluded) ||
			!reflect.DeepEqual(got.res.Warnings, want.res.Warnings) {
			t.Fatalf("%s: counts differ\nin place: %+v\ncopying:  %+v", src.Key, got.res, want.res)
		}
		for i := range got.docs {
			g, w := got.docs[i], want.docs[i]
			if g.LogType != w.LogType || g.Index != w.Index || g.ID != w.ID || !bytes.Equal(g.Source, w.Source) {
				t.Fatalf("%s doc %d differs\nin place: %s %s %s\n%s\ncopying:  %s %s %s\n%s", src.Key, i,
					g.LogType, g.Index, g.ID, g.Source, w.LogType, w.Index, w.ID, w.Source)
			}
		}
	}
	return len(want.docs)
}

func inPlacePair(t testing.TB) (fast, slow *normalize.Normalizer) {
	return newNormalizer(t, ""), normalize.WithoutInPlaceJSON(newNormalizer(t, ""))
}

func compareInPlaceTree(t *testing.T, root, bucket string, fast, slow *normalize.Normalizer) int {
	docs := 0
	eachObject(t, root, bucket, func(src normalize.Source, body []byte) {
		docs += compareInPlace(t, fast, slow, src, body, len(body) < 1<<20)
	})
	return docs
}

func TestInPlaceJSONMatchesCopyingOnSamples(t *testing.T) {
	shared := sharedDir(t)
	fast, slow := inPlacePair(t)
	entries, err := os.ReadDir(filepath.Join(shared, "samples"))
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, e := range entries {
		if e.IsDir() {
			docs += compareInPlaceTree(t, filepath.Join(shared, "samples", e.Name()), "aes-siem-123456789012-log", fast, slow)
		}
	}
	if docs < 200 {
		t.Fatalf("only %d documents compared", docs)
	}
}

func TestInPlaceJSONMatchesCopyingOnExamples(t *testing.T) {
	fast, slow := inPlacePair(t)
	if compareInPlaceTree(t, "../examples/samples", "b", fast, slow) == 0 {
		t.Fatal("no documents compared")
	}
}

// odd records: escapes of every kind, non-ASCII text, numbers Python
// spells differently, white space, repeated keys, nesting, and records
// that do not decode
var inPlaceOddRecords = []string{
	`{"eventVersion":"1.08","eventTime":"2024-05-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","eventID":"odd-1","requestParameters":{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\\/*\"}]}","roleName":"r\u00e9le\ud83d\ude00\ud800"},"userAgent":"a\tb\u0001\u007f\u2028"}`,
	"{ \"eventTime\" : \"2024-05-20T10:00:01Z\" ,\n\t\"eventID\" : \"odd-2\", \"n\" : [ 1 , 2.50 , -0 , 1E5 , 1e-7 , 1e400 , NaN , -Infinity , 123456789012345678901234567890 ] , \"empty\" : { } , \"list\" : [ ] }",
	`{"eventTime":"2024-05-20T10:00:02Z","eventID":"odd-3","dup":1,"x":{"a":1,"a":2},"dup":3}`,
	`{"eventTime":"2024-05-20T10:00:03Z","eventID":"odd-4","日本語":"ログ","deep":` + strings.Repeat(`{"a":[`, 40) + `"x"` + strings.Repeat(`]}`, 40) + `}`,
	`{"eventTime":"2024-05-20T10:00:04Z","eventID":"odd-5","bad":"\x"}`,
	`{"eventTime":"2024-05-20T10:00:05Z","eventID":"odd-6","truncated":[1,2`,
	`{"eventTime":"2024-05-20T10:00:06Z","sourceIPAddress":"198.51.100.9","eventID":"","errorCode":"X"}`,
}

func TestInPlaceJSONMatchesCopyingOnGenerated(t *testing.T) {
	fast, slow := inPlacePair(t)
	ct := normalize.Source{Bucket: "b", Key: ctKey}
	compareInPlace(t, fast, slow, ct, gz(t, string(cloudTrailObject(3000))), false)
	compareInPlace(t, fast, slow, ct, cloudTrailObject(300), true)
	var sb strings.Builder
	sb.WriteString(`{"Records":[`)
	for i, r := range inPlaceOddRecords[:4] {
		if i > 0 {
			sb.WriteString(" ,\n")
		}
		sb.WriteString(r)
	}
	sb.WriteString(`]}`)
	if compareInPlace(t, fast, slow, ct, []byte(sb.String()), true) != 4 {
		t.Fatal("odd CloudTrail records not all loaded")
	}
	// NDJSON of types without doc_id: @message is hashed into _id
	for _, key := range []string{
		"AWSLogs/123456789012/network-firewall/alert/us-east-2/2024/05/20/10/123456789012_network-firewall_alert_us-east-2_fw_202405201000_x.log",
		"AWSLogs/123456789012/WAFLogs/us-east-1/web-acl/2024/05/20/10/00/123456789012_waflogs_us-east-1_web-acl_20240520T1000Z_x.log",
	} {
		var nd strings.Builder
		for i := 0; i < 200; i++ {
			fmt.Fprintf(&nd, `{"timestamp":%d,"event_timestamp":"%d","event":{"timestamp":"2024-05-20T10:00:00.%06d+0000","src_ip":"10.0.0.%d","dest_ip":"198.51.100.%d","n":%d.50,"s":"caf\u00e9 \"q\""}}`+"\n",
				1716163200000+i, 1716163200+i, i, i%250, i%250, i)
			nd.WriteString(inPlaceOddRecords[i%len(inPlaceOddRecords)] + "\n")
		}
		if compareInPlace(t, fast, slow, normalize.Source{Bucket: "b", Key: key}, []byte(nd.String()), true) < 200 {
			t.Fatalf("%s: too few documents", key)
		}
	}
}

func FuzzInPlaceJSON(f *testing.F) {
	for _, r := range inPlaceOddRecords {
		f.Add(byte(0), []byte(`{"Records":[`+r+`]}`))
		f.Add(byte(1), []byte(r+"\n"+r))
	}
	f.Add(byte(0), cloudTrailObject(3))
	keys := []string{ctKey,
		"AWSLogs/123456789012/network-firewall/alert/us-east-2/2024/05/20/10/123456789012_network-firewall_alert_us-east-2_fw_202405201000_x.log"}
	fast, slow := inPlacePair(f)
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		compareInPlace(t, fast, slow, normalize.Source{Bucket: "b", Key: keys[int(which)%len(keys)]}, body, true)
	})
}

// A Stream's JSON records (Stream.Record, and Stream.Message for a json
// section) render from their text too, and reuse the memory of the record
// before (slab and text): the same documents, byte for byte, as the
// copying route that allocates every record afresh, for sample CloudTrail
// records, the odd records (repeated keys, escapes, invalid UTF-8) and
// fuzzed ones. Documents are compared after the whole stream, so an _id
// or index still pointing into reused memory shows.
func compareStreamInPlace(t testing.TB, fast, slow *normalize.Normalizer, src normalize.Source, recs []string) int {
	t.Helper()
	run := func(n *normalize.Normalizer, message bool) pathRun {
		var out pathRun
		s := n.NewStream(src, func(d normalize.Document) error {
			d.Source = append([]byte(nil), d.Source...)
			out.docs = append(out.docs, d)
			return nil
		})
		if s == nil {
			t.Fatalf("%+v: no log type", src)
		}
		for _, r := range recs {
			if message {
				s.Message(r)
			} else {
				s.Record([]byte(r))
			}
		}
		out.res = s.Result()
		return out
	}
	docs := 0
	for _, message := range []bool{false, true} {
		got, want := run(fast, message), run(slow, message)
		if got.res.Records != want.res.Records || got.res.Documents != want.res.Documents ||
			!reflect.DeepEqual(got.res.Errors, want.res.Errors) || !reflect.DeepEqual(got.res.Warnings, want.res.Warnings) {
			t.Fatalf("message=%v: counts differ\nfrom text: %+v\ncopying:   %+v", message, got.res, want.res)
		}
		for i := range got.docs {
			g, w := got.docs[i], want.docs[i]
			if g.Index != w.Index || g.ID != w.ID || !bytes.Equal(g.Source, w.Source) {
				t.Fatalf("message=%v doc %d differs\nfrom text: %s %s\n%s\ncopying:   %s %s\n%s", message, i, g.Index, g.ID, g.Source, w.Index, w.ID, w.Source)
			}
		}
		docs += len(got.docs)
	}
	return docs
}

func streamTestRecords(t testing.TB) []string {
	recs := append([]string(nil), inPlaceOddRecords...)
	recs = append(recs, `{"eventTime":"2024-05-20T10:00:07Z","eventID":"odd-7","userName":"bad `+"\xff\xfe"+` utf8","k":"\xc3"}`)
	var top struct{ Records []json.RawMessage }
	if err := json.Unmarshal(cloudTrailObject(50), &top); err != nil {
		t.Fatal(err)
	}
	for _, r := range top.Records {
		recs = append(recs, string(r))
	}
	return recs
}

func TestStreamJSONFromTextMatchesCopying(t *testing.T) {
	fast, slow := inPlacePair(t)
	src := normalize.Source{LogType: "cloudtrail"}
	if n := compareStreamInPlace(t, fast, slow, src, streamTestRecords(t)); n < 100 {
		t.Fatalf("only %d documents compared", n)
	}
}

// A Stream reuses its records' memory: after the first records, a JSON
// line costs a few small allocations (the document's own strings), not a
// copy of the line and its decoded maps (about 8 kB a CloudTrail record).
func TestStreamReusesRecordMemory(t *testing.T) {
	fast, _ := inPlacePair(t)
	recs := streamTestRecords(t)
	s := fast.NewStream(normalize.Source{LogType: "cloudtrail"}, func(normalize.Document) error { return nil })
	feed := func() {
		for _, r := range recs {
			s.Message(r)
		}
	}
	feed()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const rounds = 20
	for i := 0; i < rounds; i++ {
		feed()
	}
	runtime.ReadMemStats(&after)
	perRecord := float64(after.TotalAlloc-before.TotalAlloc) / float64(rounds*len(recs))
	if perRecord > 2500 {
		t.Fatalf("%.0f bytes allocated a record: the stream does not reuse its records' memory", perRecord)
	}
}

func FuzzStreamJSONFromText(f *testing.F) {
	for _, r := range streamTestRecords(f) {
		f.Add(r)
	}
	fast, slow := inPlacePair(f)
	f.Fuzz(func(t *testing.T, rec string) {
		compareStreamInPlace(t, fast, slow, normalize.Source{LogType: "cloudtrail"}, []string{rec})
	})
}
