package pytime

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// goldenCase is one line of testdata/golden.jsonl.gz, produced by
// CPython 3.11 (see testdata/README.md).
type goldenCase struct {
	Fn  string  `json:"fn"`
	In  string  `json:"in"`
	Fmt string  `json:"fmt"`
	TZ  string  `json:"tz"`
	Out *string `json:"out"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	path := "testdata/golden.jsonl.gz"
	if p := os.Getenv("PYTIME_GOLDEN"); p != "" {
		path = p // a larger one-off recording
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var cases []goldenCase
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c goldenCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestGolden compares every function with CPython 3.11's answers.
func TestGolden(t *testing.T) {
	cases := loadGolden(t)
	if len(cases) < 1000 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	fails := 0
	for _, c := range cases {
		var got string
		var ok bool
		var tz *time.Location
		if c.TZ != "" {
			var err error
			if tz, err = ParseTZ(c.TZ); err != nil {
				t.Fatalf("ParseTZ(%q): %v", c.TZ, err)
			}
		}
		var tm time.Time
		switch c.Fn {
		case "iso":
			tm, ok = FromISOFormat(c.In, tz)
		case "epoch":
			tm, ok = ParseEpoch(c.In, tz)
		case "syslog":
			now, ok2 := FromISOFormat(c.Fmt, nil)
			if !ok2 {
				t.Fatalf("bad now %q", c.Fmt)
			}
			tm, ok = ParseSyslog(c.In, now, tz)
		case "strptime":
			tm, ok = Strptime(c.In, c.Fmt, tz)
		case "tz":
			loc, err := ParseTZ(c.In)
			if ok = err == nil; ok {
				tm, _ = makeTime(civil{2021, 6, 3, 12, 0, 0, 0}, loc)
			}
		case "strftime":
			in, ok2 := FromISOFormat(c.In, nil)
			if !ok2 {
				t.Fatalf("bad datetime %q", c.In)
			}
			got, ok = Strftime(in, c.Fmt), true
		default:
			t.Fatalf("unknown fn %q", c.Fn)
		}
		if ok && c.Fn != "strftime" {
			got = Isoformat(tm)
		}
		want, wantOK := "", c.Out != nil
		if wantOK {
			want = *c.Out
		}
		if ok != wantOK || got != want {
			fails++
			if fails <= 60 {
				t.Errorf("%s(%q, fmt=%q, tz=%q) = %q, %v; Python: %q, %v", c.Fn, c.In, c.Fmt, c.TZ, got, ok, want, wantOK)
			}
		}
	}
	if fails > 0 {
		t.Errorf("%d of %d golden cases differ", fails, len(cases))
	}
}
