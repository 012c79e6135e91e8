package objread

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// bzip2Hello is `printf 'hello bzip2 world\nsecond line of text\n' | bzip2`:
// the standard library cannot write bzip2.
var bzip2Hello = []byte{0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x7e, 0x20, 0x65, 0x37, 0x00, 0x00, 0x08, 0xd9, 0x80, 0x00, 0x10, 0x40, 0x00, 0x10, 0x00, 0x1f, 0x65, 0xdc, 0xd0, 0x20, 0x00, 0x22, 0x83, 0x4d, 0x34, 0xc9, 0x93, 0x26, 0x85, 0x30, 0x9a, 0x68, 0x0d, 0x31, 0x1c, 0x56, 0xc5, 0xbd, 0x31, 0x02, 0xb5, 0x1d, 0x91, 0x38, 0x33, 0x06, 0x60, 0x31, 0x70, 0x8f, 0x06, 0x77, 0x23, 0x42, 0x9f, 0x8b, 0xb9, 0x22, 0x9c, 0x28, 0x48, 0x3f, 0x10, 0x32, 0x9b, 0x80}

func gzipOf(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func zipOf(t *testing.T, files ...string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		f, err := w.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	w.Close()
	return b.Bytes()
}

func readAllLines(t *testing.T, r io.Reader, max int) ([]string, error) {
	t.Helper()
	lr := NewLineReader(r, max)
	var out []string
	for {
		l, err := lr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				out = append(out, "<too long>")
				continue
			}
			return out, err
		}
		out = append(out, string(l))
	}
}

func TestOpenByMagicBytes(t *testing.T) {
	text := "line one of the object\nline two\n"
	multi := append(gzipOf("first member line\n"), gzipOf("second member line\n")...)
	cases := []struct {
		name  string
		data  []byte
		comp  Compression
		lines []string
	}{
		{"plain", []byte(text), None, []string{"line one of the object", "line two"}},
		{"gzip", gzipOf(text), Gzip, []string{"line one of the object", "line two"}},
		{"multi-member gzip", multi, Gzip, []string{"first member line", "second member line"}},
		{"zip reads the first member", zipOf(t, "a.log", text, "b.log", "ignored\n"), Zip, []string{"line one of the object", "line two"}},
		{"bzip2", bzip2Hello, Bzip2, []string{"hello bzip2 world", "second line of text"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Open(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if o.Compression != tc.comp || o.Kind != Text {
				t.Errorf("compression %v kind %v", o.Compression, o.Kind)
			}
			lines, err := readAllLines(t, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(lines, "|") != strings.Join(tc.lines, "|") {
				t.Errorf("lines %q, want %q", lines, tc.lines)
			}
		})
	}
}

func TestOpenRefusals(t *testing.T) {
	if _, err := Open(strings.NewReader("short")); !errors.Is(err, ErrTooSmall) {
		t.Errorf("small object: %v", err)
	}
	if _, err := Open(bytes.NewReader(append([]byte{0, 1, 2, 3}, make([]byte, 30)...))); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("binary: %v", err)
	}
	if _, err := Open(bytes.NewReader(gzipOf(string(gzipOf("nested archive content here"))))); err == nil || !strings.Contains(err.Error(), "double archived file. gzip in gzip") {
		t.Errorf("nested: %v", err)
	}
	o, err := Open(bytes.NewReader(append([]byte("PAR1"), make([]byte, 40)...)))
	if err != nil || o.Kind != Parquet {
		t.Errorf("parquet: %v %v", o, err)
	}
	o, err = Open(bytes.NewReader(gzipOf(string(append([]byte("PAR1"), make([]byte, 40)...)))))
	if err != nil || o.Kind != Parquet || o.Compression != Gzip {
		t.Errorf("gzipped parquet: %+v %v", o, err)
	}
}

func TestTruncatedGzipDeliversLinesThenError(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 2000; i++ {
		sb.WriteString("a fairly long log line that compresses well enough, number ")
		sb.WriteString(strings.Repeat("x", i%50))
		sb.WriteString("\n")
	}
	data := gzipOf(sb.String())
	o, err := Open(bytes.NewReader(data[:len(data)/2]))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := readAllLines(t, o, 0)
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("want a gzip error after the readable lines, got %v", err)
	}
	if len(lines) == 0 {
		t.Error("the lines before the damage must be delivered")
	}
}

func TestUniversalNewlinesAndUTF8(t *testing.T) {
	in := "a\r\nb\rc\n\xff\xfed\xc3\xa9\n\nlast"
	lines, err := readAllLines(t, strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c", "dé", "", "last"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", lines, want)
	}
}

// oneByte returns one byte per Read, so that "\r\n" is split across reads.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestCRLFAcrossReads(t *testing.T) {
	lines, err := readAllLines(t, oneByte{strings.NewReader("x\r\ny\r\n\r\nz\r")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(lines, "|") != "x|y||z" {
		t.Errorf("got %q", lines)
	}
}

func TestLongLineIsSkipped(t *testing.T) {
	in := "short\n" + strings.Repeat("y", 5000) + "\nafter\n" + strings.Repeat("z", 300)
	lines, err := readAllLines(t, strings.NewReader(in), 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"short", "<too long>", "after", "<too long>"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", lines)
	}
}

func FuzzOpenAndRead(f *testing.F) {
	f.Add([]byte("plain text line that is long enough\nsecond\r\nthird\r"))
	f.Add(gzipOf("gzip line one\ngzip line two\n"))
	f.Add(bzip2Hello)
	f.Add(append([]byte("PK\x03\x04"), make([]byte, 30)...))
	f.Add(append(gzipOf("a\n"), gzipOf("b\n")...))
	f.Add(makeZip(f, "first.log", "zip line one\r\nzip line two\n", "second.log", "x\n"))
	f.Add(append(append([]byte{}, bz2HelloWorld...), bz2HelloWorld...))
	f.Add(gzipOf("PAR1 parquet inside gzip, long enough"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Open(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer o.Close()
		lr := NewLineReader(o, 64)
		for i := 0; i < 100000; i++ {
			l, err := lr.Next()
			if err == io.EOF {
				return
			}
			var le *LineError
			if err != nil && !errors.As(err, &le) {
				return
			}
			if len(l) > 64 {
				t.Fatalf("line of %d bytes over the limit", len(l))
			}
		}
		t.Fatal("did not terminate")
	})
}

func BenchmarkLineReaderPlain(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 10<<20 {
		sb.WriteString("2 123456789012 eni-0a1b2c3d4e5f 10.0.1.5 203.0.113.9 49152 443 6 10 840 1716163200 1716163260 ACCEPT OK\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		lr := NewLineReader(bytes.NewReader(data), 0)
		for {
			if _, err := lr.Next(); err != nil {
				break
			}
		}
	}
}
