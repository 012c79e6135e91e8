// Package pytime reproduces, bit for bit, the timestamp handling of the
// es-loader Lambda (SIEM on Amazon OpenSearch Service) running on CPython
// 3.11: datetime.fromisoformat, datetime.strptime, float() +
// datetime.fromtimestamp, es-loader's syslog heuristic, datetime.isoformat
// and the few strftime layouts used for index names.
//
// Results are time.Time values whose Location is a fixed offset. Offsets
// are named like Python's timezone.tzname() ("UTC+09:00"). Python allows
// offsets with microseconds, which time.FixedZone cannot express; such a
// zone carries the exact offset in its name ("UTC+05:30:00.500000") and the
// instant stored in the time.Time is exact. Always render with Isoformat and
// Strftime (which honour that name) rather than time.Time.Format.
//
// Parsing never panics; it reports failure with ok == false, which is how
// es-loader's "there is no timestamp" path is reached (Python raising
// ValueError, OverflowError, KeyError or AttributeError all end there).
package pytime
