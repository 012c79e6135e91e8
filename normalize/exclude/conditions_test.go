package exclude

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestLoadConditions(t *testing.T) {
	conds, problems, err := LoadConditions("testdata/conditions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Log(p)
	}
	if got, want := lines(problems), []int{7, 8, 9, 10, 11, 12}; !reflect.DeepEqual(got, want) {
		t.Fatalf("problem lines %v, want %v", got, want)
	}
	for i, want := range []string{"needs both", "DROP", "<log_type>/<name>", "eventName == ", "one key", "not a JSON object"} {
		if !strings.Contains(problems[i].Error(), want) || !strings.Contains(problems[i].Error(), "conditions.jsonl:") {
			t.Errorf("problem %d: %v, want it to name the file and say %q", i, problems[i], want)
		}
	}
	var names []string
	for _, c := range conds {
		names = append(names, c.Name+" "+c.Action.String())
	}
	want := []string{"waf/health-checks EXCLUDE", "waf/scanners COUNT", "waf/old-rule DISABLE", "cloudtrail/describe-by-services EXCLUDE", "cloudtrail/root-logins COUNT"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("conditions %v, want %v", names, want)
	}
}

func TestLegacyLiterals(t *testing.T) {
	for in, want := range map[string]string{
		"field1==`value1` && field2==`value2`": "field1==`\"value1\"` && field2==`\"value2\"`",
		"n > `3` && m == `\"x\"`":              "n > `3` && m == `\"x\"`",
		"a == `[1, 2]`":                        "a == `[1, 2]`",
		"a == ` spaced`":                       "a == `\"spaced\"`",
		"a == 'it`s' || b == `x`":              "a == 'it`s' || b == `\"x\"`",
		"\"we`ird\" == `1`":                    "\"we`ird\" == `1`",
		"a == `with \\` tick`":                 "a == `\"with \\` tick\"`",
	} {
		got, err := legacyLiterals(in)
		if err != nil || got != want {
			t.Errorf("%s: %s (%v), want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"a == `unclosed", "a == `say \"hi\"`"} {
		if _, err := legacyLiterals(bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestConditionEvaluation(t *testing.T) {
	for _, c := range []struct {
		expr, rec string
		want      bool
	}{
		// es-loader's documented form, with bare literals
		{"field1==`value1` && field2==`value2`", `{"field1": "value1", "field2": "value2"}`, true},
		{"field1==`value1` && field2==`value2`", `{"field1": "value1", "field2": "other"}`, false},
		{"field1==`value1` || field2==`value2`", `{"field2": "value2"}`, true},
		{"!(field1==`value1`)", `{"field1": "value2"}`, true},
		{"(field1==`value1` || field2==`value2`) && field3==`value3`", `{"field1": "value1", "field3": "value3"}`, true},
		// numbers from the document compare with JSON numbers
		{"source.port == `443`", `{"source": {"port": 443}}`, true},
		{"severity > `7`", `{"severity": 8.5}`, true},
		{"severity > `7`", `{"severity": "8.5"}`, false},
		// Python truthiness of the result: [] and "" and 0 are false
		{"tags", `{"tags": []}`, false},
		{"tags", `{"tags": ["a"]}`, true},
		{"count", `{"count": 0}`, false},
		{"name", `{"name": ""}`, false},
		{"missing", `{}`, false},
		// reaching the whole document
		{"length(@) > `2`", `{"a": 1, "b": 2, "c": 3}`, true},
		{"length(keys(@)) == `1`", `{"a": 1, "b": 2}`, false},
		{"records[?eventName == 'x'] | length(@) == `1`", `{"records": [{"eventName": "x"}, {"eventName": "y"}]}`, true},
		{"contains(http.headers[].value, 'sqlmap')", `{"http": {"headers": [{"value": "sqlmap/1.0"}, {"value": "sqlmap"}]}}`, true},
		{"sort_by(items, &n)[0].n == `1`", `{"items": [{"n": 3}, {"n": 1}]}`, true},
		{"$.a == `1`", `{"a": 1}`, true},
		{"let $x = a in b == $x", `{"a": 1, "b": 1}`, true},
	} {
		cond, err := newCondition("t/x", "test", []byte(`{"action": "COUNT", "expression": `+quote(c.expr)+`}`))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, err := cond.Matches(doc(t, c.rec))
		if err != nil || got != c.want {
			t.Errorf("%s on %s: %v (%v), want %v", c.expr, c.rec, got, err, c.want)
		}
	}
	// a type error fails the evaluation, which does not match
	cond, _ := newCondition("t/x", "test", []byte(`{"action": "EXCLUDE", "expression": "starts_with(missing, 'x')"}`))
	if ok, err := cond.Matches(doc(t, `{}`)); ok || err == nil {
		t.Errorf("a failing expression: %v %v", ok, err)
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, c := range []byte(s) {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}

func TestReadsOnlyWhatTheExpressionNeeds(t *testing.T) {
	for expr, want := range map[string][]string{
		"a.b == 'x' && c":               {"a.b", "c"},
		"userIdentity.type == `Root`":   {"userIdentity.type"},
		"records[?eventName == 'x'].id": {"records"},
		"sort_by(items, &n)[0]":         {"items"},
		"a.b | c":                       {"a.b"},
		"{x: a, y: b.c}":                {"a", "b.c"},
		"a.* == `1` && a.b":             {"a"},
		"keys(a.b)":                     {"a.b"},
		"a.b[0].c":                      {"a"}, // coarser than needed, never finer
		"length(@)":                     {""},
		"$.a":                           {""},
		"a[?@ == $.b]":                  {""},
	} {
		rewritten, err := legacyLiterals(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := readsOf(rewritten).paths(""); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: reads %q, want %q", expr, got, want)
		}
	}
	// only the paths read are converted
	d := readsOf("userIdentity.type == 'Root' && eventName").data(doc(t, `{"userIdentity": {"type": "Root", "arn": "x"}, "eventName": "A", "big": {"n": 1}}`))
	if !reflect.DeepEqual(d, map[string]any{"userIdentity": map[string]any{"type": "Root"}, "eventName": "A"}) {
		t.Errorf("data %#v", d)
	}
}

type fakeParameters struct {
	params []Parameter
	err    error
	asked  string
}

func (f *fakeParameters) GetParametersByPath(_ context.Context, path string) ([]Parameter, error) {
	f.asked = path
	return f.params, f.err
}

func TestConditionsFromParameterStore(t *testing.T) {
	src := &fakeParameters{params: []Parameter{
		{Name: "/siem/exclude-logs/waf/scanners", Value: `{"action": "COUNT", "expression": "action == 'BLOCK'"}`},
		{Name: "/siem/exclude-logs/cloudtrail/a", Value: `{"action": "EXCLUDE", "expression": "eventName == 'x'"}`},
		{Name: "/siem/exclude-logs/nolog", Value: `{"action": "EXCLUDE", "expression": "x"}`},
		{Name: "/siem/exclude-logs/waf/broken", Value: `{"action": "EXCLUDE"`},
	}}
	conds, problems, err := LoadConditionsFromParameters(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	if src.asked != DefaultParameterPath {
		t.Errorf("asked for %s", src.asked)
	}
	if len(conds) != 2 || conds[0].Name != "cloudtrail/a" || conds[1].Name != "waf/scanners" || conds[1].Source != "/siem/exclude-logs/waf/scanners" {
		t.Errorf("conditions %+v", conds)
	}
	if len(problems) != 2 || !strings.Contains(problems[0].Error(), "/siem/exclude-logs/nolog") || !strings.Contains(problems[1].Error(), "/siem/exclude-logs/waf/broken") {
		t.Errorf("problems %v", problems)
	}
	src.err = errors.New("AccessDenied")
	if _, _, err := LoadConditionsFromParameters(context.Background(), src, "/custom/path"); err == nil || !strings.Contains(err.Error(), "/custom/path/") {
		t.Errorf("a failing source: %v", err)
	}
}

func FuzzParseConditions(f *testing.F) {
	f.Add(`{"waf/a": {"action": "EXCLUDE", "expression": "a == ` + "`x`" + `"}}` + "\n# c\n{\"x/y\": {\"action\": \"count\", \"expression\": \"@\"}}")
	f.Add(`{"a/b": {"action": 1, "expression": []}}`)
	f.Add("{\"a/b\": {\"action\": \"COUNT\", \"expression\": \"let $x = `1` in a[?b == $x] | [0]\"}}")
	f.Fuzz(func(t *testing.T, text string) {
		conds, problems := ParseConditions("c.jsonl", strings.NewReader(text))
		for _, e := range problems {
			var le *LineError
			if !errors.As(e, &le) || le.File != "c.jsonl" || le.Line < 1 {
				t.Fatalf("problem %v", e)
			}
		}
		rec := doc(t, `{"a": [{"b": 1}, {"b": "x"}], "waf": {"a": null}, "n": 3.5}`)
		for _, c := range conds {
			c.Matches(rec)
		}
	})
}

// Converting only what the expressions read must not change any result:
// each expression, alone and with the others' paths merged in, against
// the whole document converted.
func TestPartialDataGivesTheSameResults(t *testing.T) {
	exprs := []string{
		"userIdentity.type == `Root`", "userIdentity.sessionContext.attributes.mfaAuthenticated == 'false'",
		"userIdentity.*", "keys(userIdentity)", "length(userIdentity)", "userIdentity.arn.x",
		"records[?eventName == 'x'].id", "records[0].eventName", "records[].eventName",
		"contains(keys(@), 'records')", "eventName || userIdentity.type", "!userIdentity",
		"to_string(userIdentity)", "userIdentity.type.length(@)", "n > `1`", "[eventName, n]",
		"values({a: userIdentity.type})", "eventName.nope", "tags[*].key",
	}
	docs := []string{
		`{"userIdentity": {"type": "Root", "arn": "arn:x", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}}, "eventName": "x", "n": 2}`,
		`{"userIdentity": "Root", "records": [{"eventName": "x", "id": 1}, {"eventName": "y"}], "tags": [{"key": "k"}]}`,
		`{"userIdentity": [{"type": "Root"}], "records": {"eventName": "x"}, "n": "2"}`,
		`{}`,
	}
	var conds []*Condition
	all := &pathTrie{}
	for i, e := range exprs {
		c, err := newCondition(fmt.Sprintf("t/%d", i), "test", []byte(`{"action": "COUNT", "expression": `+quote(e)+`}`))
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		conds = append(conds, c)
		all.merge(c.reads)
	}
	for _, ds := range docs {
		d := doc(t, ds)
		whole := toJMES(d)
		merged := all.data(d)
		for _, c := range conds {
			want, wantErr := c.query.Search(whole)
			for _, data := range []any{c.reads.data(d), merged} {
				got, err := c.query.Search(data)
				if (err != nil) != (wantErr != nil) || !sameUnordered(got, want) {
					t.Errorf("%s on %s: %#v (%v), whole document gives %#v (%v)", c.Expression, ds, got, err, want, wantErr)
				}
			}
		}
	}
}

// sameUnordered compares results, a list as a multiset: the order of an
// object's values (a.*) follows Go's map order even for one input.
func sameUnordered(a, b any) bool {
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if !okA || !okB {
		return reflect.DeepEqual(a, b)
	}
	key := func(l []any) []string {
		var out []string
		for _, e := range l {
			j, _ := json.Marshal(e)
			out = append(out, string(j))
		}
		slices.Sort(out)
		return out
	}
	return reflect.DeepEqual(key(la), key(lb))
}
