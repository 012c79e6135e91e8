package pytime

import (
	"testing"
	"time"
)

// checkRoundTrip asserts what every successful parse must satisfy:
// isoformat() output is itself accepted by fromisoformat and denotes the
// same instant and text.
func checkRoundTrip(t *testing.T, in string, tm time.Time) {
	t.Helper()
	if y := localCivil(tm).year; y < 1 || y > 9999 {
		t.Fatalf("%q -> year %d", in, y)
	}
	if off := offsetUS(tm); off != 0 && off > -usPerSec && off < usPerSec {
		// CPython 3.11's fromisoformat turns such an offset into UTC, so
		// isoformat output does not round-trip in Python either.
		return
	}
	s := Isoformat(tm)
	back, ok := FromISOFormat(s, nil)
	if !ok {
		t.Fatalf("%q -> %q does not re-parse", in, s)
	}
	if got := Isoformat(back); got != s || !back.Equal(tm) {
		t.Fatalf("%q -> %q -> %q (equal instants: %v)", in, s, got, back.Equal(tm))
	}
}

func FuzzFromISOFormat(f *testing.F) {
	for _, s := range []string{
		"2020-12-23T01:23:45.123456Z", "2021-06-03 19:18:09.951551200Z", "2024-01-02\t03:04:05",
		"2021-W01-3T12:00+05:30:15.5", "2021W0112", "20210603T1230451234-0001", "2021-06-03時12:+09",
		"9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+00:00:00.000001", "2021-06-03T",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := FromISOFormat(s, jst); ok {
			checkRoundTrip(t, s, tm)
		}
	})
}

func FuzzStrptime(f *testing.F) {
	for _, c := range [][2]string{
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 -0700"},
		{"%b %d, %Y, %I:%M:%S %p", "Jun 5, 2025, 11:30:00 PM"},
		{"%a %b %d %H:%M:%S.%f %Y", "Tue Mar 17 22:44:55.123 1999"},
		{"%y%m%d %H:%M:%S", "210603 19:18:09"},
		{"%G %V %u %j", "2021 53 7 366"},
		{"%c %Z", "Tue Mar 17 22:44:55 1999 utc"},
		{"%d%m%H%M%S%f", "3112235959999999"},
		{"%Y %U %w", "2021 0 0"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, format, s string) {
		if len(format) > 64 {
			return // long formats only make the backtracking search slow
		}
		if tm, ok := Strptime(s, format, jst); ok {
			checkRoundTrip(t, s, tm)
		}
	})
}

func FuzzEpoch(f *testing.F) {
	for _, s := range []string{
		"1591016400123", "1.663703546405E9", "1663703546405123", " 1_0 ", "-62135596800",
		"253402300799.9999995", "inf", "1e400", "１２", "0x1p3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := ParseEpoch(s, mustTZ("-1.0001")); ok { // -01:00:00.360000
			checkRoundTrip(t, s, tm)
		}
	})
}

func FuzzSyslog(f *testing.F) {
	for _, s := range []string{"Feb 24 00:13:02", "Feb 29 10:00:00.1234567 x", "Dec\u30001 23:59:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := ParseSyslog(s, now, jst); ok {
			checkRoundTrip(t, s, tm)
		}
	})
}

var (
	sinkT  time.Time
	sinkOK bool
	sinkS  string
)

func BenchmarkFromISOFormat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = FromISOFormat("2021-06-03T19:18:09.951551200Z", jst)
	}
}

func BenchmarkFromISOFormatNaive(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = FromISOFormat("2021-06-03 19:18:09", jst)
	}
}

func BenchmarkEpoch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = ParseEpoch("1591016400123", jst)
	}
}

func BenchmarkSyslog(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = ParseSyslog("Feb 24 00:13:02 ip-10-0-0-1 sshd[123]: x", now, jst)
	}
}

func BenchmarkStrptime(b *testing.B) {
	l, err := Compile("%d/%b/%Y:%H:%M:%S %z")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = l.Parse("10/Oct/2000:13:55:36 -0700", jst)
	}
}

func BenchmarkStrptimeCached(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkT, sinkOK = Strptime("Jun 5, 2025, 11:30:00 PM", "%b %d, %Y, %I:%M:%S %p", jst)
	}
}

func BenchmarkIsoformat(b *testing.B) {
	tm, _ := FromISOFormat("2021-06-03T19:18:09.951551+09:00", nil)
	b.ReportAllocs()
	for b.Loop() {
		sinkS = Isoformat(tm)
	}
}

func BenchmarkStrftime(b *testing.B) {
	tm, _ := FromISOFormat("2021-06-03T19:18:09.951551+09:00", nil)
	b.ReportAllocs()
	for b.Loop() {
		sinkS = Strftime(tm, "-%Y-w%W")
	}
}
