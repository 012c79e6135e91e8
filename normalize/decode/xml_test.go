package decode

import (
	"errors"
	"strings"
	"testing"
)

// Expected records checked against xmltodict 0.13 (Python 3.11).
func TestXML(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{
			name: "attributes, repeated children, stripped text",
			in:   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log level=\"warn\">\n  <msg> disk  almost full </msg>\n  <tag>a</tag>\n  <tag k=\"v\">b</tag>\n  <empty/>\n</log>",
			want: `{"log":{"@level":"warn","msg":"disk  almost full","tag":["a",{"@k":"v","#text":"b"}],"empty":null}}`,
		},
		{
			name: "mixed text joined, comments and PIs dropped",
			in:   "<a>one<b/>two<!-- c --><?pi x?> three &amp; <![CDATA[<four>]]></a>",
			want: `{"a":{"b":null,"#text":"onetwo three & <four>"}}`,
		},
		{
			name: "bare DOCTYPE",
			in:   "<!DOCTYPE r>\n<r/>",
			want: `{"r":null}`,
		},
		{
			name: "lone text root",
			in:   "  <r>x</r>",
			want: `{"r":"x"}`,
		},
		{
			name: "namespaces are plain names",
			in:   `<e:root xmlns:e="urn:x" e:id="1"><e:child>v</e:child></e:root>`,
			want: `{"e:root":{"@xmlns:e":"urn:x","@e:id":"1","e:child":"v"}}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := XML(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(rec); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
	for _, bad := range []string{"", "text", "<a>", "<a></b>", "<a x=1/>", "<a/><b/>", "<a>&foo;</a>", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "<a/><!DOCTYPE a>", "<a>\x01</a>", " <?xml version=\"1.0\"?><a/>"} {
		if _, err := XML(bad); err == nil {
			t.Errorf("%q: no error", bad)
		} else {
			var xe *XMLError
			if !errors.As(err, &xe) {
				t.Errorf("%q: %v is not an XMLError", bad, err)
			}
		}
	}
}

func TestXMLLines(t *testing.T) {
	g := NewXMLLines(func(l string) bool { return strings.HasPrefix(l, "<record") && strings.HasSuffix(l, "\n") })
	var got []XMLEvent
	collect := func(ev XMLEvent) error { got = append(got, ev); return nil }
	for _, l := range []string{"header", "<record id=\"1\">", "  <v>1</v>", "</record>", "", "<record id=\"2\"><v>2</v></record>  "} {
		if err := g.Add(l, collect); err != nil {
			t.Fatal(err)
		}
	}
	_ = g.End(collect)
	if len(got) != 2 || got[0].Raw != "<record id=\"1\">\n  <v>1</v>\n</record>" || got[1].Raw != `<record id="2"><v>2</v></record>` {
		t.Fatalf("got %+v", got)
	}
	for i, ev := range got {
		rec, err := XML(ev.Raw)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if v, _ := rec.GetString("record", "v"); v != []string{"1", "2"}[i] {
			t.Errorf("record %d: %s", i, compactJSON(rec))
		}
	}
}

func FuzzXML(f *testing.F) {
	f.Add("<a x=\"1\"><b>t</b><b/>tail</a>")
	f.Add("<?xml version=\"1.0\"?><!-- c --><r><![CDATA[x]]>&#x41;&lt;</r>")
	f.Add("<a b='&#0;'/>")
	f.Add(strings.Repeat("<a>", 5000))
	f.Fuzz(func(t *testing.T, in string) {
		rec, err := XML(in)
		if err == nil && rec.Len() != 1 {
			t.Fatalf("record with %d roots", rec.Len())
		}
	})
}

func BenchmarkXML(b *testing.B) {
	rec := `<record time="2024-06-01T00:00:00Z" host="web-1"><user id="42">alice</user><action>login</action><source ip="10.0.0.1" port="51234"/><result>success</result><tags><tag>a</tag><tag>b</tag></tags></record>`
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := XML(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
