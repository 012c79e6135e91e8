package logtypes

import (
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// Table tests of the transforms added with issue 3 (RDS, MSK, web error
// logs, ElastiCache, Client VPN, OpenSearch audit, OCSF, CloudHSM, Config,
// Inspector, Trusted Advisor, CloudFront real-time).

// tcase is one transform test: the document as the generic ECS step leaves
// it (trimmed to the fields that matter) and the whole document after the
// transform. Unless a comment says otherwise, want, suffix, index and
// indexTime are what es-loader's sf_<type>.transform gives for the same
// input (Python 3.11, PYTHONHASHSEED=0), so key order is checked too.
// Where es-loader raises, a comment says so and want is what this
// transform does instead.
type tcase struct {
	name      string
	in        string
	want      string
	suffix    string // IDSuffix ("" = none)
	index     string // IndexName ("" = the section's)
	indexTime string // *IndexTime as Python isoformat ("" = none)
	wantErr   bool
}

func runTransformCases(t *testing.T, tr Transform, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Record{Doc: testDoc(t, tc.in)}
			before := testJSON(r.Doc)
			err := tr(r)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error; doc %s", testJSON(r.Doc))
				}
				if after := testJSON(r.Doc); after != before || r.IndexName != "" || r.HasIDSuffix || r.IndexTime != nil {
					t.Fatalf("failed transform changed the record:\n got %s\nwant %s", after, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got, want := testJSON(r.Doc), testJSON(testDoc(t, tc.want)); got != want {
				t.Errorf("doc\n got %s\nwant %s", got, want)
			}
			if r.HasIDSuffix != (tc.suffix != "") || r.IDSuffix != tc.suffix {
				t.Errorf("id suffix = %v %q, want %q", r.HasIDSuffix, r.IDSuffix, tc.suffix)
			}
			if r.IndexName != tc.index {
				t.Errorf("index name = %q, want %q", r.IndexName, tc.index)
			}
			gotTime := ""
			if r.IndexTime != nil {
				gotTime = pytime.Isoformat(*r.IndexTime)
			}
			if gotTime != tc.indexTime {
				t.Errorf("index time = %q, want %q", gotTime, tc.indexTime)
			}
		})
	}
}

// oddValues are what a field may hold instead of what a transform expects.
var oddValues = []func() any{
	func() any { return nil },
	func() any { return "" },
	func() any { return "NA" },
	func() any { return "a:b/c.d" },
	func() any { return pyjson.Number("7") },
	func() any { return pyjson.Number("1.5e300") },
	func() any { return true },
	func() any { return []any{} },
	func() any { return []any{pyjson.Number("1"), nil, "x"} },
	func() any { return []any{pyjson.NewMap(0)} },
	func() any { return pyjson.NewMap(0) },
}

// checkOddValues replaces every value of a realistic document, one at a
// time and at every depth, by values of other types, and checks that the
// transform neither panics nor changes a document it reports an error for.
func checkOddValues(t *testing.T, tr Transform, doc string) {
	t.Helper()
	base := testDoc(t, doc)
	var paths [][]string
	var walk func(m *pyjson.Map, prefix []string)
	walk = func(m *pyjson.Map, prefix []string) {
		for _, k := range m.Keys() {
			p := append(append([]string(nil), prefix...), k)
			paths = append(paths, p)
			if v, _ := m.Get(k); v != nil {
				if c, ok := v.(*pyjson.Map); ok {
					walk(c, p)
				}
			}
		}
	}
	walk(base, nil)
	for _, p := range paths {
		for _, mk := range oddValues {
			d := pyjson.Clone(base).(*pyjson.Map)
			d.SetPath(mk(), p...)
			before := testJSON(d)
			r := &Record{Doc: d}
			func() {
				defer func() {
					if e := recover(); e != nil {
						t.Fatalf("%v = %s: panic %v", p, testJSON(mk()), e)
					}
				}()
				if err := tr(r); err != nil {
					if after := testJSON(d); after != before || r.HasIDSuffix || r.IndexName != "" {
						t.Fatalf("%v = %s: error %v changed the document:\n%s\n%s", p, testJSON(mk()), err, before, after)
					}
				}
			}()
		}
	}
}
