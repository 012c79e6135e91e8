package logtypes_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
)

// The samples under testdata/<type>/ were written for siemloader where no
// public sample of a format exists (see each README). Each file's path
// below testdata/<type>/ is its S3 key. This test loads them through the
// whole engine: every object must be classified as its folder's type and
// every record must become a document, without errors or warnings, with
// the fields the type's transform sets.

type sampleField struct {
	doc  int    // document number in the object
	path string // dotted path in the document
	want string // the value as JSON
}

var testdataSamples = map[string]struct {
	docs   int
	fields []sampleField
}{
	"cloudfront-realtime": {6, []sampleField{
		{0, "@timestamp", `"2024-05-20T13:20:01.118000+00:00"`},
		{0, "url.full", `"https://d111111abcdef8.cloudfront.net/index.html"`},
		{0, "http.version", `"2.0"`},
		{0, "distribution_id", `"E2ABCDEFGHIJKL"`},
		{0, "user_agent.original", `"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"`},
		{1, "url.query", `"next=%2Faccount"`},
		{2, "source.ip", `"175.16.199.30"`},
		{3, "source.ip", `"2001:db8:4006:812::200e"`},
	}},
	"trustedadvisor": {9, []sampleField{
		{0, "event.kind", `"alert"`},
		{0, "rule.name", `"Security Groups - Specific Ports Unrestricted"`},
		{1, "cloud.region", `"ap-northeast-1"`},
		{3, "related.ip", `["203.0.113.10"]`},
		{5, "cloud.service.name", `"vpc"`},
		{5, "event.category", `"network"`},
		{5, "event.kind", `"event"`},
		{7, "cloud.instance.id", `"i-0a1b2c3d4e5f60718"`},
		{7, "related.hosts", `["i-0a1b2c3d4e5f60718"]`},
		{7, "trustedadvisor.result.flaggedResource.number", `1`},
		{8, "event.kind", `"event"`},
	}},
	"workspaces-inventory": {3, []sampleField{
		{0, "@timestamp", `"2024-05-20T13:00:03+00:00"`},
		{0, "host.id", `"ws-f1a2b3c4d"`},
		{0, "user.name", `"alice"`},
		{0, "related.hosts", `["WSAMZN-4F1A2B3C","ws-f1a2b3c4d"]`},
		{2, "State", `"STOPPED"`},
	}},
}

func TestTestdataSamples(t *testing.T) {
	cfg, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	n := normalize.New(cfg, normalize.Options{Now: func() time.Time { return now }})
	for typ, want := range testdataSamples {
		t.Run(typ, func(t *testing.T) {
			root := filepath.Join("testdata", typ)
			var docs []map[string]any
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || d.Name() == "README.md" {
					return err
				}
				key, _ := filepath.Rel(root, p)
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				defer f.Close()
				res, err := n.ProcessObject(normalize.Source{Bucket: "aes-siem-111122223333-log", Key: filepath.ToSlash(key)}, f,
					func(doc normalize.Document) error {
						var m map[string]any
						if err := json.Unmarshal(doc.Source, &m); err != nil {
							return err
						}
						docs = append(docs, m)
						return nil
					})
				if err != nil {
					return err
				}
				if res.LogType != typ || len(res.Errors) > 0 || len(res.Warnings) > 0 || res.Records != res.Documents {
					t.Errorf("%s: type %q, records %d, documents %d, errors %v, warnings %v, %v",
						key, res.LogType, res.Records, res.Documents, res.Errors, res.Warnings, res.Samples)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != want.docs {
				t.Fatalf("%d documents, want %d", len(docs), want.docs)
			}
			for _, f := range want.fields {
				got, ok := dottedValue(docs[f.doc], f.path)
				if !ok {
					t.Errorf("document %d has no %s", f.doc, f.path)
					continue
				}
				if js, _ := json.Marshal(got); string(js) != f.want {
					t.Errorf("document %d %s = %s, want %s", f.doc, f.path, js, f.want)
				}
			}
		})
	}
}

func dottedValue(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
