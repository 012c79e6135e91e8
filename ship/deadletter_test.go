package ship_test

import (
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
