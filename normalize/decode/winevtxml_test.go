package decode

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// cwlMessages returns the messages of a CloudWatch Logs envelope file.
func cwlMessages(t testing.TB, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := mustJSONMap(t, data)
	events, _ := env.Get("logEvents")
	var out []string
	for _, e := range events.([]any) {
		msg, _ := e.(*pyjson.Map).GetString("message")
		out = append(out, msg)
	}
	return out
}

// TestWinEvtXMLGolden decodes every event es-loader loaded from the
// Windows event goldens (windows-event and directory-service, through
// CloudWatch Logs) and compares the record with the document's Event
// object, which es-loader copies unchanged but for its final clean-up.
func TestWinEvtXMLGolden(t *testing.T) {
	shared := sharedDir(t)
	cases, _ := filepath.Glob(filepath.Join(shared, "golden/*/*-cwl/cwl-envelope.json"))
	checked := 0
	for _, env := range cases {
		dir := filepath.Dir(env)
		if lt := filepath.Base(filepath.Dir(dir)); lt != "windows-event" && lt != "directory-service" {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			msgs := cwlMessages(t, env)
			docs := readNDJSON(t, filepath.Join(dir, "expected.ndjson"))
			if len(msgs) != len(docs) {
				t.Fatalf("%d messages, %d documents", len(msgs), len(docs))
			}
			for i, msg := range msgs {
				rec, err := WinEvtXML(msg)
				if err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				src, _ := docs[i].Get("_source")
				want, _ := src.(*pyjson.Map).Get("Event")
				got, _ := delNone(rec).Get("Event")
				if compactJSON(got) != compactJSON(want) {
					t.Errorf("event %d:\n got %s\nwant %s", i, compactJSON(got), compactJSON(want))
				}
				if m, _ := src.(*pyjson.Map).GetString("@message"); m != msg {
					t.Errorf("event %d: @message differs from the CWL message", i)
				}
				checked++
			}
		})
	}
	if checked != 173 {
		t.Errorf("checked %d events, want the 173 of the goldens", checked)
	}
}

// TestWinEvtXMLLinesSamples cuts the raw sample objects into events: the
// same events the CWL goldens carry, one message each.
func TestWinEvtXMLLinesSamples(t *testing.T) {
	shared := sharedDir(t)
	for _, c := range []struct {
		sample, envelope string
	}{
		{"samples/windows-event/AWSLogs/123456789012/EC2/Windows/Event/Security/i-0123456789abcdef0/2016/07/08/security-cffdf75f.xml", "golden/windows-event/python-evtx-security-cwl/cwl-envelope.json"},
		{"samples/windows-event/AWSLogs/123456789012/EC2/Windows/Event/System/i-0123456789abcdef0/2012/03/14/system-527688e1.xml", "golden/windows-event/python-evtx-system-cwl/cwl-envelope.json"},
	} {
		data, err := os.ReadFile(filepath.Join(shared, c.sample))
		if err != nil {
			t.Fatal(err)
		}
		var got []XMLEvent
		g := &WinEvtXMLLines{}
		collect := func(ev XMLEvent) error { got = append(got, ev); return nil }
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if err := g.Add(line, collect); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.End(collect); err != nil {
			t.Fatal(err)
		}
		want := cwlMessages(t, filepath.Join(shared, c.envelope))
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", c.sample, len(got), len(want))
		}
		for i := range got {
			if got[i].Unclosed || got[i].Raw != want[i]+"\n" {
				t.Errorf("%s event %d: %+v", c.sample, i, got[i])
			}
		}
	}
}

// TestWinEvtXMLFSx reads the FSx audit sample (pretty-printed events over
// several lines, single quotes, a malformed end tag), which es-loader
// loses whole.
func TestWinEvtXMLFSx(t *testing.T) {
	shared := sharedDir(t)
	path := filepath.Join(shared, "samples/fsx-win/AWSLogs/123456789012/FSx/aws-fsx-fs-0123456789abcdef0/2021/06/03/aws-fsx-audit-9d1f4707.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []XMLEvent
	g := &WinEvtXMLLines{}
	collect := func(ev XMLEvent) error { events = append(events, ev); return nil }
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		_ = g.Add(line, collect)
	}
	_ = g.End(collect)
	if len(events) != 8 {
		t.Fatalf("%d events, want 8", len(events))
	}
	var recs []*pyjson.Map
	for i, ev := range events {
		rec, err := WinEvtXML(ev.Raw)
		if i == 2 {
			// <EventID>4663< /EventID>: not XML, even without controls
			var xe *XMLError
			if !errors.As(err, &xe) {
				t.Fatalf("event 3: want an XML error, got %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		recs = append(recs, rec)
	}
	first := recs[0]
	if s, _ := first.GetString("Event", "System", "EventID"); s != "4660" {
		t.Errorf("EventID %q", s)
	}
	if s, _ := first.GetString("Event", "xmlns"); s != "http://schemas.microsoft.com/win/2004/08/events/event" {
		t.Errorf("xmlns %q", s)
	}
	if _, ok := first.GetPath("Event", "System", textKey); ok {
		t.Error("System keeps its line breaks as #text")
	}
	if _, ok := first.GetPath("Event", "EventData", textKey); ok {
		t.Error("EventData keeps its line breaks as #text")
	}
	if v, _ := first.GetPath("Event", "System", "Correlation"); v != nil {
		t.Errorf("empty <Correlation/> is %v, want None", v)
	}
	if _, ok := first.GetPath("Event", "EventData", "Data", "ProcessName"); ok {
		t.Error("empty Data element kept")
	}
	second := recs[1]
	access, _ := second.GetPath("Event", "EventData", "Data", "AccessList")
	if compactJSON(access) != `["%%1537","%%4423"]` {
		t.Errorf("AccessList %s", compactJSON(access))
	}
	if _, ok := second.GetPath("Event", "EventData", "Data", "PrivilegeList"); ok {
		t.Error(`PrivilegeList "-" kept`)
	}
	if s, _ := second.GetString("Event", "System", "TimeCreated", "SystemTime"); s != "2021-0603T19:18:09.951551200Z" {
		t.Errorf("SystemTime %q", s)
	}
}

func TestWinEvtXMLCases(t *testing.T) {
	const ns = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`
	cases := []struct {
		name, in, want string
		err            bool
	}{
		{
			name: "qualifiers move to System",
			in:   ns + `<System><EventID Qualifiers="16384">7036</EventID><Channel>System</Channel></System><EventData><Data Name="param1">x</Data><Data Name="param2">-</Data><Binary>AA==</Binary></EventData></Event>`,
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"7036","Channel":"System","Qualifiers":"16384"},"EventData":{"Data":{"param1":"x"},"Binary":"AA=="}}}`,
		},
		{
			name: "unnamed data by position, a lone one as 0",
			in:   ns + `<System><EventID>1</EventID></System><EventData><Data>a</Data><Data></Data><Data>c</Data></EventData></Event>`,
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"1"},"EventData":{"Data":{"1":"a","3":"c"}}}}`,
		},
		{
			name: "lone unnamed data",
			in:   ns + `<System><EventID>1</EventID></System><EventData><Data>only</Data></EventData></Event>`,
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"1"},"EventData":{"Data":{"0":"only"}}}}`,
		},
		{
			name: "privileges split, entities and CDATA resolved",
			in:   ns + "<System><EventID>4672</EventID></System><EventData><Data Name='PrivilegeList'>SeA\n\t\tSeB &amp; <![CDATA[<SeC>]]></Data></EventData></Event>",
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"4672"},"EventData":{"Data":{"PrivilegeList":["SeA","SeB","&","<SeC>"]}}}}`,
		},
		{
			name: "no EventID: lists are not split",
			in:   ns + `<System><Channel>x</Channel></System><EventData><Data Name="AccessList">a b</Data></EventData></Event>`,
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"Channel":"x"},"EventData":{"Data":{"AccessList":"a b"}}}}`,
		},
		{
			name: "repeated elements become a list, #text kept elsewhere",
			in:   ns + "<System><EventID>1</EventID></System><UserData>\n<X a=\"1\">t</X><X>u</X></UserData></Event>",
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"1"},"UserData":{"X":[{"a":"1","#text":"t"},"u"],"#text":"\n"}}}`,
		},
		{
			name: "control character: parsed again without controls",
			in:   ns + "<System><EventID>1</EventID></System><EventData><Data Name=\"a\">x\x01y\tz</Data></EventData></Event>\x00",
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"1"},"EventData":{"Data":{"a":"xyz"}}}}`,
		},
		{
			name: "attribute white space normalised",
			in:   ns + "<System><EventID>1</EventID><Computer a=\"x\ty\">h</Computer></System></Event>",
			want: `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"EventID":"1","Computer":{"a":"x y","#text":"h"}}}}`,
		},
		{name: "malformed end tag", in: ns + `<System><EventID>1< /EventID></System></Event>`, err: true},
		{name: "not closed", in: ns + `<System><EventID>1</EventID></System>`, err: true},
		{name: "no System", in: ns + `<EventData/></Event>`, err: true},
		{name: "other root", in: `<Foo><System/></Foo>`, err: true},
		{name: "EventID without text", in: ns + `<System><EventID Qualifiers="1"/></System></Event>`, err: true},
		{name: "undefined entity", in: ns + `<System><EventID>&nbsp;</EventID></System></Event>`, err: true},
		{name: "junk after", in: ns + `<System><EventID>1</EventID></System></Event><Event/>`, err: true},
		{name: "empty", in: "", err: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := WinEvtXML(c.in)
			if c.err {
				if err == nil {
					t.Fatalf("no error; got %s", compactJSON(rec))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(rec); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestWinEvtXMLLinesGrouping(t *testing.T) {
	lines := []string{
		"junk before",
		`<Event xmlns="x"><System><EventID>1</EventID></System></Event>`,
		`<Event xmlns="x"><System>`,
		`<EventID>2</EventID></System>`,
		`<Event xmlns="x"><System><EventID>3</EventID></System>`,
		`</Event>  `,
		"between",
		`<Event xmlns="x"><System>`,
	}
	var got []XMLEvent
	g := &WinEvtXMLLines{}
	collect := func(ev XMLEvent) error { got = append(got, ev); return nil }
	for _, l := range lines {
		if err := g.Add(l, collect); err != nil {
			t.Fatal(err)
		}
	}
	_ = g.End(collect)
	want := []XMLEvent{
		{Raw: lines[1] + "\n"},
		{Raw: lines[2] + "\n" + lines[3] + "\n", Unclosed: true},
		{Raw: lines[4] + "\n" + lines[5] + "\n"},
		{Raw: lines[7] + "\n", Unclosed: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v want %+v", i, got[i], want[i])
		}
	}
	big := &WinEvtXMLLines{MaxBytes: 40}
	got = nil
	_ = big.Add(`<Event xmlns="x"><System><EventID>1</EventID>`, collect)
	_ = big.Add(`</System></Event>`, collect)
	if len(got) != 1 || !got[0].TooLarge {
		t.Errorf("over MaxBytes: %+v", got)
	}
}

func FuzzWinEvtXML(f *testing.F) {
	f.Add(`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID Qualifiers="">4624</EventID></System><EventData><Data Name="AccessList">a b</Data><Data>x</Data></EventData></Event>`)
	f.Add("<Event xmlns='x'><System>\n<EventID>1</EventID></System><EventData>\n<Data Name='PrivilegeList'>-</Data></EventData></Event>")
	f.Add(`<Event xmlns="x"><System><EventID>1< /EventID></System></Event>`)
	f.Add("<?xml version=\"1.0\"?><!-- c --><Event><System><![CDATA[x]]>&#x41;&lt;</System></Event>")
	f.Add("<Event xmlns=\"x\"><System a='1' a='2'/></Event>")
	f.Add("\x00<Event/>")
	f.Fuzz(func(t *testing.T, in string) {
		rec, err := WinEvtXML(in)
		if err == nil && rec == nil {
			t.Fatal("no record and no error")
		}
		if err == nil {
			_ = pyjson.AppendDumps(nil, rec, false)
		}
	})
}

func BenchmarkWinEvtXML(b *testing.B) {
	shared := sharedDir(b)
	msgs := cwlMessages(b, filepath.Join(shared, "golden/windows-event/python-evtx-security-cwl/cwl-envelope.json"))
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	b.SetBytes(int64(size / len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := WinEvtXML(msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
