package ship

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

func bootstrapServer(t *testing.T) (*opensearchtest.Server, *Indexer) {
	t.Helper()
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	t.Cleanup(srv.Close)
	ix, err := New(Config{URLs: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close(context.Background()) })
	return srv, ix
}

// put sends a request straight to the fake cluster, as an operator or
// another tool would.
func put(t *testing.T, srv *opensearchtest.Server, p, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, srv.URL+p, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("PUT %s: %d", p, resp.StatusCode)
	}
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}
	return m
}

// dig follows keys through nested objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// dynamicType is the type OpenSearch's dynamic mapping gives a new field
// at fieldPath whose JSON value is of jsonType ("string", "long",
// "object"): the first dynamic template that matches, "" when none does.
func dynamicType(t *testing.T, mappings any, fieldPath, jsonType string) string {
	t.Helper()
	list, _ := dig(mappings, "dynamic_templates").([]any)
	leaf := fieldPath[strings.LastIndex(fieldPath, ".")+1:]
	for _, e := range list {
		for _, d := range e.(map[string]any) {
			dt := d.(map[string]any)
			if mt, ok := dt["match_mapping_type"].(string); ok && mt != "*" && mt != jsonType {
				continue
			}
			if pm, ok := dt["path_match"].(string); ok {
				if m, _ := path.Match(strings.ReplaceAll(pm, ".", "/"), strings.ReplaceAll(fieldPath, ".", "/")); !m && !globOver(pm, fieldPath) {
					continue
				}
			}
			if mm, ok := dt["match"].(string); ok {
				if m, _ := path.Match(mm, leaf); !m {
					continue
				}
			}
			typ, _ := dig(dt, "mapping", "type").(string)
			return typ
		}
	}
	return ""
}

// globOver is OpenSearch's simple match for path_match, where '*' also
// crosses dots.
func globOver(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return s == ""
}

func propertyType(mappings any, fieldPath string) string {
	v := dig(mappings, "properties")
	for _, k := range strings.Split(fieldPath, ".") {
		if props := dig(v, "properties"); props != nil {
			v = props
		}
		v = dig(v, k)
	}
	typ, _ := dig(v, "type").(string)
	return typ
}

func TestBootstrapInstallsEverything(t *testing.T) {
	srv, ix := bootstrapServer(t)
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail", "log-aws-cloudtrail", "log-aws-vpcflowlogs"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) > 0 || len(rep.Existing) > 0 {
		t.Fatalf("warnings or existing on an empty cluster:\n%s", rep)
	}

	// the component template: the types the dashboards need
	ct, ok := srv.ComponentTemplates()["siem-log-mappings"]
	if !ok {
		t.Fatalf("no component template siem-log-mappings; have %v", srv.ComponentTemplates())
	}
	tmpl := dig(decode(t, ct), "template")
	mappings := dig(tmpl, "mappings")
	for _, c := range []struct{ path, jsonType, want string }{
		{"source.ip", "string", "ip"},
		{"destination.ip", "string", "ip"},
		{"client.ip", "string", "ip"},
		{"related.ip", "string", "ip"},
		{"destination.nat.ip", "string", "ip"},
		{"source.geo.location", "object", "geo_point"},
		{"threat.enrichments.indicator.geo.location", "object", "geo_point"},
		{"dns.id", "long", "keyword"},
		{"message", "string", "text"},
		{"error.message", "string", "text"},
		{"rds.message", "string", "text"},
		{"cloudtrail.requestParameters.bucketName", "string", "keyword"},
	} {
		if got := dynamicType(t, mappings, c.path, c.jsonType); got != c.want {
			t.Errorf("dynamic mapping of %s (%s) = %q, want %q", c.path, c.jsonType, got, c.want)
		}
	}
	for _, c := range []struct{ path, want string }{
		{"@timestamp", "date"}, {"event.ingested", "date"}, {"event.created", "date"}, {"event.start", "date"}, {"event.end", "date"},
		{"@id", "keyword"}, {"event.id", "keyword"}, {"cloud.account.id", "keyword"}, {"@message", "text"},
		{"source.ip", "ip"}, {"destination.geo.location", "geo_point"}, {"source.bytes", "long"},
	} {
		if got := propertyType(mappings, c.path); got != c.want {
			t.Errorf("property %s = %q, want %q", c.path, got, c.want)
		}
	}
	if kw := dig(mappings, "properties", "@message", "fields", "keyword", "type"); kw != "keyword" {
		t.Errorf("@message has no keyword subfield: %v", kw)
	}
	if dig(mappings, "date_detection") != false {
		t.Error("date_detection is not off")
	}
	settings := dig(tmpl, "settings").(map[string]any)
	if lim, _ := settings["index.mapping.total_fields.limit"].(float64); lim < 10000 {
		t.Errorf("total_fields.limit = %v", settings["index.mapping.total_fields.limit"])
	}
	if v, ok := settings["index.mapping.ignore_malformed"]; ok && v != false {
		t.Errorf("ignore_malformed = %v: mapper errors must reach the dead-letter", v)
	}

	// the index templates
	its := srv.IndexTemplates()
	logT := decode(t, its["siem-log"])
	if p := dig(logT, "index_patterns"); !slices.Equal(toStrings(p), []string{"log-*"}) {
		t.Errorf("siem-log index_patterns = %v", p)
	}
	if c := dig(logT, "composed_of"); !slices.Equal(toStrings(c), []string{"siem-log-mappings"}) {
		t.Errorf("siem-log composed_of = %v", c)
	}
	if p := dig(logT, "priority"); p != float64(logTemplatePriority) {
		t.Errorf("siem-log priority = %v", p)
	}
	for _, alias := range []string{"log-aws-cloudtrail", "log-aws-vpcflowlogs"} {
		rt := decode(t, its["siem-rollover-"+alias])
		if p := dig(rt, "priority"); p != float64(rolloverTemplatePriority) {
			t.Errorf("rollover template of %s: priority %v", alias, p)
		}
		if got := dig(rt, "template", "settings", rolloverAliasSetting); got != alias {
			t.Errorf("rollover template of %s sets rollover alias %v", alias, got)
		}
	}

	// the ISM policy
	pol, ok := srv.ISMPolicies()["siem-rollover"]
	if !ok {
		t.Fatal("no ISM policy siem-rollover")
	}
	if p := toStrings(dig(decode(t, pol), "policy", "ism_template").([]any)[0].(map[string]any)["index_patterns"]); !slices.Contains(p, "log-*-000*") {
		t.Errorf("ism_template patterns = %v", p)
	}

	// the write indices
	aliases := srv.Aliases()
	indices := srv.Indices()
	for _, alias := range []string{"log-aws-cloudtrail", "log-aws-vpcflowlogs"} {
		first := alias + "-000001"
		if !slices.Equal(aliases[alias], []string{first}) {
			t.Errorf("alias %s points to %v", alias, aliases[alias])
		}
		wi := indices[first].Aliases[alias]
		if wi == nil || !*wi {
			t.Errorf("%s is not the write index of %s", first, alias)
		}
		if got := indices[first].Settings["index."+rolloverAliasSetting]; got != alias {
			t.Errorf("%s rollover_alias = %v", first, got)
		}
		if !slices.Contains(rep.Installed, "write index "+first+" for alias "+alias) {
			t.Errorf("report lacks the write index %s:\n%s", first, rep)
		}
	}
	if len(rep.Installed) != 7 { // component, 3 index templates, policy, 2 write indices
		t.Errorf("installed %d objects:\n%s", len(rep.Installed), rep)
	}

	// A rollover creates the next index from the templates alone: it must
	// get the rollover alias from them, or ISM cannot roll it over again.
	put(t, srv, "/log-aws-cloudtrail-000002", `{}`)
	next := srv.Indices()["log-aws-cloudtrail-000002"]
	if next.Template != "siem-rollover-log-aws-cloudtrail" || next.Settings["index."+rolloverAliasSetting] != "log-aws-cloudtrail" {
		t.Errorf("rolled index: template %q, settings %v", next.Template, next.Settings)
	}
	// and a monthly index gets the log template with its settings
	put(t, srv, "/log-aws-guardduty-2024-06", ``)
	monthly := srv.Indices()["log-aws-guardduty-2024-06"]
	if monthly.Template != "siem-log" || monthly.Settings["index.mapping.total_fields.limit"] != float64(10000) {
		t.Errorf("monthly index: template %q, settings %v", monthly.Template, monthly.Settings)
	}
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	return out
}

func TestBootstrapIdempotent(t *testing.T) {
	srv, ix := bootstrapServer(t)
	o := BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail"}}
	if _, err := ix.Bootstrap(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	before := len(srv.AdminRequests())
	rep, err := ix.Bootstrap(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Installed) > 0 || len(rep.Warnings) > 0 {
		t.Errorf("second run installed or warned:\n%s", rep)
	}
	for _, want := range []string{"component template siem-log-mappings (version 1)", "index template siem-log (version 1)",
		"index template siem-rollover-log-aws-cloudtrail (version 1)", "ISM policy siem-rollover", "alias log-aws-cloudtrail"} {
		if !slices.Contains(rep.Existing, want) {
			t.Errorf("second run does not report %q as existing:\n%s", want, rep)
		}
	}
	for _, r := range srv.AdminRequests()[before:] {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("second run wrote: %s", r)
		}
	}
	if got := srv.Aliases()["log-aws-cloudtrail"]; len(got) != 1 {
		t.Errorf("alias points to %v", got)
	}

	// an older version of a template is replaced
	put(t, srv, "/_index_template/siem-log", `{"version":0,"index_patterns":["log-*"],"composed_of":["siem-log-mappings"]}`)
	rep, err = ix.Bootstrap(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Installed, []string{"index template siem-log (replaced version 0)"}) {
		t.Errorf("after a downgrade:\n%s", rep)
	}
}

func TestBootstrapRaceCountsAsDone(t *testing.T) {
	// Another loader created the policy and the first index between our
	// look and our write; here the looks are refused, so the writes meet
	// what exists: 409 for the policy, resource_already_exists_exception
	// for the index. Both mean done.
	srv, ix := bootstrapServer(t)
	put(t, srv, "/_plugins/_ism/policies/siem-rollover", string(embedded("rollover-policy.json")))
	put(t, srv, "/log-aws-waf-000001", `{"aliases":{"log-aws-waf":{"is_write_index":true}}}`)
	srv.ForbidAdmin("GET /_plugins/_ism", "GET /_alias")
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-waf"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) > 0 || !slices.Contains(rep.Existing, "ISM policy siem-rollover") ||
		!slices.Contains(rep.Existing, "write index log-aws-waf-000001 (alias log-aws-waf not readable by this role)") {
		t.Errorf("report:\n%s", rep)
	}
	reqs := strings.Join(srv.AdminRequests(), "\n")
	for _, want := range []string{"PUT /_plugins/_ism/policies/siem-rollover", "PUT /log-aws-waf-000001"} {
		if !strings.Contains(reqs, want) {
			t.Errorf("no %s in\n%s", want, reqs)
		}
	}
	if got := srv.Aliases()["log-aws-waf"]; len(got) != 1 {
		t.Errorf("alias points to %v", got)
	}
}

func TestBootstrapIndexWithoutAlias(t *testing.T) {
	// The first index exists but the alias was removed: writes to the
	// alias name would make a plain index, so the operator is told.
	srv, ix := bootstrapServer(t)
	put(t, srv, "/log-aws-waf-000001", `{}`)
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-waf"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "alias log-aws-waf does not point to it") {
		t.Errorf("report:\n%s", rep)
	}
}

func TestBootstrapForbiddenWarns(t *testing.T) {
	srv, ix := bootstrapServer(t)
	srv.ForbidAdmin()
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail"}})
	if err != nil {
		t.Fatalf("a refused permission failed the bootstrap: %v", err)
	}
	if len(rep.Installed) > 0 {
		t.Errorf("installed despite 403:\n%s", rep)
	}
	all := strings.Join(rep.Warnings, "\n")
	for _, want := range []string{"PUT _component_template/siem-log-mappings (403 security_exception",
		"PUT _index_template/siem-log (403", "PUT _plugins/_ism/policies/siem-rollover (403", "PUT log-aws-cloudtrail-000001 (403",
		"cluster:admin/component_template/put"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if len(srv.ComponentTemplates())+len(srv.IndexTemplates())+len(srv.ISMPolicies())+len(srv.Indices()) > 0 {
		t.Error("the fake cluster stored something despite 403")
	}
}

func TestBootstrapForbiddenISMOnly(t *testing.T) {
	// The SIEM solution's own loader role may write templates but not ISM
	// policies: the rest still happens.
	srv, ix := bootstrapServer(t)
	srv.ForbidAdmin("/_plugins/_ism")
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 2 || !strings.Contains(rep.Warnings[0], "ISM policy siem-rollover skipped") {
		t.Errorf("warnings:\n%s", rep)
	}
	if _, ok := srv.IndexTemplates()["siem-log"]; !ok {
		t.Error("no index template")
	}
	if got := srv.Aliases()["log-aws-cloudtrail"]; len(got) != 1 {
		t.Errorf("alias points to %v", got)
	}
}

func TestBootstrapComponentForbiddenSkipsIndexTemplates(t *testing.T) {
	// Without the component template the index template is refused for
	// its absence: that is the same missing permission, not an error.
	srv, ix := bootstrapServer(t)
	srv.ForbidAdmin("/_component_template")
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 2 || !strings.Contains(rep.Warnings[1], "invalid_index_template_exception") {
		t.Errorf("warnings:\n%s", rep)
	}
}

func TestBootstrapTemplateErrorFails(t *testing.T) {
	srv, ix := bootstrapServer(t)
	// someone else's template for the same indices at the same priority
	put(t, srv, "/_index_template/other", fmt.Sprintf(`{"index_patterns":["log-*"],"priority":%d}`, logTemplatePriority))
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{})
	if err == nil {
		t.Fatalf("no error; report:\n%s", rep)
	}
	var be *BootstrapError
	if !errors.As(err, &be) || be.Status != 400 || be.Type != "illegal_argument_exception" || !strings.Contains(be.Reason, "[other]") {
		t.Fatalf("error = %#v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "PUT _index_template/siem-log: 400 illegal_argument_exception: index template [siem-log]") {
		t.Errorf("message: %s", msg)
	}
	if len(rep.Installed) != 1 {
		t.Errorf("report before the failure:\n%s", rep)
	}
}

func TestBootstrapServerless(t *testing.T) {
	srv, ix := bootstrapServer(t)
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{Serverless: true, AutoAliases: []string{"log-aws-cloudtrail"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.ComponentTemplates())+len(srv.ISMPolicies())+len(srv.Indices()) > 0 {
		t.Errorf("Serverless got more than an index template: %v %v %v", srv.ComponentTemplates(), srv.ISMPolicies(), srv.Indices())
	}
	its := srv.IndexTemplates()
	if len(its) != 1 {
		t.Fatalf("index templates: %v", its)
	}
	it := decode(t, its["siem-log"])
	if dig(it, "composed_of") != nil || dig(it, "template", "settings") != nil {
		t.Errorf("Serverless template is not self-contained or has settings: %s", its["siem-log"])
	}
	if got := dynamicType(t, dig(it, "template", "mappings"), "source.ip", "string"); got != "ip" {
		t.Errorf("Serverless source.ip maps to %q", got)
	}
	if !slices.Equal(rep.Installed, []string{"index template siem-log"}) || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "Serverless") {
		t.Errorf("report:\n%s", rep)
	}
	for _, r := range srv.AdminRequests() {
		if strings.Contains(r, "_ism") || strings.Contains(r, "_alias") || strings.HasPrefix(r, "PUT /_component") {
			t.Errorf("Serverless was sent %s", r)
		}
	}
}

func TestBootstrapLeavesSIEMSolutionTemplates(t *testing.T) {
	srv, ix := bootstrapServer(t)
	put(t, srv, "/_component_template/component_template_log", `{"template":{"mappings":{"properties":{"@timestamp":{"type":"date"}}}}}`)
	put(t, srv, "/_index_template/log_aws", `{"index_patterns":["log-*"],"priority":0,"composed_of":["component_template_log"]}`)
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.IndexTemplates()) != 1 || len(srv.ISMPolicies()) != 0 {
		t.Errorf("templates or policies added next to the SIEM solution's: %v %v", srv.IndexTemplates(), srv.ISMPolicies())
	}
	if got := srv.Aliases()["log-aws-cloudtrail"]; len(got) != 1 {
		t.Errorf("alias points to %v", got)
	}
	if !slices.Equal(rep.Installed, []string{"write index log-aws-cloudtrail-000001 for alias log-aws-cloudtrail"}) {
		t.Errorf("report:\n%s", rep)
	}
}

func TestBootstrapIndexNamedLikeAlias(t *testing.T) {
	// Documents were written to the alias name before any bootstrap: a
	// plain index holds the name. Delivery goes on; the operator is told.
	srv, ix := bootstrapServer(t)
	out := ix.Send(context.Background(), []Doc{{LogType: "cloudtrail", Index: "log-aws-cloudtrail", ID: "1", Body: []byte(`{"a":1}`)}})
	if out[0] != Delivered {
		t.Fatal(out)
	}
	rep, err := ix.Bootstrap(context.Background(), BootstrapOptions{AutoAliases: []string{"log-aws-cloudtrail"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "invalid_alias_name_exception") {
		t.Errorf("warnings:\n%s", rep)
	}
	if len(srv.Aliases()) != 0 {
		t.Errorf("aliases: %v", srv.Aliases())
	}
}

func TestBootstrapErrorBodies(t *testing.T) {
	for _, c := range []struct{ body, typ, reason string }{
		{`{"error":{"root_cause":[],"type":"security_exception","reason":"no permissions"},"status":403}`, "security_exception", "no permissions"},
		{`{"error":"alias [x] missing","status":404}`, "", "alias [x] missing"},
		{`{"message":"User: arn:aws:sts::1:assumed-role/r is not authorized to perform: es:ESHttpPut"}`, "", "User: arn:aws:sts::1:assumed-role/r is not authorized to perform: es:ESHttpPut"},
		{`<html>bad gateway</html>`, "", "<html>bad gateway</html>"},
	} {
		typ, reason := errorTypeReason([]byte(c.body))
		if typ != c.typ || reason != c.reason {
			t.Errorf("%s → %q %q", c.body, typ, reason)
		}
	}
}

// The embedded bodies are JSON and keep ignore_malformed off. (That the
// fake cluster, which checks field types and settings as OpenSearch does,
// accepts them is TestBootstrapInstallsEverything's part.)
func TestBootstrapEmbeddedBodies(t *testing.T) {
	for _, name := range []string{"log-mappings.json", "log-index-template.json", "rollover-policy.json"} {
		if !json.Valid(embedded(name)) {
			t.Errorf("%s is not JSON", name)
		}
		if bytes.Contains(embedded(name), []byte(`"ignore_malformed": true`)) {
			t.Errorf("%s turns ignore_malformed on", name)
		}
	}
}
