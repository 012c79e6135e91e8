package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// The docker-compose demo (examples/demo) is checked here without a Docker
// engine: the compose file by docker-compose itself, and the Dashboards
// saved objects against our index templates and the generator's
// documents. (Its Fluent Bit config is checked by plugin/output's example
// test, its collector config by collector/e2e.)

const demoDir = "../../examples/demo/"

// CI installs Debian's docker-compose and sets
// SIEMLOADER_REQUIRE_DOCKER_COMPOSE, so that a missing one fails there.
func TestDemoComposeFileIsValid(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		if os.Getenv("SIEMLOADER_REQUIRE_DOCKER_COMPOSE") != "" {
			t.Fatal("docker-compose is required (SIEMLOADER_REQUIRE_DOCKER_COMPOSE) but not on PATH: apt-get install docker-compose")
		}
		t.Skip("docker-compose is not on PATH")
	}
	cmd := exec.Command(bin, "-f", "docker-compose.yml", "config")
	cmd.Dir = demoDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, out)
	}
	// the resolved file: .env was read, every mounted file is there
	resolved := string(out)
	if strings.Contains(resolved, "variable is not set") || !strings.Contains(resolved, "opensearchproject/opensearch:2.") {
		t.Errorf("the .env values were not substituted:\n%s", resolved)
	}
	for _, f := range []string{"saved-objects.ndjson", "fluent-bit.conf", "otelcol.yaml", ".env"} {
		if _, err := os.Stat(demoDir + f); err != nil {
			t.Error(err)
		}
	}
	for _, service := range []string{"opensearch:", "dashboards:", "dashboards-import:", "minio:", "minio-mirror:", "generator:", "otelcol:", "fluent-bit:"} {
		if !strings.Contains(resolved, "\n  "+service) {
			t.Errorf("service %s missing from the resolved compose file", service)
		}
	}
}

type savedObject struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Title         string `json:"title"`
		TimeFieldName string `json:"timeFieldName"`
		VisState      string `json:"visState"`
		PanelsJSON    string `json:"panelsJSON"`
		Meta          struct {
			SearchSourceJSON string `json:"searchSourceJSON"`
		} `json:"kibanaSavedObjectMeta"`
	} `json:"attributes"`
	References []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"references"`
}

type visState struct {
	Type string `json:"type"`
	Aggs []struct {
		Type   string `json:"type"`
		Params struct {
			Field string `json:"field"`
		} `json:"params"`
	} `json:"aggs"`
}

type searchSource struct {
	Query struct {
		Query    string `json:"query"`
		Language string `json:"language"`
	} `json:"query"`
	Filter       []json.RawMessage `json:"filter"`
	IndexRefName string            `json:"indexRefName"`
}

func readSavedObjects(t *testing.T) []savedObject {
	f, err := os.Open(demoDir + "saved-objects.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var objs []savedObject
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o savedObject
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("line %d: %v", len(objs)+1, err)
		}
		objs = append(objs, o)
	}
	return objs
}

// templateFields are the explicitly mapped fields of ship's log-mappings
// template, with their types.
func templateFields(t *testing.T) map[string]string {
	var tpl struct {
		Template struct {
			Mappings struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	data, err := os.ReadFile("../../ship/templates/log-mappings.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, props map[string]json.RawMessage)
	walk = func(prefix string, props map[string]json.RawMessage) {
		for name, raw := range props {
			var p struct {
				Type       string                     `json:"type"`
				Properties map[string]json.RawMessage `json:"properties"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			if p.Properties != nil {
				walk(prefix+name+".", p.Properties)
			} else {
				out[prefix+name] = p.Type
			}
		}
	}
	walk("", tpl.Template.Mappings.Properties)
	if len(out) < 20 {
		t.Fatalf("only %d fields read from the template", len(out))
	}
	return out
}

// kqlClause is one "field:value" of the saved searches' KQL (the only
// form they use: clauses joined by "and", optionally negated with "not",
// value "*" for "exists").
var kqlClause = regexp.MustCompile(`^(not )?([@A-Za-z_][\w.@-]*):(\S+)$`)

// Every field the saved objects use is one our index template maps in a
// way the panel can use, and the demo's generated documents carry it:
//
// Rule: a field is mapped when log-mappings.json names it under
// properties (then its type must suit the panel: geo_point for a map,
// date for a date histogram, an aggregatable type — keyword, long, ip,
// date — for terms), or when it is not named there and the documents the
// engine makes of `siemloader gen` output hold it as a JSON string: the
// template's catch-all "strings" dynamic template maps those as keyword
// (the "messages" one, text, applies only to a field named message, which
// no panel uses). A dynamic field whose documents hold a number would be
// mapped long by OpenSearch and is refused, as the rule would not be
// sure of its type.
//
// Each visualization's query must also match some generated document, so
// that no panel of the dashboard stays empty in the demo.
func TestDemoSavedObjectsUseMappedFields(t *testing.T) {
	objs := readSavedObjects(t)
	mapped := templateFields(t)
	docs := genDocs(t, 200)
	var all []map[string]any
	for _, ds := range docs {
		all = append(all, ds...)
	}

	byID := map[string]savedObject{}
	for _, o := range objs {
		if byID[o.ID].ID != "" {
			t.Errorf("id %s twice", o.ID)
		}
		byID[o.ID] = o
	}
	// kinds of use: a terms agg needs an aggregatable field, a map a geo_point
	checkField := func(where, f, use string) {
		typ, explicit := mapped[f]
		if explicit {
			ok := map[string]map[string]bool{
				"terms":          {"keyword": true, "long": true, "ip": true, "date": true},
				"geohash_grid":   {"geo_point": true},
				"date_histogram": {"date": true},
				"query":          {"keyword": true, "long": true, "ip": true, "date": true, "text": true},
			}[use][typ]
			if !ok {
				t.Errorf("%s: %s is mapped %s in the template, which a %s cannot use", where, f, typ, use)
			}
		} else {
			if use != "terms" && use != "query" {
				t.Errorf("%s: %s (%s) is not mapped by the template", where, f, use)
			}
			for _, d := range all {
				if v := field(d, f); v != nil {
					if _, isString := v.(string); !isString {
						t.Errorf("%s: %s is mapped only dynamically and documents hold %T (%v), not a string", where, f, v, v)
					}
					break
				}
			}
		}
		found := false
		for _, d := range all {
			if field(d, f) != nil {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no generated document has %s", where, f)
		}
	}

	var patterns, dashboards int
	for _, o := range objs {
		switch o.Type {
		case "index-pattern":
			patterns++
			if o.Attributes.Title != "log-*" || o.Attributes.TimeFieldName != "@timestamp" {
				t.Errorf("index pattern %s: title %q time field %q", o.ID, o.Attributes.Title, o.Attributes.TimeFieldName)
			}
			checkField(o.ID, o.Attributes.TimeFieldName, "date_histogram")
		case "visualization":
			var vs visState
			if err := json.Unmarshal([]byte(o.Attributes.VisState), &vs); err != nil {
				t.Fatalf("%s: visState: %v", o.ID, err)
			}
			for _, a := range vs.Aggs {
				if a.Params.Field != "" {
					checkField(o.ID, a.Params.Field, a.Type)
				}
			}
			var ss searchSource
			if err := json.Unmarshal([]byte(o.Attributes.Meta.SearchSourceJSON), &ss); err != nil {
				t.Fatalf("%s: searchSourceJSON: %v", o.ID, err)
			}
			if len(ss.Filter) != 0 {
				t.Errorf("%s: filters are not checked here; say it in the query", o.ID)
			}
			if ss.Query.Language != "kuery" {
				t.Errorf("%s: query language %q", o.ID, ss.Query.Language)
			}
			matches := func(d map[string]any) bool { return true }
			if q := strings.TrimSpace(ss.Query.Query); q != "" {
				var preds []func(map[string]any) bool
				for _, c := range strings.Split(q, " and ") {
					m := kqlClause.FindStringSubmatch(strings.TrimSpace(c))
					if m == nil {
						t.Fatalf("%s: query clause %q is not field:value", o.ID, c)
					}
					neg, f, want := m[1] != "", m[2], m[3]
					checkField(o.ID, f, "query")
					preds = append(preds, func(d map[string]any) bool {
						v := field(d, f)
						hit := v != nil && (want == "*" || jsonText(v) == want)
						return hit != neg
					})
				}
				matches = func(d map[string]any) bool {
					for _, p := range preds {
						if !p(d) {
							return false
						}
					}
					return true
				}
			}
			n := 0
			for _, d := range all {
				if matches(d) {
					n++
				}
			}
			if n == 0 {
				t.Errorf("%s (%s): the query %q matches no generated document", o.ID, o.Attributes.Title, ss.Query.Query)
			}
			// the search source names its index pattern by reference
			if len(o.References) != 1 || o.References[0].Name != ss.IndexRefName || byID[o.References[0].ID].Type != "index-pattern" {
				t.Errorf("%s: references %+v do not name an index pattern of the file as %q", o.ID, o.References, ss.IndexRefName)
			}
		case "dashboard":
			dashboards++
			var panels []struct {
				PanelRefName string `json:"panelRefName"`
			}
			if err := json.Unmarshal([]byte(o.Attributes.PanelsJSON), &panels); err != nil {
				t.Fatalf("%s: panelsJSON: %v", o.ID, err)
			}
			refs := map[string]string{}
			for _, r := range o.References {
				if byID[r.ID].Type != r.Type {
					t.Errorf("%s: reference %s to %s %s that the file does not hold", o.ID, r.Name, r.Type, r.ID)
				}
				refs[r.Name] = r.ID
			}
			for _, p := range panels {
				if refs[p.PanelRefName] == "" {
					t.Errorf("%s: panel %q has no reference", o.ID, p.PanelRefName)
				}
			}
			if len(panels) < 6 {
				t.Errorf("%s: %d panels", o.ID, len(panels))
			}
		default:
			t.Errorf("%s: unexpected type %s", o.ID, o.Type)
		}
	}
	if patterns != 1 || dashboards != 1 {
		t.Errorf("%d index patterns and %d dashboards, want one of each", patterns, dashboards)
	}
}

// jsonText is a document value as KQL compares it.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// composeScripts are the shell scripts of the compose file's services
// (the `- |` blocks of their commands), with compose's $$ escapes undone.
func composeScripts(t *testing.T) map[string]string {
	data, err := os.ReadFile(demoDir + "docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{}
	service, in := "", false
	var body []string
	flush := func() {
		if in {
			scripts[service] = strings.ReplaceAll(strings.Join(body, "\n"), "$$", "$")
		}
		in, body = false, nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case in && (strings.HasPrefix(line, "        ") || strings.TrimSpace(line) == ""):
			body = append(body, strings.TrimPrefix(line, "        "))
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.HasSuffix(line, ":"):
			flush()
			service = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case strings.TrimSpace(line) == "- |":
			flush()
			in = true
		default:
			flush()
		}
	}
	flush()
	return scripts
}

// The services' scripts are valid sh, and the generator's `siemloader
// gen` line, as the compose file writes it, produces a batch that it
// moves into the mirrored folder; the README's CLI alternative, its
// `siemloader load` line, loads that folder over HTTPS with basic auth
// and an unverifiable certificate (as the demo cluster's is), installing
// the index templates first. (The collector's way, MinIO's webhook, is
// run by collector/e2e.)
func TestDemoGeneratorSteps(t *testing.T) {
	scripts := composeScripts(t)
	for _, s := range []string{"generator", "dashboards-import", "minio-mirror"} {
		if scripts[s] == "" {
			t.Fatalf("no script found for %s (found %v)", s, len(scripts))
		}
		if msg, err := exec.Command("sh", "-n", "-c", scripts[s]).CombinedOutput(); err != nil {
			t.Errorf("%s: sh -n: %v\n%s", s, err, msg)
		}
	}
	script := strings.ReplaceAll(scripts["generator"], "\\\n", " ")
	readme, err := os.ReadFile(demoDir + "README.md")
	if err != nil {
		t.Fatal(err)
	}
	command := func(sub, script string) []string {
		for _, line := range strings.Split(script, "\n") {
			if i := strings.Index(line, "siemloader "+sub+" "); i >= 0 {
				line = line[i+len("siemloader "+sub+" "):]
				if j := strings.IndexAny(line, ";'"); j >= 0 {
					line = line[:j]
				}
				return strings.Fields(line)
			}
		}
		t.Fatalf("no siemloader %s in:\n%s", sub, script)
		return nil
	}

	srv := opensearchtest.New(opensearchtest.Faults{}, 31)
	defer srv.Close()
	srv.RequireBasic("admin", "demo-password")
	target, _ := url.Parse(srv.URL)
	cluster := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer cluster.Close()
	t.Setenv("SIEMLOADER_OPENSEARCH_PASSWORD", "demo-password")

	dir := t.TempDir()
	substitute := func(args []string) []string {
		var out []string
		for i := 0; i < len(args); i++ {
			a := args[i]
			if strings.HasPrefix(a, "--geoip-") { // no GeoIP databases here
				i++
				continue
			}
			a = strings.ReplaceAll(a, "/data/", dir+"/")
			a = strings.ReplaceAll(a, "https://opensearch:9200", cluster.URL)
			switch {
			case a == "$geo": // no GeoIP databases here
				continue
			case a == "--bootstrap=$bootstrap": // the first round's
				a = "--bootstrap=true"
			case strings.Contains(a, "$"):
				t.Fatalf("shell expansion %q the test does not know", a)
			}
			out = append(out, a)
		}
		return out
	}
	// --count $(( ${GEN_RATE:-5} * 5 )): five seconds of the default rate
	gen := command("gen", script)
	for i := 0; i < len(gen); i++ {
		if gen[i] == "--count" {
			end := i + 1
			for end < len(gen) && !strings.HasPrefix(gen[end], "--") {
				end++
			}
			if expr := strings.Join(gen[i+1:end], " "); expr != "$(( ${GEN_RATE:-5} * 5 ))" {
				t.Fatalf("--count %s: the test knows $(( ${GEN_RATE:-5} * 5 ))", expr)
			}
			gen = append(append(gen[:i+1:i+1], "25"), gen[end:]...)
		}
	}
	gen = substitute(gen)
	var stderr bytes.Buffer
	if rc := cmdGen(gen, io.Discard, &stderr); rc != 0 {
		t.Fatalf("gen %v: rc %d: %s", gen, rc, stderr.String())
	}
	if !strings.Contains(script, "cp -R /data/batch/. /data/bucket/") || strings.Contains(script, "siemloader load") {
		t.Fatalf("the generator should only generate and move each batch to /data/bucket:\n%s", script)
	}
	if err := os.Rename(filepath.Join(dir, "batch"), filepath.Join(dir, "bucket")); err != nil {
		t.Fatal(err)
	}
	load := substitute(command("load", string(readme)))
	stderr.Reset()
	if rc := cmdLoad(load, io.Discard, &stderr); rc != 0 {
		t.Fatalf("load %v: rc %d: %s", load, rc, stderr.String())
	}
	if srv.Docs() != 25*len(genS3Types) {
		t.Errorf("the cluster holds %d documents, want %d", srv.Docs(), 25*len(genS3Types))
	}
	if len(srv.IndexTemplates()) == 0 || len(srv.ComponentTemplates()) == 0 {
		t.Errorf("the first load installed no templates: %v", srv.AdminRequests())
	}
	if _, refused := srv.AuthCounts(); refused != 0 {
		t.Errorf("%d requests refused for their credentials", refused)
	}
	// the text logs for Fluent Bit are where its config tails them
	conf, _ := os.ReadFile(demoDir + "fluent-bit.conf")
	for _, lt := range genTextTypes {
		path := "/data/logs/" + genTextFiles[lt]
		if !strings.Contains(string(conf), "Path              "+path+"\n") {
			t.Errorf("fluent-bit.conf does not tail %s (%s)", path, lt)
		}
		if _, err := os.Stat(filepath.Join(dir, "logs", genTextFiles[lt])); err != nil {
			t.Errorf("%s: %v", lt, err)
		}
	}
}
