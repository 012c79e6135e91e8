package decode

import (
	"errors"
	"testing"
)

// The expected records were checked against es-loader's regular
// expressions run by Python 3.11 (and 418 lines in all, random ones
// included, agree with them).
func TestCEF(t *testing.T) {
	const hdr = `"cef_version":"0","cef_device_vendor":"v","cef_device_product":"p","cef_device_version":"1","cef_device_event_class_id":"id",`
	cases := []struct {
		name, in, want string
	}{
		{
			name: "spec example",
			in:   "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232\n",
			want: `{"cef_version":"0","cef_device_vendor":"Security","cef_device_product":"threatmanager","cef_device_version":"1.0","cef_device_event_class_id":"100","cef_name":"worm successfully stopped","cef_severity":"10","src":"10.0.0.1","dst":"2.1.2.2","spt":"1232"}`,
		},
		{
			name: "syslog prefix; an escaped pipe ends es-loader's header early",
			in:   `Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1`,
			want: `{"cef_version":"0","cef_device_vendor":"Security","cef_device_product":"threatmanager","cef_device_version":"1.0","cef_device_event_class_id":"100","cef_name":"","message|10|src":"10.0.0.1","act":"blocked a \\=","dst":"1.1.1.1"}`,
		},
		{
			name: "Deep Security labels; backslashes kept",
			in:   `CEF:0|Trend Micro|Deep Security Agent|10.0|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname cn2=205 cn2Label=Quarantine File Size filePath=C:\\Users\\trend\\Desktop\\eicar.exe act=Delete msg=Realtime`,
			want: `{"cef_version":"0","cef_device_vendor":"Trend Micro","cef_device_product":"Deep Security Agent","cef_device_version":"10.0","cef_device_event_class_id":"4000000","cef_name":"Eicar_test_file","cef_severity":"6","dvchost":"hostname","filePath":"C:\\\\Users\\\\trend\\\\Desktop\\\\eicar.exe","act":"Delete","msg":"Realtime","Host ID":"1","Quarantine File Size":"205"}`,
		},
		{
			name: "space after CEF:, spaces inside values, label naming its own field",
			in:   `CEF: 1|Vendor|Product|2|sig|Name|Low|msg=hello world   x=  y z=1\=2 cs1Label=cs1 cs1=v`,
			want: `{"cef_version":"1","cef_device_vendor":"Vendor","cef_device_product":"Product","cef_device_version":"2","cef_device_event_class_id":"sig","cef_name":"Name","cef_severity":"Low","msg":"hello world  ","x":"  y","z":"1\\=2"}`,
		},
		{
			name: "no extension, extra header fields ignored",
			in:   "CEF:0|a|b|c|d|e|f|g|h|i",
			want: `{"cef_version":"0","cef_device_vendor":"a","cef_device_product":"b","cef_device_version":"c","cef_device_event_class_id":"d","cef_name":"e","cef_severity":"f"}`,
		},
		{
			name: "first CEF: without version skipped; k==v has no value",
			in:   "CEF:x|CEF:1|a|b|c|d|e|f|k==v k2=v2",
			want: `{"cef_version":"1","cef_device_vendor":"a","cef_device_product":"b","cef_device_version":"c","cef_device_event_class_id":"d","cef_name":"e","cef_severity":"f","k2":"v2"}`,
		},
		{
			name: "value cut at the last space before an unescaped '='",
			in:   `CEF:0|v|p|1|id|name|5|a=1 b c=2 d=3=4 e=\=x f=x\`,
			want: `{` + hdr + `"cef_name":"name","cef_severity":"5","a":"1 b","c":"2","3":"4","e":"\\=x","f":"x\\"}`,
		},
		{
			name: "trailing '=' drops the last word",
			in:   "   CEF:0|v|p|1|id|name|5|msg=ends with equals=",
			want: `{` + hdr + `"cef_name":"name","cef_severity":"5","msg":"ends with"}`,
		},
		{
			name: "Unicode white space separates",
			in:   "CEF:0|v|p|1|id|näme|5|ü=ö x=1\u00a0y=2 z=\u3000w",
			want: `{` + hdr + `"cef_name":"näme","cef_severity":"5","ü":"ö","x":"1","y":"2","z":"　w"}`,
		},
		{
			name: "repeated key keeps first place, last value",
			in:   "CEF:0|v|p|1|id|n|5|dup=1 dup=2 other=3",
			want: `{` + hdr + `"cef_name":"n","cef_severity":"5","dup":"2","other":"3"}`,
		},
		{
			name: "a label of a label",
			in:   "CEF:0|v|p|1|id|n|5|cs1=a cs1Label=cs1LabelLabel cs1LabelLabel=z",
			want: `{` + hdr + `"cef_name":"n","cef_severity":"5","cs1LabelLabel":"a"}`,
		},
		{
			name: "text after the last pipe is no header field",
			in:   "CEF:0|a|b|c|d|e",
			want: `{"cef_version":"0","cef_device_vendor":"a","cef_device_product":"b","cef_device_version":"c","cef_device_event_class_id":"d","cef_name":""}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := CEF(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := compactJSON(rec); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestCEFInvalid(t *testing.T) {
	for _, in := range []string{"", "no cef here", "CEF:|a|b|c|d|e|f", "CEF:0|a|b", `CEF:0|a\|b|c|d|e|f|g`} {
		rec, err := CEF(in)
		if !errors.Is(err, ErrInvalidCEF) {
			t.Errorf("%q: got %v, %v", in, rec, err)
		}
	}
}

func FuzzCEF(f *testing.F) {
	f.Add("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232")
	f.Add(`host CEF: 1|V|P|2|s|N|Low|msg=a\=b c cs1=v cs1Label=lbl x=`)
	f.Add("CEF:٣|v|p|1|id|n|5|ü=ö\u3000k==v")
	f.Add("CEF:0|||||")
	f.Fuzz(func(t *testing.T, in string) {
		rec, err := CEF(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidCEF) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, ok := rec.Get("cef_name"); !ok {
			t.Fatalf("record without cef_name: %s", compactJSON(rec))
		}
	})
}

func BenchmarkCEF(b *testing.B) {
	lines := []string{
		"Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 msg=Detected a threat. No action needed. act=blocked",
		`CEF:0|Trend Micro|Deep Security Agent|10.0|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname cn2=205 cn2Label=Quarantine File Size filePath=C:\\Users\\trend\\Desktop\\eicar.exe act=Delete msg=Realtime`,
	}
	b.SetBytes(int64(len(lines[0])+len(lines[1])) / 2)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := CEF(lines[i%2]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
