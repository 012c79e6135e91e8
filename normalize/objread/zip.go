package objread

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/flate"
)

// zipSpoolLimit: a zip needs random access; up to this size it is held in
// memory, beyond it spooled to a temporary file.
const zipSpoolLimit = 8 << 20

// sizedReaderAt returns the rest of r (from its current offset) as an
// io.ReaderAt when r can be read that way, so a zip need not be copied.
func sizedReaderAt(r io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return nil, 0, false
	}
	var size int64
	switch s := r.(type) {
	case interface{ Size() int64 }:
		size = s.Size()
	case interface{ Stat() (os.FileInfo, error) }:
		fi, err := s.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return nil, 0, false
		}
		size = fi.Size()
	default:
		return nil, 0, false
	}
	var base int64
	if sk, ok := r.(io.Seeker); ok {
		cur, err := sk.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, 0, false
		}
		base = cur
	}
	if base < 0 || base > size {
		return nil, 0, false
	}
	return io.NewSectionReader(ra, base, size-base), size - base, true
}

// spoolZip makes the rest of r randomly accessible, in memory or in a
// temporary file.
func spoolZip(r io.Reader) (io.Reader, func() error, error) {
	buf, err := io.ReadAll(io.LimitReader(r, zipSpoolLimit+1))
	if err != nil {
		return nil, nil, &ReadError{Compression: Zip, Offset: 0, RawOffset: int64(len(buf)), Err: err}
	}
	if len(buf) <= zipSpoolLimit {
		return openZip(bytes.NewReader(buf), int64(len(buf)))
	}
	f, err := os.CreateTemp("", "objread-zip-*")
	if err != nil {
		return nil, nil, fmt.Errorf("zip: spooling to a temporary file: %w", err)
	}
	remove := func() error {
		cerr := f.Close()
		if err := os.Remove(f.Name()); err != nil {
			return err
		}
		return cerr
	}
	size, err := f.Write(buf)
	buf = nil // the spooled copy is enough; let the 8 MiB go
	var rest int64
	if err == nil {
		rest, err = io.Copy(f, r)
	}
	if err != nil {
		remove()
		return nil, nil, fmt.Errorf("zip: spooling to a temporary file: %w", err)
	}
	zr, closeEntry, err := openZip(f, int64(size)+rest)
	if err != nil {
		remove()
		return nil, nil, err
	}
	return zr, func() error {
		err := closeEntry()
		if rerr := remove(); err == nil {
			err = rerr
		}
		return err
	}, nil
}

// openZip opens the first entry of the archive, the one es-loader means
// to read (z.namelist()[0]).
func openZip(ra io.ReaderAt, size int64) (io.Reader, func() error, error) {
	zr, err := zip.NewReader(ra, size)
	// ErrInsecurePath comes with a usable reader: only the content is
	// read, the entry name does not matter.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, nil, fmt.Errorf("zip: %w", err)
	}
	if len(zr.File) == 0 {
		return nil, nil, errors.New("zip: the archive has no entries")
	}
	// klauspost's inflater is faster than the standard library's; the
	// registration is local to this archive.
	zr.RegisterDecompressor(zip.Deflate, flate.NewReader)
	rc, err := zr.File[0].Open()
	if err != nil {
		return nil, nil, fmt.Errorf("zip: entry %q: %w", zr.File[0].Name, err)
	}
	return rc, rc.Close, nil
}
