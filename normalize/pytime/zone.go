package pytime

import (
	"sync"
	"sync/atomic"
	"time"
)

const (
	usPerSec  = 1_000_000
	usPerDay  = 86400 * usPerSec
	minYear   = 1
	maxYear   = 9999
	maxMinute = 24*60 - 1
)

// minuteZones caches whole-minute offsets, which is every offset real logs
// use; parsing one record must not allocate a Location.
var minuteZones [2*maxMinute + 1]atomic.Pointer[time.Location]

// otherZones caches offsets with seconds or microseconds (rare).
var otherZones sync.Map // int64 (µs) -> *time.Location

// zoneFor returns the fixed zone for an offset in microseconds, which must
// be strictly within ±24h (Python's timezone() limit, checked by callers).
// Offset 0 is time.UTC, as Python returns timezone.utc for it.
func zoneFor(offUS int64) *time.Location {
	if offUS == 0 {
		return time.UTC
	}
	if offUS%(60*usPerSec) == 0 {
		idx := offUS/(60*usPerSec) + maxMinute
		if l := minuteZones[idx].Load(); l != nil {
			return l
		}
		l := time.FixedZone(tzName(offUS), int(offUS/usPerSec))
		minuteZones[idx].Store(l)
		return l
	}
	if l, ok := otherZones.Load(offUS); ok {
		return l.(*time.Location)
	}
	// time.FixedZone takes whole seconds: truncate toward zero and keep the
	// exact value in the name, which offsetUS reads back.
	l := time.FixedZone(tzName(offUS), int(offUS/usPerSec))
	otherZones.Store(offUS, l)
	return l
}

// tzName is Python's timezone._name_from_offset; the microsecond form is
// also the marker offsetUS relies on.
func tzName(offUS int64) string {
	b := make([]byte, 0, 20)
	b = append(b, "UTC"...)
	b = appendOffset(b, offUS)
	return string(b)
}

// offsetUS returns the exact UTC offset of t in microseconds.
func offsetUS(t time.Time) int64 {
	name, off := t.Zone()
	// "UTC+HH:MM:SS.ffffff" is only produced by zoneFor for sub-second
	// offsets; whole-second offsets are exact in the Location itself.
	if len(name) == 19 && name[0] == 'U' && name[1] == 'T' && name[2] == 'C' && name[12] == '.' {
		v := int64(0)
		for _, i := range [...]int{4, 5, 7, 8, 10, 11} {
			v = v*10 + int64(name[i]-'0')
		}
		us := int64(0)
		for i := 13; i < 19; i++ {
			us = us*10 + int64(name[i]-'0')
		}
		h, m, s := v/10000, v/100%100, v%100
		total := (h*3600+m*60+s)*usPerSec + us
		if name[3] == '-' {
			total = -total
		}
		return total
	}
	return int64(off) * usPerSec
}

// civil is a broken-down local time with microseconds, the shape of a
// Python datetime.
type civil struct {
	year, month, day, hour, minute, second, micro int
}

// localCivil returns the wall-clock fields Python would show for t,
// honouring sub-second offsets.
func localCivil(t time.Time) civil {
	off := offsetUS(t)
	if off%usPerSec != 0 {
		t = t.UTC().Add(time.Duration(off) * time.Microsecond)
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return civil{y, int(mo), d, h, mi, s, t.Nanosecond() / 1000}
}

// makeTime builds the aware datetime c in loc (a fixed offset); the result
// is the instant c - offset, exact even for sub-second offsets. ok is false
// if the fields are not a valid Python datetime.
func makeTime(c civil, loc *time.Location) (time.Time, bool) {
	if !validCivil(c) {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	t := time.Date(c.year, time.Month(c.month), c.day, c.hour, c.minute, c.second, c.micro*1000, loc)
	if off := offsetUS(t); off%usPerSec != 0 {
		t = t.Add(-time.Duration(off%usPerSec) * time.Microsecond)
	}
	return t, true
}

// validCivil applies the range checks of datetime.__new__.
func validCivil(c civil) bool {
	return c.year >= minYear && c.year <= maxYear &&
		c.month >= 1 && c.month <= 12 &&
		c.day >= 1 && c.day <= daysInMonth(c.year, c.month) &&
		c.hour >= 0 && c.hour <= 23 &&
		c.minute >= 0 && c.minute <= 59 &&
		c.second >= 0 && c.second <= 59 &&
		c.micro >= 0 && c.micro < usPerSec
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var daysBeforeMonth = [...]int{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// toOrdinal is date.toordinal() (0001-01-01 is 1) for a valid date.
func toOrdinal(y, m, d int) int {
	p := y - 1
	n := p*365 + p/4 - p/100 + p/400 + daysBeforeMonth[m] + d
	if m > 2 && isLeap(y) {
		n++
	}
	return n
}

// maxOrdinal is date(9999, 12, 31).toordinal().
const maxOrdinal = 3652059

// fromOrdinal is date.fromordinal(); ok is false outside 1..maxOrdinal.
func fromOrdinal(n int) (y, m, d int, ok bool) {
	if n < 1 || n > maxOrdinal {
		return 0, 0, 0, false
	}
	// time.Date normalises an out-of-range day with the same proleptic
	// Gregorian calendar Python uses.
	t := time.Date(1, 1, n, 0, 0, 0, 0, time.UTC)
	return t.Year(), int(t.Month()), t.Day(), true
}

// weekdayMon0 is date.weekday() (Monday is 0) for an ordinal.
func weekdayMon0(ord int) int { return (ord + 6) % 7 }
