package normalize_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// Full-path benchmarks of the other file formats: Windows event XML,
// multiline, XML and CEF. Objects are built from the shared samples
// (repeated) or generated; the document count of one run is what every
// run must give.

func benchFormat(b *testing.B, n *normalize.Normalizer, key string, body []byte) {
	docs := 0
	if _, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: key}, bytes.NewReader(body), func(normalize.Document) error {
		docs++
		return nil
	}); err != nil || docs == 0 {
		b.Fatalf("%s: %d documents, %v", key, docs, err)
	}
	benchWith(b, n, key, body, docs)
}

// repeatedSample is the first object below samples/<folder>, repeated.
func repeatedSample(b *testing.B, folder string, times int) (key string, body []byte) {
	root := filepath.Join(sharedDir(b), "samples", folder)
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || key != "" || strings.HasSuffix(p, ".json") && folder != "msk" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key = filepath.ToSlash(rel)
		if !bytes.HasSuffix(data, []byte("\n")) {
			data = append(data, '\n')
		}
		body = bytes.Repeat(data, times)
		return nil
	})
	if err != nil || key == "" {
		b.Fatalf("no sample under %s: %v", root, err)
	}
	return key, body
}

func BenchmarkWinEvtXMLObject(b *testing.B) {
	key, body := repeatedSample(b, "fsx-win", 500)
	benchFormat(b, newNormalizer(b, ""), key, body)
}

func BenchmarkMultilineObject(b *testing.B) {
	key, body := repeatedSample(b, "msk", 500)
	benchFormat(b, newNormalizer(b, ""), key, body)
}

// formatsINI declares a CEF and an XML type, which aws.ini has none of.
const formatsINI = `[cef-bench]
index_name = log-cef
s3_key = cef-bench/
file_format = cef
ecs = source.ip destination.ip event.action
source.ip = src
destination.ip = dst
event.action = act

[xml-bench]
index_name = log-xml
s3_key = xml-bench/
file_format = xml
xml_firstline = ^<record>
`

func BenchmarkCEFObject(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "CEF:0|Acme|Firewall|1.0|%d|Connection blocked|5|src=10.0.%d.%d dst=203.0.113.%d spt=%d dpt=443 act=blocked msg=policy %d matched cs1Label=rule cs1=deny-all\n",
			100+i%50, i%250, i%200+1, i%250+1, 1024+i%60000, i%9)
	}
	benchFormat(b, newNormalizer(b, formatsINI), "cef-bench/2024/05/20/fw.log", []byte(sb.String()))
}

func BenchmarkXMLObject(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "<record>\n  <src>10.0.%d.%d</src>\n  <user id=\"%d\">alice</user>\n  <msg>login ok</msg>\n</record>\n", i%250, i%200+1, i)
	}
	benchFormat(b, newNormalizer(b, formatsINI), "xml-bench/2024/05/20/app.xml", []byte(sb.String()))
}
