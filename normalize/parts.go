package normalize

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"

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
//     between top-level values, and between the elements of the array a
//     top-level object holds under the section's json_delimiter
//     (CloudTrail's Records), each part then repeating the object's start
//     up to that array; any other value is never cut (one part of up to
//     MaxWholePart bytes);
//   - Parquet, XML and Windows event XML: the whole object is one part
//     (up to MaxWholePart bytes).

// MaxWholePart bounds a part that cannot be cut further (a JSON value
// other than the json_delimiter array, a Parquet or XML object): an object needing a larger one
// stops with Result.Fatal.
const MaxWholePart = 256 << 20

// errPartTooLarge: a value that cannot be cut is larger than MaxWholePart.
var errPartTooLarge = errors.New("a record that cannot be cut (a JSON value, a Parquet or XML object) is larger than 256 MiB")

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
// grown past max and the value at hand is closed. Inside the array a
// top-level object holds under the section's json_delimiter (CloudTrail's
// Records), whose elements the core reads one by one and apart from the
// object's other members, it cuts between elements too: each part is then
// {"Records":[...some elements...]}, so a CloudTrail document of any size
// goes in parts of about max bytes.
func (sp *splitter) jsonValues(r io.Reader) error {
	delim := ""
	if sp.lt.FileFormat == "json" && !sp.lt.ViaCWL && !sp.lt.ViaFirelens {
		delim = sp.lt.JSONDelimiter
	}
	var js jsonScan
	// The part at hand is pre followed by buf[start:]; buf[:start] went
	// out in earlier parts. Each byte is copied once into the part that
	// takes it, so small parts cost no more than large ones.
	var buf, pre []byte
	start, scanned := 0, 0
	emit := func(end int, closing []byte) error {
		part := make([]byte, 0, len(pre)+end-start+len(closing))
		part = append(append(append(part, pre...), buf[start:end]...), closing...)
		sp.part = part
		return sp.flush()
	}
	const chunk = 256 << 10
	for {
		if start > 0 { // keep only what is not out yet
			n := copy(buf, buf[start:])
			buf = buf[:n]
			js.shift(start)
			scanned -= start
			start = 0
		}
		buf = slices.Grow(buf, chunk)
		n, rerr := r.Read(buf[len(buf) : len(buf)+chunk])
		buf = buf[:len(buf)+n]
		for j := scanned; j < len(buf); j++ {
			if js.inString && !js.escaped {
				// most bytes are inside strings: jump to the next quote
				// or backslash
				k := bytes.IndexAny(buf[j:], "\"\\")
				if k < 0 {
					break
				}
				j += k
			}
			switch js.step(buf, j, delim) {
			case cutAfterValue:
				if len(pre)+j+1-start >= sp.max {
					if err := emit(j+1, nil); err != nil {
						return err
					}
					start, pre = j+1, nil
				}
			case cutInArray: // at the ',' after an element
				if len(pre)+j-start >= sp.max {
					// this part closes the array and the object; the next
					// opens them again
					if err := emit(j, []byte("]}")); err != nil {
						return err
					}
					start, pre = j+1, js.prefix
					js.topStart = -1 // the object's start is behind us
				}
			}
		}
		scanned = len(buf)
		if len(pre)+len(buf)-start > MaxWholePart {
			return errPartTooLarge
		}
		if rerr != nil {
			if len(buf) > start {
				if pre == nil && start == 0 {
					sp.part, buf = buf, nil // handed over whole, not copied
					if err := sp.flush(); err != nil {
						return err
					}
				} else if err := emit(len(buf), nil); err != nil {
					return err
				}
			}
			if rerr == io.EOF {
				return nil
			}
			return rerr
		}
	}
}

type jsonCut int

const (
	noCut         jsonCut = iota
	cutAfterValue         // a top-level value ended here
	cutInArray            // a ',' between elements of the delimiter's array
)

// jsonScan follows JSON's structure byte by byte.
type jsonScan struct {
	depth            int
	inString         bool
	escaped          bool
	topStart         int  // where the current top-level object starts in the part
	expectKey        bool // a string at depth 1 here is a member name
	keyStart         int
	key, pendingKey  string
	inArray          bool   // inside the delimiter's array of a top-level object
	prefix           []byte // the object up to and with that array's '['
	topIsObject      bool
	stringIsTopLevel bool
}

// shift follows the buffer's bytes moving n places to the front.
func (s *jsonScan) shift(n int) {
	if s.topStart >= 0 {
		s.topStart -= n // negative: the object started in a part already out
	}
	s.keyStart -= n
}

func (s *jsonScan) step(b []byte, j int, delim string) jsonCut {
	c := b[j]
	if s.inString {
		switch {
		case s.escaped:
			s.escaped = false
		case c == '\\':
			s.escaped = true
		case c == '"':
			s.inString = false
			if s.stringIsTopLevel {
				s.key = string(b[s.keyStart+1 : j])
			}
			if s.depth == 0 {
				return cutAfterValue
			}
		}
		return noCut
	}
	switch c {
	case '"':
		s.inString = true
		s.stringIsTopLevel = s.depth == 1 && s.topIsObject && s.expectKey
		if s.stringIsTopLevel {
			s.keyStart = j
			s.expectKey = false
		} else if s.depth == 1 {
			s.pendingKey = ""
		}
	case ':':
		if s.depth == 1 {
			s.pendingKey = s.key
		}
	case ',':
		if s.depth == 1 {
			s.expectKey, s.pendingKey = true, ""
		} else if s.depth == 2 && s.inArray {
			return cutInArray
		}
	case '{', '[':
		if s.depth == 0 {
			s.topStart, s.topIsObject = j, c == '{'
			s.expectKey = c == '{'
		} else if s.depth == 1 && c == '[' && delim != "" && s.topIsObject && s.pendingKey == delim && s.topStart >= 0 {
			s.inArray = true
			// a new slice: the part in hand may still open with the last one
			s.prefix = append([]byte(nil), b[s.topStart:j+1]...)
		}
		if s.depth == 1 {
			s.pendingKey = ""
		}
		s.depth++
	case '}', ']':
		if s.depth > 0 {
			s.depth--
		}
		if s.depth == 1 {
			s.inArray = false
		}
		if s.depth == 0 {
			s.inArray, s.topIsObject = false, false
			return cutAfterValue
		}
	}
	return noCut
}
