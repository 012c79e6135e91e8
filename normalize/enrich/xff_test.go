package enrich

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func TestClientIPFromXFF(t *testing.T) {
	tp, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.10", " 2001:db8:1::/48 "})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		source string
		xff    []string
		want   string
	}{
		// the connecting address is no proxy: X-Forwarded-For may be forged
		{"198.51.100.7", []string{"203.0.113.9"}, "198.51.100.7"},
		// through one trusted proxy
		{"10.1.2.3", []string{"203.0.113.9"}, "203.0.113.9"},
		// the last untrusted entry: the client may prepend anything
		{"10.1.2.3", []string{"1.1.1.1", "203.0.113.9", "10.9.9.9", "192.0.2.10"}, "203.0.113.9"},
		// every hop trusted: no client
		{"10.1.2.3", []string{"10.0.0.1", "192.0.2.10"}, ""},
		// not addresses are passed over, spaces around entries ignored
		{"10.1.2.3", []string{"203.0.113.9", "unknown", " 10.0.0.7 "}, "203.0.113.9"},
		{"2001:db8:1::5", []string{"2001:db8:2::9"}, "2001:db8:2::9"},
		// an IPv4-mapped address is IPv6 to Python and so not in 10.0.0.0/8
		{"::ffff:10.1.2.3", []string{"203.0.113.9"}, "::ffff:10.1.2.3"},
		{"not-an-ip", []string{"203.0.113.9"}, "not-an-ip"},
	} {
		if got := tp.ClientIP(c.source, c.xff); got != c.want {
			t.Errorf("ClientIP(%s, %v) = %q, want %q", c.source, c.xff, got, c.want)
		}
	}
}

func TestXFFEnrich(t *testing.T) {
	tp, err := ParseTrustedProxies([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{"source.ip", "http.request.header.x_forwarded_for"}
	for _, c := range []struct{ in, want string }{
		// the list the nginx/apache transforms make
		{`{"source": {"ip": "10.0.0.5", "port": 80}, "http": {"request": {"header": {"x_forwarded_for": ["198.51.100.1", "203.0.113.9"]}}}}`,
			`{"source":{"ip":"203.0.113.9","port":80},"http":{"request":{"header":{"x_forwarded_for":["198.51.100.1","203.0.113.9"]}}}}`},
		// the raw header text
		{`{"source": {"ip": "10.0.0.5"}, "http": {"request": {"header": {"x_forwarded_for": "198.51.100.1, 203.0.113.9, 10.2.2.2"}}}}`,
			`{"source":{"ip":"203.0.113.9"},"http":{"request":{"header":{"x_forwarded_for":"198.51.100.1, 203.0.113.9, 10.2.2.2"}}}}`},
		// untrusted source, empty header, no source: unchanged
		{`{"source": {"ip": "198.51.100.2"}, "http": {"request": {"header": {"x_forwarded_for": ["203.0.113.9"]}}}}`, ""},
		{`{"source": {"ip": "10.0.0.5"}, "http": {"request": {"header": {"x_forwarded_for": []}}}}`, ""},
		{`{"http": {"request": {"header": {"x_forwarded_for": ["203.0.113.9"]}}}}`, ""},
		{`{"source": {"ip": ["10.0.0.5"]}, "http": {"request": {"header": {"x_forwarded_for": ["203.0.113.9"]}}}}`, ""},
	} {
		doc := mustDoc(t, c.in)
		before := string(pyjson.AppendJSON(nil, doc))
		tp.Enrich(doc, fields)
		want := c.want
		if want == "" {
			want = before
		}
		if got := string(pyjson.AppendJSON(nil, doc)); got != want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, want)
		}
	}
	// no trusted proxies: es-loader without its database does nothing
	var none *TrustedProxies
	doc := mustDoc(t, `{"source": {"ip": "10.0.0.5"}, "http": {"request": {"header": {"x_forwarded_for": ["203.0.113.9"]}}}}`)
	none.Enrich(doc, fields)
	if ip, _ := doc.GetString("source", "ip"); ip != "10.0.0.5" {
		t.Errorf("without proxies: %s", ip)
	}
	empty, _ := ParseTrustedProxies(nil)
	empty.Enrich(doc, fields)
	if ip, _ := doc.GetString("source", "ip"); ip != "10.0.0.5" {
		t.Errorf("with an empty list: %s", ip)
	}
}

func TestTrustedProxiesErrors(t *testing.T) {
	_, err := ParseTrustedProxies([]string{"10.0.0.0/8", "10.1.2.3/8", "proxy.example.com"})
	if err == nil || !strings.Contains(err.Error(), "10.1.2.3/8") || !strings.Contains(err.Error(), "proxy.example.com") {
		t.Errorf("bad entries must be named: %v", err)
	}
	path := filepath.Join(t.TempDir(), "proxies.txt")
	os.WriteFile(path, []byte("# load balancers\n10.0.0.0/8\n\n172.16.0.0/12\nbad\n"), 0o644)
	if _, err := LoadTrustedProxiesFile(path); err == nil || !strings.Contains(err.Error(), path+":5:") {
		t.Errorf("a bad line must be named with file and line: %v", err)
	}
	os.WriteFile(path, []byte("# load balancers\n10.0.0.0/8\n2001:db8::/32\n"), 0o644)
	tp, err := LoadTrustedProxiesFile(path)
	if err != nil || tp.Len() != 2 || !tp.Trusted("2001:db8::1") || tp.Trusted("11.0.0.1") {
		t.Errorf("file: %v %v", err, tp.Len())
	}
}

func FuzzClientIP(f *testing.F) {
	tp, _ := ParseTrustedProxies([]string{"10.0.0.0/8", "2001:db8::/32"})
	f.Add("10.0.0.1", "198.51.100.1, 10.0.0.2")
	f.Add("2001:db8::1", "unknown,2001:db9::1")
	f.Add("", ",,,")
	f.Fuzz(func(t *testing.T, source, header string) {
		got := tp.ClientIP(source, strings.Split(header, ","))
		if got != "" && got != source && !strings.Contains(header, got) {
			t.Fatalf("client %q is neither the source nor in the header", got)
		}
		if got != source && got != "" && tp.Trusted(got) {
			t.Fatalf("a trusted proxy %q was taken for the client", got)
		}
	})
}
