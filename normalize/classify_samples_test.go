package normalize_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize"
)

// Every log object of the shared corpus classifies, by its key, to the log
// type of its folder — also with the folder in the key, as `siemloader load
// ../shared/samples` sees it. The corpus's expected-output files are not
// log objects (the CLI skips them with --exclude).
func TestSamplesClassifyToTheirFolder(t *testing.T) {
	shared := sharedDir(t)
	n := newNormalizer(t, "")
	root := filepath.Join(shared, "samples")
	objects := 0
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		folder, key, ok := strings.Cut(rel, "/")
		if !ok || strings.HasPrefix(folder, "_") ||
			strings.HasSuffix(key, ".elastic-expected.json") || strings.HasSuffix(key, ".decoded.jsonl") {
			return nil
		}
		objects++
		for _, k := range []string{key, rel} {
			lt := n.Classify(normalize.Source{Key: k})
			switch {
			case lt == nil:
				t.Errorf("%s: unknown log type", k)
			case lt.Name != folder:
				t.Errorf("%s: classified as %s, not %s", k, lt.Name, folder)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if objects < 100 {
		t.Fatalf("only %d sample objects found", objects)
	}
}
