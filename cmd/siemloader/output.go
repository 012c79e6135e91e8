package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// bulkWriter writes documents in OpenSearch bulk format, either to one
// stream or to <dir>/<index>.ndjson files.
type bulkWriter struct {
	dir    string
	stream *bufio.Writer
	files  map[string]*bulkFile
	line   []byte
}

type bulkFile struct {
	f *os.File
	w *bufio.Writer
}

func newStreamWriter(w io.Writer) *bulkWriter {
	return &bulkWriter{stream: bufio.NewWriterSize(w, 256<<10)}
}

func newDirWriter(dir string) (*bulkWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &bulkWriter{dir: dir, files: map[string]*bulkFile{}}, nil
}

func (b *bulkWriter) target(index string) (*bufio.Writer, error) {
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
func (b *bulkWriter) Write(d normalize.Document) error {
	w, err := b.target(d.Index)
	if err != nil {
		return err
	}
	line := append(b.line[:0], `{"index":{"_index":`...)
	line = pyjson.AppendQuoted(line, d.Index)
	line = append(line, `,"_id":`...)
	line = pyjson.AppendQuoted(line, d.ID)
	line = append(line, "}}\n"...)
	line = append(line, d.Source...)
	line = append(line, '\n')
	b.line = line
	_, err = w.Write(line)
	return err
}

// Close flushes everything.
func (b *bulkWriter) Close() error {
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
func (b *bulkWriter) Files() []string {
	var out []string
	for _, f := range b.files {
		out = append(out, f.f.Name())
	}
	return out
}
