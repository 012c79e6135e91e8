package ship

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// BulkWriter writes documents in OpenSearch bulk format, either to one
// stream or to <dir>/<index>.ndjson files, for a later
// `curl --data-binary @file _bulk` or for looking at what would be sent.
// It is safe for concurrent use.
type BulkWriter struct {
	mu     sync.Mutex
	dir    string
	stream *bufio.Writer
	files  map[string]*bulkFile
	line   []byte
}

type bulkFile struct {
	f *os.File
	w *bufio.Writer
}

// NewBulkStream writes every document to w.
func NewBulkStream(w io.Writer) *BulkWriter {
	return &BulkWriter{stream: bufio.NewWriterSize(w, 256<<10)}
}

// NewBulkDir writes one file per index into dir, creating it.
func NewBulkDir(dir string) (*BulkWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &BulkWriter{dir: dir, files: map[string]*bulkFile{}}, nil
}

func (b *BulkWriter) target(index string) (*bufio.Writer, error) {
	if b.stream != nil {
		return b.stream, nil
	}
	if f, ok := b.files[index]; ok {
		return f.w, nil
	}
	// index names come from config and sf transforms; keep them inside dir
	name := strings.NewReplacer("/", "_", "\\", "_", "..", "_").Replace(index)
	f, err := os.Create(filepath.Join(b.dir, name+".ndjson"))
	if err != nil {
		return nil, err
	}
	bf := &bulkFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	b.files[index] = bf
	return bf.w, nil
}

// Write appends the action line and the document.
func (b *BulkWriter) Write(index, id string, source []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	w, err := b.target(index)
	if err != nil {
		return err
	}
	line := append(b.line[:0], `{"index":{"_index":`...)
	line = pyjson.AppendQuoted(line, index)
	line = append(line, `,"_id":`...)
	line = pyjson.AppendQuoted(line, id)
	line = append(line, "}}\n"...)
	line = append(line, source...)
	line = append(line, '\n')
	b.line = line
	_, err = w.Write(line)
	return err
}

// Close flushes everything.
func (b *BulkWriter) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stream != nil {
		return b.stream.Flush()
	}
	var first error
	for idx, f := range b.files {
		if err := f.w.Flush(); err != nil && first == nil {
			first = fmt.Errorf("%s: %w", idx, err)
		}
		if err := f.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Files lists the files written, for the summary.
func (b *BulkWriter) Files() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, f := range b.files {
		out = append(out, f.f.Name())
	}
	return out
}
