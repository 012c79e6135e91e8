package exclude

import (
	"bytes"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func testFilter(t testing.TB, logs *bytes.Buffer) *Filter {
	pats, _, err := LoadPatterns("testdata/exclude_log_patterns.csv")
	if err != nil {
		t.Fatal(err)
	}
	conds, _, err := LoadConditions("testdata/conditions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// the same name again (say, from Parameter Store) is refused
	dup, _ := newCondition("waf/scanners", "/siem/exclude-logs/waf/scanners", []byte(`{"action": "EXCLUDE", "expression": "a"}`))
	conds = append(conds, dup)
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	f, problems := NewFilter(pats, conds, Options{Logger: logger, CountSamples: 2})
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "waf/scanners") || !strings.Contains(problems[0].Error(), "conditions.jsonl:3") {
		t.Fatalf("problems %v", problems)
	}
	return f
}

func TestFilterDecisions(t *testing.T) {
	var logs bytes.Buffer
	f := testFilter(t, &logs)
	for _, c := range []struct {
		logType, rec string
		raw          bool
		want         Decision
	}{
		{"waf", `{"httpRequest": {"uri": "/health", "headers": []}, "action": "ALLOW"}`, false,
			Decision{Action: Exclude, Reason: "condition waf/health-checks (EXCLUDE)"}},
		{"waf", `{"httpRequest": {"uri": "/", "headers": [{"name": "User-Agent", "value": "sqlmap"}]}, "action": "BLOCK"}`, false,
			Decision{Action: Count, Counted: []string{"waf/scanners"}}},
		// COUNT matched, then a pattern excludes it: counted and excluded
		{"waf", `{"httpRequest": {"uri": "/", "headers": [{"name": "X-Health", "value": "sqlmap"}]}, "action": "BLOCK"}`, false,
			Decision{Action: Exclude, Reason: "testdata/exclude_log_patterns.csv:7 (httpRequest.headers.name)", Detail: "{name: X-Health}", Counted: []string{"waf/scanners"}}},
		{"waf", `{"httpRequest": {"uri": "/", "headers": []}, "action": "ALLOW"}`, false, Decision{}},
		{"vpcflowlogs", `{"srcaddr": "192.0.2.10"}`, true,
			Decision{Action: Exclude, Reason: "testdata/exclude_log_patterns.csv:2 (srcaddr)", Detail: "{srcaddr: 192.0.2.10}"}},
		// CheckRaw applies no condition
		{"cloudtrail", `{"eventName": "DescribeRegions", "userIdentity": {"type": "AWSService"}}`, true,
			Decision{Action: Exclude, Reason: "testdata/exclude_log_patterns.csv:6 (eventName)", Detail: "{eventName: DescribeRegions}"}},
		{"cloudtrail", `{"eventName": "GetObject", "userIdentity": {"type": "Root"}}`, true, Decision{}},
		{"cloudtrail", `{"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}}`, false,
			Decision{Action: Count, Counted: []string{"cloudtrail/root-logins"}}},
		{"cloudtrail", `{"eventName": "DescribeRegions", "userIdentity": {"type": "AWSService"}}`, false,
			Decision{Action: Exclude, Reason: "condition cloudtrail/describe-by-services (EXCLUDE)"}},
		{"nothing-configured", `{"srcaddr": "192.0.2.10"}`, false, Decision{}},
	} {
		var got Decision
		if c.raw {
			got = f.CheckRaw(c.logType, doc(t, c.rec))
		} else {
			got = f.Check(c.logType, doc(t, c.rec))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", c.logType, c.rec, got, c.want)
		}
	}
	// per log type with a usable rule (alb's rows were all refused)
	want := []Stat{
		{LogType: "cloudtrail", Counted: 1, ExcludedByCondition: 1, ExcludedByPattern: 1},
		{LogType: "guardduty"},
		{LogType: "s3accesslog"},
		{LogType: "vpcflowlogs", ExcludedByPattern: 1},
		{LogType: "waf", Counted: 2, ExcludedByCondition: 1, ExcludedByPattern: 1},
	}
	if got := f.Stats(); !reflect.DeepEqual(got, want) {
		t.Errorf("stats\n got %+v\nwant %+v", got, want)
	}
	// the COUNT matches were logged with the condition and the record
	out := logs.String()
	for _, s := range []string{"condition=waf/scanners", "condition=cloudtrail/root-logins", "ConsoleLogin", `expression="userIdentity.type`} {
		if !strings.Contains(out, s) {
			t.Errorf("the log lacks %q:\n%s", s, out)
		}
	}
}

func TestCountSamplesAreBounded(t *testing.T) {
	var logs bytes.Buffer
	f := testFilter(t, &logs)
	rec := `{"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}}`
	for i := 0; i < 5; i++ {
		f.Check("cloudtrail", doc(t, rec))
	}
	if n := strings.Count(logs.String(), "root-logins"); n != 2 {
		t.Errorf("%d samples logged, want 2", n)
	}
	f.ResetSamples()
	f.Check("cloudtrail", doc(t, rec))
	if n := strings.Count(logs.String(), "root-logins"); n != 3 {
		t.Errorf("after ResetSamples: %d samples logged, want 3", n)
	}
	if s := f.Stats(); s[0].LogType != "cloudtrail" || s[0].Counted != 6 {
		t.Errorf("every match counts: %+v", s[0])
	}
}

func TestFilterFailingExpressionIsCounted(t *testing.T) {
	var logs bytes.Buffer
	c, err := newCondition("waf/typed", "test", []byte(`{"action": "EXCLUDE", "expression": "starts_with(uri, '/x')"}`))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := NewFilter(nil, []*Condition{c}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if d := f.Check("waf", doc(t, `{"uri": 5}`)); d.Action != None {
		t.Errorf("decision %+v", d)
	}
	if d := f.Check("waf", doc(t, `{"uri": "/x/y"}`)); d.Action != Exclude {
		t.Errorf("decision %+v", d)
	}
	if s := f.Stats(); s[0].Errors != 1 || s[0].ExcludedByCondition != 1 {
		t.Errorf("stats %+v", s)
	}
	if !strings.Contains(logs.String(), "waf/typed") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
}

func TestNilFilter(t *testing.T) {
	var f *Filter
	if f.Has("waf") || f.Check("waf", doc(t, `{}`)).Action != None || f.CheckRaw("waf", doc(t, `{}`)).Action != None || f.Stats() != nil {
		t.Error("a nil filter must let everything through")
	}
	f.ResetSamples()
}

func TestFilterConcurrent(t *testing.T) {
	f := testFilter(t, &bytes.Buffer{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				f.Check("waf", doc(t, `{"httpRequest": {"uri": "/health", "headers": []}, "action": "ALLOW"}`))
				f.Check("cloudtrail", doc(t, `{"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}}`))
			}
		}()
	}
	wg.Wait()
	for _, s := range f.Stats() {
		if s.LogType == "waf" && s.ExcludedByCondition != 1000 || s.LogType == "cloudtrail" && s.Counted != 1000 {
			t.Errorf("stats %+v", s)
		}
	}
}
