package s3receiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/siemloader/siemloader/collector/internal/siemexportertest"
	"github.com/siemloader/siemloader/internal/bulksink"
)

// generated objects of about 10 MB gzipped, with fields varied enough to
// compress as real ones do (CloudTrail ~8x, VPC flow logs ~4x)
func cloudTrailObject(gzBytes int) (body []byte, records int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write([]byte(`{"Records":[`))
	for ; buf.Len() < gzBytes; records++ {
		if records > 0 {
			zw.Write([]byte{','})
		}
		fmt.Fprintf(zw, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA%X:session-%d","arn":"arn:aws:sts::111122223333:assumed-role/app-%d/session-%d","accountId":"111122223333","accessKeyId":"ASIA%X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%X","arn":"arn:aws:iam::111122223333:role/app-%d","accountId":"111122223333","userName":"app-%d"},"attributes":{"creationDate":"2024-05-20T12:%02d:%02dZ","mfaAuthenticated":"false"}}},"eventTime":"2024-05-20T13:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"%d.%d.%d.%d","userAgent":"aws-sdk-go-v2/1.30.%d os/linux","requestParameters":{"bucketName":"data-%d","key":"objects/%x.parquet","Host":"data-%d.s3.amazonaws.com"},"responseElements":null,"additionalEventData":{"bytesTransferredIn":0,"bytesTransferredOut":%d},"requestID":"%X","eventID":"%08x-%04x-%04x-%04x-%012x","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::data-%d/objects/%x.parquet"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}`,
			rng.Uint64(), rng.IntN(1000), rng.IntN(20), rng.IntN(1000), rng.Uint64(), rng.Uint64(), rng.IntN(20), rng.IntN(20), rng.IntN(60), rng.IntN(60), rng.IntN(60), rng.IntN(60),
			rng.IntN(223)+1, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(30), rng.IntN(50), rng.Uint64(), rng.IntN(50), rng.IntN(1<<24),
			rng.Uint64(), rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1), rng.IntN(50), rng.Uint64())
		if records%1000 == 0 {
			zw.Flush()
		}
	}
	zw.Write([]byte(`]}`))
	zw.Close()
	return buf.Bytes(), records
}

func vpcFlowObject(gzBytes int) (body []byte, records int) {
	rng := rand.New(rand.NewPCG(3, 4))
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write([]byte("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"))
	for ; buf.Len() < gzBytes; records++ {
		action := "ACCEPT"
		if rng.IntN(10) == 0 {
			action = "REJECT"
		}
		fmt.Fprintf(zw, "2 111122223333 eni-%017x 10.%d.%d.%d %d.%d.%d.%d %d %d 6 %d %d %d %d %s OK\n",
			rng.Uint64()>>4, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(223)+1, rng.IntN(256), rng.IntN(256), rng.IntN(256),
			rng.IntN(65536), []int{443, 80, 22, 53, 3306}[rng.IntN(5)], rng.IntN(100)+1, rng.IntN(1<<20), 1716210000+rng.IntN(600), 1716210600+rng.IntN(60), action)
		if records%5000 == 0 {
			zw.Flush()
		}
	}
	zw.Close()
	return buf.Bytes(), records
}

// BenchmarkObjects reads 10 MB gzip objects from MinIO on loopback
// through the receiver and the siem exporter into a lean bulk endpoint
// (internal/bulksink) (objects/s, records/s; the SQS round trip of a
// notification, a few ms, is not in it).
func BenchmarkObjects(b *testing.B) {
	for _, tc := range []struct {
		name string
		key  string
		gen  func(int) ([]byte, int)
	}{
		{"cloudtrail", "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/20/111122223333_CloudTrail_us-east-1_20240520T1315Z_bench.json.gz", cloudTrailObject},
		{"vpcflowlogs", "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/20/111122223333_vpcflowlogs_us-east-1_fl-0123_20240520T1320Z_bench.log.gz", vpcFlowObject},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b, 0)
			body, records := tc.gen(10 << 20)
			e.put(b, tc.key, body)
			sink, err := bulksink.New()
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			r := startReceiver(b, e.queueConfig(), siemexportertest.Start(b, sink.URL))
			ref := objectRef{Bucket: bucket, Key: tc.key}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := r.processObject(context.Background(), ref); err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/s, "objects/s")
			b.ReportMetric(float64(b.N*records)/s, "records/s")
			b.ReportMetric(float64(records), "records/object")
		})
	}
}
