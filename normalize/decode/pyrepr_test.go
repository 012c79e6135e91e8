package decode

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

type numpyReprCases struct {
	Arrays []struct {
		Kind   string
		Values []any
		Repr   string
	}
	ElementWords []struct {
		Words      []string
		Summarized bool
		Repr       string
	} `json:"element_words"`
}

func loadNumpyReprCases(t *testing.T) numpyReprCases {
	data, err := os.ReadFile("testdata/numpy_repr.json")
	if err != nil {
		t.Fatal(err)
	}
	var c numpyReprCases
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// arrowArrayOf builds the arrow array pyarrow would convert into a numpy
// array of the given kind.
func arrowArrayOf(t *testing.T, kind string, values []any) arrow.Array {
	mem := memory.DefaultAllocator
	switch kind {
	case "object":
		b := array.NewStringBuilder(mem)
		for _, v := range values {
			b.Append(v.(string))
		}
		return b.NewArray()
	case "int32":
		b := array.NewInt32Builder(mem)
		for _, v := range values {
			b.Append(int32(v.(float64)))
		}
		return b.NewArray()
	case "int64":
		b := array.NewInt64Builder(mem)
		for _, v := range values {
			b.Append(int64(v.(float64)))
		}
		return b.NewArray()
	case "bool":
		b := array.NewBooleanBuilder(mem)
		for _, v := range values {
			b.Append(v.(bool))
		}
		return b.NewArray()
	case "float64":
		b := array.NewFloat64Builder(mem)
		for _, v := range values {
			f, ok := v.(float64)
			if !ok {
				f = math.NaN() // null in the test data
			}
			b.Append(f)
		}
		return b.NewArray()
	case "float32":
		b := array.NewFloat32Builder(mem)
		for _, v := range values {
			b.Append(float32(v.(float64)))
		}
		return b.NewArray()
	}
	t.Fatalf("unknown kind %q", kind)
	return nil
}

// TestNumpyRepr checks the array texts against numpy's own repr.
func TestNumpyRepr(t *testing.T) {
	cases := loadNumpyReprCases(t)
	if len(cases.Arrays) == 0 || len(cases.ElementWords) == 0 {
		t.Fatal("no cases")
	}
	for i, c := range cases.Arrays {
		arr := arrowArrayOf(t, c.Kind, c.Values)
		got := string(pyConv{}.appendNumpyRepr(nil, arr, 0, arr.Len(), false))
		if got != c.Repr {
			t.Errorf("array %d (%s, %d values):\n got %q\nwant %q", i, c.Kind, arr.Len(), got, c.Repr)
		}
		arr.Release()
	}
	for i, c := range cases.ElementWords {
		got := string(appendNumpyArrayRepr(nil, c.Words, c.Summarized, "object", false))
		if got != c.Repr {
			t.Errorf("element layout %d:\n got %s\nwant %s", i, got, c.Repr)
		}
	}
}

func TestTupleRepr(t *testing.T) {
	cases := []struct {
		in   Tuple
		want string
	}{
		{Tuple{"eventType", "AwsApiCall"}, `('eventType', 'AwsApiCall')`},
		{Tuple{"it's", pyjson.Number("3")}, `("it's", 3)`},
		{Tuple{nil}, `(None,)`},
		{Tuple{}, `()`},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("got %s want %s", got, c.want)
		}
	}
	// es-loader's str() of a map column (json_to_text) goes through
	// pyjson's Repr, which reaches Tuple's String
	list := []any{Tuple{"a", "1"}, Tuple{"b", "2"}}
	if got := pyjson.Str(list); got != `[('a', '1'), ('b', '2')]` {
		t.Errorf("str of a map cell: %s", got)
	}
	if got := fmt.Sprint(Tuple{"k", "v"}); got != `('k', 'v')` {
		t.Errorf("Sprint: %s", got)
	}
}
