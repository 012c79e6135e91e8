package s3receiver

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseNotification(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want []objectRef
		bad  bool
	}{
		{"direct, key URL-encoded", `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"AWSLogs/my+logs/a%3Ab.json.gz","size":42,"eTag":"abc"}}}]}`,
			[]objectRef{{"b", "AWSLogs/my logs/a:b.json.gz", 42, "abc"}}, false},
		{"several records, a deletion skipped", `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"k1"}}},{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k2"}}}]}`,
			[]objectRef{{Bucket: "b", Key: "k1"}}, false},
		{"SNS", `{"Type":"Notification","Message":"{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k%20x\"}}}]}"}`,
			[]objectRef{{Bucket: "b", Key: "k x"}}, false},
		{"EventBridge, key as it is", `{"version":"0","detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"a+b","size":7,"etag":"e"}}}`,
			[]objectRef{{"b", "a+b", 7, "e"}}, false},
		{"EventBridge deletion", `{"detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}`, nil, false},
		{"test event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`, nil, false},
		{"SNS around a test event", `{"Type":"Notification","Message":"{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}"}`, nil, false},
		{"not JSON", `hello`, nil, true},
		{"unknown JSON", `{"a":1}`, nil, true},
		{"record without key", `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}`, nil, true},
		{"not from S3", `{"Records":[{"eventSource":"aws:dynamodb"}]}`, nil, true},
		{"EventBridge without object", `{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"}}}`, nil, true},
		{"SNS around garbage", `{"Type":"Notification","Message":"x"}`, nil, true},
	} {
		got, err := parseNotification(tc.body)
		if tc.bad {
			if !errors.Is(err, errMalformed) {
				t.Errorf("%s: %v, want a malformed notification", tc.name, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.name, got, err, tc.want)
		}
	}
}
