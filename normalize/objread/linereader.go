package objread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// DefaultMaxLine is the line limit when NewLineReader is given none.
const DefaultMaxLine = 16 << 20

// readSize is the initial buffer: large reads keep the per-call overhead
// of the decompressors and of this loop small.
const readSize = 256 << 10

// ErrLineTooLong marks a line longer than the reader's limit; it was
// skipped whole and reading goes on with the next line.
var ErrLineTooLong = errors.New("line too long")

// LineError is an error about one line only: Next can be called again
// and goes on with the following line. Any other error from Next is final.
type LineError struct {
	Line  int   // 1-based
	Bytes int64 // the line's length in bytes, without its terminator
	Err   error // ErrLineTooLong
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %v (%d bytes, skipped)", e.Line, e.Err, e.Bytes)
}

func (e *LineError) Unwrap() error { return e.Err }

// LineReader splits text into lines as Python's text mode does with
// errors='ignore': invalid UTF-8 is dropped first, then "\n", "\r\n" and a
// lone "\r" all end a line. It never holds more than about the limit of
// one line in memory.
type LineReader struct {
	r          io.Reader
	buf        []byte
	start, end int // unread bytes are buf[start:end]
	eof        bool
	rerr       error // a read error, returned once the complete lines are out
	final      error // sticky result once the input is exhausted
	max        int
	line       int

	// afterCR: the last line ended with '\r', so a '\n' right after it
	// (possibly behind invalid bytes, which Python drops before looking
	// for newlines) completes the same terminator.
	afterCR bool

	// '\r' is rare in logs, so it is searched once per read, not per line:
	// crPos is the first '\r' in buf[start:crScan], or negative if none.
	crPos, crScan int
}

// NewLineReader reads lines of at most maxLine bytes from r (0 or less
// means DefaultMaxLine).
func NewLineReader(r io.Reader, maxLine int) *LineReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &LineReader{r: r, buf: make([]byte, readSize), max: maxLine, crPos: -1}
}

// Line is the 1-based number of the last line returned (over-long lines
// count).
func (lr *LineReader) Line() int { return lr.line }

// Next returns the next line without its terminator, invalid UTF-8
// removed. The slice is valid until the next call. An over-long line
// gives a *LineError and is skipped. At the end Next returns io.EOF; if
// the input failed (corrupt compressed data...), it returns that error
// instead, after the complete lines before it; a partial line cut by the
// failure is not returned.
func (lr *LineReader) Next() ([]byte, error) {
	if lr.final != nil {
		return nil, lr.final
	}
	tooLong := false
	sawValid := false // the discarded part of an over-long line had valid UTF-8
	var skipped int64 // bytes of an over-long line already discarded
	searched := 0     // buf[start:start+searched] holds no '\n'
	for {
		if lr.afterCR && !lr.skipCRTail() {
			lr.fill()
			continue
		}
		window := lr.buf[lr.start:lr.end]
		cut, width := -1, 1
		if i := bytes.IndexByte(window[searched:], '\n'); i >= 0 {
			cut = searched + i
		}
		if cr := lr.nextCR(); cr >= 0 && (cut < 0 || cr < cut) {
			cut = cr
			if cr+1 < len(window) && window[cr+1] == '\n' {
				width = 2
			} else {
				lr.afterCR = true
			}
		}
		if cut >= 0 {
			lr.start += cut + width
			if tooLong || cut > lr.max {
				return lr.tooLong(skipped + int64(cut))
			}
			return lr.deliver(window[:cut])
		}
		if lr.eof {
			lr.start = lr.end
			if lr.rerr != nil {
				// The last line was cut short by the failure.
				err := fmt.Errorf("after line %d: %w", lr.line, lr.rerr)
				if n := skipped + int64(len(window)); n > 0 {
					err = fmt.Errorf("after line %d (a partial line of %d bytes dropped): %w", lr.line, n, lr.rerr)
				}
				lr.final = err
				return nil, err
			}
			if tooLong || len(window) > lr.max {
				lr.final = io.EOF
				if !sawValid && !hasValidUTF8(window) {
					return nil, io.EOF // nothing of it survives decoding: no line
				}
				return lr.tooLong(skipped + int64(len(window)))
			}
			// readlines(): text after the last newline is a line unless
			// nothing is left of it once invalid bytes are dropped.
			if line := removeInvalid(window); len(line) > 0 {
				lr.line++
				lr.final = io.EOF
				return line, nil
			}
			lr.final = io.EOF
			return nil, io.EOF
		}
		if len(window) > lr.max {
			// Keep scanning for the end of the line without keeping it,
			// but for a rune cut by the read: whether the line holds any
			// valid UTF-8 matters if it turns out to be the last one.
			keep := incompleteTail(window)
			drop := window[:len(window)-keep]
			sawValid = sawValid || hasValidUTF8(drop)
			tooLong = true
			skipped += int64(len(drop))
			lr.start += len(drop)
			searched = keep
		} else {
			searched = len(window)
		}
		lr.fill()
	}
}

func (lr *LineReader) tooLong(n int64) ([]byte, error) {
	lr.line++
	return nil, &LineError{Line: lr.line, Bytes: n, Err: ErrLineTooLong}
}

func (lr *LineReader) deliver(line []byte) ([]byte, error) {
	lr.line++
	if !utf8.Valid(line) {
		// In place: these bytes are consumed already.
		line = removeInvalid(line)
	}
	return line, nil
}

// nextCR is the index of the first '\r' in the window, or -1.
func (lr *LineReader) nextCR() int {
	if lr.crPos >= lr.start {
		return lr.crPos - lr.start
	}
	if lr.crPos >= 0 || lr.crScan < lr.start {
		// Consumed: the bytes after it were never searched.
		lr.crPos, lr.crScan = -1, lr.start
	}
	if i := bytes.IndexByte(lr.buf[lr.crScan:lr.end], '\r'); i >= 0 {
		lr.crPos = lr.crScan + i
		lr.crScan = lr.crPos + 1
		return lr.crPos - lr.start
	}
	lr.crScan = lr.end
	return -1
}

// skipCRTail drops what follows a line ended by '\r' up to and including
// a '\n', as long as it is only invalid UTF-8. It returns false when it
// needs more input to decide.
func (lr *LineReader) skipCRTail() bool {
	for lr.start < lr.end {
		c := lr.buf[lr.start]
		if c == '\n' {
			lr.start++
			lr.afterCR = false
			return true
		}
		if c < utf8.RuneSelf {
			break
		}
		rest := lr.buf[lr.start:lr.end]
		if !lr.eof && !utf8.FullRune(rest) {
			return false
		}
		if _, size := utf8.DecodeRune(rest); size > 1 {
			break // a real character begins the next line
		}
		lr.start++
	}
	if lr.start == lr.end && !lr.eof {
		return false
	}
	lr.afterCR = false
	return true
}

// fill reads more input after the unread bytes, moving them to the front
// and growing the buffer (never past the limit plus one byte, enough to
// tell that a line is too long).
func (lr *LineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.crScan -= lr.start
		if lr.crPos >= 0 {
			lr.crPos -= lr.start
		}
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		// end == len(buf) only while the window is at most max bytes,
		// so this always grows.
		size := 2 * len(lr.buf)
		if lr.max < size-1 {
			size = lr.max + 1
		}
		nb := make([]byte, size)
		copy(nb, lr.buf[:lr.end])
		lr.buf = nb
	}
	for empty := 0; ; {
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
		if empty++; empty >= 100 {
			lr.eof, lr.rerr = true, io.ErrNoProgress
			return
		}
	}
}
