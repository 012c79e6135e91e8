package decode

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/logtypes"
)

// XMLEvent is one record cut out of the lines of an XML object.
type XMLEvent struct {
	// Raw is the record's text as es-loader keeps it for @message.
	Raw string
	// Unclosed: a Windows event whose </Event> line never came (another
	// event began, or the object ended). es-loader glues such a fragment
	// to the next event and then fails on the whole object; here it is
	// handed over on its own so that it can be counted.
	Unclosed bool
	// TooLarge: the record grew past the grouper's MaxBytes; Raw holds
	// only its beginning.
	TooLarge bool
}

// WinEvtXMLLines groups the lines of a winevtxml object into events the
// way es-loader's reader does: an event starts with a line beginning
// `<Event xmlns=` and ends with a line ending `</Event>`; lines outside
// events are ignored. Lines are given without their terminator; each is
// kept with a "\n", as es-loader's text-mode lines are, so Raw (the
// @message) of an event ends with "\n".
type WinEvtXMLLines struct {
	// MaxBytes bounds one event (0: no bound).
	MaxBytes int
	buf      strings.Builder
	in       bool
	tooLarge bool
}

const (
	winEventStart = "<Event xmlns="
	winEventEnd   = "</Event>"
)

// Add takes the next line and calls yield for each record it completes
// (at most two: an unclosed one and a one-line event).
func (g *WinEvtXMLLines) Add(line string, yield func(XMLEvent) error) error {
	starts := strings.HasPrefix(line, winEventStart)
	// es-loader's `</Event>$`; trailing blanks are tolerated here, where
	// es-loader would run on into the next event and fail.
	ends := strings.HasSuffix(strings.TrimRightFunc(line, logtypes.PyIsSpace), winEventEnd)
	if starts && g.in {
		if err := yield(g.take(true)); err != nil {
			return err
		}
	}
	if !starts && !g.in {
		return nil
	}
	g.in = true
	g.append(line)
	if ends {
		return yield(g.take(false))
	}
	return nil
}

// End hands over an event the object ended in the middle of.
func (g *WinEvtXMLLines) End(yield func(XMLEvent) error) error {
	if !g.in {
		return nil
	}
	return yield(g.take(true))
}

func (g *WinEvtXMLLines) append(line string) {
	if g.tooLarge {
		return
	}
	if g.MaxBytes > 0 && g.buf.Len()+len(line)+1 > g.MaxBytes {
		g.tooLarge = true
		return
	}
	g.buf.WriteString(line)
	g.buf.WriteByte('\n')
}

func (g *WinEvtXMLLines) take(unclosed bool) XMLEvent {
	ev := XMLEvent{Raw: g.buf.String(), Unclosed: unclosed, TooLarge: g.tooLarge}
	g.buf.Reset()
	g.in = false
	g.tooLarge = false
	return ev
}

// XMLLines groups the lines of an `xml` object into records: a line for
// which isFirst is true (the section's xml_firstline; it is given the
// line with its "\n", as es-loader's re.match sees it) starts a record,
// which runs up to the next such line. Lines before the first are not part
// of any record. Raw is the record's lines with trailing white space
// removed.
type XMLLines struct {
	// MaxBytes bounds one record (0: no bound).
	MaxBytes int
	isFirst  func(line string) bool
	buf      strings.Builder
	in       bool
	tooLarge bool
	scratch  []byte
}

// NewXMLLines returns a grouper starting records where isFirst says.
func NewXMLLines(isFirst func(lineWithNewline string) bool) *XMLLines {
	return &XMLLines{isFirst: isFirst}
}

// Add takes the next line (without terminator) and calls yield when it
// completes the previous record.
func (g *XMLLines) Add(line string, yield func(XMLEvent) error) error {
	g.scratch = append(append(g.scratch[:0], line...), '\n')
	if g.isFirst(string(g.scratch)) {
		if g.in {
			if err := yield(g.take()); err != nil {
				return err
			}
		}
		g.in = true
	}
	if !g.in || g.tooLarge {
		return nil
	}
	if g.MaxBytes > 0 && g.buf.Len()+len(line)+1 > g.MaxBytes {
		g.tooLarge = true
		return nil
	}
	g.buf.WriteString(line)
	g.buf.WriteByte('\n')
	return nil
}

// End hands over the last record.
func (g *XMLLines) End(yield func(XMLEvent) error) error {
	if !g.in {
		return nil
	}
	return yield(g.take())
}

func (g *XMLLines) take() XMLEvent {
	ev := XMLEvent{Raw: strings.TrimRightFunc(g.buf.String(), logtypes.PyIsSpace), TooLarge: g.tooLarge}
	g.buf.Reset()
	g.in = false
	g.tooLarge = false
	return ev
}
