// Package objread opens log objects the way es-loader sees them:
// compression recognised by magic bytes rather than by name, text decoded
// as UTF-8 with invalid bytes dropped, and lines split with Python's
// universal newlines. It streams, so memory does not grow with the object.
package objread

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"os"

	"archive/zip"

	"github.com/klauspost/compress/gzip"
)

// Kind is what the (decompressed) content is.
type Kind int

const (
	Text Kind = iota
	Parquet
)

// Compression is how the object was compressed.
type Compression int

const (
	None Compression = iota
	Gzip
	Zip
	Bzip2
)

func (c Compression) String() string {
	return [...]string{"none", "gzip", "zip", "bzip2"}[c]
}

var (
	// ErrTooSmall: es-loader skips objects under 20 bytes.
	ErrTooSmall = errors.New("object is smaller than 20 bytes")
	// ErrUnknownFormat: neither text nor a known compression.
	ErrUnknownFormat = errors.New("unknown file format: neither text nor gzip, zip, bzip2 or parquet")
)

// Object is an opened object: read it for the decompressed bytes.
type Object struct {
	Kind        Kind
	Compression Compression
	r           io.Reader
	closers     []func() error
}

func (o *Object) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s data: %w", o.Compression, err)
	}
	return n, err
}

// Close releases temp files and decompressors.
func (o *Object) Close() error {
	var first error
	for _, c := range o.closers {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func sniff(b []byte) (Compression, Kind, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return Gzip, Text, true
	case bytes.HasPrefix(b, []byte("PK")):
		return Zip, Text, true
	case bytes.HasPrefix(b, []byte("BZ")):
		return Bzip2, Text, true
	case bytes.HasPrefix(b, []byte("PAR1")):
		return None, Parquet, true
	}
	return None, Text, isText(b)
}

// isText is Python's heuristic es-loader uses: only bytes from
// {7,8,9,10,12,13,27} and 0x20..0xff except 0x7f.
func isText(b []byte) bool {
	for _, c := range b {
		switch {
		case c == 7 || c == 8 || c == 9 || c == 10 || c == 12 || c == 13 || c == 27:
		case c >= 0x20 && c != 0x7f:
		default:
			return false
		}
	}
	return true
}

// zipSpoolLimit: a zip needs random access; below this it is held in
// memory, above it spooled to a temporary file.
const zipSpoolLimit = 8 << 20

// Open sniffs r and returns the decompressed content.
func Open(r io.Reader) (*Object, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(20)
	if len(head) < 20 {
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, err
		}
		return nil, ErrTooSmall
	}
	comp, kind, ok := sniff(head[:16])
	if !ok {
		return nil, ErrUnknownFormat
	}
	o := &Object{Kind: kind, Compression: comp}
	switch comp {
	case None:
		o.r = br
		return o, nil
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		o.closers = append(o.closers, zr.Close)
		o.r = zr
	case Bzip2:
		o.r = bzip2.NewReader(br)
	case Zip:
		zr, cleanup, err := openZip(br)
		if err != nil {
			return nil, err
		}
		if cleanup != nil {
			o.closers = append(o.closers, cleanup)
		}
		o.r = zr
	}
	// what is inside the compression: text, parquet or (refused) another archive
	inner := bufio.NewReaderSize(o, 64<<10)
	ih, _ := inner.Peek(16)
	ic, ik, ok := sniff(ih)
	if ic != None {
		o.Close()
		return nil, fmt.Errorf("double archived file: %s in %s", ic, comp)
	}
	if !ok && len(ih) > 0 {
		o.Close()
		return nil, fmt.Errorf("%s content: %w", comp, ErrUnknownFormat)
	}
	o.Kind = ik
	wrapped := &Object{Kind: ik, Compression: comp, r: inner, closers: o.closers}
	return wrapped, nil
}

func openZip(r io.Reader) (io.Reader, func() error, error) {
	var ra io.ReaderAt
	var size int64
	var cleanup func() error
	buf, err := io.ReadAll(io.LimitReader(r, zipSpoolLimit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if len(buf) <= zipSpoolLimit {
		ra, size = bytes.NewReader(buf), int64(len(buf))
	} else {
		f, err := os.CreateTemp("", "siemloader-zip-*")
		if err != nil {
			return nil, nil, fmt.Errorf("zip: spooling to a temporary file: %w", err)
		}
		cleanup = func() error { f.Close(); return os.Remove(f.Name()) }
		if _, err := f.Write(buf); err == nil {
			_, err = io.Copy(f, r)
		}
		if err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("zip: spooling to a temporary file: %w", err)
		}
		st, _ := f.Stat()
		ra, size = f, st.Size()
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		if cleanup != nil {
			cleanup()
		}
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if len(zr.File) == 0 {
		if cleanup != nil {
			cleanup()
		}
		return nil, nil, errors.New("zip: the archive is empty")
	}
	// es-loader reads the first member only
	rc, err := zr.File[0].Open()
	if err != nil {
		if cleanup != nil {
			cleanup()
		}
		return nil, nil, fmt.Errorf("zip: %s: %w", zr.File[0].Name, err)
	}
	all := func() error {
		rc.Close()
		if cleanup != nil {
			return cleanup()
		}
		return nil
	}
	return rc, all, nil
}
