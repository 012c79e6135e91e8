package normalize_test

import (
	"runtime"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// TestRecordsDoNotKeepEachOtherAlive streams a CloudTrail object and
// measures the live heap, collected, while a document is in hand: it must
// not grow with the records already loaded. (Values of consecutive records
// carved from one chunk once chained every record of an object together,
// and a 1 GB object took 7.8 GB.)
func TestRecordsDoNotKeepEachOtherAlive(t *testing.T) {
	n := newNormalizer(t, "")
	const first, last = 5000, 30000
	var heap [2]uint64
	count := 0
	res, err := n.ProcessObject(normalize.Source{Bucket: "b", Key: ctKey}, &ctStream{remaining: 48 << 20},
		func(d normalize.Document) error {
			count++
			if count == first || count == last {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				heap[count/last] = ms.HeapAlloc
			}
			return nil
		})
	if err != nil || res.Documents < last {
		t.Fatalf("%d documents, err %v", res.Documents, err)
	}
	if grew := int64(heap[1]) - int64(heap[0]); grew > 8<<20 {
		t.Fatalf("live heap grew by %d MiB from record %d to %d", grew>>20, first, last)
	}
}
