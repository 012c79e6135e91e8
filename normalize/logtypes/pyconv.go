package logtypes

import (
	"math"
	"strconv"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// pyInt is Python's int(v) for a JSON value: text as int() reads it
// (see pyIntString), a float truncated toward zero, a bool as 0 or 1. ok
// is false where Python raises (None, objects, lists, text that is not an
// integer, NaN or infinite floats) or the value is beyond int64.
func pyInt(v any) (int64, bool) {
	switch x := v.(type) {
	case string:
		return pyIntString(x)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case pyjson.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, true
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
			return 0, false
		}
		return int64(f), true
	case int:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

// intNumber is an int64 as a JSON number.
func intNumber(n int64) pyjson.Number { return pyjson.Number(strconv.FormatInt(n, 10)) }
