package pyjson

import (
	"testing"
)

// cloudTrailRecord is one record of a CloudTrail log file as delivered to S3
// (compact, keys in AWS's order), about 1.5 KB.
const cloudTrailRecord = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID1234567:i-0abcd1234ef567890","arn":"arn:aws:sts::123456789012:assumed-role/EC2Role/i-0abcd1234ef567890","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEKEY123456","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID1234567","arn":"arn:aws:iam::123456789012:role/EC2Role","accountId":"123456789012","userName":"EC2Role"},"webIdFederationData":{},"attributes":{"creationDate":"2024-03-14T08:15:42Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2024-03-14T09:26:53Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"ap-northeast-1","sourceIPAddress":"10.0.12.34","userAgent":"[aws-sdk-java/1.12.470 Linux/5.10.210-201.852.amzn2.x86_64 java/17.0.10]","requestParameters":{"bucketName":"example-app-logs-123456789012","key":"AWSLogs/123456789012/app/2024/03/14/app-0926.json.gz","x-id":"GetObject"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","bytesTransferredOut":48213.0},"requestID":"4XG5ZK8Q2B7N1M3P","eventID":"6f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-app-logs-123456789012/AWSLogs/123456789012/app/2024/03/14/app-0926.json.gz"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256"}}`

func BenchmarkDecodeCloudTrailRecord(b *testing.B) {
	data := []byte(cloudTrailRecord)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(data, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDumpsCloudTrailRecord(b *testing.B) {
	v := mustUnmarshal(b, cloudTrailRecord)
	buf := AppendDumps(nil, v, false)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendDumps(buf[:0], v, false)
	}
}

func BenchmarkDumpsASCIICloudTrailRecord(b *testing.B) {
	v := mustUnmarshal(b, cloudTrailRecord)
	buf := AppendDumps(nil, v, true)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendDumps(buf[:0], v, true)
	}
}

func BenchmarkAppendJSONCloudTrailRecord(b *testing.B) {
	v := mustUnmarshal(b, cloudTrailRecord)
	buf := AppendJSON(nil, v)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], v)
	}
}

func TestCloudTrailRecordDumps(t *testing.T) {
	v := mustUnmarshal(t, cloudTrailRecord)
	got := string(AppendDumps(nil, v, false))
	// Spot checks of what Python writes for this record.
	for _, want := range []string{
		`{"eventVersion": "1.08", "userIdentity": {"type": "AssumedRole", `,
		`"webIdFederationData": {}, `,
		`"responseElements": null, `,
		`"bytesTransferredIn": 0, `,
		`"bytesTransferredOut": 48213.0}, `,
		`"readOnly": true, `,
		`"resources": [{"type": "AWS::S3::Object", `,
	} {
		if !contains(got, want) {
			t.Errorf("dumps lacks %s", want)
		}
	}
	if len(cloudTrailRecord) < 1400 || len(cloudTrailRecord) > 1700 {
		t.Errorf("record is %d bytes", len(cloudTrailRecord))
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
