package output

import (
	"context"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// A Dead_Letter folder at its Dead_Letter_Max_Size cannot keep what the
// cluster refuses: the chunk is answered FLB_RETRY rather than OK, so the
// refused record is neither lost nor written past the cap.
func TestFullDeadLetterAnswersRetry(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{RejectMarker: "/item/5 "}, 3)
	defer srv.Close()
	o := newOutput(t, MapConfig{"OpenSearch_URL": srv.URL, "Log_Type": "nginx-access", "EC2_Metadata": "off",
		"Dead_Letter": t.TempDir(), "Dead_Letter_Max_Size": "100"})
	defer o.Close(context.Background())
	var recs []map[string]any
	for i := 0; i < 10; i++ {
		recs = append(recs, firelensRecord(nginxLine(i), "stdout"))
	}
	if c := o.Flush(context.Background(), "web-firelens-1", chunkOf(recs...)); c != Retry {
		t.Fatalf("flush with a full dead-letter: %v, want Retry", c)
	}
	if srv.Docs() != 9 {
		t.Fatalf("%d documents on the server, want the 9 good ones", srv.Docs())
	}

	for keys, want := range map[string]string{"lots": "Dead_Letter_Max_Size: ", "": "none is set"} {
		cfg := MapConfig{"OpenSearch_URL": srv.URL, "Dead_Letter_Max_Size": "10G"}
		if keys != "" {
			cfg = MapConfig{"OpenSearch_URL": srv.URL, "Dead_Letter": t.TempDir(), "Dead_Letter_Max_Size": keys}
		}
		if _, err := LoadConfig(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", cfg, err, want)
		}
	}
}
