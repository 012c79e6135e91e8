// Package objread opens log objects the way es-loader sees them:
// compression recognised by magic bytes rather than by name, text decoded
// as UTF-8 with invalid bytes dropped, and lines split with Python's
// universal newlines. It streams, so memory does not grow with the object
// (except for zip, which needs random access; see Open).
package objread

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Kind is what the (decompressed) content is.
type Kind int

const (
	Text Kind = iota
	Parquet
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Parquet:
		return "parquet"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Compression is how the object was compressed.
type Compression int

const (
	None Compression = iota
	Gzip
	Zip
	Bzip2
)

// String gives es-loader's names, which appear in its error messages.
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Zip:
		return "zip"
	case Bzip2:
		return "bzip2"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// MinSize is the size under which es-loader ignores an object ("no valid
// contents in s3 object").
const MinSize = 20

var (
	// ErrTooSmall: the object is smaller than MinSize bytes; es-loader
	// skips it rather than failing.
	ErrTooSmall = errors.New("object is smaller than 20 bytes")
	// ErrUnknownFormat: neither text nor a known compression or parquet.
	// The text is es-loader's message.
	ErrUnknownFormat = errors.New("unknown file format")
	// ErrDoubleArchived: a compressed object holds another archive. Errors
	// wrapping it read like es-loader's "double archived file. gzip in zip".
	ErrDoubleArchived = errors.New("double archived file")
)

// CheckSize returns ErrTooSmall for a size es-loader would skip, for
// callers that know the object's size (S3 Content-Length) before reading.
func CheckSize(size int64) error {
	if size < MinSize {
		return ErrTooSmall
	}
	return nil
}

// sniffLen is how many leading bytes es-loader looks at (rawbody.read(16)).
const sniffLen = 16

// sniff is es-loader's utils.get_mime_type. ok is false for "binary".
func sniff(b []byte) (c Compression, k Kind, ok bool) {
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

// isText is the heuristic get_mime_type borrows from file(1): only bytes
// from {7,8,9,10,12,13,27} and 0x20..0xff except 0x7f. An empty slice is
// text, as in Python.
func isText(b []byte) bool {
	for _, c := range b {
		if c >= 0x20 {
			if c == 0x7f {
				return false
			}
			continue
		}
		switch c {
		case 7, 8, 9, 10, 12, 13, 27:
		default:
			return false
		}
	}
	return true
}

// ReadError is a failure while reading an object's content: corrupt or
// truncated compressed data, or a failing source. It is final: no more
// content can be read after it.
type ReadError struct {
	Compression Compression
	// Offset is how many decompressed bytes were delivered before it.
	Offset int64
	// RawOffset is roughly where in the object (compressed bytes) it
	// happened, or -1 when unknown (zip).
	RawOffset int64
	Err       error
}

func (e *ReadError) Error() string {
	if e.Compression == None {
		return fmt.Sprintf("reading object: failed after %d bytes: %v", e.Offset, e.Err)
	}
	where := ""
	if e.RawOffset >= 0 {
		where = fmt.Sprintf(", near byte %d of the object", e.RawOffset)
	}
	return fmt.Sprintf("%s: corrupt or truncated data after %d decompressed bytes%s: %v",
		e.Compression, e.Offset, where, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Object is an opened object. Reading it gives the decompressed bytes
// (for text, not yet cleaned of invalid UTF-8: use a LineReader or
// RemoveInvalidUTF8); errors other than io.EOF are *ReadError.
type Object struct {
	Kind        Kind
	Compression Compression

	head    []byte // the sniffed first bytes, delivered before dec
	dec     io.Reader
	off     int64
	rawOff  func() int64
	err     error // sticky: a broken decompressor is not asked again
	closers []func() error
}

// Read implements io.Reader over the decompressed content.
func (o *Object) Read(p []byte) (int, error) {
	if len(o.head) > 0 {
		n := copy(p, o.head)
		o.head = o.head[n:]
		o.off += int64(n)
		return n, nil
	}
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.dec.Read(p)
	o.off += int64(n)
	if err != nil {
		o.err = o.wrap(err, o.off)
		err = o.err
	}
	return n, err
}

func (o *Object) wrap(err error, off int64) error {
	if err == io.EOF {
		return err
	}
	raw := int64(-1)
	if o.rawOff != nil {
		raw = o.rawOff()
	}
	return &ReadError{Compression: o.Compression, Offset: off, RawOffset: raw, Err: err}
}

// Close releases the decompressor and any temporary file. It does not
// close the reader given to Open. It may be called more than once.
func (o *Object) Close() error {
	var first error
	for _, c := range o.closers {
		if err := c(); err != nil && first == nil {
			first = err
		}
	}
	o.closers = nil
	return first
}

// countingReader counts what the bufio.Reader above it has pulled, so an
// error can say roughly where in the compressed object it happened.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Open sniffs r as es-loader does and returns its decompressed content.
//
// It returns ErrTooSmall when r holds fewer than MinSize bytes, an error
// wrapping ErrUnknownFormat for binary data, one wrapping
// ErrDoubleArchived for an archive inside an archive. Gzip may hold
// several members (and zero padding between them, as Python accepts);
// zip yields its first entry. A zip needs random access: if r is an
// io.ReaderAt with a Size or Stat method (*os.File, *bytes.Reader...), it
// is used in place from its current offset; otherwise the object is held
// in memory up to 8 MiB, and spooled to a temporary file beyond that,
// removed by Close.
func Open(r io.Reader) (*Object, error) {
	// Taken before reading anything: it is where the object starts.
	ra, raSize, hasRA := sizedReaderAt(r)

	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, err := br.Peek(MinSize)
	if len(head) < MinSize {
		if err != nil && err != io.EOF {
			return nil, &ReadError{Compression: None, RawOffset: -1, Err: err}
		}
		return nil, ErrTooSmall
	}
	comp, kind, ok := sniff(head[:sniffLen])
	if !ok {
		return nil, ErrUnknownFormat
	}
	o := &Object{Kind: kind, Compression: comp}
	rawOff := func() int64 { return cr.n - int64(br.Buffered()) }
	switch comp {
	case None:
		o.dec = br
		o.rawOff = rawOff
		return o, nil
	case Gzip:
		g, err := newGzipStream(br)
		if err != nil {
			return nil, &ReadError{Compression: Gzip, RawOffset: rawOff(), Err: err}
		}
		o.dec = g
		o.rawOff = rawOff
	case Bzip2:
		// bzip2 reads br byte by byte (it is an io.ByteReader), so the
		// raw offset is exact but for its bit buffer.
		o.dec = bzip2.NewReader(br)
		o.rawOff = rawOff
	case Zip:
		var zr io.Reader
		var closer func() error
		if hasRA {
			zr, closer, err = openZip(ra, raSize)
		} else {
			zr, closer, err = spoolZip(br)
		}
		if err != nil {
			return nil, err
		}
		o.dec = zr
		o.closers = append(o.closers, closer)
	}

	// es-loader sniffs the first 16 decompressed bytes again.
	buf := make([]byte, sniffLen)
	n, herr := readUpTo(o.dec, buf)
	o.head = buf[:n]
	if herr != nil {
		// Reported after these bytes, so that the lines before a
		// corruption are still delivered.
		o.err = o.wrap(herr, int64(n))
	}
	ic, ik, ok := sniff(o.head)
	switch {
	case ic != None:
		o.Close()
		return nil, fmt.Errorf("%w. %s in %s", ErrDoubleArchived, ic, comp)
	case !ok:
		// es-loader would carry on with a binary stream and fail later.
		o.Close()
		return nil, fmt.Errorf("%w inside %s", ErrUnknownFormat, comp)
	}
	o.Kind = ik
	return o, nil
}

// readUpTo fills buf unless r ends or fails first. io.EOF is not an error.
func readUpTo(r io.Reader, buf []byte) (int, error) {
	n := 0
	for empty := 0; n < len(buf); {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// gzipStream reads gzip members one after the other like Python's gzip
// module: zero bytes between or after members are padding, anything else
// must be another member. (The decompressor's own multistream mode would
// reject the padding.)
type gzipStream struct {
	br  *bufio.Reader
	z   *gzip.Reader
	err error
}

func newGzipStream(br *bufio.Reader) (*gzipStream, error) {
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	z.Multistream(false)
	return &gzipStream{br: br, z: z}, nil
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.z.Read(p)
		if err == io.EOF {
			g.err = g.nextMember()
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// nextMember skips padding and starts the next member; io.EOF at the end.
func (g *gzipStream) nextMember() error {
	for {
		c, err := g.br.ReadByte()
		if err != nil {
			return err
		}
		if c != 0 {
			g.br.UnreadByte()
			break
		}
	}
	// The bufio.Reader is a flate.Reader, so the decompressor consumed
	// exactly the previous member and Reset starts at the next header.
	if err := g.z.Reset(g.br); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	g.z.Multistream(false)
	return nil
}
