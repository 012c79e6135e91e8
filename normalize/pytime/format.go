package pytime

import (
	"errors"
	"math"
	"strings"
	"time"
)

// Isoformat is Python's datetime.isoformat() for an aware datetime:
// YYYY-MM-DDTHH:MM:SS, then .ffffff only when the microsecond is non-zero,
// then the offset as ±HH:MM (±HH:MM:SS[.ffffff] when it has seconds).
// Nanoseconds below the microsecond, which Python cannot hold, are dropped.
func Isoformat(t time.Time) string {
	var buf [48]byte
	return string(AppendIsoformat(buf[:0], t))
}

// AppendIsoformat appends Isoformat(t) to b.
func AppendIsoformat(b []byte, t time.Time) []byte {
	c := localCivil(t)
	b = appendInt(b, c.year, 4)
	b = append(b, '-')
	b = appendInt(b, c.month, 2)
	b = append(b, '-')
	b = appendInt(b, c.day, 2)
	b = append(b, 'T')
	b = appendInt(b, c.hour, 2)
	b = append(b, ':')
	b = appendInt(b, c.minute, 2)
	b = append(b, ':')
	b = appendInt(b, c.second, 2)
	if c.micro != 0 {
		b = append(b, '.')
		b = appendInt(b, c.micro, 6)
	}
	return appendOffset(b, offsetUS(t))
}

// appendOffset is datetime's _format_offset with sep=':'.
func appendOffset(b []byte, off int64) []byte {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	hh := off / (3600 * usPerSec)
	mm := off / (60 * usPerSec) % 60
	ss := off / usPerSec % 60
	us := off % usPerSec
	b = append(b, sign)
	b = appendInt(b, int(hh), 2)
	b = append(b, ':')
	b = appendInt(b, int(mm), 2)
	if ss != 0 || us != 0 {
		b = append(b, ':')
		b = appendInt(b, int(ss), 2)
		if us != 0 {
			b = append(b, '.')
			b = appendInt(b, int(us), 6)
		}
	}
	return b
}

// appendInt appends a non-negative v zero-padded to width digits (%0*d).
func appendInt(b []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for len(tmp)-i < width {
		i--
		tmp[i] = '0'
	}
	return append(b, tmp[i:]...)
}

// Strftime renders the index-name suffix layouts es-loader uses
// ("-%Y-%m-%d", "-%Y-w%W", "-%Y-%m", "-%Y") like Python 3.11 on Linux,
// where strftime is glibc's: %Y is not zero-padded (year 999 is "999").
// Also supported: %y %j %H %M %S %U %%; any other directive is copied
// through unchanged. Fields are t's wall clock in its own zone, so convert
// with t.In(loc) first, as es-loader does with astimezone(index_tz).
func Strftime(t time.Time, layout string) string {
	c := localCivil(t)
	yday := toOrdinal(c.year, c.month, c.day) - toOrdinal(c.year, 1, 1) // 0-based, like tm_yday
	wdayMon0 := weekdayMon0(toOrdinal(c.year, c.month, c.day))
	b := make([]byte, 0, len(layout)+8)
	for i := 0; i < len(layout); i++ {
		ch := layout[i]
		if ch != '%' || i+1 >= len(layout) {
			b = append(b, ch)
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			b = appendInt(b, c.year, 1)
		case 'y':
			b = appendInt(b, c.year%100, 2)
		case 'm':
			b = appendInt(b, c.month, 2)
		case 'd':
			b = appendInt(b, c.day, 2)
		case 'H':
			b = appendInt(b, c.hour, 2)
		case 'M':
			b = appendInt(b, c.minute, 2)
		case 'S':
			b = appendInt(b, c.second, 2)
		case 'j':
			b = appendInt(b, yday+1, 3)
		case 'W':
			// glibc: (yday + 7 - (wday+6)%7) / 7 with Sunday=0, i.e.
			// Monday-based weeks; days before the first Monday are week 00.
			b = appendInt(b, (yday+7-wdayMon0)/7, 2)
		case 'U':
			wdaySun0 := (wdayMon0 + 1) % 7
			b = appendInt(b, (yday+7-wdaySun0)/7, 2)
		case '%':
			b = append(b, '%')
		default:
			b = append(b, '%', layout[i])
		}
	}
	return string(b)
}

var errTZ = errors.New("pytime: invalid UTC offset")

// ParseTZ converts an es-loader timestamp_tz / index_tz value to a zone the
// way es-loader does: utils.timestr_to_hours, i.e.
//
//	hours, minutes = s.split(':'); hours = int(hours) + int(minutes) / 60
//
// (falling back to s itself on ValueError), then
// timezone(timedelta(hours=float(str(hours)))). Note the minutes are always
// added, so "-04:30" is -3.5 hours (an es-loader quirk reproduced on
// purpose). s should already be stripped, as configparser does.
func ParseTZ(s string) (*time.Location, error) {
	hours, ok := 0.0, false
	if h, m, found := strings.Cut(s, ":"); found && !strings.Contains(m, ":") {
		hi, okh := pyInt(h)
		mi, okm := pyInt(m)
		if okh && okm {
			hours, ok = float64(hi)+float64(mi)/60, true
		}
	}
	if !ok {
		if hours, ok = pyFloat(s); !ok {
			return nil, errTZ
		}
	}
	off, ok := timedeltaHoursUS(hours)
	if !ok || off <= -usPerDay || off >= usPerDay {
		return nil, errTZ
	}
	return zoneFor(off), nil
}

// timedeltaHoursUS is timedelta(hours=x) in microseconds, following
// CPython's delta_new: the integral hours are exact, the fraction is scaled
// in float64, truncated, and the leftover rounded half-to-even against the
// running total.
func timedeltaHoursUS(x float64) (int64, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e6 {
		return 0, false // Python raises; anyway far beyond timezone's range
	}
	ip, fp := math.Modf(x)
	us := int64(ip) * 3600 * usPerSec
	if fp == 0 {
		return us, true
	}
	d := 3600e6 * fp
	ip2, leftover := math.Modf(d)
	us += int64(ip2)
	if leftover != 0 {
		whole := math.Round(leftover)
		if math.Abs(whole-leftover) == 0.5 {
			odd := float64(us & 1)
			whole = 2*math.Round((leftover+odd)*0.5) - odd
		}
		us += int64(whole)
	}
	return us, true
}
