package decode

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSpool(t *testing.T) {
	body := strings.Repeat("0123456789", 100)
	for _, c := range []struct {
		name     string
		r        io.Reader
		memLimit int64
		spilled  bool
	}{
		{"seekable used as is", strings.NewReader(body), 10, false},
		{"small stream in memory", iotest.OneByteReader(strings.NewReader(body)), 4096, false},
		{"large stream to a file", iotest.HalfReader(strings.NewReader(body)), 100, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ra, err := Spool(c.r, c.memLimit, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if ra.Size != int64(len(body)) {
				t.Fatalf("size %d", ra.Size)
			}
			if (ra.file != nil) != c.spilled {
				t.Fatalf("spilled %v", ra.file != nil)
			}
			tail := make([]byte, 10)
			if _, err := ra.ReadAt(tail, ra.Size-10); err != nil || string(tail) != "0123456789" {
				t.Fatalf("ReadAt: %q %v", tail, err)
			}
			var name string
			if ra.file != nil {
				name = ra.file.Name()
			}
			if err := ra.Close(); err != nil {
				t.Fatal(err)
			}
			if name != "" {
				if _, err := os.Stat(name); !os.IsNotExist(err) {
					t.Errorf("temporary file left: %v", err)
				}
			}
		})
	}
	if _, err := Spool(iotest.ErrReader(io.ErrUnexpectedEOF), 10, ""); err == nil {
		t.Error("read error not reported")
	}
	// a parquet object through a stream
	data := syntheticParquet(t, true)
	ra, err := Spool(iotest.HalfReader(bytes.NewReader(data)), 64, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	if rows := readParquetAt(t, ra); rows != 4 {
		t.Errorf("%d rows through a spooled file", rows)
	}
}
