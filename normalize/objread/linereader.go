package objread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ErrLineTooLong marks a line longer than the reader's limit; it was
// skipped whole and reading goes on with the next line.
var ErrLineTooLong = errors.New("line too long")

// LineError is an error about one line.
type LineError struct {
	Line  int
	Bytes int64
	Err   error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %v (%d bytes, skipped)", e.Line, e.Err, e.Bytes)
}

func (e *LineError) Unwrap() error { return e.Err }

// LineReader splits text into lines with Python's universal newlines
// ("\n", "\r\n" and a lone "\r" all end a line), removes invalid UTF-8 and
// never holds more than the limit of one line.
type LineReader struct {
	r          io.Reader
	buf        []byte
	start, end int
	eof        bool
	rerr       error
	max        int
	line       int
	skipLF     bool // the last line ended with '\r' at the end of the buffer
}

// NewLineReader reads lines of at most maxLine bytes from r.
func NewLineReader(r io.Reader, maxLine int) *LineReader {
	if maxLine <= 0 {
		maxLine = 16 << 20
	}
	return &LineReader{r: r, buf: make([]byte, 256<<10), max: maxLine}
}

// Line is the 1-based number of the last line returned.
func (lr *LineReader) Line() int { return lr.line }

// fill reads more, moving unread bytes to the front and growing the buffer
// up to the line limit.
func (lr *LineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		nb := make([]byte, 2*len(lr.buf))
		copy(nb, lr.buf[:lr.end])
		lr.buf = nb
	}
	for {
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		if err != nil {
			lr.eof = true
			if err != io.EOF {
				lr.rerr = err
			}
			return
		}
		if n > 0 {
			return
		}
	}
}

// Next returns the next line without its terminator. The slice is valid
// until the next call. At the end it returns io.EOF; a read error of the
// underlying stream (a corrupt gzip member...) comes after the lines
// before it.
func (lr *LineReader) Next() ([]byte, error) {
	var skipped int64
	tooLong := false
	for {
		if lr.skipLF && lr.start < lr.end {
			if lr.buf[lr.start] == '\n' {
				lr.start++
			}
			lr.skipLF = false
		}
		window := lr.buf[lr.start:lr.end]
		nl := bytes.IndexByte(window, '\n')
		scope := window
		if nl >= 0 {
			scope = window[:nl]
		}
		cut, next := -1, 0
		if cr := bytes.IndexByte(scope, '\r'); cr >= 0 {
			cut, next = cr, cr+1
			if cr+1 < len(window) {
				if window[cr+1] == '\n' {
					next++
				}
			} else if !lr.eof {
				lr.skipLF = true
			}
		} else if nl >= 0 {
			cut, next = nl, nl+1
		}
		if cut >= 0 {
			line := window[:cut]
			lr.start += next
			if tooLong {
				return lr.lineError(skipped + int64(cut))
			}
			if len(line) > lr.max {
				return lr.lineError(int64(len(line)))
			}
			return lr.deliver(line)
		}
		if lr.eof {
			if len(window) == 0 && !tooLong {
				if lr.rerr != nil {
					err := lr.rerr
					lr.rerr = nil
					return nil, err
				}
				return nil, io.EOF
			}
			lr.start = lr.end
			if tooLong || len(window) > lr.max {
				return lr.lineError(skipped + int64(len(window)))
			}
			return lr.deliver(window)
		}
		if len(window) > lr.max {
			// drop what we have of an over-long line and keep scanning
			tooLong = true
			skipped += int64(len(window))
			lr.start = lr.end
		}
		lr.fill()
	}
}

func (lr *LineReader) lineError(n int64) ([]byte, error) {
	lr.line++
	return nil, &LineError{Line: lr.line, Bytes: n, Err: ErrLineTooLong}
}

func (lr *LineReader) deliver(line []byte) ([]byte, error) {
	lr.line++
	if !utf8.Valid(line) {
		line = RemoveInvalidUTF8(line)
	}
	return line, nil
}

// RemoveInvalidUTF8 drops bytes that are not valid UTF-8 (Python's
// errors='ignore'), in place.
func RemoveInvalidUTF8(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}
		out = append(out, b[i:i+size]...)
		i += size
	}
	return out
}
