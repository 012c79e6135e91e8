package normalize_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// Fuzz targets: no input may crash the process, every emitted document is
// valid JSON, and the counts add up. The seed corpora run in `make test`;
// `make fuzz` explores further.

var fuzzKeys = map[byte]string{
	0: ctKey,                                                                                                                                                                                              // json with json_delimiter (streamed Records)
	1: vpcKey,                                                                                                                                                                                             // csv
	2: albKey,                                                                                                                                                                                             // text with a big regex
	3: "AWSLogs/123456789012/EC2/Linux/secure/i-0123456789abcdef0/2024/05/20/secure-1.log",                                                                                                                // via_cwl text
	4: "AWSLogs/123456789012/WAFLogs/us-east-1/acl/2024/05/20/10/00/123456789012_waflogs_us-east-1_acl_20240520T1000Z_ab12.log",                                                                           // NDJSON
	5: "AWSLogs/123456789012/SecurityHub/us-east-1/2024/05/20/aes-siem-firehose-securityhub-1-2024-05-20-10-00-00-abcd",                                                                                   // EventBridge
	6: "cloudfront/E2ABCDEFGHIJKL.2024-05-20-13.a1b2c3d4.gz",                                                                                                                                              // text with header lines
	7: "AWSLogs/123456789012/FSx/aws-fsx-fs-0123456789abcdef0/2024/05/20/aws-fsx-audit-1.xml",                                                                                                             // Windows event XML
	8: "aws-security-data-lake-us-east-1-iv9wmp7hfcehw2mpp10hnvdgbpax5f/aws/VPC_FLOW/1.0.0-rc.2/region=us-east-1/accountId=123456789012/eventHour=2023010100/51a5898fdc6db8ea79381a43bbba7331.gz.parquet", // Parquet
	9: "AWSLogs/123456789012/RDS/cluster/db-1/2024/05/20/mysql-slowquery.log",                                                                                                                             // multiline
}

// fuzzSeeds are objects of each fuzzKeys type, for the fuzz targets over
// objects.
func fuzzSeeds(f *testing.F) {
	f.Add(byte(0), []byte(ctRecords(2)))
	f.Add(byte(0), gz(f, ctRecords(3)))
	f.Add(byte(0), []byte(`{"Records":[{"eventTime":"2024-05-20T10:00:00Z","eventID":"x"},`))
	f.Add(byte(1), vpcFlowObject(3))
	f.Add(byte(1), []byte("version srcaddr\n2\n\n2 1.2.3.4 extra\n"))
	f.Add(byte(2), albObject(2))
	f.Add(byte(3), []byte(`{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/ec2/linux/secure","logStream":"i-0123456789abcdef0","logEvents":[{"id":"1","timestamp":1716199200000,"message":"May 20 10:00:00 ip-10-0-0-1 sshd[123]: Accepted publickey for ec2-user from 198.51.100.7 port 50000 ssh2"}]}`))
	f.Add(byte(3), []byte("May 20 10:00:00 ip-10-0-0-1 sshd[123]: Failed password for root from 198.51.100.7 port 50000 ssh2\n"))
	f.Add(byte(4), []byte(`{"timestamp":1716199200000,"action":"BLOCK","httpRequest":{"clientIp":"198.51.100.7","headers":[{"name":"Host","value":"x"}]}}`+"\n"+`{"timestamp":"nope"}`))
	f.Add(byte(5), []byte(`{"version":"0","id":"e1","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"123456789012","time":"2024-05-20T10:00:00Z","region":"us-east-1","resources":[],"detail":{"findings":[{"Id":"f1","UpdatedAt":"2024-05-20T10:00:00.000Z","ProductFields":{},"Workflow":{"Status":"NEW"}}]}}`))
	f.Add(byte(6), []byte("#Version: 1.0\n#Fields: date time\n2024-05-20\t10:00:00\tFRA2-C1\t100\t198.51.100.7\tGET\td.cloudfront.net\t/\t200\t-\tcurl\t-\t-\tHit\tid\tx.example.com\thttps\t10\t0.001\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t50000\t0.001\tHit\ttext/html\t100\t-\t-\n"))
	f.Add(byte(7), []byte("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='x'/><EventID>4663</EventID><TimeCreated SystemTime='2024-05-20T10:00:00.000Z'/><Computer>fs</Computer></System><EventData><Data Name='SubjectUserName'>alice</Data></EventData></Event>\n<Event xmlns='x'><System>\n"))
	{
		// real objects of the binary formats, when the corpus is there
		for which, glob := range map[byte]string{7: "samples/fsx-win/*/*/*/*/*/*/*/*.xml", 8: "samples/securitylake/*/aws/VPC_FLOW/*/*/*/*/*.parquet"} {
			matches, _ := filepath.Glob(filepath.Join("../../shared", glob))
			for _, m := range matches[:min(len(matches), 1)] {
				if data, err := os.ReadFile(m); err == nil {
					f.Add(which, data)
				}
			}
		}
	}
	f.Add(byte(9), []byte("# Time: 2024-05-20T10:00:00.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id: 1\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1716199200;\nSELECT 1;\n"))
}

func FuzzProcessObject(f *testing.F) {
	fuzzSeeds(f)
	n := newNormalizer(f, "")
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		key, ok := fuzzKeys[which%byte(len(fuzzKeys))]
		if !ok {
			return
		}
		emitted := 0
		res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: key}, bytes.NewReader(body), func(d normalize.Document) error {
			emitted++
			if !json.Valid(d.Source) {
				t.Fatalf("invalid JSON document: %q", d.Source)
			}
			if d.ID == "" || d.Index == "" {
				t.Fatalf("document without _id or _index: %+v", d)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("emit error surfaced: %v", err)
		}
		if res.Documents != emitted {
			t.Fatalf("result says %d documents, %d were emitted", res.Documents, emitted)
		}
		if res.Documents+res.ErrorCount()+res.ExcludedCount() < res.Records && res.Fatal == "" {
			// every record is a document, an error or an exclusion
			t.Fatalf("records unaccounted for: %+v", res)
		}
	})
}
