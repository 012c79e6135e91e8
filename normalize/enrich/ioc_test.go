package enrich

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// writeTree writes files (path → content) under dir; a file's mtime is
// base plus its index in mtimes order, so that "newest first" is known.
func writeTree(t testing.TB, dir string, files map[string]string, mtimes map[string]time.Time) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if mt, ok := mtimes[p]; ok {
			if err := os.Chtimes(full, mt, mt); err != nil {
				t.Fatal(err)
			}
		}
	}
}

var (
	day1 = time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
	day2 = time.Date(2024, 6, 2, 10, 0, 0, 0, time.UTC)
	day3 = time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC)
)

const vendorBundle = `{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {
      "type": "indicator",
      "spec_version": "2.1",
      "id": "indicator--a1",
      "name": "C2 range",
      "description": "command and control",
      "modified": "2024-05-01T12:30:45.123Z",
      "pattern": "[ipv4-addr:value = '203.0.114.0/24']",
      "pattern_type": "stix",
      "valid_from": "2024-05-01T00:00:00Z"
    },
    {
      "type": "indicator",
      "id": "indicator--a2",
      "name": "phishing",
      "published": "2024-05-02T09:00:00+09:00",
      "first_seen": "2024-04-30T00:00:00",
      "pattern": "[domain-name:value = 'Evil.Example.com']"
    },
    {
      "type": "indicator",
      "id": "indicator--a3",
      "pattern": "[ipv6-addr:value = '2001:db9::/32']"
    },
    {
      "type": "indicator",
      "id": "indicator--a4",
      "name": "a URL",
      "pattern": "[url:value = 'http://x.example/']"
    },
    {
      "type": "indicator",
      "id": "indicator--bad",
      "name": "host bits",
      "pattern": "[ipv4-addr:value = '198.51.99.7/24']"
    },
    {
      "type": "indicator",
      "id": "indicator--a5",
      "name": "pair",
      "pattern": "[ipv4-addr:value = '5.6.7.8' OR ipv4-addr:value ISSUBSET '9.9.9.0/30']"
    },
    {
      "type": "indicator",
      "id": "indicator--typed",
      "name": 5,
      "pattern": "[ipv4-addr:value = '7.7.7.7']"
    }
  ]
}`

func testIoCDir(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"IOC/TXT/acme/list.txt":        "# acme's block list\n\n1.2.3.4\n 5.5.5.0/24 \n2001:db8:1::/48\nnot-an-ip\n1.2.3.4/24\n10.0.0.0/8\n",
		"IOC/TXT/plain.txt":            "8.8.4.4\n",
		"IOC/STIX2/vendor/bundle.json": vendorBundle,
		"IOC/STIX2/broken.json":        "{\"type\": \"bundle\", \"id\": \"bundle--1\",\n \"objects\": [\n  {\"id\": \"indicator--x\", \"pattern\": \"[ipv4-addr:value = '4.4.4.4']\"},\n  {\"id\": oops}\n ]\n}\n",
		"IOC/STIX2/noid.json":          `{"type": "bundle", "objects": [{"pattern": "[ipv4-addr:value = '6.6.6.6']"}]}`,
		"IOC/STIX2/.hidden.json":       "not json at all",
	}, map[string]time.Time{
		"IOC/TXT/acme/list.txt":        day1,
		"IOC/TXT/plain.txt":            day2,
		"IOC/STIX2/vendor/bundle.json": day3,
	})
	return dir
}

func fileErrors(errs []error) map[string][]int {
	out := map[string][]int{}
	for _, err := range errs {
		var fe *FileError
		if !errors.As(err, &fe) {
			out["?"] = append(out["?"], 0)
			continue
		}
		out[filepath.Base(fe.File)] = append(out[filepath.Base(fe.File)], fe.Line)
	}
	return out
}

func TestLoadIoCDirectory(t *testing.T) {
	x, problems, err := LoadIoC(testIoCDir(t))
	if err != nil {
		t.Fatal(err)
	}
	// every problem names its file and line; the rest is loaded
	got := fileErrors(problems)
	want := map[string][]int{
		"list.txt":    {6, 7},
		"bundle.json": {35, 47}, // the lines the objects start on
		"broken.json": {4},
		"noid.json":   {0},
	}
	if !reflect.DeepEqual(got, want) {
		for _, p := range problems {
			t.Log(p)
		}
		t.Fatalf("problems by file and line: got %v, want %v", got, want)
	}
	for _, p := range problems {
		if strings.Contains(p.Error(), "bundle.json") && strings.Contains(p.Error(), "host bits") && !strings.Contains(p.Error(), "indicator--bad") {
			t.Errorf("the object is not named: %v", p)
		}
	}

	for ip, want := range map[string][]string{
		"1.2.3.4":         {"acme/list.txt"},
		"5.5.5.77":        {"acme/list.txt"},
		"8.8.4.4":         {"custom/plain.txt"},
		"203.0.114.9":     {"vendor/bundle.json: C2 range"},
		"2001:db9:5::1":   {"vendor/bundle.json"},
		"2001:db8:1:2::3": nil, // documentation prefix: private to Python, never matched
		"5.6.7.8":         {"vendor/bundle.json: pair"},
		"9.9.9.3":         {"vendor/bundle.json: pair"},
		"9.9.9.4":         nil,
		"4.4.4.4":         {"custom/broken.json"}, // loaded before the syntax error
		"6.6.6.6":         nil,                    // the file without an id is rejected as es-loader does
		"10.1.1.1":        nil,                    // private
		"172.104.242.174": {"built-in/TEST"},
		"169.254.169.254": nil,
		"198.51.99.7":     nil,
		"7.7.7.7":         nil,
		"not an ip":       nil,
		"::ffff:1.2.3.4":  nil,
		"2001:db9::":      {"vendor/bundle.json"},
	} {
		if got := x.LookupIP(ip); !reflect.DeepEqual(got, want) {
			t.Errorf("LookupIP(%s) = %v, want %v", ip, got, want)
		}
	}
	for name, want := range map[string][]string{
		"evil.example.com":     {"vendor/bundle.json: phishing"},
		"EVIL.example.com.":    {"vendor/bundle.json: phishing"},
		"www.evil.example.com": {"vendor/bundle.json: phishing"},
		"example.com":          nil,
		"notevil.example.com":  nil,
	} {
		if got := x.LookupDomain(name); !reflect.DeepEqual(got, want) {
			t.Errorf("LookupDomain(%s) = %v, want %v", name, got, want)
		}
	}
	wantSummary := []IoCCount{
		{"acme", "ipv4-addr", 3}, {"acme", "ipv6-addr", 1}, // 10.0.0.0/8 is loaded, though never matched
		{"built-in", "ipv4-addr", 2},
		{"custom", "ipv4-addr", 2},
		{"vendor", "domain-name", 1}, {"vendor", "ipv4-addr", 3}, {"vendor", "ipv6-addr", 1},
	}
	if got := x.Summary(); !reflect.DeepEqual(got, wantSummary) {
		t.Errorf("summary %v, want %v", got, wantSummary)
	}
}

func TestLoadIoCFolderErrors(t *testing.T) {
	if _, _, err := LoadIoC(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing folder must be an error")
	}
	empty := t.TempDir()
	if _, _, err := LoadIoC(empty); err == nil || !strings.Contains(err.Error(), "neither a TXT nor a STIX2") {
		t.Errorf("a folder without TXT or STIX2: %v", err)
	}
	// TXT/ and STIX2/ directly in the folder (no IOC/) are fine too
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"TXT/x/a.txt": "9.9.9.9\n"}, nil)
	x, problems, err := LoadIoC(dir)
	if err != nil || len(problems) != 0 || len(x.LookupIP("9.9.9.9")) != 1 {
		t.Errorf("TXT at the top: %v %v %v", err, problems, x.LookupIP("9.9.9.9"))
	}
}

func TestIoCEnrichShape(t *testing.T) {
	x, _, err := LoadIoCWith(testIoCDir(t), IoCOptions{NoBuiltins: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := mustDoc(t, `{"source": {"ip": "1.2.3.4"}, "destination": {"ip": "203.0.114.9"},
		"related": {"ip": ["1.2.3.4", "203.0.114.9", "10.0.0.1"]},
		"dns": {"question": {"name": "www.Evil.example.com"}}}`)
	x.Enrich(doc, []string{"source.ip", "destination.ip", "related.ip"}, []string{"dns.question.name"})
	enr, _ := doc.Get("threat.enrichments")
	wantEnr := `[{"indicator":{"provider":"acme","name":"list.txt","ip":"1.2.3.4","modified_at":"2024-06-01T10:00:00Z","type":"ipv4-addr"},"matched":{"field":["source.ip","related.ip"]}},` +
		`{"indicator":{"provider":"vendor","name":"bundle.json: C2 range","ip":"203.0.114.9","modified_at":"2024-05-01T12:30:45Z","type":"ipv4-addr","description":"command and control"},"matched":{"field":["destination.ip","related.ip"]}},` +
		`{"indicator":{"provider":"vendor","name":"bundle.json: phishing","first_seen":"2024-04-30T00:00:00Z","modified_at":"2024-05-02T00:00:00Z","type":"domain-name"},"matched":{"atomic":"www.Evil.example.com","field":["dns.question.name"]}}]`
	if got := string(pyjson.AppendJSON(nil, enr)); got != wantEnr {
		t.Errorf("threat.enrichments\n got %s\nwant %s", got, wantEnr)
	}
	m, _ := doc.Get("threat.matched")
	wantMatched := `{"providers":["acme","vendor"],"types":["ipv4-addr","domain-name"],"indicators":["1.2.3.4","203.0.114.9","www.Evil.example.com"],"names":["list.txt","bundle.json: C2 range","bundle.json: phishing"]}`
	if got := string(pyjson.AppendJSON(nil, m)); got != wantMatched {
		t.Errorf("threat.matched\n got %s\nwant %s", got, wantMatched)
	}
	// literal dotted keys at the end of the document, as es-loader's merge leaves them
	keys := doc.Keys()
	if keys[len(keys)-2] != "threat.enrichments" || keys[len(keys)-1] != "threat.matched" {
		t.Errorf("keys %v", keys)
	}

	// the same from the values alone
	list, m2 := x.Threat([]FieldValue{{"source.ip", "1.2.3.4"}, {"destination.ip", "203.0.114.9"}, {"related.ip", "1.2.3.4"}, {"related.ip", "203.0.114.9"}, {"related.ip", "10.0.0.1"}},
		[]FieldValue{{"dns.question.name", "www.Evil.example.com"}})
	if got := string(pyjson.AppendJSON(nil, list)); got != wantEnr {
		t.Errorf("Threat enrichments\n got %s\nwant %s", got, wantEnr)
	}
	if got := string(pyjson.AppendJSON(nil, m2)); got != wantMatched {
		t.Errorf("Threat matched\n got %s\nwant %s", got, wantMatched)
	}
	if l, m := x.Threat([]FieldValue{{"source.ip", "8.8.8.8"}}, nil); l != nil || m != nil {
		t.Error("no match gives nils")
	}

	clean := mustDoc(t, `{"source": {"ip": "8.8.8.8"}, "dns": {"question": {"name": "example.org"}}}`)
	before := string(pyjson.AppendJSON(nil, clean))
	x.Enrich(clean, []string{"source.ip"}, []string{"dns.question.name"})
	if after := string(pyjson.AppendJSON(nil, clean)); after != before {
		t.Errorf("no match must leave the document alone: %s", after)
	}
	var nilIoC *IoC
	nilIoC.Enrich(clean, []string{"source.ip"}, nil)
}

func TestIoCExactDomainsOnly(t *testing.T) {
	x, _, err := LoadIoCWith(testIoCDir(t), IoCOptions{ExactDomainsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := x.LookupDomain("www.evil.example.com"); got != nil {
		t.Errorf("a subdomain matched with ExactDomainsOnly: %v", got)
	}
	if got := x.LookupDomain("evil.example.com"); len(got) != 1 {
		t.Errorf("exact: %v", got)
	}
}

// es-loader's database keeps one row per provider and range: the newest
// file wins; other providers keep their own rows. Adjacent networks of a
// file are one range, so a file listing two /25 halves duplicates another
// file's /24.
func TestIoCDeduplicationAndOrder(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"TXT/a/new.txt":   "20.0.0.0/25\n20.0.0.128/25\n20.0.1.7\n",
		"TXT/a/old.txt":   "20.0.0.0/24\n20.0.1.7\n30.0.0.0/8\n",
		"TXT/b/other.txt": "20.0.0.0/24\n",
		"TXT/c/host.txt":  "20.0.0.9\n",
	}, map[string]time.Time{"TXT/a/new.txt": day3, "TXT/a/old.txt": day1, "TXT/b/other.txt": day2, "TXT/c/host.txt": day2})
	x, problems, err := LoadIoCWith(dir, IoCOptions{NoBuiltins: true})
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	// the most specific range (highest start) first, then the latest loaded
	if got, want := x.LookupIP("20.0.0.9"), []string{"c/host.txt", "b/other.txt", "a/new.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("20.0.0.9: %v, want %v", got, want)
	}
	if got, want := x.LookupIP("20.0.1.7"), []string{"a/new.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("20.0.1.7: %v, want %v", got, want)
	}
	if got, want := x.LookupIP("30.1.2.3"), []string{"a/old.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("30.1.2.3: %v, want %v", got, want)
	}
}

func TestParsePyNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4":               "1.2.3.4/32",
		"1.2.3.0/24":            "1.2.3.0/24",
		"1.2.3.0/255.255.255.0": "1.2.3.0/24",
		"1.2.3.0/0.0.0.255":     "1.2.3.0/24",
		"1.2.3.0/024":           "1.2.3.0/24",
		"2001:db8::/32":         "2001:db8::/32",
		"2001:db8::1":           "2001:db8::1/128",
		"1.2.3.4/24":            "error",
		"1.2.3.0/33":            "error",
		"1.2.3.0/255.0.255.0":   "error",
		"2001:db8::/ffff::":     "error",
		"1.2.3.0/":              "error",
		"fe80::1%eth0":          "error",
		"":                      "error",
	} {
		p, err := parsePyNetwork(in)
		got := p.String()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%q: %s (%v), want %s", in, got, err, want)
		}
	}
}

func mustDoc(t testing.TB, s string) *pyjson.Map {
	t.Helper()
	v, err := pyjson.Unmarshal([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.(*pyjson.Map)
}
