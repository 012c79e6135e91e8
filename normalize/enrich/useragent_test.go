package enrich

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func TestUserAgentShape(t *testing.T) {
	p := NewUserAgentParser(0)
	for _, c := range []struct {
		ua   string
		want string
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.113 Safari/537.36",
			`{"original":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.113 Safari/537.36","name":"Chrome","version":"60.0.3112","os.name":"Windows","os.full":"Windows 10","os.version":"10","device.name":"Other"}`},
		{"curl/7.46.0", `{"original":"curl/7.46.0","name":"curl","version":"7.46.0","os.name":"Other","os.full":"Other","device.name":"Other"}`},
		// an AWS service calling: ua-parser says Other, es-loader keeps the caller
		{"ec2.amazonaws.com", `{"original":"ec2.amazonaws.com","name":"ec2.amazonaws.com","os.name":"Other","os.full":"Other","device.name":"Other"}`},
		{"AWS Internal", `{"original":"AWS Internal","name":"AWS Internal","os.name":"Other","os.full":"Other","device.name":"Other"}`},
		{"Hello, world", `{"original":"Hello, world","name":"Other","os.name":"Other","os.full":"Other","device.name":"Other"}`},
		// "%20" makes es-loader URL-decode the user agent, original included
		{"Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_14_0)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/70.0.3538.102%20Safari/537.36",
			`{"original":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36","name":"Chrome","version":"70.0.3538","os.name":"Mac OS X","os.full":"Mac OS X 10.14.0","os.version":"10.14.0","device.name":"Mac"}`},
	} {
		doc := mustDoc(t, `{"user_agent": {"original": null}, "x": 1}`)
		doc.Set("user_agent", mustDoc(t, `{"original": `+string(pyjson.AppendJSON(nil, c.ua))+`}`))
		p.Enrich(doc, "user_agent")
		ua, _ := doc.Get("user_agent")
		if got := string(pyjson.AppendJSON(nil, ua)); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.ua, got, c.want)
		}
	}
}

func TestUserAgentSkips(t *testing.T) {
	p := NewUserAgentParser(10)
	for _, in := range []string{
		`{"user_agent": {"original": "-"}}`,
		`{"user_agent": {}}`,
		`{"user_agent": "curl/7.46.0"}`,
		`{"user_agent": {"original": 5}}`,
		`{"user_agent": {"original": []}}`,
		`{"user_agent": {"name": "x"}}`,
		`{"other": {"original": "curl/7.46.0"}}`,
	} {
		doc := mustDoc(t, in)
		p.Enrich(doc, "user_agent")
		if got := string(pyjson.AppendJSON(nil, doc)); got != strings.ReplaceAll(strings.ReplaceAll(in, ": ", ":"), ", ", ",") {
			t.Errorf("%s changed to %s", in, got)
		}
	}
	// a list: its first element, which replaces the list as original
	doc := mustDoc(t, `{"user_agent": {"original": ["curl/7.46.0", "x"]}}`)
	p.Enrich(doc, "user_agent")
	if got, _ := doc.GetString("user_agent", "name"); got != "curl" {
		t.Errorf("list original: %s", pyjson.AppendJSON(nil, doc))
	}
	if got, _ := doc.GetString("user_agent", "original"); got != "curl/7.46.0" {
		t.Errorf("list original kept: %s", pyjson.AppendJSON(nil, doc))
	}
}

// Every parsed user agent in es-loader's goldens (113 documents, 39
// distinct user agents) must come out the same.
func TestUserAgentMatchesGoldens(t *testing.T) {
	city, _, _ := testDBs(t) // locates ../shared
	golden := filepath.Join(filepath.Dir(filepath.Dir(city)), "golden")
	files, _ := filepath.Glob(filepath.Join(golden, "*", "*", "expected.ndjson"))
	if len(files) == 0 {
		t.Skip("no goldens")
	}
	want := map[string]string{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var line struct {
				Source map[string]json.RawMessage `json:"_source"`
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatal(err)
			}
			raw, ok := line.Source["user_agent"]
			if !ok || !strings.Contains(string(raw), `"os.name"`) {
				continue
			}
			v, err := pyjson.Unmarshal(raw)
			if err != nil {
				t.Fatal(err)
			}
			ua := v.(*pyjson.Map)
			orig, _ := ua.GetString("original")
			want[orig] = string(pyjson.AppendJSON(nil, ua))
		}
		fh.Close()
	}
	if len(want) < 30 {
		t.Fatalf("only %d user agents in the goldens", len(want))
	}
	p := NewUserAgentParser(0)
	var uas []string
	for ua := range want {
		uas = append(uas, ua)
	}
	sort.Strings(uas)
	for _, ua := range uas {
		doc := pyjson.NewMap(1)
		m := pyjson.NewMap(1)
		m.Set("original", ua)
		doc.Set("user_agent", m)
		p.Enrich(doc, "user_agent")
		if got := string(pyjson.AppendJSON(nil, m)); got != want[ua] {
			t.Errorf("%q\n got %s\nwant %s", ua, got, want[ua])
		}
	}
}

func TestPyUnquote(t *testing.T) {
	for in, want := range map[string]string{
		"a%20b":        "a b",
		"100%":         "100%",
		"%zz%2":        "%zz%2",
		"%41%42c":      "ABc",
		"%e2%82%ac":    "€",
		"%e2%82":       "\ufffd",
		"%ff%fe":       "\ufffd\ufffd",
		"%ed%a0%80":    "\ufffd\ufffd\ufffd",
		"%f0%9f%98":    "\ufffd",
		"%f0%9f%98%80": "😀",
		"é%20é":        "é é",
		"%c3é":         "\ufffdé",
	} {
		if got := pyUnquote(in); got != want {
			t.Errorf("unquote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserAgentCacheIsBounded(t *testing.T) {
	p := NewUserAgentParser(64)
	for i := 0; i < 500; i++ {
		p.fields("curl/7." + itoa(i) + ".0")
	}
	if n := p.cache.len(); n > 64+32 {
		t.Errorf("the cache holds %d user agents, bound 64", n)
	}
	// a user agent in use survives the churn
	hot := "curl/8.0.0"
	first := p.fields(hot)
	for i := 0; i < 500; i++ {
		p.fields("wget/1." + itoa(i))
		if p.fields(hot) != first {
			t.Fatal("a user agent in constant use was evicted")
		}
	}
}

func TestUserAgentConcurrent(t *testing.T) {
	p := NewUserAgentParser(16)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				doc := mustDoc(t, `{"user_agent": {"original": "curl/7.`+itoa((i*w)%40)+`.0"}}`)
				p.Enrich(doc, "user_agent")
				if name, _ := doc.GetString("user_agent", "name"); name != "curl" {
					t.Errorf("name %q", name)
					return
				}
			}
		}(w)
	}
	wg.Wait()
}
