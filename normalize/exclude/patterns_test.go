package exclude

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func doc(t testing.TB, s string) *pyjson.Map {
	t.Helper()
	v, err := pyjson.Unmarshal([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*pyjson.Map)
}

func lines(errs []error) []int {
	var out []int
	for _, err := range errs {
		var le *LineError
		if errors.As(err, &le) {
			out = append(out, le.Line)
		} else {
			out = append(out, -1)
		}
	}
	return out
}

func TestLoadPatternsReportsBadRows(t *testing.T) {
	pats, problems, err := LoadPatterns("testdata/exclude_log_patterns.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Log(p)
	}
	if got, want := lines(problems), []int{9, 10, 11, 12, 13}; !reflect.DeepEqual(got, want) {
		t.Fatalf("problem lines %v, want %v", got, want)
	}
	for i, want := range []string{"field is empty", "look-behind", "invalid regex", "glob", "columns"} {
		if !strings.Contains(problems[i].Error(), want) || !strings.Contains(problems[i].Error(), "exclude_log_patterns.csv:") {
			t.Errorf("problem %d: %v, want it to name the file and say %q", i, problems[i], want)
		}
	}
	if len(pats) != 7 {
		t.Fatalf("%d patterns loaded, want 7", len(pats))
	}
	if pats[0].Source != "testdata/exclude_log_patterns.csv:2" || pats[0].Comment != "sample1" || pats[0].Regex {
		t.Errorf("first pattern %+v", pats[0])
	}
}

func TestPatternMatchesAsEsLoader(t *testing.T) {
	pats, _, err := LoadPatterns("testdata/exclude_log_patterns.csv")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Pattern{}
	for _, p := range pats {
		by[p.LogType+" "+p.Field] = p
	}
	for _, c := range []struct {
		pattern, rec string
		want         string // the reason detail, "" for no match
	}{
		{"vpcflowlogs srcaddr", `{"srcaddr": "192.0.2.10"}`, "{srcaddr: 192.0.2.10}"},
		// text is exact: not a prefix, not a regex
		{"vpcflowlogs srcaddr", `{"srcaddr": "192.0.2.100"}`, ""},
		{"vpcflowlogs srcaddr", `{"srcaddr": "192x0.2.10"}`, ""},
		// Python's $ also matches before a final newline
		{"vpcflowlogs srcaddr", `{"srcaddr": "192.0.2.10\n"}`, "{srcaddr: 192.0.2.10\n}"},
		{"vpcflowlogs dstaddr", `{"dstaddr": "192.0.2.105"}`, "{dstaddr: 192.0.2.105}"},
		{"vpcflowlogs dstaddr", `{"dstaddr": "192.0.2.1055"}`, ""},
		{"vpcflowlogs dstaddr", `{"dstaddr": "x192.0.2.105"}`, ""},
		{"cloudtrail userIdentity.invokedBy", `{"userIdentity": {"invokedBy": "config.amazonaws.com"}}`, "{invokedBy: config.amazonaws.com}"},
		{"cloudtrail userIdentity.invokedBy", `{"userIdentity": {"invokedBy": "config.amazonaws.com.evil"}}`, ""},
		{"cloudtrail userIdentity.invokedBy", `{"userIdentity": "config.amazonaws.com"}`, ""},
		{"cloudtrail userIdentity.invokedBy", `{"invokedBy": "config.amazonaws.com"}`, ""},
		// "Describe.*|List.*" + "$": Describe at the start, or a whole List
		{"cloudtrail eventName", `{"eventName": "DescribeInstances"}`, "{eventName: DescribeInstances}"},
		{"cloudtrail eventName", `{"eventName": "ListBuckets"}`, "{eventName: ListBuckets}"},
		{"cloudtrail eventName", `{"eventName": "GetObject"}`, ""},
		// into the first element of a list of objects only
		{"waf httpRequest.headers.name", `{"httpRequest": {"headers": [{"name": "X-Health"}, {"name": "Host"}]}}`, "{name: X-Health}"},
		{"waf httpRequest.headers.name", `{"httpRequest": {"headers": [{"name": "Host"}, {"name": "X-Health"}]}}`, ""},
		{"waf httpRequest.headers.name", `{"httpRequest": {"headers": []}}`, ""},
		{"waf httpRequest.headers.name", `{"httpRequest": {"headers": ["X-Health"]}}`, ""},
		// numbers as Python's str(): 8 and 8.0 differ
		{"guardduty severity", `{"severity": 8}`, "{severity: 8}"},
		{"guardduty severity", `{"severity": 8.0}`, ""},
		{"guardduty severity", `{"severity": "8"}`, "{severity: 8}"},
	} {
		p := by[c.pattern]
		if p == nil {
			t.Fatalf("no pattern %s", c.pattern)
		}
		got, ok := p.Match(doc(t, c.rec))
		if ok != (c.want != "") || got != c.want {
			t.Errorf("%s on %s: %q %v, want %q", c.pattern, c.rec, got, ok, c.want)
		}
	}
}

func TestParsePatternsHeader(t *testing.T) {
	for _, in := range []string{"", "a,b,c\n", "log_type,field,pattern\nx,y,z\n"} {
		if _, _, err := ParsePatterns("p.csv", strings.NewReader(in)); err == nil {
			t.Errorf("%q: a file without the header must be refused", in)
		}
	}
	// columns by name, in any order, with a BOM and no comment column
	pats, problems, err := ParsePatterns("p.csv", strings.NewReader("\ufeffpattern_type,pattern,field,log_type\ntext,1.2.3.4,srcaddr,vpcflowlogs\n"))
	if err != nil || len(problems) > 0 || len(pats) != 1 || pats[0].LogType != "vpcflowlogs" || pats[0].Pattern != "1.2.3.4" {
		t.Errorf("%v %v %+v", err, problems, pats)
	}
}

// An escaped final backslash makes es-loader's appended $ a literal.
func TestCompileFullMatchTrailingBackslash(t *testing.T) {
	re, err := compileFullMatch(`cost\`)
	if err != nil {
		t.Fatal(err)
	}
	if !re.MatchString("cost$ and more") || re.MatchString("cost") {
		t.Errorf("%s", re)
	}
}

func FuzzParsePatterns(f *testing.F) {
	f.Add("log_type,field,pattern,pattern_type,comment\nvpcflowlogs,srcaddr,192.0.2.10,text,x\nwaf,a.b,(a|b)*,regex,\n")
	f.Add("log_type,field,pattern,pattern_type\n\"a\"b,c,d\n,,,\n")
	f.Add("log_type,field,pattern,pattern_type\nx,y.z,\\,regex\nx,y,(?P<n>a),regex\n")
	f.Fuzz(func(t *testing.T, csv string) {
		pats, problems, err := ParsePatterns("f.csv", strings.NewReader(csv))
		if err != nil {
			return
		}
		for _, e := range problems {
			var le *LineError
			if !errors.As(e, &le) || le.File != "f.csv" {
				t.Fatalf("problem %v", e)
			}
		}
		rec := doc(t, `{"y": {"z": "a"}, "srcaddr": "192.0.2.10", "a": [{"b": 1}]}`)
		for _, p := range pats {
			p.Match(rec)
		}
	})
}
