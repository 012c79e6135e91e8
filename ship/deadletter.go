package ship

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrDeadLetterFull is returned by a dead-letter folder whose files
// together reached their cap. The document is then not dead-lettered: the
// indexer reports it as failed (undelivered), so that it is neither lost
// silently nor allowed to fill the disk.
var ErrDeadLetterFull = errors.New("dead-letter folder is full")

// DeadLetterSink keeps the documents the cluster refused for good, so that
// a user can read why and send them again (siemloader redrive) once the
// cause is fixed. Write may be called from several goroutines.
type DeadLetterSink interface {
	Write(rec DeadLetterRecord) error
	// Close makes everything written durable; it reports the first error
	// a Write met too.
	Close() error
}

// dirDeadLetter appends refused documents to NDJSON files in a folder, one
// line each with what is needed to understand and redrive it, rotating
// at a size.
type dirDeadLetter struct {
	dir     string
	maxSize int64
	// maxTotal caps the bytes of all dead-letter files in dir (0: no cap);
	// total starts with what earlier writers left there.
	maxTotal int64
	total    int64
	mu       sync.Mutex
	f        *os.File
	w        *bufio.Writer
	size     int64
	seq      int
	token    string // host, pid and randomness: two writers never share a file
	err      error
}

// DeadLetterRecord is one line of a dead-letter file.
type DeadLetterRecord struct {
	Time      time.Time       `json:"time"`
	LogType   string          `json:"log_type,omitempty"`
	Index     string          `json:"_index"`
	ID        string          `json:"_id,omitempty"`
	Status    int             `json:"status"`
	ErrorType string          `json:"error_type,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Document  json.RawMessage `json:"document"`
}

// NewDirDeadLetter writes dead-letter files of at most maxSize bytes
// (64 MB when 0) into dir, creating it.
func NewDirDeadLetter(dir string, maxSize int64) (DeadLetterSink, error) {
	return NewCappedDirDeadLetter(dir, maxSize, 0)
}

// NewCappedDirDeadLetter is NewDirDeadLetter whose files, counting those
// already in dir, never exceed maxTotal bytes together (no cap when 0).
// Past the cap Write returns ErrDeadLetterFull.
func NewCappedDirDeadLetter(dir string, maxSize, maxTotal int64) (DeadLetterSink, error) {
	if maxSize <= 0 {
		maxSize = 64 << 20
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("dead-letter folder: %w", err)
	}
	d := &dirDeadLetter{dir: dir, maxSize: maxSize, maxTotal: maxTotal, token: uniqueToken()}
	if maxTotal > 0 {
		files, err := filepath.Glob(filepath.Join(dir, "deadletter-*.ndjson"))
		if err != nil {
			return nil, fmt.Errorf("dead-letter folder: %w", err)
		}
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				d.total += fi.Size()
			}
		}
	}
	return d, nil
}

// newRecord is the dead-letter line of doc; a body that is not JSON is
// kept as a string so that the line stays valid.
func newRecord(doc Doc, status int, typ, reason string) DeadLetterRecord {
	rec := DeadLetterRecord{Time: time.Now().UTC(), LogType: doc.LogType, Index: doc.Index, ID: doc.ID,
		Status: status, ErrorType: typ, Reason: reason, Document: doc.Body}
	if !json.Valid(doc.Body) {
		rec.Document, _ = json.Marshal(string(doc.Body))
	}
	return rec
}

func (d *dirDeadLetter) Write(rec DeadLetterRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.maxTotal > 0 && d.total+int64(len(line))+1 > d.maxTotal {
		return fmt.Errorf("%w (%d bytes, the cap): %s", ErrDeadLetterFull, d.maxTotal, d.dir)
	}
	if d.f == nil || d.size+int64(len(line)) > d.maxSize {
		if err := d.rotate(); err != nil {
			d.err = cmp.Or(d.err, err)
			return err
		}
	}
	d.w.Write(line)
	d.w.WriteByte('\n')
	d.size += int64(len(line)) + 1
	d.total += int64(len(line)) + 1
	return nil
}

func (d *dirDeadLetter) rotate() error {
	if d.f != nil {
		if err := d.closeFile(); err != nil {
			return err
		}
	}
	d.seq++
	name := filepath.Join(d.dir, fmt.Sprintf("deadletter-%s-%s-%04d.ndjson", time.Now().UTC().Format("20060102T150405Z"), d.token, d.seq))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	d.f, d.w, d.size = f, bufio.NewWriterSize(f, 64<<10), 0
	return nil
}

func (d *dirDeadLetter) closeFile() error {
	err := d.w.Flush()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	d.f, d.w = nil, nil
	return err
}

// Close flushes the open file; it reports the first write error too.
func (d *dirDeadLetter) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		if err := d.closeFile(); err != nil && d.err == nil {
			d.err = err
		}
	}
	return d.err
}
