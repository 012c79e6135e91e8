package decode

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// xmlDictOptions are the xmltodict.parse settings es-loader's readers use.
type xmlDictOptions struct {
	// attrPrefix goes before attribute names ("@" by default, "" for
	// Windows events).
	attrPrefix string
	// stripText strips each element's text and drops it when nothing is
	// left (xmltodict's strip_whitespace).
	stripText bool
}

// textKey is where xmltodict puts an element's text when the element also
// has attributes or children.
const textKey = "#text"

// XMLError says why a text is not well-formed XML, the way expat would
// refuse it.
type XMLError struct {
	Offset int // byte offset in the parsed text
	Msg    string
}

func (e *XMLError) Error() string {
	return fmt.Sprintf("XML not well-formed at byte %d: %s", e.Offset, e.Msg)
}

// xmlFrame is an open element: what xmltodict keeps on its stack.
type xmlFrame struct {
	name string
	item *pyjson.Map // attributes and children; nil while it has neither
	text strings.Builder
	// hasText: character data was seen (expat reports none for <a></a>)
	hasText bool
}

// xmlParser is a small well-formedness checking XML reader producing
// xmltodict's dictionaries directly. It accepts what expat (without
// namespace processing) accepts for the documents logs carry: elements,
// attributes, the five predefined entities, character references,
// comments, CDATA sections, processing instructions and a DOCTYPE without
// internal subset (xmltodict forbids entity declarations).
type xmlParser struct {
	src   string
	pos   int
	opt   xmlDictOptions
	stack []*xmlFrame
	free  []*xmlFrame
	buf   []byte
}

// parseXMLDict parses src as one XML document and returns
// {root_name: content} as xmltodict.parse does.
func parseXMLDict(src string, opt xmlDictOptions) (*pyjson.Map, error) {
	p := xmlParser{src: src, opt: opt}
	return p.document()
}

func (p *xmlParser) fail(msg string) error { return &XMLError{Offset: p.pos, Msg: msg} }

func (p *xmlParser) document() (*pyjson.Map, error) {
	if off, ok := firstInvalidXMLChar(p.src); !ok {
		p.pos = off
		return nil, p.fail("invalid character")
	}
	p.pos = 0
	if strings.HasPrefix(p.src, "\uFEFF") {
		p.pos = len("\uFEFF")
	}
	if strings.HasPrefix(p.src[p.pos:], "<?xml") && p.pos+5 < len(p.src) && isXMLSpace(p.src[p.pos+5]) {
		if err := p.skipPI(true); err != nil {
			return nil, err
		}
	}
	// the dummy bottom frame collects the root element
	top := &xmlFrame{}
	p.stack = append(p.stack[:0], top)
	seenRoot := false
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			break
		}
		if p.src[p.pos] != '<' {
			if seenRoot {
				return nil, p.fail("junk after document element")
			}
			return nil, p.fail("text before the root element")
		}
		switch {
		case strings.HasPrefix(p.src[p.pos:], "<!--"):
			if err := p.skipComment(); err != nil {
				return nil, err
			}
		case strings.HasPrefix(p.src[p.pos:], "<?"):
			if err := p.skipPI(false); err != nil {
				return nil, err
			}
		case strings.HasPrefix(p.src[p.pos:], "<!DOCTYPE") && !seenRoot:
			// a bare DOCTYPE is harmless; one with an internal subset may
			// declare entities, which xmltodict refuses
			end := strings.IndexByte(p.src[p.pos:], '>')
			if end < 0 || strings.IndexByte(p.src[p.pos:p.pos+end], '[') >= 0 {
				return nil, p.fail("a DOCTYPE with declarations is not accepted (xmltodict forbids entities)")
			}
			p.pos += end + 1
		default:
			if seenRoot {
				return nil, p.fail("junk after document element")
			}
			if err := p.element(); err != nil {
				return nil, err
			}
			seenRoot = true
		}
	}
	if !seenRoot {
		return nil, p.fail("no element found")
	}
	if top.item == nil {
		// unreachable: the root element always lands in the bottom frame
		return nil, p.fail("no element found")
	}
	return top.item, nil
}

// element reads the root element and everything in it, without recursion
// so that deep nesting cannot exhaust the stack.
func (p *xmlParser) element() error {
	depth := 0
	for {
		if p.pos >= len(p.src) {
			return p.fail(fmt.Sprintf("element <%s> is not closed", p.stack[len(p.stack)-1].name))
		}
		if depth > 0 && p.src[p.pos] != '<' {
			if err := p.charData(); err != nil {
				return err
			}
			continue
		}
		rest := p.src[p.pos:]
		switch {
		case depth > 0 && strings.HasPrefix(rest, "</"):
			if err := p.endTag(); err != nil {
				return err
			}
			depth--
			if depth == 0 {
				return nil
			}
		case depth > 0 && strings.HasPrefix(rest, "<!--"):
			if err := p.skipComment(); err != nil {
				return err
			}
		case depth > 0 && strings.HasPrefix(rest, "<![CDATA["):
			if err := p.cdata(); err != nil {
				return err
			}
		case depth > 0 && strings.HasPrefix(rest, "<?"):
			if err := p.skipPI(false); err != nil {
				return err
			}
		default:
			selfClosing, err := p.startTag()
			if err != nil {
				return err
			}
			if selfClosing {
				p.closeElement()
				if depth == 0 {
					return nil
				}
			} else {
				depth++
			}
		}
	}
}

func (p *xmlParser) newFrame(name string) *xmlFrame {
	var f *xmlFrame
	if n := len(p.free); n > 0 {
		f = p.free[n-1]
		p.free = p.free[:n-1]
		f.text.Reset()
		f.hasText = false
		f.item = nil
	} else {
		f = &xmlFrame{}
	}
	f.name = name
	return f
}

// startTag reads <name attr="v" ...> or <name .../> and opens its frame.
func (p *xmlParser) startTag() (selfClosing bool, err error) {
	p.pos++ // '<'
	name, ok := p.name()
	if !ok {
		return false, p.fail("invalid element name")
	}
	f := p.newFrame(name)
	p.stack = append(p.stack, f)
	for {
		hadSpace := p.skipSpace()
		if p.pos >= len(p.src) {
			return false, p.fail("unclosed start tag <" + name + ">")
		}
		switch c := p.src[p.pos]; c {
		case '>':
			p.pos++
			return false, nil
		case '/':
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '>' {
				p.pos += 2
				return true, nil
			}
			return false, p.fail("'/' not followed by '>' in start tag")
		default:
			if !hadSpace {
				return false, p.fail("attributes must be separated by white space")
			}
			if err := p.attribute(f); err != nil {
				return false, err
			}
		}
	}
}

func (p *xmlParser) attribute(f *xmlFrame) error {
	aname, ok := p.name()
	if !ok {
		return p.fail("invalid attribute name")
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return p.fail("attribute " + aname + " has no value")
	}
	p.pos++
	p.skipSpace()
	if p.pos >= len(p.src) || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		return p.fail("attribute " + aname + " value is not quoted")
	}
	quote := p.src[p.pos]
	p.pos++
	start := p.pos
	end := strings.IndexByte(p.src[start:], quote)
	if end < 0 {
		return p.fail("attribute " + aname + " value is not closed")
	}
	raw := p.src[start : start+end]
	if i := strings.IndexByte(raw, '<'); i >= 0 {
		p.pos = start + i
		return p.fail("'<' in attribute value")
	}
	val, err := p.unescape(raw, start, true)
	if err != nil {
		return err
	}
	p.pos = start + end + 1
	key := aname
	if p.opt.attrPrefix != "" {
		key = p.opt.attrPrefix + aname
	}
	if f.item == nil {
		f.item = pyjson.NewMap(4)
	} else if f.item.Has(key) {
		return p.fail("duplicate attribute " + aname)
	}
	f.item.Set(key, val)
	return nil
}

func (p *xmlParser) endTag() error {
	p.pos += 2 // "</"
	name, ok := p.name()
	if !ok {
		return p.fail("invalid name in end tag")
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '>' {
		return p.fail("end tag </" + name + "> is not closed")
	}
	open := p.stack[len(p.stack)-1].name
	if name != open {
		return p.fail("mismatched tag: </" + name + "> closes <" + open + ">")
	}
	p.pos++
	p.closeElement()
	return nil
}

// closeElement is xmltodict's endElement: the element's text and item
// become a value pushed into its parent.
func (p *xmlParser) closeElement() {
	n := len(p.stack)
	f := p.stack[n-1]
	parent := p.stack[n-2]
	p.stack = p.stack[:n-1]
	var data any
	if f.hasText {
		s := f.text.String()
		if p.opt.stripText {
			s = logtypes.PyStrip(s)
		}
		if s != "" {
			data = s
		}
	}
	if f.item != nil {
		if data != nil {
			pushXMLValue(f.item, textKey, data)
		}
		parent.item = pushXMLValueInto(parent.item, f.name, f.item)
	} else {
		parent.item = pushXMLValueInto(parent.item, f.name, data)
	}
	f.item = nil
	p.free = append(p.free, f)
}

func pushXMLValueInto(item *pyjson.Map, key string, v any) *pyjson.Map {
	if item == nil {
		item = pyjson.NewMap(4)
	}
	pushXMLValue(item, key, v)
	return item
}

// pushXMLValue is xmltodict's push_data: a repeated key turns into a list.
func pushXMLValue(item *pyjson.Map, key string, v any) {
	old, ok := item.Get(key)
	if !ok {
		item.Set(key, v)
		return
	}
	if list, isList := old.([]any); isList {
		item.Set(key, append(list, v))
		return
	}
	item.Set(key, []any{old, v})
}

// charData reads text up to the next '<'.
func (p *xmlParser) charData() error {
	start := p.pos
	end := strings.IndexByte(p.src[start:], '<')
	if end < 0 {
		end = len(p.src) - start
	}
	raw := p.src[start : start+end]
	if i := strings.Index(raw, "]]>"); i >= 0 {
		p.pos = start + i
		return p.fail("']]>' in character data")
	}
	s, err := p.unescape(raw, start, false)
	if err != nil {
		return err
	}
	p.pos = start + end
	f := p.stack[len(p.stack)-1]
	f.text.WriteString(s)
	f.hasText = f.hasText || s != ""
	return nil
}

func (p *xmlParser) cdata() error {
	start := p.pos + len("<![CDATA[")
	end := strings.Index(p.src[start:], "]]>")
	if end < 0 {
		return p.fail("CDATA section is not closed")
	}
	s := normalizeNewlines(p.src[start : start+end])
	p.pos = start + end + len("]]>")
	f := p.stack[len(p.stack)-1]
	f.text.WriteString(s)
	f.hasText = f.hasText || s != ""
	return nil
}

func (p *xmlParser) skipComment() error {
	start := p.pos + len("<!--")
	end := strings.Index(p.src[start:], "--")
	if end < 0 {
		return p.fail("comment is not closed")
	}
	if !strings.HasPrefix(p.src[start+end:], "-->") {
		p.pos = start + end
		return p.fail("'--' inside a comment")
	}
	p.pos = start + end + len("-->")
	return nil
}

// skipPI skips a processing instruction; the XML declaration is one that
// may only open the document.
func (p *xmlParser) skipPI(isDecl bool) error {
	p.pos += 2 // "<?"
	target, ok := p.name()
	if !ok {
		return p.fail("invalid processing instruction")
	}
	if strings.EqualFold(target, "xml") && !isDecl {
		return p.fail("XML declaration not at the start")
	}
	end := strings.Index(p.src[p.pos:], "?>")
	if end < 0 {
		return p.fail("processing instruction is not closed")
	}
	if end > 0 && !isXMLSpace(p.src[p.pos]) {
		return p.fail("invalid processing instruction")
	}
	p.pos += end + 2
	return nil
}

// name reads an XML name. Non-ASCII characters are all taken as name
// characters; expat's finer Unicode classes do not occur in logs.
func (p *xmlParser) name() (string, bool) {
	start := p.pos
	i := start
	for i < len(p.src) {
		c := p.src[i]
		switch {
		case c >= utf8.RuneSelf, c == '_', c == ':', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > start && (c == '-' || c == '.' || '0' <= c && c <= '9'):
		default:
			goto done
		}
		i++
	}
done:
	if i == start {
		return "", false
	}
	p.pos = i
	return p.src[start:i], true
}

func (p *xmlParser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.src) && isXMLSpace(p.src[p.pos]) {
		p.pos++
	}
	return p.pos > start
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// unescape resolves references and normalizes line ends; in attribute
// values each white space character becomes a space, as XML requires.
func (p *xmlParser) unescape(raw string, off int, attr bool) (string, error) {
	if !strings.ContainsAny(raw, "&\r") && (!attr || !strings.ContainsAny(raw, "\t\n")) {
		return raw, nil
	}
	b := p.buf[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '&':
			semi := strings.IndexByte(raw[i:], ';')
			if semi < 0 {
				p.pos = off + i
				return "", p.fail("'&' without ';'")
			}
			ref := raw[i+1 : i+semi]
			r, ok := resolveXMLReference(ref)
			if !ok {
				p.pos = off + i
				return "", p.fail("undefined entity &" + ref + ";")
			}
			b = utf8.AppendRune(b, r)
			i += semi + 1
			continue
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			if attr {
				b = append(b, ' ')
			} else {
				b = append(b, '\n')
			}
		case '\t', '\n':
			if attr {
				b = append(b, ' ')
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
		i++
	}
	p.buf = b
	return string(b), nil
}

func resolveXMLReference(ref string) (rune, bool) {
	switch ref {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if digits == "" || len(digits) > 8 {
		return 0, false
	}
	var r rune
	for i := 0; i < len(digits); i++ {
		d := digitValue(digits[i])
		if d < 0 || d >= base {
			return 0, false
		}
		r = r*rune(base) + rune(d)
	}
	return r, isXMLChar(r)
}

func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// isXMLChar is XML 1.0's Char production.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= 0x10FFFF
}

// firstInvalidXMLChar finds the first byte expat would refuse as a
// character: invalid UTF-8, C0 controls other than tab and line ends,
// U+FFFE and U+FFFF.
func firstInvalidXMLChar(s string) (int, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !isXMLChar(r) {
			return i, false
		}
		i += size
	}
	return 0, true
}
