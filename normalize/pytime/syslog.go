package pytime

import "time"

// monthAbbr is es-loader's MONTH_TO_INT (exact case: "JAN" is a KeyError).
var monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// ParseSyslog is es-loader's convert_syslog_to_datetime. The string must
// start with a match of
//
//	([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(\.(\d{1,6}))?
//
// (anything may follow). The year is that of now+12h in UTC (es-loader's
// module-level NOW is datetime.now(timezone.utc)); if the date is invalid in
// that year (Feb 29) the previous year is tried; if the result is later than
// now+12h it is moved to the previous year (failing if that makes Feb 29
// invalid). now is truncated to microseconds like Python's datetime.now().
func ParseSyslog(s string, now time.Time, tz *time.Location) (time.Time, bool) {
	var c civil
	if len(s) < 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'a' || s[1] > 'z' || s[2] < 'a' || s[2] > 'z' {
		return time.Time{}, false
	}
	for i, m := range monthAbbr {
		if s[:3] == m {
			c.month = i + 1
			break
		}
	}
	i := 3
	if i = skipSpaces(s, i); i < 0 {
		return time.Time{}, false
	}
	// \d{1,2}\s+ : two digits must be followed by whitespace, so giving one
	// back never helps; a greedy read is exact.
	v, n := pyDigit(s, i)
	if n == 0 {
		return time.Time{}, false
	}
	i += n
	c.day = v
	if v, n = pyDigit(s, i); n > 0 {
		c.day = c.day*10 + v
		i += n
	}
	if i = skipSpaces(s, i); i < 0 {
		return time.Time{}, false
	}
	var ok bool
	if c.hour, i, ok = twoDigits(s, i); !ok || at(s, i) != ':' {
		return time.Time{}, false
	}
	if c.minute, i, ok = twoDigits(s, i+1); !ok || at(s, i) != ':' {
		return time.Time{}, false
	}
	if c.second, i, ok = twoDigits(s, i+1); !ok {
		return time.Time{}, false
	}
	if at(s, i) == '.' {
		// (\.(\d{1,6}))? is greedy and optional: without a digit the group
		// simply does not match. Digits are left-justified to six.
		j, nd, frac := i+1, 0, 0
		for nd < 6 {
			v, n := pyDigit(s, j)
			if n == 0 {
				break
			}
			frac = frac*10 + v
			j += n
			nd++
		}
		for k := nd; k < 6; k++ {
			frac *= 10
		}
		c.micro = frac
	}
	if c.month == 0 {
		return time.Time{}, false // KeyError in MONTH_TO_INT
	}
	if tz == nil {
		tz = time.UTC
	}
	limit := now.UTC().Truncate(time.Microsecond).Add(12 * time.Hour)
	year := limit.Year()
	c.year = year
	t, ok := makeTime(c, tz)
	if !ok {
		c.year = year - 1
		if t, ok = makeTime(c, tz); !ok {
			return time.Time{}, false
		}
	}
	if t.After(limit) {
		// dt.replace(year=now.year - 1): from now's year, whichever year
		// the first attempt used.
		c.year = year - 1
		if t, ok = makeTime(c, tz); !ok {
			return time.Time{}, false
		}
	}
	return t, true
}

// at returns s[i], or 0 past the end; this mirrors the NUL terminator the
// CPython C parsers read and keeps the scanners free of bounds checks.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// skipSpaces consumes \s+ (Python whitespace) and returns the new index,
// or -1 if there is none.
func skipSpaces(s string, i int) int {
	n := pySpaceAt(s, i)
	if n == 0 {
		return -1
	}
	for n > 0 {
		i += n
		n = pySpaceAt(s, i)
	}
	return i
}

// twoDigits reads \d\d.
func twoDigits(s string, i int) (int, int, bool) {
	a, n := pyDigit(s, i)
	if n == 0 {
		return 0, i, false
	}
	b, m := pyDigit(s, i+n)
	if m == 0 {
		return 0, i, false
	}
	return a*10 + b, i + n + m, true
}
