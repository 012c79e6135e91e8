package s3receiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/siemloader/siemloader/normalize"
)

// objectRef is an S3 object a notification announces.
type objectRef struct {
	Bucket string
	Key    string // decoded
	Size   int64
	ETag   string
}

// errMalformed: the message is no notification this receiver knows;
// reading it again will not help.
var errMalformed = errors.New("malformed notification")

// parseNotification reads the objects an SQS message announces: an S3
// event notification (Records, keys URL-encoded as S3 spells them), the
// same wrapped in an SNS notification, or an EventBridge "Object
// Created" event (keys as they are). An s3:TestEvent announces nothing.
func parseNotification(body string) ([]objectRef, error) {
	var probe struct {
		Type      string          `json:"Type"`
		Message   *string         `json:"Message"`
		Event     string          `json:"Event"`
		Records   json.RawMessage `json:"Records"`
		Source    string          `json:"source"`
		Detail    json.RawMessage `json:"detail"`
		DetailTyp string          `json:"detail-type"`
	}
	if err := json.Unmarshal([]byte(body), &probe); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", errMalformed, err)
	}
	switch {
	case probe.Type == "Notification" && probe.Message != nil:
		return parseNotification(*probe.Message) // SNS around it
	case probe.Event == "s3:TestEvent":
		return nil, nil
	case probe.Records != nil:
		return s3Records(probe.Records)
	case probe.Source == "aws.s3" && probe.Detail != nil:
		if probe.DetailTyp != "Object Created" {
			return nil, nil // deletions, restores...: nothing to read
		}
		var d struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"etag"`
			} `json:"object"`
		}
		if err := json.Unmarshal(probe.Detail, &d); err != nil || d.Bucket.Name == "" || d.Object.Key == "" {
			return nil, fmt.Errorf("%w: EventBridge event without detail.bucket.name and detail.object.key", errMalformed)
		}
		return []objectRef{{Bucket: d.Bucket.Name, Key: d.Object.Key, Size: d.Object.Size, ETag: d.Object.ETag}}, nil
	}
	return nil, fmt.Errorf("%w: neither S3 Records, an SNS notification nor an EventBridge S3 event", errMalformed)
}

func s3Records(raw json.RawMessage) ([]objectRef, error) {
	var recs []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          *struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"eTag"`
			} `json:"object"`
		} `json:"s3"`
	}
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, fmt.Errorf("%w: Records: %v", errMalformed, err)
	}
	var refs []objectRef
	for i, r := range recs {
		// MinIO spells its events minio:s3 / s3:ObjectCreated:Put
		if (r.EventSource != "aws:s3" && r.EventSource != "minio:s3") || r.S3 == nil || r.S3.Bucket.Name == "" || r.S3.Object.Key == "" {
			return nil, fmt.Errorf("%w: Records[%d] is not an S3 event with s3.bucket.name and s3.object.key", errMalformed, i)
		}
		if !strings.HasPrefix(strings.TrimPrefix(r.EventName, "s3:"), "ObjectCreated:") {
			continue
		}
		o := r.S3.Object
		refs = append(refs, objectRef{Bucket: r.S3.Bucket.Name, Key: normalize.DecodeS3EventKey(o.Key), Size: o.Size, ETag: o.ETag})
	}
	return refs, nil
}
