package ship

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The bodies the bootstrap installs. They are JSON files rather than Go
// literals so that an operator can read (and diff) exactly what goes to
// the cluster. A template is replaced only when the cluster holds another
// "version" of it, so a change to a file must bump its version.
//
// log-mappings.json is the component template. Its choices:
//   - dynamic templates type "*.ip" as ip and "*.geo.location" as
//     geo_point, which the dashboards' maps and IP filters need, and which
//     dynamic mapping would otherwise make keyword and object;
//   - numeric "*.id" values are keyword, so that an id that is a number in
//     one log and a string in the next does not split the field's type;
//   - "message" fields are text with a keyword subfield, other strings
//     keyword (ignore_above 8191 characters, so that a huge value is kept
//     in _source instead of failing the document on Lucene's term limit);
//   - date_detection is off: a raw field that looks like a date in one
//     record and not in another would reject the second document, and the
//     ECS dates the dashboards use are mapped explicitly;
//   - index.mapping.total_fields.limit is 10000, since wide types (Config
//     snapshots, Security Hub findings) pass the default 1000;
//   - index.mapping.ignore_malformed stays off, unlike in SIEM on Amazon
//     OpenSearch Service: a value that does not fit its field must reach
//     the dead-letter with its reason, not vanish from the index.
//
//go:embed templates/*.json
var templateFS embed.FS

func embedded(name string) []byte {
	b, err := templateFS.ReadFile("templates/" + name)
	if err != nil {
		panic(err) // the file is compiled in; a missing one is a build mistake
	}
	return b
}

// Priorities of siemloader's index templates. They differ from those of
// SIEM on Amazon OpenSearch Service (0, 1, 2 and 5), because OpenSearch
// refuses two templates with overlapping patterns and equal priority; a
// rollover template outranks the log-* one so that a rolled index keeps
// its rollover alias.
const (
	logTemplatePriority      = 50
	rolloverTemplatePriority = 60
)

// siemSolutionTemplate is the component template SIEM on Amazon OpenSearch
// Service's deploy_es installs. When a cluster has it, that solution owns
// the log-* templates and the rollover policy: installing ours would
// outrank its per-type mappings and change the field types its dashboards
// were built on.
const siemSolutionTemplate = "component_template_log"

// BootstrapOptions say what the bootstrap prepares.
type BootstrapOptions struct {
	// Serverless is Amazon OpenSearch Serverless: no component templates,
	// no ISM, no aliases there, so only a self-contained index template is
	// installed.
	Serverless bool
	// AutoAliases are the index names of the log types with
	// index_rotation = auto: each becomes a rollover alias with a first
	// write index <alias>-000001.
	AutoAliases []string
	// TemplatePrefix starts the name of everything installed (default
	// "siem"): <prefix>-log-mappings, <prefix>-log, <prefix>-rollover.
	TemplatePrefix string
}

// BootstrapReport is what the bootstrap did, one line per object, for the
// CLI to print.
type BootstrapReport struct {
	// Installed were created or replaced.
	Installed []string
	// Existing were there already and left as they are.
	Existing []string
	// Warnings are steps skipped because the cluster refused them (a role
	// without the permission) or things an operator should fix.
	Warnings []string
}

// String is the report as lines.
func (r BootstrapReport) String() string {
	var b strings.Builder
	for _, l := range r.Installed {
		fmt.Fprintf(&b, "installed: %s\n", l)
	}
	for _, l := range r.Existing {
		fmt.Fprintf(&b, "exists: %s\n", l)
	}
	for _, l := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", l)
	}
	return b.String()
}

// BootstrapError is a request of the bootstrap the cluster answered with
// an error other than a refused permission.
type BootstrapError struct {
	Method, Path string
	Status       int
	Type, Reason string
}

func (e *BootstrapError) Error() string {
	msg := fmt.Sprintf("bootstrap: %s %s: %d", e.Method, e.Path, e.Status)
	if e.Type != "" {
		msg += " " + e.Type
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// refused is a 401 or 403: the role lacks a permission, which skips a
// step instead of failing the loader.
func (e *BootstrapError) refused() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// short is the error as a warning quotes it.
func (e *BootstrapError) short() string {
	s := fmt.Sprintf("%s %s (%d", e.Method, e.Path, e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s + ")"
}

func asBootstrapError(err error) (*BootstrapError, bool) {
	var be *BootstrapError
	ok := errors.As(err, &be)
	return be, ok
}

func (o *BootstrapOptions) setDefaults() {
	if o.TemplatePrefix == "" {
		o.TemplatePrefix = "siem"
	}
	// several log types may share an index name
	var aliases []string
	for _, a := range o.AutoAliases {
		if a != "" && !slices.Contains(aliases, a) {
			aliases = append(aliases, a)
		}
	}
	o.AutoAliases = aliases
}

func (o *BootstrapOptions) componentName() string { return o.TemplatePrefix + "-log-mappings" }
func (o *BootstrapOptions) templateName() string  { return o.TemplatePrefix + "-log" }
func (o *BootstrapOptions) policyName() string    { return o.TemplatePrefix + "-rollover" }
func (o *BootstrapOptions) rolloverTemplateName(alias string) string {
	return o.TemplatePrefix + "-rollover-" + alias
}

// Bootstrap prepares the cluster for the loader: the log-* mappings as a
// component template and an index template, and for each auto-rotated
// alias an ISM rollover policy, an index template that gives rolled
// indices their rollover alias, and the first write index. It can run at
// every start: what is current is left alone. A step the cluster refuses
// with 401 or 403 is skipped with a warning in the report, so that a
// loader whose role may only write documents still starts; any other
// refusal is returned as a *BootstrapError.
func (ix *Indexer) Bootstrap(ctx context.Context, o BootstrapOptions) (BootstrapReport, error) {
	o.setDefaults()
	b := &bootstrapper{ix: ix, o: o}
	err := b.run(ctx)
	return b.rep, err
}

type bootstrapper struct {
	ix  *Indexer
	o   BootstrapOptions
	rep BootstrapReport
	// componentRefused: the component template step was refused, so an
	// index template composed of it may be refused for its absence.
	componentRefused bool
}

func (b *bootstrapper) installed(format string, a ...any) {
	b.rep.Installed = append(b.rep.Installed, fmt.Sprintf(format, a...))
}

func (b *bootstrapper) existing(format string, a ...any) {
	b.rep.Existing = append(b.rep.Existing, fmt.Sprintf(format, a...))
}

func (b *bootstrapper) warn(format string, a ...any) {
	b.rep.Warnings = append(b.rep.Warnings, fmt.Sprintf(format, a...))
}

// skipped turns a refused permission into a warning (true) and leaves any
// other error to the caller (false).
func (b *bootstrapper) skipped(err error, what, permission string) bool {
	be, ok := asBootstrapError(err)
	if !ok || !be.refused() {
		return false
	}
	b.warn("bootstrap of the %s skipped: the cluster refused %s: grant the loader's role %s, or run the bootstrap once with a role that has it", what, be.short(), permission)
	return true
}

func (b *bootstrapper) run(ctx context.Context) error {
	siem := b.siemSolutionManaged(ctx)
	if siem {
		b.existing("component template %s: SIEM on Amazon OpenSearch Service manages the log-* templates and the rollover policy here, so siemloader installs none of its own", siemSolutionTemplate)
	} else if err := b.templates(ctx); err != nil {
		return err
	}
	if b.o.Serverless {
		if len(b.o.AutoAliases) > 0 {
			b.warn("index_rotation = auto has no rollover on OpenSearch Serverless (no aliases, no ISM): %s are written as plain indices", strings.Join(b.o.AutoAliases, ", "))
		}
		return nil
	}
	if !siem && len(b.o.AutoAliases) > 0 {
		if err := b.policy(ctx); err != nil {
			return err
		}
	}
	return b.aliases(ctx)
}

// siemSolutionManaged: the cluster has SIEM on Amazon OpenSearch
// Service's templates. Any answer but 200 (absent, refused, an API
// Serverless lacks) means no.
func (b *bootstrapper) siemSolutionManaged(ctx context.Context) bool {
	status, _, err := b.ix.adminRequest(ctx, http.MethodGet, "/_component_template/"+siemSolutionTemplate, nil)
	return err == nil && status == http.StatusOK
}

// templates installs the component template and the index templates, or
// on Serverless the one self-contained index template.
func (b *bootstrapper) templates(ctx context.Context) error {
	component := embedded("log-mappings.json")
	if !b.o.Serverless {
		err := b.putVersioned(ctx, "component template", "_component_template", b.o.componentName(), component, "component_templates", "component_template")
		if b.skipped(err, "component template "+b.o.componentName(), "the cluster permission cluster:admin/component_template/put") {
			b.componentRefused = true
		} else if err != nil {
			return err
		}
	}
	bodies, err := b.indexTemplates(component)
	if err != nil {
		return err
	}
	for _, t := range bodies {
		err := b.putVersioned(ctx, "index template", "_index_template", t.name, t.body, "index_templates", "index_template")
		if b.skipped(err, "index templates", "the cluster permission indices:admin/index_template/put") {
			return nil
		}
		if be, ok := asBootstrapError(err); ok && b.componentRefused && be.Type == "invalid_index_template_exception" {
			b.warn("bootstrap of the index templates skipped: they need component template %s, which could not be installed: %s", b.o.componentName(), be.short())
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type namedBody struct {
	name string
	body []byte
}

// indexTemplates builds the index template bodies from the embedded ones.
func (b *bootstrapper) indexTemplates(component []byte) ([]namedBody, error) {
	var base map[string]any
	if err := json.Unmarshal(embedded("log-index-template.json"), &base); err != nil {
		return nil, fmt.Errorf("bootstrap: log-index-template.json: %w", err)
	}
	// priority and composed_of depend on the options and on each other,
	// so they are set here rather than in the file
	base["priority"] = logTemplatePriority
	if b.o.Serverless {
		// Serverless has no component templates: the mappings go inline.
		// Its collections manage shards, refresh and field limits
		// themselves and refuse most index settings, so none are sent.
		var ct struct {
			Template struct {
				Mappings json.RawMessage `json:"mappings"`
			} `json:"template"`
		}
		if err := json.Unmarshal(component, &ct); err != nil {
			return nil, fmt.Errorf("bootstrap: log-mappings.json: %w", err)
		}
		base["template"] = map[string]any{"mappings": ct.Template.Mappings}
		body, err := json.Marshal(base)
		return []namedBody{{b.o.templateName(), body}}, err
	}
	base["composed_of"] = []string{b.o.componentName()}
	body, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	out := []namedBody{{b.o.templateName(), body}}
	// The rollover API creates <alias>-000002 from the index templates
	// alone: it does not copy the first index's settings. ISM then needs
	// the rollover alias on the new index to roll it over in turn, so each
	// alias gets a template for its numbered indices that carries it.
	for _, alias := range b.o.AutoAliases {
		if !strings.HasPrefix(alias, "log-") {
			continue // the log mappings are not its; aliases() warns
		}
		t := map[string]any{}
		for k, v := range base {
			t[k] = v
		}
		t["index_patterns"] = []string{alias + "-0*"}
		t["priority"] = rolloverTemplatePriority
		t["template"] = map[string]any{"settings": map[string]any{rolloverAliasSetting: alias}}
		t["_meta"] = map[string]any{"managed_by": "siemloader", "description": "Gives the indices of rollover alias " + alias + " their rollover alias. Installed by siemloader's bootstrap."}
		body, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		out = append(out, namedBody{b.o.rolloverTemplateName(alias), body})
	}
	return out, nil
}

const rolloverAliasSetting = "plugins.index_state_management.rollover_alias"

// putVersioned installs a template unless the cluster already holds one
// with the same version: a restart then writes nothing, and a new
// siemloader with a new version replaces the old template.
func (b *bootstrapper) putVersioned(ctx context.Context, kind, api, name string, body []byte, listKey, itemKey string) error {
	var want struct {
		Version *int64 `json:"version"`
	}
	if err := json.Unmarshal(body, &want); err != nil {
		return fmt.Errorf("bootstrap: %s %s: %w", kind, name, err)
	}
	path := "/" + api + "/" + url.PathEscape(name)
	status, data, err := b.ix.adminRequest(ctx, http.MethodGet, path, nil)
	var have *int64
	if err == nil && status == http.StatusOK {
		// the item's key differs per API, so it is read in two steps
		var raw map[string][]map[string]json.RawMessage
		if json.Unmarshal(data, &raw) == nil {
			for _, it := range raw[listKey] {
				var n string
				json.Unmarshal(it["name"], &n)
				if n != name {
					continue
				}
				var v struct {
					Version *int64 `json:"version"`
				}
				if json.Unmarshal(it[itemKey], &v) == nil && v.Version != nil {
					have = v.Version
				} else {
					have = new(int64(-1)) // present without a version: someone else's
				}
			}
		}
	}
	// A refused or failed GET says nothing: the PUT decides.
	if have != nil && want.Version != nil && *have == *want.Version {
		b.existing("%s %s (version %d)", kind, name, *have)
		return nil
	}
	if _, _, err := b.ix.adminRequest(ctx, http.MethodPut, path, body); err != nil {
		return err
	}
	switch {
	case have == nil:
		b.installed("%s %s", kind, name)
	case *have < 0:
		b.installed("%s %s (replaced one without a version)", kind, name)
	default:
		b.installed("%s %s (replaced version %d)", kind, name, *have)
	}
	return nil
}

// policy installs the ISM rollover policy once. An existing policy is
// left as it is: an operator may have tuned its conditions, and the ISM
// API would refuse a blind replacement anyway.
func (b *bootstrapper) policy(ctx context.Context) error {
	name := b.o.policyName()
	path := "/_plugins/_ism/policies/" + url.PathEscape(name)
	status, _, err := b.ix.adminRequest(ctx, http.MethodGet, path, nil)
	if err == nil && status == http.StatusOK {
		b.existing("ISM policy %s", name)
		return nil
	}
	// 404, or a refused GET: the PUT decides
	_, _, err = b.ix.adminRequest(ctx, http.MethodPut, path, embedded("rollover-policy.json"))
	if be, ok := asBootstrapError(err); ok && be.Status == http.StatusConflict {
		// created between our GET and PUT (another loader starting)
		b.existing("ISM policy %s", name)
		return nil
	}
	if b.skipped(err, "ISM policy "+name, "the cluster permission cluster:admin/opendistro/ism/policy/write") {
		b.warn("without ISM policy %s, the indices of %s are not rolled over", name, strings.Join(b.o.AutoAliases, ", "))
		return nil
	}
	if err != nil {
		return err
	}
	b.installed("ISM policy %s", name)
	return nil
}

// aliases creates, for each auto-rotated alias that does not exist yet, its
// first write index. Without it the first document written to the alias
// name would create a plain index of that name, which no alias can ever
// take over.
func (b *bootstrapper) aliases(ctx context.Context) error {
	for _, alias := range b.o.AutoAliases {
		if !strings.HasPrefix(alias, "log-") {
			b.warn("alias %s is outside log-*: siemloader's mappings and its rollover policy's ism_template do not apply to it", alias)
		}
		exists, err := b.aliasExists(ctx, alias)
		// A role may create indices without reading aliases: then the
		// create answers instead.
		getRefused := false
		if be, ok := asBootstrapError(err); ok && be.refused() {
			getRefused = true
		} else if err != nil {
			return err
		}
		if exists {
			continue
		}
		index := alias + "-000001"
		body, _ := json.Marshal(map[string]any{
			"aliases": map[string]any{alias: map[string]any{"is_write_index": true}},
			// the rollover template gives it too; this covers a cluster
			// where that template could not be installed
			"settings": map[string]any{rolloverAliasSetting: alias},
		})
		_, _, err = b.ix.adminRequest(ctx, http.MethodPut, "/"+url.PathEscape(index), body)
		be, _ := asBootstrapError(err)
		switch {
		case err == nil:
			b.installed("write index %s for alias %s", index, alias)
		case be != nil && be.Type == "resource_already_exists_exception":
			// another loader was first, as es-loader also assumes; but if
			// the index exists without the alias, writes to the alias name
			// would create a plain index, so say so when we can tell
			if ok, _ := b.aliasExists(ctx, alias); ok {
				// aliasExists reported it
			} else if getRefused {
				b.existing("write index %s (alias %s not readable by this role)", index, alias)
			} else {
				b.warn("index %s exists but alias %s does not point to it: add the alias with is_write_index true, or documents for %s go to a plain index of that name", index, alias, alias)
			}
		case be != nil && be.Type == "invalid_alias_name_exception":
			// documents still arrive, in the plain index; failing the
			// loader over it would stop them too
			b.warn("alias %s cannot be created: an index of that name exists (written before the alias was): its documents are not rolled over; reindex it into %s and delete it to enable rollover (%s)", alias, index, be.short())
		case b.skipped(err, "rollover aliases", "the index permissions indices:admin/create and indices:admin/aliases on "+alias+"*"):
			return nil
		default:
			return err
		}
	}
	return nil
}

// aliasExists asks GET _alias/<alias>; a 404 is a missing alias. It also
// warns when the alias has several indices and none is the write index,
// since the loader's bulk writes would all fail.
func (b *bootstrapper) aliasExists(ctx context.Context, alias string) (bool, error) {
	status, data, err := b.ix.adminRequest(ctx, http.MethodGet, "/_alias/"+url.PathEscape(alias), nil)
	if be, ok := asBootstrapError(err); ok && be.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if status != http.StatusOK {
		return false, nil
	}
	var got map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	if json.Unmarshal(data, &got) != nil || len(got) == 0 {
		return false, nil
	}
	writers := 0
	for _, ix := range got {
		if a, ok := ix.Aliases[alias]; ok && a.IsWriteIndex != nil && *a.IsWriteIndex {
			writers++
		}
	}
	if len(got) > 1 && writers == 0 {
		b.warn("alias %s points to %d indices and none is its write index: writes to it fail until one is marked is_write_index", alias, len(got))
	}
	b.existing("alias %s", alias)
	return true, nil
}

// adminRequest sends one request of the bootstrap. A 2xx returns the
// status and body; anything else is a *BootstrapError carrying the
// error's type and reason.
func (ix *Indexer) adminRequest(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ix.cfg.Timeout)
	defer cancel()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("bootstrap: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if ix.signed {
			req.Header.Set("X-Amz-Content-Sha256", payloadSHA256(body))
		}
	}
	resp, err := ix.client.Perform(req)
	if resp == nil || (err != nil && resp.StatusCode < 300) {
		if err == nil {
			err = errors.New("no response")
		}
		return 0, nil, fmt.Errorf("bootstrap: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(resp.Body)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if rerr != nil {
			return 0, nil, fmt.Errorf("bootstrap: %s %s: reading the answer: %w", method, path, rerr)
		}
		return resp.StatusCode, data, nil
	}
	be := &BootstrapError{Method: method, Path: strings.TrimPrefix(path, "/"), Status: resp.StatusCode}
	be.Type, be.Reason = errorTypeReason(data)
	return resp.StatusCode, data, be
}

// errorTypeReason reads an OpenSearch error body: {"error":{"type",
// "reason"}} mostly, {"error":"alias [x] missing"} for some 404s, and
// whatever a proxy in front answered ({"message":...} from AWS).
func errorTypeReason(data []byte) (typ, reason string) {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(data, &e) != nil {
		s := strings.TrimSpace(string(data))
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		return "", s
	}
	var obj struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}
	var str string
	switch {
	case json.Unmarshal(e.Error, &obj) == nil && (obj.Type != "" || obj.Reason != ""):
		return obj.Type, obj.Reason
	case json.Unmarshal(e.Error, &str) == nil:
		return "", str
	}
	return "", e.Message
}

// Prepare is the bootstrap as a loader runs it at start: for Serverless
// when the indexer signs for aoss, with the rollover aliases of the
// configuration. A cluster that does not answer is a warning, not an
// error: the documents are retried anyway, and the next start installs
// what is missing. A request the cluster refuses is an error.
func (ix *Indexer) Prepare(ctx context.Context, autoAliases []string) (BootstrapReport, error) {
	rep, err := ix.Bootstrap(ctx, BootstrapOptions{Serverless: ix.cfg.AWS.Service == "aoss", AutoAliases: autoAliases})
	var be *BootstrapError
	if err != nil && !errors.As(err, &be) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("bootstrap skipped: %v; documents are sent anyway", err))
		return rep, nil
	}
	return rep, err
}
