package ship_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/ship"
)

// Two writers on one folder in the same second (two loaders, a redrive
// beside a load) never share a file: lines from both would interleave.
func TestDirDeadLettersNeverShareAFile(t *testing.T) {
	dir := t.TempDir()
	a, _ := ship.NewDirDeadLetter(dir, 0)
	b, _ := ship.NewDirDeadLetter(dir, 0)
	for i := 0; i < 5; i++ {
		a.Write(ship.DeadLetterRecord{Index: "a", ID: "a", Document: []byte(`{}`)})
		b.Write(ship.DeadLetterRecord{Index: "b", ID: "b", Document: []byte(`{}`)})
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "deadletter-*.ndjson"))
	if len(files) != 2 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Count(string(data), `"_index":"a"`)%5 != 0 || strings.Count(string(data), "\n") != 5 {
			t.Errorf("%s mixes writers:\n%s", f, data)
		}
	}
}

// Files rotate at their size, and a capped folder, counting what earlier
// writers left, refuses a record that would pass the cap.
func TestDirDeadLetterRotatesAndCaps(t *testing.T) {
	dir := t.TempDir()
	rec := ship.DeadLetterRecord{Index: "log-x", ID: "id", Reason: "mapper_parsing_exception", Document: []byte(`{"a":"` + strings.Repeat("x", 200) + `"}`)}
	a, err := ship.NewCappedDirDeadLetter(dir, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := a.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "deadletter-*.ndjson"))
	var total int64
	for _, f := range files {
		fi, _ := os.Stat(f)
		if fi.Size() > 1000 {
			t.Errorf("%s: %d bytes, above the 1000 of rotation", f, fi.Size())
		}
		total += fi.Size()
	}
	if len(files) < 3 {
		t.Fatalf("10 records of ~300 bytes in %d file(s), want rotation", len(files))
	}

	// a second writer may add two more records' worth, no more
	line := total / 10
	b, err := ship.NewCappedDirDeadLetter(dir, 1000, total+2*line+line/2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := b.Write(rec); err != nil {
			t.Fatalf("record %d under the cap: %v", i, err)
		}
	}
	if err := b.Write(rec); !errors.Is(err, ship.ErrDeadLetterFull) {
		t.Fatalf("past the cap: %v, want ErrDeadLetterFull", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512": 512, "4k": 4096, "64MB": 64 << 20, "10G": 10 << 30, "1 GiB": 1 << 30, "2T": 2 << 40} {
		if got, err := ship.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1", "1.5G", "ten", "99999999999T"} {
		if _, err := ship.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}
