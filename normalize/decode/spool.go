package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// RandomAccess is an object body that can be read at any offset, as
// parquet needs (its footer comes last).
type RandomAccess struct {
	io.ReaderAt
	Size int64
	file *os.File
}

// Close removes the temporary file a spooled body was kept in.
func (ra *RandomAccess) Close() error {
	if ra.file == nil {
		return nil
	}
	name := ra.file.Name()
	err := ra.file.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	ra.file = nil
	return err
}

// Spool gives random access to a body that arrives as a stream (an S3
// GetObject body, a decompressed gzip object): bodies up to memLimit
// bytes are kept in memory, larger ones in a temporary file under dir
// ("" for the system default), so memory does not grow with the object.
// A body that already allows random access (*os.File, *bytes.Reader, any
// io.ReaderAt that is also an io.Seeker) is used as it is.
func Spool(r io.Reader, memLimit int64, dir string) (*RandomAccess, error) {
	if ra, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		size, err := ra.Seek(0, io.SeekEnd)
		if err == nil {
			return &RandomAccess{ReaderAt: ra, Size: size}, nil
		}
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, memLimit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the object: %w", err)
	}
	if n <= memLimit {
		return &RandomAccess{ReaderAt: bytes.NewReader(buf.Bytes()), Size: n}, nil
	}
	f, err := os.CreateTemp(dir, "siemloader-object-*")
	if err != nil {
		return nil, fmt.Errorf("spooling the object: %w", err)
	}
	ra := &RandomAccess{ReaderAt: f, file: f}
	size, err := io.Copy(f, io.MultiReader(&buf, r))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("spooling the object: %w", err), ra.Close())
	}
	ra.Size = size
	return ra, nil
}
