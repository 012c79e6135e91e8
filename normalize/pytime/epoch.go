package pytime

import (
	"math"
	"time"
)

// ParseEpoch is es-loader's convert_epoch_to_datetime: float(s), then
// values in (1e12, 1e15) are milliseconds and values above 1e15
// microseconds (divided in float64, as Python does), then
// datetime.fromtimestamp(seconds, tz).
func ParseEpoch(s string, tz *time.Location) (time.Time, bool) {
	x, ok := pyFloat(s)
	if !ok {
		return time.Time{}, false
	}
	return FromTimestamp(EpochSeconds(x), tz)
}

// EpochSeconds applies es-loader's unit guess to a float epoch value.
// Exactly 1e12 and 1e15 fall through to "seconds", as in the Python code.
func EpochSeconds(x float64) float64 {
	if 1e15 > x && x > 1e12 {
		return x / 1000.0
	}
	if x > 1e15 {
		return x / 1000000.0
	}
	return x
}

// FromTimestamp is datetime.fromtimestamp(x, tz) for a float x: CPython's
// _PyTime_DoubleToDenominator splits x with modf, scales the fraction by
// 1e6 in float64 and rounds half to even (carrying into the seconds), then
// the UTC datetime is converted with tz.fromutc. NaN, infinities and years
// outside 1..9999 (before or after applying the offset) fail.
func FromTimestamp(x float64, tz *time.Location) (time.Time, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return time.Time{}, false
	}
	ip, fp := math.Modf(x)
	fp = math.RoundToEven(fp * 1e6)
	if fp >= 1e6 {
		fp -= 1e6
		ip++
	} else if fp < 0 {
		fp += 1e6
		ip--
	}
	// Years 1..9999 are within ±2.6e11 s; checking first keeps the float to
	// int conversion defined.
	if ip < -7e11 || ip > 7e11 {
		return time.Time{}, false
	}
	sec, us := int64(ip), int64(fp)
	utc := time.Unix(sec, us*1000).UTC()
	if y := utc.Year(); y < minYear || y > maxYear {
		return time.Time{}, false
	}
	if tz == nil {
		tz = time.UTC
	}
	t := utc.In(tz)
	if y := localCivil(t).year; y < minYear || y > maxYear {
		return time.Time{}, false
	}
	return t, true
}
