package objread

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
)

// bz2HelloWorld is `printf 'hello\nworld\n' | bzip2`: the standard library
// cannot write bzip2, and the test must not need the command.
var bz2HelloWorld = []byte{
	0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x6b, 0x5f,
	0xb1, 0xdd, 0x00, 0x00, 0x02, 0x41, 0x80, 0x00, 0x10, 0x06, 0x44, 0x90,
	0x80, 0x20, 0x00, 0x31, 0x0c, 0x08, 0x21, 0xa3, 0x69, 0x08, 0x07, 0x23,
	0xae, 0x87, 0x8b, 0xb9, 0x22, 0x9c, 0x28, 0x48, 0x35, 0xaf, 0xd8, 0xee,
	0x80,
}

// bzip2Parquet is `printf 'PAR1 is not text inside\n' | bzip2`.
var bzip2Parquet = []byte{
	0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x3f, 0xf7,
	0x36, 0xbc, 0x00, 0x00, 0x03, 0xdf, 0x80, 0x00, 0x10, 0x40, 0x00, 0x20,
	0x00, 0x20, 0x00, 0x50, 0x00, 0x06, 0x21, 0x8c, 0x40, 0x20, 0x00, 0x31,
	0x00, 0x00, 0x0a, 0x68, 0xf5, 0x33, 0x53, 0xd4, 0xda, 0x95, 0x62, 0xf4,
	0x4c, 0x94, 0xa6, 0x96, 0x47, 0xa2, 0x1b, 0x0f, 0xe2, 0xee, 0x48, 0xa7,
	0x0a, 0x12, 0x07, 0xfe, 0xe6, 0xd7, 0x80,
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// makeZip builds an archive with the given entries, in order.
func makeZip(t testing.TB, entries ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i+1 < len(entries); i += 2 {
		f, err := w.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(entries[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// openAndCollect opens data and collects every line, and the final error
// (nil for io.EOF).
func openAndCollect(t testing.TB, r io.Reader, maxLine int) (*Object, []string, []int, error) {
	t.Helper()
	obj, err := Open(r)
	if err != nil {
		return nil, nil, nil, err
	}
	defer obj.Close()
	lines, tooLong, err := collect(NewLineReader(obj, maxLine))
	return obj, lines, tooLong, err
}

func collect(lr *LineReader) (lines []string, tooLong []int, err error) {
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return lines, tooLong, nil
		}
		var le *LineError
		if errors.As(err, &le) {
			tooLong = append(tooLong, le.Line)
			continue
		}
		if err != nil {
			return lines, tooLong, err
		}
		lines = append(lines, string(line))
	}
}

func TestOpen(t *testing.T) {
	text := "first line of the log\nsecond line\n"
	tests := []struct {
		name  string
		data  []byte
		comp  Compression
		kind  Kind
		lines []string
	}{
		{"plain", []byte(text), None, Text, []string{"first line of the log", "second line"}},
		{"gzip", gz(t, text), Gzip, Text, []string{"first line of the log", "second line"}},
		{"gzip multi-member", cat(gz(t, "member one\nstill one"), gz(t, " and two\nlast\n")),
			Gzip, Text, []string{"member one", "still one and two", "last"}},
		{"gzip zero padding", cat(gz(t, "padded member\n"), make([]byte, 7), gz(t, "next\n"), make([]byte, 3)),
			Gzip, Text, []string{"padded member", "next"}},
		{"zip first entry", makeZip(t, "a.log", "from the first entry\n", "b.log", "not this\n"),
			Zip, Text, []string{"from the first entry"}},
		{"bzip2", bz2HelloWorld, Bzip2, Text, []string{"hello", "world"}},
		{"bzip2 two streams", cat(bz2HelloWorld, bz2HelloWorld), Bzip2, Text, []string{"hello", "world", "hello", "world"}},
		{"parquet", []byte("PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00\x12\x00\x00\x00\x00\x00\x00"), None, Parquet, nil},
		{"gzip parquet", gz(t, "PAR1\x00\x01\x02\x03 binary parquet body"), Gzip, Parquet, nil},
		{"bzip2 parquet", bzip2Parquet, Bzip2, Parquet, nil},
		{"text with escape and tab", []byte("\x1b[0m\tcoloured line\r\nnext\r\n"), None, Text, []string{"\x1b[0m\tcoloured line", "next"}},
		{"latin-1 bytes are text", []byte("caf\xe9 au lait, \xff\xfe bytes\n"), None, Text, []string{"caf au lait,  bytes"}},
		{"gzip empty content", gz(t, ""), Gzip, Text, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := Open(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			if obj.Compression != tc.comp || obj.Kind != tc.kind {
				t.Fatalf("got %v/%v, want %v/%v", obj.Compression, obj.Kind, tc.comp, tc.kind)
			}
			if tc.kind != Text {
				// The content is still readable, from its first byte.
				b, err := io.ReadAll(obj)
				if err != nil || !bytes.HasPrefix(b, []byte("PAR1")) {
					t.Fatalf("content %q, %v", b, err)
				}
				return
			}
			lines, _, err := collect(NewLineReader(obj, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(lines, tc.lines) {
				t.Fatalf("lines %q, want %q", lines, tc.lines)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"too small", []byte("only 19 bytes here."), ErrTooSmall, ""},
		{"empty", nil, ErrTooSmall, ""},
		{"small gzip", gz(t, "")[:19], ErrTooSmall, ""},
		{"binary", []byte("\x00\x01\x02binary data that is long enough"), ErrUnknownFormat, "unknown file format"},
		{"DEL byte", []byte("abc\x7fdefghijklmnopqrstuvwxyz"), ErrUnknownFormat, ""},
		{"binary after 16 bytes is text", nil, nil, ""},
		{"gzip in zip", makeZip(t, "inner.gz", string(gz(t, "x\n"))), ErrDoubleArchived, "double archived file. gzip in zip"},
		{"zip in gzip", gz(t, string(makeZip(t, "a", "b"))), ErrDoubleArchived, "double archived file. zip in gzip"},
		{"bzip2 in gzip", gz(t, string(bz2HelloWorld)), ErrDoubleArchived, "double archived file. bzip2 in gzip"},
		{"binary in gzip", gz(t, "\x00\x00\x00\x00 binary inside"), ErrUnknownFormat, "unknown file format inside gzip"},
		{"bad gzip header", []byte("\x1f\x8b\x09 not really a gzip header at all"), gzip.ErrHeader, ""},
		{"not a zip", []byte("PK but nothing like a zip archive\n"), zip.ErrFormat, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				// Python looks at 16 bytes only: a NUL later is text.
				obj, err := Open(strings.NewReader("0123456789abcdef\x00\x01\x02 more"))
				if err != nil || obj.Kind != Text {
					t.Fatalf("got %v", err)
				}
				return
			}
			_, err := Open(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Fatalf("message %q, want %q", err.Error(), tc.msg)
			}
		})
	}
	if CheckSize(19) != ErrTooSmall || CheckSize(20) != nil {
		t.Fatal("CheckSize")
	}
}

func TestTruncatedGzip(t *testing.T) {
	var text strings.Builder
	for i := 0; i < 5000; i++ {
		text.WriteString("a log line with some content that repeats, number ")
		text.WriteString(strings.Repeat("x", i%37))
		text.WriteString("\n")
	}
	full := gz(t, text.String())
	for _, cut := range []int{len(full) - 1, len(full) - 8, len(full) / 2, 30} {
		_, lines, _, err := openAndCollect(t, bytes.NewReader(full[:cut]), 0)
		var re *ReadError
		if !errors.As(err, &re) || re.Compression != Gzip {
			t.Fatalf("cut %d: error %v, want a gzip *ReadError", cut, err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut %d: %v does not wrap io.ErrUnexpectedEOF", cut, err)
		}
		if !strings.Contains(err.Error(), "gzip") || !strings.Contains(err.Error(), "after line") {
			t.Fatalf("cut %d: message %q", cut, err)
		}
		// Every line delivered is complete and in order.
		want := strings.Split(text.String(), "\n")
		if cut > len(full)/2 && len(lines) < 100 {
			t.Fatalf("cut %d: only %d lines before the error", cut, len(lines))
		}
		if len(lines) > 0 && !reflect.DeepEqual(lines, want[:len(lines)]) {
			t.Fatalf("cut %d: lines differ", cut)
		}
	}
}

func TestCorruptBzip2AndZip(t *testing.T) {
	bad := bytes.Clone(bz2HelloWorld)
	bad[30] ^= 0xff
	_, _, _, err := openAndCollect(t, bytes.NewReader(bad), 0)
	var re *ReadError
	if !errors.As(err, &re) || re.Compression != Bzip2 {
		t.Fatalf("bzip2: %v", err)
	}
	_, _, _, err = openAndCollect(t, bytes.NewReader(bz2HelloWorld[:40]), 0)
	if !errors.As(err, &re) || re.Compression != Bzip2 {
		t.Fatalf("truncated bzip2: %v", err)
	}

	// Corrupt the entry's data but not the directory.
	z := makeZip(t, "a.log", strings.Repeat("zip line\n", 1000))
	i := bytes.Index(z, []byte("a.log")) + len("a.log") + 10
	z[i] ^= 0x55
	_, _, _, err = openAndCollect(t, bytes.NewReader(z), 0)
	if !errors.As(err, &re) || re.Compression != Zip {
		t.Fatalf("zip: %v", err)
	}
	// A truncated zip has no central directory: Open fails.
	if _, err := Open(bytes.NewReader(z[:len(z)/2])); err == nil {
		t.Fatal("truncated zip opened")
	}
}

func TestZipSources(t *testing.T) {
	content := strings.Repeat("zipped line\n", 10)
	data := makeZip(t, "x.log", content)

	// A plain io.Reader is spooled in memory.
	_, lines, _, err := openAndCollect(t, iotest.OneByteReader(bytes.NewReader(data)), 0)
	if err != nil || len(lines) != 10 {
		t.Fatalf("plain reader: %d lines, %v", len(lines), err)
	}
	// A file is read in place, from its current offset.
	path := filepath.Join(t.TempDir(), "obj")
	if err := os.WriteFile(path, cat([]byte("prefix"), data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(6, io.SeekStart)
	_, lines, _, err = openAndCollect(t, f, 0)
	if err != nil || len(lines) != 10 {
		t.Fatalf("file: %d lines, %v", len(lines), err)
	}
}

func TestZipSpoolsToTempFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	// Stored (not deflated) random-ish data so the archive exceeds the
	// in-memory limit.
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: "big.log", Method: zip.Store})
	line := []byte(strings.Repeat("0123456789", 10) + "\n")
	n := zipSpoolLimit/len(line) + 10
	for i := 0; i < n; i++ {
		f.Write(line)
	}
	w.Close()
	// Hide the ReaderAt so that Open has to spool.
	obj, err := Open(io.MultiReader(bytes.NewReader(b.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d temporary files, want 1", len(ents))
	}
	lines, _, err := collect(NewLineReader(obj, 0))
	if err != nil || len(lines) != n {
		t.Fatalf("%d lines, want %d; %v", len(lines), n, err)
	}
	if err := obj.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("temporary file left behind")
	}
}

// chunked returns its data in reads of the given sizes, cycling, so that
// terminators fall on read boundaries.
type chunked struct {
	data  []byte
	sizes []int
	i     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.sizes[c.i%len(c.sizes)], len(p), len(c.data))
	c.i++
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"final newline", "a\nb\n", []string{"a", "b"}},
		{"blank lines", "\n\na\n\n", []string{"", "", "a", ""}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"lone cr", "a\rb\rc", []string{"a", "b", "c"}},
		{"cr cr lf", "a\r\r\nb", []string{"a", "", "b"}},
		{"lf cr", "a\n\rb", []string{"a", "", "b"}},
		{"final cr", "a\r", []string{"a"}},
		{"only cr", "\r", []string{""}},
		{"invalid dropped", "ok \xff\xfe\xc3\x28 done\n", []string{"ok ( done"}},
		{"valid multibyte kept", "日本語 ✓ \xf0\x9f\x98\x80\n", []string{"日本語 ✓ \xf0\x9f\x98\x80"}},
		{"surrogate dropped", "a\xed\xa0\x80b\n", []string{"ab"}},
		{"overlong dropped", "a\xc0\xafb\n", []string{"ab"}},
		{"truncated rune before newline", "a\xe2\x82\nb", []string{"a", "b"}},
		{"only invalid after last newline", "a\n\xff\xfe", []string{"a"}},
		{"invalid-only line", "a\n\xff\nb", []string{"a", "", "b"}},
		// Python decodes (dropping bytes) before it translates newlines.
		{"cr invalid lf is crlf", "a\r\xff\xfe\nb", []string{"a", "b"}},
		{"cr valid lf", "a\r\xc3\xa9\nb", []string{"a", "é", "b"}},
		{"other separators are not newlines", "a\x0bb\x0cc\x1cd\xc2\x85e\xe2\x80\xa8f\n", []string{"a\x0bb\x0cc\x1cd\xc2\x85e\xe2\x80\xa8f"}},
	}
	for _, tc := range tests {
		// Every chunking, so terminators and runes split across reads.
		for _, sizes := range [][]int{{1 << 20}, {1}, {2}, {3}, {1, 2, 5}} {
			lr := NewLineReader(&chunked{data: []byte(tc.in), sizes: sizes}, 0)
			got, _, err := collect(lr)
			if err != nil {
				t.Fatalf("%s %v: %v", tc.name, sizes, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s %v: got %q, want %q", tc.name, sizes, got, tc.want)
			}
			if lr.Line() != len(tc.want) {
				t.Fatalf("%s: Line() %d", tc.name, lr.Line())
			}
		}
	}
}

// TestCRLFAcrossBuffer puts "\r\n" exactly on the LineReader's own buffer
// boundary, not only on read boundaries.
func TestCRLFAcrossBuffer(t *testing.T) {
	for _, pad := range []int{readSize - 2, readSize - 1, readSize, readSize + 1} {
		in := strings.Repeat("y", pad-1) + "\r\n" + "next\r\n"
		got, _, err := collect(NewLineReader(strings.NewReader(in), 0))
		if err != nil || len(got) != 2 || got[1] != "next" || len(got[0]) != pad-1 {
			t.Fatalf("pad %d: %d lines, %v", pad, len(got), err)
		}
	}
	// Many CRLF lines through small reads: each "\r" may end a read.
	var b strings.Builder
	var want []string
	for i := 0; i < 3000; i++ {
		s := strings.Repeat("z", i%50)
		b.WriteString(s + "\r\n")
		want = append(want, s)
	}
	got, _, err := collect(NewLineReader(&chunked{data: []byte(b.String()), sizes: []int{7, 13, 1}}, 0))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("crlf lines differ (%d vs %d), %v", len(got), len(want), err)
	}
}

func TestLineTooLong(t *testing.T) {
	long := strings.Repeat("L", 1000)
	in := "short\n" + long + "\nafter\n" + long + "\r\n" + "x\r" + long + "\rend"
	for _, sizes := range [][]int{{1 << 20}, {7}, {1}} {
		lr := NewLineReader(&chunked{data: []byte(in), sizes: sizes}, 100)
		var got []string
		var errs []*LineError
		for {
			line, err := lr.Next()
			if err == io.EOF {
				break
			}
			var le *LineError
			if errors.As(err, &le) {
				if !errors.Is(err, ErrLineTooLong) || le.Line != lr.Line() || le.Bytes != 1000 {
					t.Fatalf("%v: bad error %+v", sizes, le)
				}
				errs = append(errs, le)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(line) > 100 {
				t.Fatalf("line of %d bytes", len(line))
			}
			got = append(got, string(line))
		}
		want := []string{"short", "after", "x", "end"}
		if !reflect.DeepEqual(got, want) || len(errs) != 3 {
			t.Fatalf("%v: got %q and %d errors", sizes, got, len(errs))
		}
		if errs[0].Line != 2 || errs[1].Line != 4 || errs[2].Line != 6 {
			t.Fatalf("line numbers %d %d %d", errs[0].Line, errs[1].Line, errs[2].Line)
		}
	}
	// The last line, without a terminator, too long.
	got, tooLong, err := collect(NewLineReader(strings.NewReader("a\n"+long), 10))
	if err != nil || len(got) != 1 || !reflect.DeepEqual(tooLong, []int{2}) {
		t.Fatalf("%q %v %v", got, tooLong, err)
	}
	// Exactly at the limit is fine.
	got, tooLong, _ = collect(NewLineReader(strings.NewReader(long[:100]+"\n"+long[:100]), 100))
	if len(got) != 2 || tooLong != nil {
		t.Fatalf("at the limit: %d lines, %v", len(got), tooLong)
	}
}

// TestLineTooLongBounded checks that a huge line does not grow the buffer
// past the limit.
func TestLineTooLongBounded(t *testing.T) {
	const limit = 1 << 20
	in := io.MultiReader(strings.NewReader("head\n"),
		io.LimitReader(repeatByte('q'), 50<<20), strings.NewReader("\ntail\n"))
	lr := NewLineReader(in, limit)
	got, tooLong, err := collect(lr)
	if err != nil || !reflect.DeepEqual(got, []string{"head", "tail"}) || !reflect.DeepEqual(tooLong, []int{2}) {
		t.Fatalf("%q %v %v", got, tooLong, err)
	}
	if len(lr.buf) > limit+1 {
		t.Fatalf("buffer grew to %d", len(lr.buf))
	}
}

type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestReadErrorAfterLines(t *testing.T) {
	boom := errors.New("connection reset")
	in := io.MultiReader(strings.NewReader("one\ntwo\npart"), iotest.ErrReader(boom))
	lr := NewLineReader(in, 0)
	got, _, err := collect(lr)
	if !errors.Is(err, boom) || !reflect.DeepEqual(got, []string{"one", "two"}) {
		t.Fatalf("%q %v", got, err)
	}
	if !strings.Contains(err.Error(), "after line 2") || !strings.Contains(err.Error(), "4 bytes") {
		t.Fatalf("message %q", err)
	}
	// Sticky.
	if _, err2 := lr.Next(); err2 != err {
		t.Fatalf("second call: %v", err2)
	}
}

func TestRemoveInvalidUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"plain":                "plain",
		"\xff":                 "",
		"a\x80b\xc3":           "ab",
		"é\xe9è":               "éè",
		"\xf4\x90\x80\x80x":    "x", // past U+10FFFF
		"\xef\xbf\xbd":         "\xef\xbf\xbd",
		"\xe2\x82\xe2\x82\xac": "€",
	} {
		if got := string(RemoveInvalidUTF8([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
