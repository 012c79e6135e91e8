package pytime

import (
	"fmt"
	"sync"
	"time"
	"unicode/utf8"
)

// This file reimplements CPython 3.11's _strptime for the C locale (what
// the Lambda runtime uses for LC_TIME). _strptime turns the format into a
// regular expression (re.IGNORECASE), takes the first match found by the
// backtracking engine with re.match, and rejects it if it does not reach
// the end of the string. A Layout is that regex as a list of elements, each
// of which enumerates its candidate matches in the engine's priority order;
// a depth-first search therefore finds the same match without the regexp
// package.

type elemKind uint8

const (
	kLit   elemKind = iota // literal text, case-insensitive
	kSpace                 // a whitespace run in the format: \s+
	kNum                   // numeric directive: alternation of fixed-width alternatives
	kFrac                  // %f: [0-9]{1,6}
	kName                  // %a %A %b %B %p %Z: alternation of names
	kTZ                    // %z
)

// cc is one character class of a numeric alternative: an ASCII range, or
// Unicode \d when lo == 0.
type cc struct{ lo, hi byte }

type numAlt []cc

var (
	dAny = cc{}
	sp   = cc{' ', ' '}
)

func r(lo, hi byte) cc { return cc{lo, hi} }
func one(c byte) cc    { return cc{c, c} }

// numDirectives are the TimeRE patterns of Lib/_strptime.py (3.11), one
// numAlt per '|' alternative, in order.
var numDirectives = map[byte][]numAlt{
	'd': {{one('3'), r('0', '1')}, {r('1', '2'), dAny}, {one('0'), r('1', '9')}, {r('1', '9')}, {sp, r('1', '9')}},
	'H': {{one('2'), r('0', '3')}, {r('0', '1'), dAny}, {dAny}},
	'I': {{one('1'), r('0', '2')}, {one('0'), r('1', '9')}, {r('1', '9')}},
	'G': {{dAny, dAny, dAny, dAny}},
	'j': {{one('3'), one('6'), r('0', '6')}, {one('3'), r('0', '5'), dAny}, {r('1', '2'), dAny, dAny},
		{one('0'), r('1', '9'), dAny}, {one('0'), one('0'), r('1', '9')}, {r('1', '9'), dAny}, {one('0'), r('1', '9')}, {r('1', '9')}},
	'm': {{one('1'), r('0', '2')}, {one('0'), r('1', '9')}, {r('1', '9')}},
	'M': {{r('0', '5'), dAny}, {dAny}},
	'S': {{one('6'), r('0', '1')}, {r('0', '5'), dAny}, {dAny}},
	'U': {{one('5'), r('0', '3')}, {r('0', '4'), dAny}, {dAny}},
	'W': {{one('5'), r('0', '3')}, {r('0', '4'), dAny}, {dAny}},
	'w': {{r('0', '6')}},
	'u': {{r('1', '7')}},
	'V': {{one('5'), r('0', '3')}, {one('0'), r('1', '9')}, {r('1', '4'), dAny}, {dAny}},
	'y': {{dAny, dAny}},
	'Y': {{dAny, dAny, dAny, dAny}},
}

// name is one alternative of a name directive and the value it stands for.
type name struct {
	text string // lower case
	val  int
}

// nameDirectives are LocaleTime's C-locale lists after __seqToRE, which
// sorts by length, longest first (stable for equal lengths).
var nameDirectives = map[byte][]name{
	'a': {{"mon", 0}, {"tue", 1}, {"wed", 2}, {"thu", 3}, {"fri", 4}, {"sat", 5}, {"sun", 6}},
	'A': {{"wednesday", 2}, {"thursday", 3}, {"saturday", 5}, {"tuesday", 1}, {"monday", 0}, {"friday", 4}, {"sunday", 6}},
	'b': {{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6}, {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}},
	'B': {{"september", 9}, {"february", 2}, {"november", 11}, {"december", 12}, {"january", 1}, {"october", 10},
		{"august", 8}, {"march", 3}, {"april", 4}, {"june", 6}, {"july", 7}, {"may", 5}},
	'p': {{"am", 0}, {"pm", 1}},
	// time.tzname is ('UTC', 'UTC') on Lambda (TZ=:UTC), daylight 0.
	'Z': {{"utc", 0}, {"gmt", 0}},
}

// expansions are %c %x %X as LocaleTime derives them in the C locale.
var expansions = map[byte]string{
	'c': "%a %b %d %H:%M:%S %Y",
	'x': "%m/%d/%y",
	'X': "%H:%M:%S",
}

// dirSlot numbers every directive that captures a value (a regex group).
var dirSlot = func() (t [128]int8) {
	for i := range t {
		t[i] = -1
	}
	for i, c := range "aAbBdfGHIjmMpSuUVwWyYzZ" {
		t[c] = int8(i)
	}
	return
}()

const nSlots = 23

type elem struct {
	kind  elemKind
	dir   byte
	lit   string
	alts  []numAlt
	names []name
}

// Layout is a compiled strptime format; it is safe for concurrent use.
type Layout struct {
	format string
	elems  []elem
	order  []byte // directives in format order (Python walks groupdict in this order)
}

// Compile prepares a Python strptime format. It fails where Python's
// strptime would raise for the format itself: a stray '%' at the end, an
// unknown directive (%e, %s, %k, ...), or a directive used twice (re.error:
// redefinition of group name).
func Compile(format string) (*Layout, error) {
	l := &Layout{format: format}
	var seen [nSlots]bool
	if err := l.compile(format, &seen); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Layout) compile(format string, seen *[nSlots]bool) error {
	lit := make([]byte, 0, 8)
	flush := func() {
		if len(lit) > 0 {
			l.elems = append(l.elems, elem{kind: kLit, lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(format); {
		if n := pySpaceAt(format, i); n > 0 {
			flush()
			for n > 0 {
				i += n
				n = pySpaceAt(format, i)
			}
			l.elems = append(l.elems, elem{kind: kSpace})
			continue
		}
		if format[i] != '%' {
			lit = append(lit, format[i])
			i++
			continue
		}
		if i+1 >= len(format) {
			return fmt.Errorf("pytime: stray %% in format %q", format)
		}
		d := format[i+1]
		i += 2
		if d == '%' {
			lit = append(lit, '%')
			continue
		}
		if exp, ok := expansions[d]; ok {
			flush()
			if err := l.compile(exp, seen); err != nil {
				return err
			}
			continue
		}
		if d >= utf8.RuneSelf || dirSlot[d] < 0 {
			return fmt.Errorf("pytime: %q is a bad directive in format %q", "%"+string(d), format)
		}
		if seen[dirSlot[d]] {
			return fmt.Errorf("pytime: redefinition of directive %%%c in format %q", d, format)
		}
		seen[dirSlot[d]] = true
		flush()
		e := elem{dir: d}
		switch {
		case d == 'f':
			e.kind = kFrac
		case d == 'z':
			e.kind = kTZ
		case nameDirectives[d] != nil:
			e.kind, e.names = kName, nameDirectives[d]
		default:
			e.kind, e.alts = kNum, numDirectives[d]
		}
		l.elems = append(l.elems, e)
		l.order = append(l.order, d)
	}
	flush()
	return nil
}

// String returns the format the layout was compiled from.
func (l *Layout) String() string { return l.format }

// tzMatch records the shape of a %z match; Python validates it only after
// the regex has matched.
type tzMatch struct {
	isZ            bool
	neg            bool
	hh, mm, ss     int
	colon1, colon2 bool
	hasSec         bool
	frac           int // already scaled to microseconds
}

type matchState struct {
	s    string
	vals [nSlots]int
	z    tzMatch
}

// Parse is datetime.strptime(s, format) followed by es-loader's
// dt.replace(tzinfo=tz) when the result is naive (no %z).
func (l *Layout) Parse(s string, tz *time.Location) (time.Time, bool) {
	var st matchState
	st.s = s
	if l.match(&st, 0, 0) != len(s) { // -1, or "unconverted data remains"
		return time.Time{}, false
	}
	return l.finish(&st, tz)
}

// match returns the end of the first match of elems[ei:] at pos, or -1.
func (l *Layout) match(st *matchState, ei, pos int) int {
	if ei == len(l.elems) {
		return pos
	}
	e := &l.elems[ei]
	s := st.s
	switch e.kind {
	case kLit:
		p, ok := matchLiteral(s, pos, e.lit)
		if !ok {
			return -1
		}
		return l.match(st, ei+1, p)
	case kSpace:
		end := skipSpaces(s, pos)
		if end < 0 {
			return -1
		}
		for end > pos { // greedy, giving back one character at a time
			if r := l.match(st, ei+1, end); r >= 0 {
				return r
			}
			_, n := utf8.DecodeLastRuneInString(s[:end])
			end -= n
		}
		return -1
	case kNum:
		slot := dirSlot[e.dir]
		for _, alt := range e.alts {
			if p, v, ok := matchNumAlt(s, pos, alt); ok {
				st.vals[slot] = v
				if r := l.match(st, ei+1, p); r >= 0 {
					return r
				}
			}
		}
		return -1
	case kFrac:
		n := 0
		for n < 6 && isDigit(at(s, pos+n)) {
			n++
		}
		for ; n >= 1; n-- {
			v, _ := digitsAt(s, pos, n)
			for k := n; k < 6; k++ {
				v *= 10
			}
			st.vals[dirSlot['f']] = v
			if r := l.match(st, ei+1, pos+n); r >= 0 {
				return r
			}
		}
		return -1
	case kName:
		slot := dirSlot[e.dir]
		for _, nm := range e.names {
			if matchName(s, pos, nm.text) {
				st.vals[slot] = nm.val
				if r := l.match(st, ei+1, pos+len(nm.text)); r >= 0 {
					return r
				}
			}
		}
		return -1
	case kTZ:
		return l.matchTZ(st, ei, pos)
	}
	return -1
}

// matchTZ enumerates
//
//	[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z)
//
// in priority order: longest fraction first, then seconds without a
// fraction, then hours and minutes only.
func (l *Layout) matchTZ(st *matchState, ei, pos int) int {
	s := st.s
	c := at(s, pos)
	if c == 'Z' { // case-sensitive even under IGNORECASE
		st.z = tzMatch{isZ: true}
		return l.match(st, ei+1, pos+1)
	}
	if c != '+' && c != '-' {
		return -1
	}
	z := tzMatch{neg: c == '-'}
	hh, p, ok := twoDigits(s, pos+1)
	if !ok {
		return -1
	}
	z.hh = hh
	if at(s, p) == ':' {
		z.colon1 = true
		p++
	}
	mm, p, ok := zeroToFiveDigit(s, p)
	if !ok {
		return -1
	}
	z.mm = mm
	q := p
	colon2 := at(s, q) == ':'
	if colon2 {
		q++
	}
	if ss, q2, ok := zeroToFiveDigit(s, q); ok {
		z2 := z
		z2.hasSec, z2.colon2, z2.ss = true, colon2, ss
		if at(s, q2) == '.' {
			// \d{1,6} greedy; remember where each digit ends.
			var ends [6]int
			var vals [6]int
			n, j, v := 0, q2+1, 0
			for n < 6 {
				d, w := pyDigit(s, j)
				if w == 0 {
					break
				}
				v = v*10 + d
				j += w
				ends[n], vals[n] = j, v
				n++
			}
			for k := n; k >= 1; k-- {
				f := vals[k-1]
				for x := k; x < 6; x++ {
					f *= 10
				}
				z3 := z2
				z3.frac = f
				st.z = z3
				if r := l.match(st, ei+1, ends[k-1]); r >= 0 {
					return r
				}
			}
		}
		st.z = z2
		if r := l.match(st, ei+1, q2); r >= 0 {
			return r
		}
	}
	st.z = z
	return l.match(st, ei+1, p)
}

// zeroToFiveDigit reads [0-5]\d.
func zeroToFiveDigit(s string, i int) (int, int, bool) {
	c := at(s, i)
	if c < '0' || c > '5' {
		return 0, i, false
	}
	d, n := pyDigit(s, i+1)
	if n == 0 {
		return 0, i, false
	}
	return int(c-'0')*10 + d, i + 1 + n, true
}

func matchNumAlt(s string, pos int, alt numAlt) (int, int, bool) {
	v := 0
	for _, k := range alt {
		if k.lo == 0 {
			d, n := pyDigit(s, pos)
			if n == 0 {
				return 0, 0, false
			}
			v = v*10 + d
			pos += n
			continue
		}
		c := at(s, pos)
		if c < k.lo || c > k.hi {
			return 0, 0, false
		}
		if c != ' ' { // int(" 5") ignores the space of %d's " [1-9]"
			v = v*10 + int(c-'0')
		}
		pos++
	}
	return pos, v, true
}

// matchName matches an ASCII lower-case name case-insensitively. Non-ASCII
// look-alikes that re.IGNORECASE would accept ('ſ' for 's') make Python's
// later list.index() fail, so rejecting them here gives the same outcome.
func matchName(s string, pos int, nm string) bool {
	if len(s)-pos < len(nm) {
		return false
	}
	for i := 0; i < len(nm); i++ {
		if lowerASCII(s[pos+i]) != nm[i] {
			return false
		}
	}
	return true
}

func matchLiteral(s string, pos int, lit string) (int, bool) {
	for i := 0; i < len(lit); {
		if pos >= len(s) {
			return 0, false
		}
		a, b := lit[i], s[pos]
		if a < utf8.RuneSelf && b < utf8.RuneSelf {
			if a != b && lowerASCII(a) != lowerASCII(b) {
				// ASCII letters also fold to a few non-ASCII runes (K to
				// the Kelvin sign), but never to another ASCII byte.
				return 0, false
			}
			i++
			pos++
			continue
		}
		ra, na := utf8.DecodeRuneInString(lit[i:])
		rb, nb := utf8.DecodeRuneInString(s[pos:])
		if !foldEq(ra, rb) {
			return 0, false
		}
		i += na
		pos += nb
	}
	return pos, true
}

// finish is the second half of _strptime plus _strptime_datetime: it turns
// the captured groups into a datetime, raising (here: failing) exactly
// where Python does.
func (l *Layout) finish(st *matchState, tz *time.Location) (time.Time, bool) {
	const none = -1 << 31
	year, isoYear := none, none
	month, day := 1, 1
	var hour, minute, second, frac int
	weekOfYear, weekStartMon, isoWeek := none, false, none
	weekday, julian := none, none
	hasZ := false
	var z tzMatch
	v := func(d byte) int { return st.vals[dirSlot[d]] }
	for _, d := range l.order {
		switch d {
		case 'y':
			year = v('y')
			if year <= 68 {
				year += 2000
			} else {
				year += 1900
			}
		case 'Y':
			year = v('Y')
		case 'G':
			isoYear = v('G')
		case 'm', 'B', 'b':
			month = v(d)
		case 'd':
			day = v('d')
		case 'H':
			hour = v('H')
		case 'I':
			hour = v('I')
			pm := false
			for _, d2 := range l.order {
				if d2 == 'p' {
					pm = v('p') == 1
				}
			}
			if !pm { // AM, or no %p at all
				if hour == 12 {
					hour = 0
				}
			} else if hour != 12 {
				hour += 12
			}
		case 'M':
			minute = v('M')
		case 'S':
			second = v('S')
		case 'f':
			frac = v('f')
		case 'A', 'a':
			weekday = v(d)
		case 'w':
			weekday = v('w')
			if weekday == 0 {
				weekday = 6
			} else {
				weekday--
			}
		case 'u':
			weekday = v('u') - 1
		case 'j':
			julian = v('j')
		case 'U', 'W':
			weekOfYear = v(d)
			weekStartMon = d == 'W'
		case 'V':
			isoWeek = v('V')
		case 'z':
			hasZ, z = true, st.z
		}
	}
	var offUS int64
	if hasZ && !z.isZ {
		if z.hasSec && z.colon1 != z.colon2 {
			return time.Time{}, false // "Inconsistent use of :" / int(":S")
		}
		offUS = int64(z.hh*3600+z.mm*60+z.ss)*usPerSec + int64(z.frac)
		if z.neg {
			offUS = -offUS
		}
	}

	if year == none && isoYear != none {
		if isoWeek == none || weekday == none || julian != none {
			return time.Time{}, false
		}
	} else if weekOfYear == none && isoWeek != none {
		return time.Time{}, false // %V needs %G (and a weekday)
	}
	leapYearFix := false
	if year == none && month == 2 && day == 29 {
		year, leapYearFix = 1904, true
	} else if year == none {
		year = 1900
	}
	if julian == none && weekday != none {
		if weekOfYear != none {
			if year < minYear || year > maxYear {
				return time.Time{}, false
			}
			julian = julianFromUW(year, weekOfYear, weekday, weekStartMon)
		} else if isoYear != none && isoWeek != none {
			if isoYear < minYear || isoYear > maxYear {
				return time.Time{}, false
			}
			var ok bool
			if year, julian, ok = julianFromV(isoYear, isoWeek, weekday+1); !ok {
				return time.Time{}, false
			}
		}
		if julian != none && julian <= 0 {
			year--
			if isLeap(year) {
				julian += 366
			} else {
				julian += 365
			}
		}
	}
	if julian == none {
		if year < minYear || year > maxYear || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) {
			return time.Time{}, false
		}
	} else {
		if year < minYear || year > maxYear {
			return time.Time{}, false
		}
		var ok bool
		if year, month, day, ok = fromOrdinal(julian - 1 + toOrdinal(year, 1, 1)); !ok {
			return time.Time{}, false
		}
	}
	if leapYearFix {
		year = 1900 // so that datetime() then rejects Feb 29
	}
	c := civil{year, month, day, hour, minute, second, frac}
	loc := tz
	if hasZ {
		if offUS <= -usPerDay || offUS >= usPerDay {
			return time.Time{}, false
		}
		loc = zoneFor(offUS)
	}
	return makeTime(c, loc)
}

// julianFromUW is _calc_julian_from_U_or_W.
func julianFromUW(year, weekOfYear, dayOfWeek int, weekStartsMon bool) int {
	firstWeekday := weekdayMon0(toOrdinal(year, 1, 1))
	if !weekStartsMon {
		firstWeekday = (firstWeekday + 1) % 7
		dayOfWeek = (dayOfWeek + 1) % 7
	}
	week0Length := (7 - firstWeekday) % 7
	if weekOfYear == 0 {
		return 1 + dayOfWeek - firstWeekday
	}
	return 1 + week0Length + 7*(weekOfYear-1) + dayOfWeek
}

// julianFromV is _calc_julian_from_V; ok is false where it raises.
func julianFromV(isoYear, isoWeek, isoWeekday int) (year, julian int, ok bool) {
	jan4 := toOrdinal(isoYear, 1, 4)
	correction := weekdayMon0(jan4) + 1 + 3
	ordinal := isoWeek*7 + isoWeekday - correction
	if ordinal < 1 {
		ordinal += toOrdinal(isoYear, 1, 1)
		isoYear--
		if isoYear < minYear {
			return 0, 0, false // date(0, 1, 1) raises
		}
		ordinal -= toOrdinal(isoYear, 1, 1)
	}
	return isoYear, ordinal, true
}

var layoutCache sync.Map // string -> *Layout or error

// Strptime is datetime.strptime(s, format) (+ tz for naive results) with
// the compiled format cached, like _strptime's own regex cache.
func Strptime(s, format string, tz *time.Location) (time.Time, bool) {
	l, err := cachedLayout(format)
	if err != nil {
		return time.Time{}, false
	}
	return l.Parse(s, tz)
}

func cachedLayout(format string) (*Layout, error) {
	if v, ok := layoutCache.Load(format); ok {
		if l, ok := v.(*Layout); ok {
			return l, nil
		}
		return nil, v.(error)
	}
	l, err := Compile(format)
	if err != nil {
		layoutCache.Store(format, err)
		return nil, err
	}
	layoutCache.Store(format, l)
	return l, nil
}
