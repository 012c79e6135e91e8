package normalize

import (
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// json_to_text grouped by top-level field must change a document exactly
// as the path-by-path form does, whatever the paths' overlaps.
func TestJSONToTextGroupedMatchesPlain(t *testing.T) {
	docs := []string{
		`{"requestParameters":{"filter":{"a":1},"tags":[{"k":"v"}],"note":"{x}","n":5,"empty":{}},"responseElements":null,"other":"x"}`,
		`{"requestParameters":"already text","responseElements":{"role":{"arn":"a"},"data":[1,2]}}`,
		`{"requestParameters":{"filter":{"inner":{"deep":true}}},"additionalEventData":{"requestParameters":{"x":1}}}`,
		`{"serviceEventDetails":{"eventRequestDetails":"{\"a\":1}"}}`,
		`{}`,
	}
	pathSets := [][][]string{
		{{"requestParameters", "filter"}, {"requestParameters", "tags"}, {"requestParameters", "note"}, {"requestParameters", "n"}, {"requestParameters", "empty"},
			{"responseElements", "role"}, {"responseElements", "data"}, {"additionalEventData", "requestParameters"}, {"serviceEventDetails", "eventRequestDetails"}},
		// a path that is the field itself, before and after deeper ones
		{{"requestParameters", "filter", "inner"}, {"requestParameters"}, {"requestParameters", "filter"}},
		{{"requestParameters"}, {"requestParameters", "filter"}},
		// list and character indexes
		{{"requestParameters", "tags", "0"}, {"requestParameters", "note", "1"}},
	}
	for _, doc := range docs {
		for _, paths := range pathSets {
			a, err := pyjson.Unmarshal([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := pyjson.Unmarshal([]byte(doc))
			jsonToText(a.(*pyjson.Map), paths)
			jsonToTextGrouped(b.(*pyjson.Map), groupTextPaths(paths))
			ga, gb := string(pyjson.AppendJSON(nil, a)), string(pyjson.AppendJSON(nil, b))
			if ga != gb {
				t.Errorf("%s %v:\nplain   %s\ngrouped %s", doc, paths, ga, gb)
			}
		}
	}
}

// AppendJSONClean must write what delNone followed by AppendJSON writes.
func TestAppendJSONCleanMatchesDelNone(t *testing.T) {
	for _, doc := range cleanSeeds {
		checkClean(t, doc)
	}
}

var cleanSeeds = []string{
	`{}`,
	`{"a":null,"b":"","c":"-","d":"null","e":"[]","f":"x","g":0,"h":false,"i":[],"j":[""],"k":["",""],"l":{}}`,
	`{"a":{"b":{"c":null}},"d":{"e":{"f":"-"},"g":1},"h":[{"x":null},{"y":"v"},[{"z":null}],null,""]}`,
	`{"@message":"raw","event":{"module":"m","outcome":""},"related":{"ip":["1.2.3.4"]},"deep":[[{"a":""}]]}`,
}

func checkClean(t *testing.T, doc string) {
	t.Helper()
	a, err := pyjson.Unmarshal([]byte(doc))
	if err != nil {
		return
	}
	m, ok := a.(*pyjson.Map)
	if !ok {
		return
	}
	got := string(pyjson.AppendJSONClean(nil, m))
	b, _ := pyjson.Unmarshal([]byte(doc))
	delNone(b.(*pyjson.Map))
	if want := string(pyjson.AppendJSON(nil, b)); got != want {
		t.Fatalf("%s:\nclean    %s\ndelNone  %s", doc, got, want)
	}
}

func FuzzAppendJSONClean(f *testing.F) {
	for _, s := range cleanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) { checkClean(t, doc) })
}
