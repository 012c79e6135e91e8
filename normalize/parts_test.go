package normalize_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// An object cut into parts must give, part by part, the documents the
// whole object gives: same order, _index, _id and fields.

func partDocs(t *testing.T, n *normalize.Normalizer, src normalize.Source, body []byte, maxPart int) ([]normalize.Document, int) {
	t.Helper()
	var docs []normalize.Document
	parts := 0
	res, err := n.SplitObject(src, bytes.NewReader(body), maxPart, func(part []byte) error {
		parts++
		pres, err := n.ProcessPart(src, part, func(d normalize.Document) error {
			d.Source = append([]byte(nil), d.Source...)
			docs = append(docs, d)
			return nil
		})
		if pres.Skipped != "" || pres.Fatal != "" {
			t.Fatalf("%s part %d: skipped %q, fatal %q", src.Key, parts, pres.Skipped, pres.Fatal)
		}
		return err
	})
	if err != nil || res.Skipped != "" || res.Fatal != "" {
		t.Fatalf("%s: split: %v, skipped %q, fatal %q", src.Key, err, res.Skipped, res.Fatal)
	}
	return docs, parts
}

func objectDocs(t *testing.T, n *normalize.Normalizer, src normalize.Source, body []byte) []normalize.Document {
	t.Helper()
	var c collected
	res, err := n.ProcessObject(src, bytes.NewReader(body), c.emit)
	if err != nil || res.Fatal != "" {
		t.Fatalf("%s: %v %q", src.Key, err, res.Fatal)
	}
	return c.docs
}

func TestPartsGiveTheObjectsDocuments(t *testing.T) {
	shared := sharedDir(t)
	n := newNormalizer(t, "")
	type object struct {
		key  string
		body []byte
	}
	var objects []object
	for _, typ := range []string{"cloudtrail", "vpcflowlogs", "alb", "cloudfront-standard", "waf", "s3accesslog"} {
		root := filepath.Join(shared, "samples", typ)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".json") && strings.Contains(p, ".elastic-expected") || strings.HasSuffix(p, ".jsonl") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			objects = append(objects, object{filepath.ToSlash(rel), b})
			return nil
		})
	}
	// CloudWatch Logs envelopes as Firehose delivers them, one after the
	// other in one object (pretty-printed like the _cwl samples), holding
	// the lines of linux-secure samples, for that via_cwl section
	secure := filepath.Join(shared, "samples", "linux-secure")
	var cwl []byte
	filepath.WalkDir(secure, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		var events []map[string]any
		for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			events = append(events, map[string]any{"id": fmt.Sprint(len(cwl), i), "timestamp": 1440442987000 + i, "message": line})
		}
		env, _ := json.MarshalIndent(map[string]any{"messageType": "DATA_MESSAGE", "owner": "123456789012",
			"logGroup": "/ec2/linux/secure", "logStream": "i-0123456789abcdef0", "subscriptionFilters": []string{"f"}, "logEvents": events}, "", "\t")
		cwl = append(cwl, env...)
		return nil
	})
	objects = append(objects, object{"AWSLogs/123456789012/EC2/Linux/secure/i-0123456789abcdef0/2024/05/20/secure-1.log", cwl})

	checked := map[string]bool{}
	for _, o := range objects {
		src := normalize.Source{Bucket: "logs", Key: o.key}
		want := objectDocs(t, n, src, o.body)
		if len(want) == 0 {
			continue
		}
		checked[n.Classify(src).Name] = true
		for _, maxPart := range []int{1, 300, 1 << 20} {
			got, parts := partDocs(t, n, src, o.body, maxPart)
			if maxPart == 1 && len(want) > 1 && parts < 2 {
				t.Errorf("%s: %d documents in %d part(s): not cut", o.key, len(want), parts)
			}
			sameDocs(t, o.key, got, want)
		}
	}
	for _, typ := range []string{"cloudtrail", "vpcflowlogs", "alb", "cloudfront-standard", "linux-secure"} {
		if !checked[typ] {
			t.Errorf("no %s object was compared (%v)", typ, checked)
		}
	}
}

// A header line opens every part, so a part without the object's first
// line still names its fields.
func TestPartsCarryTheHeader(t *testing.T) {
	n := newNormalizer(t, "")
	body := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		strings.Repeat("2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 10 840 1716163200 1716163260 ACCEPT OK\n", 50)
	var parts [][]byte
	_, err := n.SplitObject(normalize.Source{Bucket: "b", Key: vpcKey}, strings.NewReader(body), 200, func(p []byte) error {
		parts = append(parts, p)
		return nil
	})
	if err != nil || len(parts) < 10 {
		t.Fatalf("%v, %d parts", err, len(parts))
	}
	for i, p := range parts {
		if !bytes.HasPrefix(p, []byte("version account-id")) {
			t.Fatalf("part %d does not start with the header: %.60q", i, p)
		}
	}
}

// A CloudTrail document is cut between its Records; members around the
// array and strings holding brackets do not confuse the cut.
func TestPartsCutTheRecordsArray(t *testing.T) {
	n := newNormalizer(t, "")
	var recs []string
	for i := range 200 {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a\\\"]},{"},"eventTime":"2024-05-20T00:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.%d","requestParameters":{"k":[1,[2,{"x":"]"}]]},"eventID":"id-%d","eventType":"AwsApiCall","recipientAccountId":"123456789012"}`, i/60, i%60, i%250, i))
	}
	doc := `{"Other":{"Records":[1]},"Records":[` + strings.Join(recs, ",") + `],"After":"x"}` + "\n" + `{"Records":[]}`
	src := normalize.Source{Bucket: "b", Key: ctKey}
	want := objectDocs(t, n, src, []byte(doc))
	if len(want) != 200 {
		t.Fatalf("%d documents from the object", len(want))
	}
	for _, maxPart := range []int{1, 2000, 100000} {
		got, parts := partDocs(t, n, src, []byte(doc), maxPart)
		if maxPart < 100000 && parts < 10 {
			t.Errorf("max %d: %d parts", maxPart, parts)
		}
		sameDocs(t, fmt.Sprint("max ", maxPart), got, want)
	}
	// bounded: no part much larger than max and a record
	_, err := n.SplitObject(src, strings.NewReader(doc), 2000, func(p []byte) error {
		if len(p) > 2000+len(recs[0])+200 {
			t.Errorf("a part of %d bytes", len(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Cutting never crashes, and an object the core reads without a fault
// gives the same documents in parts as whole, however small the parts.
func FuzzSplitObject(f *testing.F) {
	fuzzSeeds(f)
	n := newNormalizer(f, "")
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		key, ok := fuzzKeys[which%byte(len(fuzzKeys))]
		if !ok {
			return
		}
		src := normalize.Source{Bucket: "b", Key: key}
		var whole []string
		res, _ := n.ProcessObject(src, bytes.NewReader(body), func(d normalize.Document) error {
			whole = append(whole, d.Index+"/"+d.ID)
			return nil
		})
		var parts []string
		maxPart := 1 + int(which)*7
		sres, err := n.SplitObject(src, bytes.NewReader(body), maxPart, func(part []byte) error {
			if len(part) == 0 {
				t.Fatal("an empty part")
			}
			_, err := n.ProcessPart(src, part, func(d normalize.Document) error {
				parts = append(parts, d.Index+"/"+d.ID)
				return nil
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Fatal != "" || res.ErrorCount() > 0 || sres.Fatal != "" {
			return // a broken object: parts may read past a fault the whole stops at
		}
		if strings.Join(parts, " ") != strings.Join(whole, " ") {
			t.Fatalf("parts of %d bytes gave %d documents %v, the object %d %v", maxPart, len(parts), parts, len(whole), whole)
		}
	})
}
