package normalize

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/objread"
)

// An object too large to be read in one go (a multi-GB S3 object handed
// through a collector pipeline) is cut into parts: pieces of its
// decompressed content, each made of whole records and carrying the
// file context the section's decoder needs, so that ProcessPart over the
// parts gives the documents ProcessObject gives over the object, in the
// same order, with the same _index and _id.
//
// How an object is cut, by what its section reads:
//   - lines (text, csv, cef, multiline): at line ends, a multiline
//     section only before a line that starts a record; the object's
//     header lines (a csv's field names, text_header_line_number lines
//     such as CloudFront's #Version/#Fields) open every part;
//   - JSON (json sections, CloudWatch Logs envelopes, FireLens records):
//     between top-level values; one value is never cut, so a single JSON
//     document is one part (up to MaxWholePart bytes);
//   - Parquet, XML and Windows event XML: the whole object is one part
//     (up to MaxWholePart bytes).

// MaxWholePart bounds a part that cannot be cut further (one JSON
// document, a Parquet or XML object): an object needing a larger one
// stops with Result.Fatal.
const MaxWholePart = 256 << 20

// errPartTooLarge: a value that cannot be cut is larger than MaxWholePart.
var errPartTooLarge = errors.New("a record that cannot be cut (one JSON document, a Parquet or XML object) is larger than 256 MiB")

// yieldError carries the caller's error through the splitter.
type yieldError struct{ err error }

func (e *yieldError) Error() string { return e.err.Error() }

// SplitObject classifies src as ProcessObject does, reads body
// (compressed or not) and hands its parts of about maxPart bytes to
// yield, which may keep them. The Result tells what was skipped or
// broken (lines too long are counted as ProcessObject counts them); the
// error is only yield's.
func (n *Normalizer) SplitObject(src Source, body io.Reader, maxPart int, yield func(part []byte) error) (*Result, error) {
	res, lt := n.objectType(src)
	if lt == nil {
		return res, nil
	}
	o := n.newObjectRun(src, lt, res, nil)
	if !o.readFileTime() {
		return res, nil
	}
	obj, err := objread.Open(body)
	if err != nil {
		if errors.Is(err, objread.ErrTooSmall) {
			res.Skipped = "object is smaller than 20 bytes"
		} else {
			res.Fatal = err.Error()
		}
		return res, nil
	}
	defer obj.Close()
	sp := &splitter{n: n, lt: lt, res: res, max: max(maxPart, 1), yield: yield}
	br := bufio.NewReaderSize(obj, 256<<10)
	switch {
	case obj.Kind == objread.Parquet || lt.FileFormat == "xml" || lt.FileFormat == "winevtxml":
		err = sp.whole(br)
	case lt.FileFormat == "json" || ((lt.ViaCWL || lt.ViaFirelens) && startsWithBrace(br)):
		err = sp.jsonValues(br)
	default:
		err = sp.lines(br)
	}
	var ye *yieldError
	if errors.As(err, &ye) {
		return res, ye.err
	}
	if err != nil {
		res.Fatal = err.Error()
	}
	return res, nil
}

// ProcessPart normalizes one part SplitObject gave for the object src
// names, as ProcessObject would normalize those records of the object.
func (n *Normalizer) ProcessPart(src Source, part []byte, emit Emit) (*Result, error) {
	res, lt := n.objectType(src)
	if lt == nil {
		return res, nil
	}
	o := n.newObjectRun(src, lt, res, emit)
	if bytes.HasPrefix(part, []byte("PAR1")) {
		return res, o.run(bytes.NewReader(part))
	}
	if !o.readFileTime() {
		return res, nil
	}
	return res, o.finish(o.readDecoded(bytes.NewReader(part)))
}

func startsWithBrace(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	t := bytes.TrimLeft(head, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

type splitter struct {
	n     *Normalizer
	lt    *conf.LogType
	res   *Result
	max   int
	yield func([]byte) error
	part  []byte
}

func (sp *splitter) flush() error {
	if len(sp.part) == 0 {
		return nil
	}
	p := sp.part
	sp.part = nil
	if err := sp.yield(p); err != nil {
		return &yieldError{err}
	}
	return nil
}

func (sp *splitter) whole(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, MaxWholePart+1))
	if err != nil {
		return err
	}
	if len(b) > MaxWholePart {
		return errPartTooLarge
	}
	sp.part = b
	return sp.flush()
}

// lines cuts at line ends; the object's header lines open every part.
func (sp *splitter) lines(r io.Reader) error {
	headerLines := 0
	switch sp.lt.FileFormat {
	case "csv":
		headerLines = 1
	case "text":
		headerLines = sp.lt.TextHeaderLines
	}
	first := sp.lt.MultilineFirstline
	if sp.lt.FileFormat != "multiline" {
		first = nil
	}
	var header []byte
	lr := objread.NewLineReader(r, sp.n.maxRec)
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return sp.flush()
		}
		if err != nil {
			var le *objread.LineError
			if errors.As(err, &le) {
				sp.res.Records++
				sp.res.fail("line too long", err.Error())
				continue
			}
			if ferr := sp.flush(); ferr != nil {
				return ferr
			}
			return err
		}
		if lr.Line() <= headerLines {
			header = append(append(header, line...), '\n')
			continue
		}
		if len(sp.part) > len(header) && len(sp.part)+len(line) >= sp.max &&
			(first == nil || first.Match(string(line)+"\n")) {
			if err := sp.flush(); err != nil {
				return err
			}
		}
		if len(sp.part) == 0 {
			sp.part = append(make([]byte, 0, min(sp.max+len(line)+1, 4<<20)), header...)
		}
		sp.part = append(append(sp.part, line...), '\n')
	}
}

// jsonValues cuts between top-level JSON values: it follows the nesting
// of objects and arrays, skipping strings, and cuts once a part has
// grown past max and the value at hand is closed.
func (sp *splitter) jsonValues(r io.Reader) error {
	buf := make([]byte, 256<<10)
	depth := 0
	inString, escaped := false, false
	for {
		n, rerr := r.Read(buf)
		chunk := buf[:n]
		for len(chunk) > 0 {
			// the bytes up to the next point where a top-level value ends
			end := len(chunk)
			for i, c := range chunk {
				switch {
				case inString:
					switch {
					case escaped:
						escaped = false
					case c == '\\':
						escaped = true
					case c == '"':
						inString = false
					}
					continue
				case c == '"':
					inString = true
				case c == '{' || c == '[':
					depth++
				case c == '}' || c == ']':
					if depth > 0 {
						depth--
					}
					if depth == 0 {
						end = i + 1
					}
				}
				if end != len(chunk) {
					break
				}
			}
			sp.part = append(sp.part, chunk[:end]...)
			chunk = chunk[end:]
			closed := depth == 0 && !inString
			if closed && len(sp.part) >= sp.max {
				if err := sp.flush(); err != nil {
					return err
				}
			}
			if len(sp.part) > MaxWholePart {
				return errPartTooLarge
			}
		}
		if rerr == io.EOF {
			return sp.flush()
		}
		if rerr != nil {
			if err := sp.flush(); err != nil {
				return err
			}
			return rerr
		}
	}
}
