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
