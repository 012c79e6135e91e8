package objread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// pythonLines is the reference: decode dropping invalid UTF-8, then
// split like readlines() with universal newlines, terminators removed.
func pythonLines(data []byte) []string {
	s := string(RemoveInvalidUTF8(bytes.Clone(data)))
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nb\r\nc\rd"), uint8(3), uint16(0))
	f.Add([]byte("x\r\xff\xfe\ny\r\xc3\xa9\n"), uint8(1), uint16(2))
	f.Add([]byte("\r\r\n\n\r"), uint8(2), uint16(1))
	f.Add([]byte(strings.Repeat("long line ", 40)+"\nshort\n"), uint8(7), uint16(50))
	f.Add([]byte("\xe2\x82\xac\xe2\x82\r\n\xf0\x9f"), uint8(1), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, limit uint16) {
		want := pythonLines(data)
		max := int(limit)
		if max == 0 {
			max = 1 << 20
		}
		sizes := []int{int(chunk%17) + 1, int(chunk/17) + 1}
		lr := NewLineReader(&chunked{data: data, sizes: sizes}, max)
		n := 0
		for ; ; n++ {
			if n > len(data)+1 {
				t.Fatal("more lines than bytes")
			}
			line, err := lr.Next()
			if err == io.EOF {
				break
			}
			var le *LineError
			if errors.As(err, &le) {
				if le.Line != n+1 || le.Bytes <= int64(max) {
					t.Fatalf("bad LineError %+v at line %d", le, n+1)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(line) > max || !utf8.Valid(line) {
				t.Fatalf("line %d: %d bytes, valid %v", n+1, len(line), utf8.Valid(line))
			}
			if n >= len(want) || string(line) != want[n] {
				t.Fatalf("line %d: got %q, want %q (all: %q)", n+1, line, want, want)
			}
		}
		if n != len(want) || lr.Line() != n {
			t.Fatalf("%d lines (Line %d), want %d: %q", n, lr.Line(), len(want), want)
		}
	})
}

// synthLog is about size bytes of VPC-flow-like lines.
func synthLog(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "2 123456789012 eni-%08x 10.0.%d.%d 203.0.113.%d %d 443 6 %d %d 1716163200 1716163260 ACCEPT OK\n",
			i*2654435761, i%256, i%199, i%253, 1024+i%60000, i%97, i*13%100000)
	}
	return b.Bytes()
}

func drain(b *testing.B, lr *LineReader) {
	for {
		_, err := lr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLineReaderCRLF(b *testing.B) {
	data := bytes.ReplaceAll(synthLog(10<<20), []byte("\n"), []byte("\r\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		drain(b, NewLineReader(bytes.NewReader(data), 0))
	}
}

func BenchmarkLineReaderGzip(b *testing.B) {
	data := synthLog(10 << 20)
	compressed := gz(b, string(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		obj, err := Open(bytes.NewReader(compressed))
		if err != nil {
			b.Fatal(err)
		}
		drain(b, NewLineReader(obj, 0))
		obj.Close()
	}
}

func BenchmarkOpenPlain(b *testing.B) {
	data := synthLog(10 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		obj, err := Open(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		drain(b, NewLineReader(obj, 0))
	}
}
