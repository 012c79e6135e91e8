package pytime

import "time"

// FromISOFormat is CPython 3.11's C datetime.fromisoformat (the
// _datetimemodule.c parser, which is what runs, not the pure-Python
// fallback), followed by es-loader's dt.replace(tzinfo=tz) for naive
// results. Its quirks are reproduced deliberately, e.g. the separator may
// be any single character, fractions beyond 6 digits are truncated, and
// hour 24 is rejected.
func FromISOFormat(s string, tz *time.Location) (time.Time, bool) {
	// _sanitize_isoformat_str rejects fewer than 7 code points; every valid
	// date needs 7 ASCII bytes, so counting bytes gives the same verdict.
	if len(s) < 7 {
		return time.Time{}, false
	}
	sep := isoSeparator(s)
	if sep < 0 {
		return time.Time{}, false
	}
	var c civil
	if !parseISODate(s, sep, &c) {
		return time.Time{}, false
	}
	var offUS int64
	aware := false
	if len(s) > sep {
		// The separator is one UTF-8 encoded character; its length comes
		// from the lead byte, as in the C code.
		p := sep + 1
		switch lead := s[sep]; {
		case lead < 0x80:
		case lead&0xf0 == 0xe0:
			p = sep + 3
		case lead&0xf0 == 0xf0:
			p = sep + 4
		default:
			p = sep + 2
		}
		if p > len(s) {
			return time.Time{}, false
		}
		var ok bool
		if aware, offUS, ok = parseISOTime(s, p, &c); !ok {
			return time.Time{}, false
		}
	}
	loc := tz
	if aware {
		loc = zoneFor(offUS)
	}
	return makeTime(c, loc)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isoSeparator is _find_isoformat_datetime_separator: the byte index where
// the date ends (and the date/time separator, if any, sits), or -1.
func isoSeparator(s string) int {
	n := len(s)
	if n == 7 {
		return 7
	}
	if s[4] == '-' {
		if s[5] != 'W' {
			return 10 // YYYY-MM-DD
		}
		if n > 8 && s[8] == '-' {
			if n == 9 {
				return -1
			}
			// YYYY-Www-D or YYYY-Www-HH...: a digit at 10 means the '-'
			// at 8 was the separator.
			if n > 10 && isDigit(s[10]) {
				return 8
			}
			return 10
		}
		return 8 // YYYY-Www
	}
	if s[4] == 'W' {
		// YYYYWww or YYYYWwwD: decided by the length of the digit run.
		idx := 7
		for idx < n && isDigit(s[idx]) {
			idx++
		}
		if idx < 9 {
			return idx
		}
		if idx%2 == 0 {
			return 7
		}
		return 8
	}
	return 8 // YYYYMMDD
}

// digitsAt is the C parse_digits: exactly n ASCII digits starting at i.
func digitsAt(s string, i, n int) (int, bool) {
	v := 0
	for k := 0; k < n; k++ {
		c := at(s, i+k)
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseISODate is parse_isoformat_date over s[:dlen] (reads past dlen see
// the following characters or NUL, exactly like the C code).
func parseISODate(s string, dlen int, c *civil) bool {
	year, ok := digitsAt(s, 0, 4)
	if !ok {
		return false
	}
	p := 4
	useSep := at(s, p) == '-'
	if useSep {
		p++
	}
	if at(s, p) == 'W' {
		p++
		week, ok := digitsAt(s, p, 2)
		if !ok {
			return false
		}
		p += 2
		day := 1
		if p < dlen {
			if useSep {
				if at(s, p) != '-' {
					return false
				}
				p++
			}
			if day, ok = digitsAt(s, p, 1); !ok {
				return false
			}
		}
		return isoWeekToDate(year, week, day, c)
	}
	c.year = year
	if c.month, ok = digitsAt(s, p, 2); !ok {
		return false
	}
	p += 2
	if useSep {
		if at(s, p) != '-' {
			return false
		}
		p++
	}
	c.day, ok = digitsAt(s, p, 2)
	return ok
}

// isoWeekToDate is iso_to_ymd. Year 0 can never yield a date in 1..9999,
// so it is rejected before the ordinal arithmetic (which assumes year >= 1).
func isoWeekToDate(year, week, day int, c *civil) bool {
	if year < 1 {
		return false
	}
	jan1 := toOrdinal(year, 1, 1)
	firstWeekday := weekdayMon0(jan1)
	if week <= 0 || week >= 53 {
		// Week 53 exists in years starting on Thursday, and in leap
		// years starting on Wednesday.
		if !(week == 53 && (firstWeekday == 3 || (firstWeekday == 2 && isLeap(year)))) {
			return false
		}
	}
	if day <= 0 || day >= 8 {
		return false
	}
	week1Monday := jan1 - firstWeekday
	if firstWeekday > 3 {
		week1Monday += 7
	}
	y, m, d, ok := fromOrdinal(week1Monday + (week-1)*7 + day - 1)
	if !ok {
		return false
	}
	c.year, c.month, c.day = y, m, d
	return true
}

// parseISOTime is parse_isoformat_time on s[p:]; it fills the clock fields
// of c and reports whether an offset was present.
func parseISOTime(s string, p int, c *civil) (aware bool, offUS int64, ok bool) {
	end := len(s)
	// do { ... } while (++tzpos < end): the first character is examined
	// even when the time part is empty.
	tzpos := p
	for {
		if ch := at(s, tzpos); ch == 'Z' || ch == '+' || ch == '-' {
			break
		}
		tzpos++
		if tzpos >= end {
			break
		}
	}
	rv := parseHHMMSSMicro(s, p, tzpos, &c.hour, &c.minute, &c.second, &c.micro)
	if rv < 0 {
		return false, 0, false
	}
	if tzpos == end {
		// No offset, so trailing text is an error.
		return false, 0, rv == 0
	}
	if s[tzpos] == 'Z' {
		return at(s, tzpos+1) == 0, 0, at(s, tzpos+1) == 0
	}
	sign := int64(1)
	if s[tzpos] == '-' {
		sign = -1
	}
	var th, tm, ts, tus int
	if parseHHMMSSMicro(s, tzpos+1, end, &th, &tm, &ts, &tus) != 0 {
		return false, 0, false
	}
	secs := sign * int64(th*3600+tm*60+ts)
	if secs == 0 {
		// tzinfo_from_isoformat_results returns timezone.utc whenever the
		// whole seconds are zero, dropping any microseconds.
		return true, 0, true
	}
	off := secs*usPerSec + sign*int64(tus)
	if off <= -usPerDay || off >= usPerDay {
		return false, 0, false
	}
	return true, off, true
}

// parseHHMMSSMicro is parse_hhmmss_micro: HH[:?MM[:?SS]][{.,}f+] between
// p and pend. It returns 0 at a clean end, 1 if characters remain, or -1.
// Python 3.11's lax spots are kept: a fraction may follow the hour or
// minute, a third ':' or a digit may introduce it, and a separator right
// before pend (e.g. "12:+09:00") is accepted.
func parseHHMMSSMicro(s string, p, pend int, hh, mm, ss, us *int) int {
	*hh, *mm, *ss, *us = 0, 0, 0, 0
	vals := [3]*int{hh, mm, ss}
	hasSep := true
loop:
	for i := 0; i < 3; i++ {
		v, ok := digitsAt(s, p, 2)
		if !ok {
			return -1
		}
		*vals[i] = v
		p += 2
		ch := at(s, p)
		p++
		if i == 0 {
			hasSep = ch == ':'
		}
		switch {
		case p >= pend:
			if ch != 0 {
				return 1
			}
			return 0
		case hasSep && ch == ':':
			continue
		case ch == '.' || ch == ',':
			break loop
		case !hasSep:
			p--
		default:
			return -1
		}
	}
	toParse := pend - p
	if toParse > 6 {
		toParse = 6
	}
	f, ok := digitsAt(s, p, toParse)
	if !ok {
		return -1
	}
	for k := toParse; k < 6; k++ {
		f *= 10
	}
	*us = f
	p += toParse
	for isDigit(at(s, p)) {
		p++ // digits beyond the sixth are truncated, not rounded
	}
	if at(s, p) != 0 {
		return 1
	}
	return 0
}
