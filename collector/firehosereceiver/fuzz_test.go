package firehosereceiver

import (
	"encoding/base64"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// No record may crash the receiver, and what it hands on is what it
// counts.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(controlMessage))
	f.Add(gzipped([]byte(`{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[{"id":1,"timestamp":"x","message":null},[],{}]}`)))
	f.Add([]byte(`{"messageType":"DATA_MESSAGE"} {"messageType":`))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Add([]byte("plain line\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := []requestRecord{{Data: base64.StdEncoding.EncodeToString(data)}, {Data: string(data)}}
		d := decodeRecords(recs, pcommon.NewMap(), time.Unix(0, 0))
		if d.logs.LogRecordCount() != d.events+d.raw {
			t.Fatalf("%d log records, %d events + %d raw", d.logs.LogRecordCount(), d.events, d.raw)
		}
	})
}
