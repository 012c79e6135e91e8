package pytime

import (
	"testing"
	"time"
)

var (
	jst    = mustTZ("+09:00")
	now    = time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	noTime = "<fail>"
)

func mustTZ(s string) *time.Location {
	l, err := ParseTZ(s)
	if err != nil {
		panic(err)
	}
	return l
}

func show(t time.Time, ok bool) string {
	if !ok {
		return noTime
	}
	return Isoformat(t)
}

func TestFromISOFormat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2020-12-23T01:23:45.123456Z", "2020-12-23T01:23:45.123456+00:00"},
		{"2021-06-03T19:18:09.951551200Z", "2021-06-03T19:18:09.951551+00:00"},
		{"2021-06-03 19:18:09.951551200Z", "2021-06-03T19:18:09.951551+00:00"},
		{"2021-06-03T12:30:45.999999999Z", "2021-06-03T12:30:45.999999+00:00"}, // truncated, not rounded
		{"2014-11-07 19:41:36+0000", "2014-11-07T19:41:36+00:00"},
		{"2024-01-02\t03:04:05", "2024-01-02T03:04:05+09:00"},
		{"2021-06-03時12:00", "2021-06-03T12:00:00+09:00"},
		{"2021-0603T19:18:09.951551200Z", noTime},
		{"2021-06-03", "2021-06-03T00:00:00+09:00"},
		{"20210603T101112,5-0330", "2021-06-03T10:11:12.500000-03:30"},
		{"2021-W01-3", "2021-01-06T00:00:00+09:00"},
		{"2020W537", "2021-01-03T00:00:00+09:00"},
		{"2021-W53", noTime},
		{"2021-02-30", noTime},
		{"2021-06-03T24:00:00", noTime},
		{"2021-06-03T12:30:45+05:30:15.25", "2021-06-03T12:30:45+05:30:15.250000"},
		{"2021-06-03T12:30:45+00:00:00.5", "2021-06-03T12:30:45+00:00"}, // 3.11 drops the µs
		{"2021-06-03T12:30:45+24:00", noTime},
		// CPython 3.11 C-parser leniencies.
		{"2021-06-03T12:+09:00", "2021-06-03T12:00:00+09:00"},
		{"2021-06-03T12.5", "2021-06-03T12:00:00.500000+09:00"},
		{"2021-06-03T12:30:45.Z", "2021-06-03T12:30:45+00:00"},
		{"2021-06-03T12:30:45.", noTime},
		{"2021-W01-12:00", "2021-01-04T12:00:00+09:00"},
		{"2021-06-03T12:30:45Zx", noTime},
		{"2021-06", noTime},
		{"", noTime},
	} {
		if got := show(FromISOFormat(c.in, jst)); got != c.want {
			t.Errorf("FromISOFormat(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseEpoch(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1591016400123", "2020-06-01T13:00:00.123000+00:00"},
		{"1591016400", "2020-06-01T13:00:00+00:00"},
		{"1.663703546405E9", "2022-09-20T19:52:26.405000+00:00"},
		{"1663703546405123", "2022-09-20T19:52:26.405123+00:00"},
		{" 1_591_016_400 ", "2020-06-01T13:00:00+00:00"},
		{"１５９１０１６４００", "2020-06-01T13:00:00+00:00"},
		{"-1.5", "1969-12-31T23:59:58.500000+00:00"},
		{"0.0000005", "1970-01-01T00:00:00+00:00"}, // half to even
		{"0.0000015", "1970-01-01T00:00:00.000002+00:00"},
		{"1000000000000", noTime}, // exactly 1e12 is "seconds": year 33658
		{"253402300799", "9999-12-31T23:59:59+00:00"},
		{"253402300800", noTime},
		{"inf", noTime},
		{"nan", noTime},
		{"0x10", noTime},
		{"1__0", noTime},
		{"", noTime},
	} {
		if got := show(ParseEpoch(c.in, time.UTC)); got != c.want {
			t.Errorf("ParseEpoch(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := show(ParseEpoch("1591016400123", jst)); got != "2020-06-01T22:00:00.123000+09:00" {
		t.Errorf("ParseEpoch in +09:00 = %s", got)
	}
}

func TestParseSyslog(t *testing.T) {
	for _, c := range []struct {
		in   string
		now  time.Time
		want string
	}{
		{"Feb 24 00:13:02", now, "2024-02-24T00:13:02+00:00"},
		{"Dec 31 23:59:59", now, "2023-12-31T23:59:59+00:00"},
		{"Jun 15 11:59:59", now, "2024-06-15T11:59:59+00:00"},
		{"Jun 15 12:00:01", now, "2023-06-15T12:00:01+00:00"},
		{"Jan  5 01:02:03.5 host sshd[1]: hi", now, "2024-01-05T01:02:03.500000+00:00"},
		{"Mar 10 10:10:10.x", now, "2024-03-10T10:10:10+00:00"},
		{"Feb 29 10:00:00", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "2024-02-29T10:00:00+00:00"},
		{"Feb 29 10:00:00", time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC), noTime}, // future, and 2023 has no Feb 29
		{"Jan 1 00:00:00", time.Date(2024, 12, 31, 13, 0, 0, 0, time.UTC), "2025-01-01T00:00:00+00:00"},
		{"JAN 1 00:00:00", now, noTime},
		{"Mar 32 00:00:00", now, noTime},
		{"Mar 10 24:00:00", now, noTime},
		{" Mar 10 10:10:10", now, noTime},
	} {
		if got := show(ParseSyslog(c.in, c.now, time.UTC)); got != c.want {
			t.Errorf("ParseSyslog(%q, %v) = %s, want %s", c.in, c.now, got, c.want)
		}
	}
}

func TestStrptime(t *testing.T) {
	for _, c := range []struct{ format, in, want string }{
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00"},
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 Z", "2000-10-10T13:55:36+00:00"},
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 z", noTime},
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 +05:3015", noTime},
		{"%d/%b/%Y:%H:%M:%S %z", "10/Oct/2000:13:55:36 +053015.5", "2000-10-10T13:55:36+05:30:15.500000"},
		{"%b %d, %Y, %I:%M:%S %p", "Jun 5, 2025, 11:30:00 PM", "2025-06-05T23:30:00+09:00"},
		{"%b %d, %Y, %I:%M:%S %p", "Jun 5, 2025, 12:30:00 am", "2025-06-05T00:30:00+09:00"},
		{"%a %b %d %H:%M:%S.%f %Y", "Tue Mar 17 22:44:55.123 1999", "1999-03-17T22:44:55.123000+09:00"},
		{"%y%m%d %H:%M:%S", "690603 19:18:09", "1969-06-03T19:18:09+09:00"},
		{"%y%m%d %H:%M:%S", "680603 19:18:09", "2068-06-03T19:18:09+09:00"},
		{"%Y-%m-%dT%H:%M:%S.%fZ", "2021-06-03T19:18:09.951551Z", "2021-06-03T19:18:09.951551+09:00"},
		{"%Y-%m-%dT%H:%M:%S.%fZ", "2021-06-03T19:18:09.9515512Z", noTime},
		{"%Y-%m-%d %H:%M:%S", "2021-6-3   9:8:9", "2021-06-03T09:08:09+09:00"},
		{"%Y-%m-%d %H:%M:%S", "2021-06-03 19:18:09 ", noTime}, // unconverted data remains
		{"%Y-%m-%d %H:%M:%S", "2021-06-03 19:18:60", noTime},
		{"%d%m", "311", "1900-01-31T00:00:00+09:00"}, // %d takes "31" first, leaving "1" for %m
		{"%H%M", "245", "1900-01-01T02:45:00+09:00"},
		{"%m/%d", "02/29", noTime},
		{"%H:%M %Z", "10:00 UTC", "1900-01-01T10:00:00+09:00"}, // %Z leaves it naive
		{"%Y %j", "2021 366", "2022-01-01T00:00:00+09:00"},
		{"%G %V %u", "2021 1 1", "2021-01-04T00:00:00+09:00"},
		{"%c", "Tue Mar 17 22:44:55 1999", "1999-03-17T22:44:55+09:00"},
		{"%e", "1", noTime},
		{"%Y %Y", "2020 2020", noTime},
		{"%", "x", noTime},
	} {
		if got := show(Strptime(c.in, c.format, jst)); got != c.want {
			t.Errorf("Strptime(%q, %q) = %s, want %s", c.in, c.format, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, f := range []string{"%", "%Y%", "%e", "%Y %Y", "%c %Y", "% d", "%.", "%s"} {
		if _, err := Compile(f); err == nil {
			t.Errorf("Compile(%q) succeeded", f)
		}
	}
	if _, err := CompileFormat(""); err == nil {
		t.Error("CompileFormat(\"\") succeeded")
	}
}

func TestParseDispatch(t *testing.T) {
	for _, c := range []struct{ format, in, want string }{
		{"epoch", "1591016400", "2020-06-01T22:00:00+09:00"},
		{`"epoch"`, "1591016400", "2020-06-01T22:00:00+09:00"},
		{"syslog", "Feb 24 00:13:02", "2024-02-24T00:13:02+09:00"},
		{"iso8601", "2021-06-03T19:18:09", "2021-06-03T19:18:09+09:00"},
		{"%Y-%m-%d", "2021-06-03", "2021-06-03T00:00:00+09:00"},
		{"", "2021-06-03", noTime},
	} {
		if got := show(Parse(c.in, c.format, now, jst)); got != c.want {
			t.Errorf("Parse(%q, %q) = %s, want %s", c.in, c.format, got, c.want)
		}
	}
}

func TestParseTZ(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+09:00", "+09:00"}, {"-04:00", "-04:00"}, {"+00:00", "+00:00"}, {"0", "+00:00"},
		{"9", "+09:00"}, {"5.5", "+05:30"}, {"+5:30", "+05:30"},
		{"-04:30", "-03:30"}, // es-loader adds the minutes to -4
		{"0:20", "+00:20"}, {"-0.0001", "-00:00:00.360000"},
		{"24", ""}, {"24:00", ""}, {"abc", ""}, {"", ""}, {"1:2:3", ""},
	} {
		loc, err := ParseTZ(c.in)
		got := ""
		if err == nil {
			got = string(appendOffset(nil, offsetUS(time.Date(2021, 1, 1, 0, 0, 0, 0, loc))))
		}
		if got != c.want {
			t.Errorf("ParseTZ(%q) = %q (%v), want %q", c.in, got, err, c.want)
		}
	}
}

func TestSubSecondOffsetIsExact(t *testing.T) {
	loc := mustTZ("-0.0001") // -0.36 s
	tm, ok := Strptime("2021-06-03 12:00:00", "%Y-%m-%d %H:%M:%S", loc)
	if !ok {
		t.Fatal("parse failed")
	}
	if got, want := Isoformat(tm), "2021-06-03T12:00:00-00:00:00.360000"; got != want {
		t.Errorf("Isoformat = %s, want %s", got, want)
	}
	if got, want := Isoformat(tm.UTC()), "2021-06-03T12:00:00.360000+00:00"; got != want {
		t.Errorf("UTC instant = %s, want %s", got, want)
	}
}

func TestIsoformat(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2021, 6, 3, 1, 2, 3, 0, time.UTC), "2021-06-03T01:02:03+00:00"},
		{time.Date(2021, 6, 3, 1, 2, 3, 1999, time.UTC), "2021-06-03T01:02:03.000001+00:00"},
		{time.Date(5, 1, 1, 0, 0, 0, 0, time.FixedZone("", -(3*3600+30*60+15))), "0005-01-01T00:00:00-03:30:15"},
	} {
		if got := Isoformat(c.t); got != c.want {
			t.Errorf("Isoformat(%v) = %s, want %s", c.t, got, c.want)
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2021, 1, 3, 23, 0, 0, 0, time.UTC) // a Sunday: still week 00
	for _, c := range []struct{ layout, want string }{
		{"-%Y-%m-%d", "-2021-01-03"}, {"-%Y-w%W", "-2021-w00"}, {"-%Y-%m", "-2021-01"}, {"-%Y", "-2021"},
	} {
		if got := Strftime(tm, c.layout); got != c.want {
			t.Errorf("Strftime(%q) = %s, want %s", c.layout, got, c.want)
		}
	}
	if got := Strftime(tm.In(jst), "-%Y-w%W"); got != "-2021-w01" {
		t.Errorf("Strftime in +09:00 = %s", got)
	}
}

func TestNoAllocations(t *testing.T) {
	l, err := Compile("%d/%b/%Y:%H:%M:%S %z")
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func(){
		"FromISOFormat": func() { FromISOFormat("2021-06-03T19:18:09.951551+09:00", jst) },
		"ParseEpoch":    func() { ParseEpoch("1591016400123", jst) },
		"ParseSyslog":   func() { ParseSyslog("Feb 24 00:13:02 host", now, jst) },
		"Layout.Parse":  func() { l.Parse("10/Oct/2000:13:55:36 -0700", jst) },
		"Strptime":      func() { Strptime("2021-06-03 19:18:09", "%Y-%m-%d %H:%M:%S", jst) },
	}
	for name, f := range checks {
		f() // warm the zone and format caches
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %.1f times per call", name, n)
		}
	}
}
