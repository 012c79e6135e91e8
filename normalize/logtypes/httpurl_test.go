package logtypes

import (
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// hxCanon re-renders JSON text so that it compares with testJSON output.
func hxCanon(t testing.TB, js string) string {
	t.Helper()
	return testJSON(testDoc(t, js))
}

// hxMaps renders httpURL as es-loader's (http, url) dicts.
func hxMaps(u httpURL) (*pyjson.Map, *pyjson.Map) {
	h := pyjson.NewMap(2)
	if u.has&huVersion != 0 {
		h.Set("version", u.version)
	}
	if u.has&huMethod != 0 {
		h.Child("request").Set("method", u.method)
	}
	url := pyjson.NewMap(4)
	writeURL(url, &u)
	return h, url
}

func TestParseHTTPRequest(t *testing.T) {
	// expected values: es-loader's extract_url_http_fields_from_http_request
	// run on the same arguments ("" = None), json.dumps'ed
	tests := []struct {
		name, method, path, version, raw string
		http, url                        string
	}{
		{"origin-form", "GET", "/index.html", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/index.html","path":"/index.html","extension":"html"}`},
		{"query", "GET", "/a/b?x=1&y=2", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a/b?x=1&y=2","path":"/a/b","query":"x=1&y=2"}`},
		{"absolute with port", "GET", "http://example.com:8080/a/b.php?q=1", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"http://example.com:8080/a/b.php?q=1","domain":"example.com","port":"8080","path":"/a/b.php","query":"q=1","extension":"php"}`},
		{"absolute https root", "GET", "https://example.com/", "2.0", "", `{"version":"2.0","request":{"method":"GET"}}`, `{"original":"https://example.com/","domain":"example.com","path":"/"}`},
		{"absolute without path keeps es-loader quirk", "GET", "http://example.com", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"http://example.com","domain":"example.com","path":"/example.com","extension":"com"}`},
		{"absolute IPv6 host", "GET", "http://[::1]:8080/x", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"http://[::1]:8080/x","path":"/x"}`},
		{"absolute empty authority", "GET", "http:///x", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"http:///x","domain":"","path":"/x"}`},
		{"uppercase scheme is not absolute", "GET", "HTTP://example.com/x", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"HTTP://example.com/x","path":"HTTP://example.com/x"}`},
		{"CONNECT host:port", "CONNECT", "example.com:443", "1.1", "", `{"version":"1.1","request":{"method":"CONNECT"}}`, `{"original":"example.com:443","domain":"example.com","port":"443","path":""}`},
		{"connect lower case", "connect", "example.com:443", "1.1", "", `{"version":"1.1","request":{"method":"connect"}}`, `{"original":"example.com:443","domain":"example.com","port":"443","path":""}`},
		{"CONNECT without port", "CONNECT", "example.com", "1.1", "", `{"version":"1.1","request":{"method":"CONNECT"}}`, `{"original":"example.com","path":"example.com","extension":"com"}`},
		{"CONNECT IPv6", "CONNECT", "[::1]:443", "1.1", "", `{"version":"1.1","request":{"method":"CONNECT"}}`, `{"original":"[::1]:443","path":"[::1]:443"}`},
		{"host:port without CONNECT", "GET", "example.com:443", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"example.com:443","path":"example.com:443","extension":"com:443"}`},
		{"double encoded", "GET", "/p%2541th", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/p%2541th","path":"/pAth"}`},
		{"encoded query mark splits", "GET", "/a%20b%3Fc", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a%20b%3Fc","path":"/a b","query":"c"}`},
		{"encoded hash", "GET", "/a%23frag", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a%23frag","fragment":"frag","path":"/a"}`},
		{"invalid percent sequences", "GET", "/a%zzb%", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a%zzb%","path":"/a%zzb%"}`},
		{"percent at end", "GET", "/a%4", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a%4","path":"/a%4"}`},
		{"not UTF-8 stays encoded", "GET", "/%ff%fe", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/%ff%fe","path":"/%ff%fe"}`},
		{"second decoding not UTF-8", "GET", "/%25ff", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/%25ff","path":"/%ff"}`},
		{"UTF-8 encoded", "GET", "/caf%C3%A9.html", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/caf%C3%A9.html","path":"/café.html","extension":"html"}`},
		{"mixed case hex", "GET", "/%c3%A9", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/%c3%A9","path":"/é"}`},
		{"triple encoded decodes twice", "GET", "/%252541", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/%252541","path":"/%41"}`},
		{"non-ASCII literal next to escapes", "GET", "/é%20ü", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/é%20ü","path":"/é ü"}`},
		{"fragment", "GET", "/page#section", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/page#section","fragment":"section","path":"/page"}`},
		{"fragment with space is not one", "GET", "/page#a b", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/page#a b","path":"/page#a b"}`},
		{"fragment with underscore is not one", "GET", "/page#a_b", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/page#a_b","path":"/page#a_b"}`},
		{"two hashes", "GET", "/page#x#y", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/page#x#y","path":"/page#x#y"}`},
		{"query then fragment", "GET", "/page?x=1#frag", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/page?x=1#frag","fragment":"frag","path":"/page","query":"x=1"}`},
		{"dot in directory only", "GET", "/dir.d/file", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/dir.d/file","path":"/dir.d/file"}`},
		{"last extension", "GET", "/file.tar.gz", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/file.tar.gz","path":"/file.tar.gz","extension":"gz"}`},
		{"empty extension", "GET", "/file.", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/file.","path":"/file.","extension":""}`},
		{"backslash in extension", "GET", "/a\\b.c\\d", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"original":"/a\\b.c\\d","path":"/a\\b.c\\d"}`},
		{"raw request", "", "", "", "GARBAGE REQUEST", `{}`, `{"original":"GARBAGE REQUEST","path":""}`},
		{"nothing", "", "", "", "", `{}`, `{"path":""}`},
		{"asterisk", "OPTIONS", "*", "1.1", "", `{"version":"1.1","request":{"method":"OPTIONS"}}`, `{"original":"*","path":"*"}`},
		{"empty path", "GET", "", "1.1", "", `{"version":"1.1","request":{"method":"GET"}}`, `{"path":""}`},
		{"no version", "GET", "/x", "", "", `{"request":{"method":"GET"}}`, `{"path":"/x"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, u := hxMaps(parseHTTPRequest(tc.method, tc.path, tc.version, tc.raw))
			if got, want := testJSON(h), hxCanon(t, tc.http); got != want {
				t.Errorf("http = %s, want %s", got, want)
			}
			if got, want := testJSON(u), hxCanon(t, tc.url); got != want {
				t.Errorf("url = %s, want %s", got, want)
			}
		})
	}
}

func TestPyUnquote(t *testing.T) {
	// expected: urllib.parse.unquote(s, errors='strict') (ok false when it
	// raises) and urllib.parse.unquote(s) (errors='replace')
	tests := []struct {
		in       string
		strict   string
		strictOK bool
		replace  string
	}{
		{"plain", "plain", true, "plain"},
		{"%41%42", "AB", true, "AB"},
		{"%4", "%4", true, "%4"},
		{"%", "%", true, "%"},
		{"%%41", "%A", true, "%A"},
		{"%zz", "%zz", true, "%zz"},
		{"%e2%82%ac", "€", true, "€"},
		{"%E2%82", "", false, "�"},
		{"%E2%82x", "", false, "�x"},
		{"%ff", "", false, "�"},
		{"a%C3é%A9", "", false, "a�é�"},
		{"%ED%A0%80", "", false, "���"},
		{"%F0%9F%98%80", "😀", true, "😀"},
		{"é%41ü", "éAü", true, "éAü"},
		{"%C3%A9%e2%82%ac", "é€", true, "é€"},
		{"%80abc", "", false, "�abc"},
		{"%F4%90%80%80", "", false, "����"},
		{"%E0%80%AF", "", false, "���"},
		{"+%2B", "++", true, "++"},
		{"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", true, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
	}
	for _, tc := range tests {
		got, ok := pyUnquote(tc.in, true)
		if ok != tc.strictOK || (ok && got != tc.strict) {
			t.Errorf("strict %q = %q, %v; want %q, %v", tc.in, got, ok, tc.strict, tc.strictOK)
		}
		got, ok = pyUnquote(tc.in, false)
		if !ok || got != tc.replace {
			t.Errorf("replace %q = %q, %v; want %q", tc.in, got, ok, tc.replace)
		}
	}
}

func TestParseXFF(t *testing.T) {
	// expected: utils.parse_xff
	tests := []struct {
		in   string
		want []string
	}{
		{"1.2.3.4", []string{"1.2.3.4"}},
		{" 10.0.0.2, 10.0.0.1 ,127.0.0.1 ", []string{"10.0.0.2", "10.0.0.1", "127.0.0.1"}},
		{"2a03::1, bad, 10.0.0.1", []string{"2a03::1", "10.0.0.1"}},
		{"", nil},
		{",,", nil},
		{"unknown", nil},
		{"1.2.3.4\u001c", []string{"1.2.3.4"}},
		{"\u30001.2.3.4", []string{"1.2.3.4"}},
		{"010.1.1.1", nil},
		{"fe80::1%eth0", []string{"fe80::1%eth0"}},
		{"1.2.3.4, 1.2.3.4", []string{"1.2.3.4", "1.2.3.4"}},
		{"::ffff:1.2.3.4", []string{"::ffff:1.2.3.4"}},
		{"fe80::1%eth0%x, fe80::1%eth0 x", []string{"fe80::1%eth0 x"}},
		{"fe80::1%, 1.2.3.4%x", nil},
	}
	for _, tc := range tests {
		got := parseXFF(tc.in)
		want := make([]any, len(tc.want))
		for i, s := range tc.want {
			want[i] = s
		}
		if testJSON(got) != testJSON(want) {
			t.Errorf("parseXFF(%q) = %s, want %s", tc.in, testJSON(got), testJSON(want))
		}
	}
}

func TestSortedUniqueStrings(t *testing.T) {
	got := SortedUniqueStrings([]string{"10.0.0.2", "10.0.0.1", "10.0.0.2", "::1", "1.2.3.4"})
	if want := `["1.2.3.4","10.0.0.1","10.0.0.2","::1"]`; testJSON(got) != want {
		t.Errorf("got %s, want %s", testJSON(got), want)
	}
}

func TestInstanceIDInText(t *testing.T) {
	// expected: utils.extract_aws_instanceid_from_text ("" = None)
	tests := []struct{ in, want string }{
		{"i-0123456789abcdef0", "i-0123456789abcdef0"},
		{"i-01234567", "i-01234567"},
		{"i-0123456789", ""},
		{"x/i-01234567/y", "i-01234567"},
		{"xi-01234567", ""},
		{"_i-01234567_", "i-01234567"},
		{"i-0123456789abcdef0123", ""},
		{"éi-01234567", ""},
		{"-i-01234567.log", "i-01234567"},
		{"i-0123456A", ""},
		{"i-01234567é", ""},
		{"stream i-abc i-01234567", "i-01234567"},
		{"", ""},
		{"i-0123456789abcdef", ""},
		{"i-0123456789abcdefg", "i-0123456789abcdefg"},
		{"ab i-0123456789abcdef0X i-87654321", "i-87654321"},
	}
	for _, tc := range tests {
		if got := instanceIDInText(tc.in); got != tc.want {
			t.Errorf("instanceIDInText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHasNonFragmentChar(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"abc", false}, {"a b", true}, {"a\u3000b", true}, {"a\u001fb", true},
		{"a_b", true}, {"x;y", true}, {"é", false}, {"", false}, {"a{b}", true},
	}
	for _, tc := range tests {
		if got := hasNonFragmentChar(tc.in); got != tc.want {
			t.Errorf("hasNonFragmentChar(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPyRegexp(t *testing.T) {
	re := pyRegexp(`^(\S+)\s(\d+)[\]x]`)
	if m := re.FindStringSubmatch("ab\u00a0١٢]"); m == nil || m[1] != "ab" || m[2] != "١٢" {
		t.Errorf("Unicode \\s, \\S, \\d: got %q", m)
	}
	if re.MatchString("ab\u00a012y") {
		t.Error("class with a leading ']' lost its meaning")
	}
	if !pyRegexp(`^[\s]$`).MatchString("\u3000") {
		t.Error("\\s inside a class keeps its Unicode meaning")
	}
}

func TestPyIntString(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"404", 404, true}, {" 200\n", 200, true}, {"-1", -1, true}, {"+3", 3, true},
		{"1_000", 1000, true}, {"1__0", 0, false}, {"_1", 0, false}, {"1_", 0, false},
		{"", 0, false}, {"-", 0, false}, {"4o4", 0, false}, {"1.0", 0, false},
		{"99999999999999999999999", 1 << 59, true},
	}
	for _, tc := range tests {
		got, ok := pyIntString(tc.in)
		if ok != tc.ok || (ok && (got < 400) != (tc.want < 400)) || (ok && tc.want < 1<<59 && got != tc.want) {
			t.Errorf("pyIntString(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func BenchmarkParseHTTPRequest(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = parseHTTPRequest("GET", "/static/js/app.%2536f6494d3.chunk.js?v=1#top", "1.1", "")
	}
}

// hxCase is one transform test: the document the engine hands the
// transform, and the document (and index override) expected after it.
type hxCase struct {
	name    string
	in      string
	want    string // ignored when wantErr
	index   string
	wantErr bool
}

// hxRun runs each case through tr. Every want document was produced by
// running es-loader's sf_<type>.transform on the same input (unless the
// case says es-loader raises there), so key order is checked too.
func hxRun(t *testing.T, tr Transform, cases []hxCase) {
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
			if got, want := testJSON(r.Doc), hxCanon(t, tc.want); got != want {
				t.Errorf("doc\n got %s\nwant %s", got, want)
			}
			if r.IndexName != tc.index {
				t.Errorf("IndexName = %q, want %q", r.IndexName, tc.index)
			}
		})
	}
}
