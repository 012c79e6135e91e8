package opensearchtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// clusterState is what the admin endpoints keep: templates, ISM policies,
// indices created explicitly and their aliases. It lives behind Server.mu.
type clusterState struct {
	components map[string]json.RawMessage
	templates  map[string]json.RawMessage
	policies   map[string]*ismPolicy
	indices    map[string]*IndexInfo
	// forbidden makes admin requests whose path starts with one of these
	// answer 403, as a role without the permission is answered; "" is
	// every admin path.
	forbidden []string
	// log is every admin request, "METHOD /path", in order.
	log []string
}

type ismPolicy struct {
	body  json.RawMessage
	seqNo int
}

// IndexInfo is an index created with PUT /<index>.
type IndexInfo struct {
	// Aliases maps each alias to whether this index is its write index
	// (nil when the request did not say).
	Aliases map[string]*bool
	// Settings are flat, "index."-prefixed, as GET <index>/_settings
	// answers with flat_settings: the composable template that matched
	// first, overlaid with the request's own settings.
	Settings map[string]any
	// Template is the index template that applied, "" when none did.
	Template string
}

func (s *Server) state() *clusterState {
	if s.cluster == nil {
		s.cluster = &clusterState{
			components: map[string]json.RawMessage{},
			templates:  map[string]json.RawMessage{},
			policies:   map[string]*ismPolicy{},
			indices:    map[string]*IndexInfo{},
		}
	}
	return s.cluster
}

// ForbidAdmin makes the admin requests whose path starts with one of
// prefixes (every admin request when none is given) answer 403
// security_exception, as a cluster answers a role that lacks the
// permission. A prefix may name the method too, "GET /_alias", to refuse
// reads only. Bulk requests are not affected.
func (s *Server) ForbidAdmin(prefixes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	s.state().forbidden = append(s.state().forbidden, prefixes...)
}

// AllowAdmin lifts ForbidAdmin.
func (s *Server) AllowAdmin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state().forbidden = nil
}

// AdminRequests returns the admin requests received, "METHOD /path".
func (s *Server) AdminRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.state().log)
}

// ComponentTemplates returns the component templates by name, as PUT.
func (s *Server) ComponentTemplates() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.state().components)
}

// IndexTemplates returns the composable index templates by name, as PUT.
func (s *Server) IndexTemplates() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.state().templates)
}

// ISMPolicies returns the ISM policies by id, as last PUT.
func (s *Server) ISMPolicies() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]json.RawMessage{}
	for k, p := range s.state().policies {
		out[k] = p.body
	}
	return out
}

// Indices returns the indices created with PUT /<index> (not those a bulk
// request created).
func (s *Server) Indices() map[string]IndexInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]IndexInfo{}
	for k, ix := range s.state().indices {
		out[k] = IndexInfo{Aliases: maps.Clone(ix.Aliases), Settings: maps.Clone(ix.Settings), Template: ix.Template}
	}
	return out
}

// Aliases returns each alias with the indices it points to, sorted.
func (s *Server) Aliases() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for name, ix := range s.state().indices {
		for a := range ix.Aliases {
			out[a] = append(out[a], name)
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// adminError writes an error the way OpenSearch shapes one.
func adminError(w http.ResponseWriter, status int, typ, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	e, _ := json.Marshal(map[string]any{"type": typ, "reason": reason})
	fmt.Fprintf(w, `{"error":{"root_cause":[%s],"type":%q,"reason":%q},"status":%d}`, e, typ, reason, status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// permission names the action a real cluster's security plugin checks
// for a request, so that a 403 reads like one.
func permission(method string, parts []string) string {
	write := method == http.MethodPut || method == http.MethodPost || method == http.MethodDelete
	switch {
	case len(parts) == 0:
		return "cluster:monitor/main"
	case parts[0] == "_component_template":
		if write {
			return "cluster:admin/component_template/put"
		}
		return "cluster:admin/component_template/get"
	case parts[0] == "_index_template":
		if write {
			return "indices:admin/index_template/put"
		}
		return "indices:admin/index_template/get"
	case parts[0] == "_plugins":
		if write {
			return "cluster:admin/opendistro/ism/policy/write"
		}
		return "cluster:admin/opendistro/ism/policy/get"
	case parts[0] == "_alias", parts[0] == "_cat":
		return "indices:admin/aliases/get"
	case write:
		return "indices:admin/create"
	}
	return "indices:admin/get"
}

// admin answers the requests that are not bulk requests, with the
// semantics of the OpenSearch APIs a bootstrap uses.
func (s *Server) admin(w http.ResponseWriter, r *http.Request, body []byte) {
	var parts []string
	if p := strings.Trim(r.URL.Path, "/"); p != "" {
		parts = strings.Split(p, "/")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state()
	st.log = append(st.log, r.Method+" "+r.URL.Path)
	for _, pre := range st.forbidden {
		if strings.HasPrefix(r.URL.Path, pre) || strings.HasPrefix(r.Method+" "+r.URL.Path, pre) {
			adminError(w, http.StatusForbidden, "security_exception",
				fmt.Sprintf("no permissions for [%s] and User [name=loader, backend_roles=[], requestedTenant=null]", permission(r.Method, parts)))
			return
		}
	}
	switch {
	case len(parts) == 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeJSON(w, http.StatusOK, map[string]any{
			"name": "opensearchtest", "cluster_name": "opensearchtest", "cluster_uuid": "opensearchtest",
			"version": map[string]any{"distribution": "opensearch", "number": "2.19.0", "minimum_wire_compatibility_version": "7.10.0"},
			"tagline": "The OpenSearch Project: https://opensearch.org/",
		})
	case len(parts) >= 1 && len(parts) <= 2 && parts[0] == "_component_template":
		s.componentTemplate(w, r, parts[1:], body)
	case len(parts) >= 1 && len(parts) <= 2 && parts[0] == "_index_template":
		s.indexTemplate(w, r, parts[1:], body)
	case len(parts) == 4 && parts[0] == "_plugins" && parts[1] == "_ism" && parts[2] == "policies":
		s.policy(w, r, parts[3], body)
	case len(parts) >= 1 && len(parts) <= 2 && parts[0] == "_alias" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.getAlias(w, parts[1:])
	case len(parts) == 2 && parts[0] == "_cat" && parts[1] == "aliases" && r.Method == http.MethodGet:
		s.catAliases(w)
	case len(parts) == 1 && !strings.HasPrefix(parts[0], "_"):
		s.index(w, r, parts[0], body)
	default:
		adminError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no handler for %s %s", r.Method, r.URL.Path))
	}
}

// named lists stored bodies under key, the way the GET template APIs do:
// every one when name is empty, else the one named (a 404 when missing).
func named(w http.ResponseWriter, store map[string]json.RawMessage, name, listKey, itemKey, what string) {
	var names []string
	if name == "" {
		names = slices.Sorted(maps.Keys(store))
	} else if _, ok := store[name]; ok {
		names = []string{name}
	} else {
		adminError(w, http.StatusNotFound, "resource_not_found_exception", fmt.Sprintf("%s matching [%s] not found", what, name))
		return
	}
	list := []map[string]any{}
	for _, n := range names {
		list = append(list, map[string]any{"name": n, itemKey: store[n]})
	}
	writeJSON(w, http.StatusOK, map[string]any{listKey: list})
}

func (s *Server) componentTemplate(w http.ResponseWriter, r *http.Request, rest []string, body []byte) {
	st := s.state()
	name := ""
	if len(rest) == 1 {
		name = rest[0]
	}
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		named(w, st.components, name, "component_templates", "component_template", "component template")
	case r.Method == http.MethodPut && name != "" || r.Method == http.MethodPost && name != "":
		var ct struct {
			Template *templateBody `json:"template"`
		}
		if err := json.Unmarshal(body, &ct); err != nil {
			adminError(w, http.StatusBadRequest, "x_content_parse_exception", "[component_template] failed to parse: "+err.Error())
			return
		}
		if ct.Template == nil {
			adminError(w, http.StatusBadRequest, "x_content_parse_exception", "[component_template] Required [template]")
			return
		}
		if err := ct.Template.validate(); err != nil {
			adminError(w, http.StatusBadRequest, err.typ, err.reason)
			return
		}
		st.components[name] = json.RawMessage(bytes.Clone(body))
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	case r.Method == http.MethodDelete && name != "":
		if _, ok := st.components[name]; !ok {
			adminError(w, http.StatusNotFound, "resource_not_found_exception", "component template matching ["+name+"] not found")
			return
		}
		for tn, raw := range st.templates {
			var it indexTemplateBody
			json.Unmarshal(raw, &it)
			if slices.Contains(it.ComposedOf, name) {
				adminError(w, http.StatusBadRequest, "illegal_argument_exception",
					fmt.Sprintf("component templates [%s] cannot be removed as they are still in use by index templates [%s]", name, tn))
				return
			}
		}
		delete(st.components, name)
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	default:
		adminError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here")
	}
}

// templateBody is the "template" of a component or index template.
type templateBody struct {
	Settings map[string]any  `json:"settings"`
	Mappings json.RawMessage `json:"mappings"`
	Aliases  map[string]any  `json:"aliases"`
}

type apiErr struct{ typ, reason string }

func (t *templateBody) validate() *apiErr {
	if err := validateSettings(t.Settings); err != nil {
		return err
	}
	if len(t.Mappings) > 0 {
		var m map[string]any
		if err := json.Unmarshal(t.Mappings, &m); err != nil {
			return &apiErr{"mapper_parsing_exception", "Failed to parse mapping: " + err.Error()}
		}
		if err := validateMappings(m); err != nil {
			return err
		}
	}
	return nil
}

// knownSettings are the index settings the bootstrap and its tests use;
// a real cluster refuses a setting it does not know, and so does this one,
// so that a typo in a template fails a test instead of a deployment.
var knownSettings = map[string]bool{
	"index.mapping.total_fields.limit":                       true,
	"index.mapping.ignore_malformed":                         true,
	"index.mapping.depth.limit":                              true,
	"index.max_docvalue_fields_search":                       true,
	"index.number_of_shards":                                 true,
	"index.number_of_replicas":                               true,
	"index.refresh_interval":                                 true,
	"index.codec":                                            true,
	"index.plugins.index_state_management.rollover_alias":    true,
	"index.opendistro.index_state_management.rollover_alias": true,
}

// flatSettings flattens nested settings objects and adds the "index."
// prefix that OpenSearch adds to a setting given without it.
func flatSettings(in map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(prefix+k+".", x)
			}
			return
		}
		key := strings.TrimSuffix(prefix, ".")
		if !strings.HasPrefix(key, "index.") {
			key = "index." + key
		}
		out[key] = v
	}
	for k, v := range in {
		walk(k+".", v)
	}
	return out
}

func validateSettings(in map[string]any) *apiErr {
	for k := range flatSettings(in) {
		if !knownSettings[k] {
			return &apiErr{"illegal_argument_exception", fmt.Sprintf("unknown setting [%s] please check that any required plugins are installed, or check the breaking changes documentation for removed settings", k)}
		}
	}
	return nil
}

// fieldTypes are the mapping types a cluster without extra plugins knows.
var fieldTypes = map[string]bool{
	"keyword": true, "text": true, "match_only_text": true, "wildcard": true, "ip": true, "geo_point": true, "geo_shape": true,
	"date": true, "date_nanos": true, "long": true, "integer": true, "short": true, "byte": true, "double": true, "float": true,
	"half_float": true, "scaled_float": true, "unsigned_long": true, "boolean": true, "binary": true, "object": true, "nested": true,
	"flat_object": true, "alias": true,
}

var mappingTypes = map[string]bool{"*": true, "object": true, "string": true, "long": true, "double": true, "boolean": true, "date": true, "binary": true}

func validateMappings(m map[string]any) *apiErr {
	for k, v := range m {
		switch k {
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return &apiErr{"mapper_parsing_exception", "properties must be an object"}
			}
			if err := validateProperties(props); err != nil {
				return err
			}
		case "dynamic_templates":
			list, ok := v.([]any)
			if !ok {
				return &apiErr{"mapper_parsing_exception", "dynamic_templates must be an array"}
			}
			for _, e := range list {
				one, ok := e.(map[string]any)
				if !ok || len(one) != 1 {
					return &apiErr{"mapper_parsing_exception", "a dynamic template must be an object with exactly one named entry"}
				}
				for name, d := range one {
					dt, ok := d.(map[string]any)
					if !ok {
						return &apiErr{"mapper_parsing_exception", "dynamic template [" + name + "] must be an object"}
					}
					if mt, ok := dt["match_mapping_type"].(string); ok && !mappingTypes[mt] {
						return &apiErr{"mapper_parsing_exception", fmt.Sprintf("No field type matched on [%s], possible values are [object, string, long, double, boolean, date, binary]", mt)}
					}
					mapping, ok := dt["mapping"].(map[string]any)
					if !ok {
						return &apiErr{"mapper_parsing_exception", "template [" + name + "] must have either mapping or runtime set"}
					}
					if err := validateField(name, mapping); err != nil {
						return err
					}
				}
			}
		case "dynamic", "date_detection", "numeric_detection", "_source", "_meta", "_routing", "dynamic_date_formats":
		default:
			return &apiErr{"mapper_parsing_exception", "Root mapping definition has unsupported parameters:  [" + k + "]"}
		}
	}
	return nil
}

func validateProperties(props map[string]any) *apiErr {
	for name, p := range props {
		field, ok := p.(map[string]any)
		if !ok {
			return &apiErr{"mapper_parsing_exception", "Expected map for property [fields] on field [" + name + "]"}
		}
		if err := validateField(name, field); err != nil {
			return err
		}
	}
	return nil
}

func validateField(name string, field map[string]any) *apiErr {
	typ, _ := field["type"].(string)
	if typ == "" {
		if _, ok := field["properties"]; !ok {
			// an object by default
			return nil
		}
		typ = "object"
	}
	if !fieldTypes[typ] {
		return &apiErr{"mapper_parsing_exception", fmt.Sprintf("No handler for type [%s] declared on field [%s]", typ, name)}
	}
	if typ == "scaled_float" && field["scaling_factor"] == nil {
		return &apiErr{"mapper_parsing_exception", "Field [scaling_factor] is required"}
	}
	if sub, ok := field["properties"].(map[string]any); ok {
		if typ != "object" && typ != "nested" {
			return &apiErr{"mapper_parsing_exception", fmt.Sprintf("unknown parameter [properties] on mapper [%s] of type [%s]", name, typ)}
		}
		if err := validateProperties(sub); err != nil {
			return err
		}
	}
	if sub, ok := field["fields"].(map[string]any); ok {
		if err := validateProperties(sub); err != nil {
			return err
		}
	}
	if _, ok := field["ignore_above"]; ok && typ != "keyword" && typ != "wildcard" {
		return &apiErr{"mapper_parsing_exception", fmt.Sprintf("unknown parameter [ignore_above] on mapper [%s] of type [%s]", name, typ)}
	}
	return nil
}

// indexTemplateBody is a composable index template.
type indexTemplateBody struct {
	IndexPatterns json.RawMessage `json:"index_patterns"`
	ComposedOf    []string        `json:"composed_of"`
	Priority      *int64          `json:"priority"`
	Template      *templateBody   `json:"template"`
	patterns      []string
}

func parseIndexTemplate(body []byte) (*indexTemplateBody, *apiErr) {
	var it indexTemplateBody
	if err := json.Unmarshal(body, &it); err != nil {
		return nil, &apiErr{"x_content_parse_exception", "[index_template] failed to parse: " + err.Error()}
	}
	var one string
	if json.Unmarshal(it.IndexPatterns, &one) == nil && one != "" {
		it.patterns = []string{one}
	} else if json.Unmarshal(it.IndexPatterns, &it.patterns) != nil {
		it.patterns = nil
	}
	if len(it.patterns) == 0 {
		return nil, &apiErr{"action_request_validation_exception", "Validation Failed: 1: index patterns are missing;"}
	}
	return &it, nil
}

func (t *indexTemplateBody) priority() int64 {
	if t.Priority == nil {
		return 0
	}
	return *t.Priority
}

// patternsOverlap is a cheap stand-in for OpenSearch's automaton
// intersection: two patterns can match a common name when the literal text
// before the first '*' of one is a prefix of the other's, or when they are
// equal.
func patternsOverlap(a, b string) bool {
	la, _, wa := strings.Cut(a, "*")
	lb, _, wb := strings.Cut(b, "*")
	switch {
	case !wa && !wb:
		return a == b
	case !wa:
		return globMatch(b, a)
	case !wb:
		return globMatch(a, b)
	}
	return strings.HasPrefix(la, lb) || strings.HasPrefix(lb, la)
}

// globMatch matches name against a pattern whose only wildcard is '*'.
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}

func (s *Server) indexTemplate(w http.ResponseWriter, r *http.Request, rest []string, body []byte) {
	st := s.state()
	name := ""
	if len(rest) == 1 {
		name = rest[0]
	}
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		named(w, st.templates, name, "index_templates", "index_template", "index template")
	case (r.Method == http.MethodPut || r.Method == http.MethodPost) && name != "":
		it, perr := parseIndexTemplate(body)
		if perr != nil {
			adminError(w, http.StatusBadRequest, perr.typ, perr.reason)
			return
		}
		if it.Template != nil {
			if err := it.Template.validate(); err != nil {
				adminError(w, http.StatusBadRequest, err.typ, err.reason)
				return
			}
		}
		var missing []string
		for _, c := range it.ComposedOf {
			if _, ok := st.components[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			adminError(w, http.StatusBadRequest, "invalid_index_template_exception",
				fmt.Sprintf("index_template [%s] invalid, cause [index template [%s] specifies component templates %v that do not exist]", name, name, missing))
			return
		}
		for _, other := range slices.Sorted(maps.Keys(st.templates)) {
			if other == name {
				continue
			}
			ot, _ := parseIndexTemplate(st.templates[other])
			if ot == nil || ot.priority() != it.priority() {
				continue
			}
			for _, p := range it.patterns {
				for _, q := range ot.patterns {
					if patternsOverlap(p, q) {
						adminError(w, http.StatusBadRequest, "illegal_argument_exception",
							fmt.Sprintf("index template [%s] has index patterns %v matching patterns from existing templates [%s] with patterns (%s => %v) that have the same priority [%d], multiple index templates may not match during index creation, please use a different priority",
								name, it.patterns, other, other, ot.patterns, it.priority()))
						return
					}
				}
			}
		}
		st.templates[name] = json.RawMessage(bytes.Clone(body))
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	case r.Method == http.MethodDelete && name != "":
		if _, ok := st.templates[name]; !ok {
			adminError(w, http.StatusNotFound, "index_template_missing_exception", "index_template ["+name+"] missing")
			return
		}
		delete(st.templates, name)
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	default:
		adminError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here")
	}
}

// policy is the ISM plugin's policy API: a PUT creates, and replaces only
// with the if_seq_no and if_primary_term of the stored version; without
// them a second PUT is a version conflict.
func (s *Server) policy(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	st := s.state()
	p := st.policies[id]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if p == nil {
			adminError(w, http.StatusNotFound, "status_exception", "Policy not found")
			return
		}
		var stored struct {
			Policy json.RawMessage `json:"policy"`
		}
		json.Unmarshal(p.body, &stored)
		writeJSON(w, http.StatusOK, map[string]any{"_id": id, "_version": p.seqNo + 1, "_seq_no": p.seqNo, "_primary_term": 1, "policy": stored.Policy})
	case http.MethodPut:
		var pb struct {
			Policy *struct {
				DefaultState string `json:"default_state"`
				States       []struct {
					Name string `json:"name"`
				} `json:"states"`
				ISMTemplate json.RawMessage `json:"ism_template"`
			} `json:"policy"`
		}
		if err := json.Unmarshal(body, &pb); err != nil || pb.Policy == nil {
			adminError(w, http.StatusBadRequest, "illegal_argument_exception", "Failed to parse the policy: a \"policy\" object is required")
			return
		}
		found := false
		for _, state := range pb.Policy.States {
			found = found || state.Name == pb.Policy.DefaultState
		}
		if !found {
			adminError(w, http.StatusBadRequest, "illegal_argument_exception", "Policy default_state ["+pb.Policy.DefaultState+"] does not exist")
			return
		}
		q := r.URL.Query()
		seq, hasSeq := q.Get("if_seq_no"), q.Has("if_seq_no") && q.Has("if_primary_term")
		status := http.StatusCreated
		if p != nil {
			if !hasSeq || seq != strconv.Itoa(p.seqNo) || q.Get("if_primary_term") != "1" {
				adminError(w, http.StatusConflict, "version_conflict_engine_exception",
					fmt.Sprintf("[%s]: version conflict, document already exists (current version [%d])", id, p.seqNo+1))
				return
			}
			p.seqNo++
			status = http.StatusOK
		} else {
			p = &ismPolicy{}
			st.policies[id] = p
		}
		var stored struct {
			Policy json.RawMessage `json:"policy"`
		}
		json.Unmarshal(body, &stored)
		p.body = json.RawMessage(bytes.Clone(body))
		writeJSON(w, status, map[string]any{"_id": id, "_version": p.seqNo + 1, "_primary_term": 1, "_seq_no": p.seqNo, "policy": map[string]any{"policy": stored.Policy}})
	case http.MethodDelete:
		if p == nil {
			adminError(w, http.StatusNotFound, "status_exception", "Policy not found")
			return
		}
		delete(st.policies, id)
		writeJSON(w, http.StatusOK, map[string]any{"_id": id, "result": "deleted"})
	default:
		adminError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here")
	}
}

// indexExists: created with PUT, or by a bulk request writing into it.
func (s *Server) indexExists(name string) bool {
	if _, ok := s.state().indices[name]; ok {
		return true
	}
	prefix := name + "/"
	for k := range s.writes {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func (s *Server) aliasIndices(alias string) []string {
	var out []string
	for name, ix := range s.state().indices {
		if _, ok := ix.Aliases[alias]; ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func validIndexName(n string) string {
	switch {
	case n != strings.ToLower(n):
		return "must be lowercase"
	case strings.HasPrefix(n, "-") || strings.HasPrefix(n, "+") || strings.HasPrefix(n, "_"):
		return "must not start with '_', '-', or '+'"
	case n == "." || n == "..":
		return "must not be '.' or '..'"
	case strings.ContainsAny(n, `\/*?"<>| ,#:`):
		return `must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?, #, :]`
	}
	return ""
}

func (s *Server) index(w http.ResponseWriter, r *http.Request, name string, body []byte) {
	st := s.state()
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		ix, ok := st.indices[name]
		if !ok {
			adminError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+name+"]")
			return
		}
		aliases := map[string]any{}
		for a, wi := range ix.Aliases {
			aliases[a] = aliasJSON(wi)
		}
		writeJSON(w, http.StatusOK, map[string]any{name: map[string]any{"aliases": aliases, "settings": ix.Settings}})
	case http.MethodPut:
		if why := validIndexName(name); why != "" {
			adminError(w, http.StatusBadRequest, "invalid_index_name_exception", "Invalid index name ["+name+"], "+why)
			return
		}
		if s.indexExists(name) {
			adminError(w, http.StatusBadRequest, "resource_already_exists_exception", "index ["+name+"/opensearchtest] already exists")
			return
		}
		if len(s.aliasIndices(name)) > 0 {
			adminError(w, http.StatusBadRequest, "invalid_index_name_exception", "Invalid index name ["+name+"], already exists as alias")
			return
		}
		var req struct {
			Aliases map[string]struct {
				IsWriteIndex *bool `json:"is_write_index"`
			} `json:"aliases"`
			Settings map[string]any  `json:"settings"`
			Mappings json.RawMessage `json:"mappings"`
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &req); err != nil {
				adminError(w, http.StatusBadRequest, "x_content_parse_exception", "failed to parse the create index request: "+err.Error())
				return
			}
		}
		if err := validateSettings(req.Settings); err != nil {
			adminError(w, http.StatusBadRequest, err.typ, err.reason)
			return
		}
		ix := &IndexInfo{Aliases: map[string]*bool{}, Settings: map[string]any{}}
		for a, spec := range req.Aliases {
			if s.indexExists(a) {
				adminError(w, http.StatusBadRequest, "invalid_alias_name_exception", "Invalid alias name ["+a+"]: an index or data stream exists with the same name as the alias")
				return
			}
			if spec.IsWriteIndex != nil && *spec.IsWriteIndex {
				for _, other := range s.aliasIndices(a) {
					if wi := st.indices[other].Aliases[a]; wi != nil && *wi {
						adminError(w, http.StatusBadRequest, "illegal_state_exception",
							fmt.Sprintf("alias [%s] has more than one write index [%s,%s]", a, other, name))
						return
					}
				}
			}
			ix.Aliases[a] = spec.IsWriteIndex
		}
		ix.Template, ix.Settings = s.templateSettings(name)
		maps.Copy(ix.Settings, flatSettings(req.Settings))
		st.indices[name] = ix
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true, "shards_acknowledged": true, "index": name})
	case http.MethodDelete:
		if _, ok := st.indices[name]; !ok {
			adminError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+name+"]")
			return
		}
		delete(st.indices, name)
		writeJSON(w, http.StatusOK, map[string]any{"acknowledged": true})
	default:
		adminError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here")
	}
}

// templateSettings are the settings the highest-priority matching index
// template gives a new index: its component templates' in order, then its
// own, as OpenSearch composes them.
func (s *Server) templateSettings(index string) (string, map[string]any) {
	st := s.state()
	best, bestPrio := "", int64(-1)
	var bestT *indexTemplateBody
	for _, name := range slices.Sorted(maps.Keys(st.templates)) {
		it, err := parseIndexTemplate(st.templates[name])
		if err != nil {
			continue
		}
		for _, p := range it.patterns {
			if globMatch(p, index) && it.priority() > bestPrio {
				best, bestPrio, bestT = name, it.priority(), it
			}
		}
	}
	out := map[string]any{}
	if bestT == nil {
		return "", out
	}
	for _, c := range bestT.ComposedOf {
		var ct struct {
			Template templateBody `json:"template"`
		}
		json.Unmarshal(st.components[c], &ct)
		maps.Copy(out, flatSettings(ct.Template.Settings))
	}
	if bestT.Template != nil {
		maps.Copy(out, flatSettings(bestT.Template.Settings))
	}
	return best, out
}

func aliasJSON(writeIndex *bool) map[string]any {
	if writeIndex == nil {
		return map[string]any{}
	}
	return map[string]any{"is_write_index": *writeIndex}
}

// getAlias is GET _alias[/<alias>]: the indices an alias points to, keyed
// by index; a missing alias is a 404 whose error is a bare string, as
// OpenSearch answers it.
func (s *Server) getAlias(w http.ResponseWriter, rest []string) {
	out := map[string]any{}
	want := ""
	if len(rest) == 1 {
		want = rest[0]
	}
	for name, ix := range s.state().indices {
		aliases := map[string]any{}
		for a, wi := range ix.Aliases {
			if want == "" || globMatch(want, a) {
				aliases[a] = aliasJSON(wi)
			}
		}
		if len(aliases) > 0 {
			out[name] = map[string]any{"aliases": aliases}
		}
	}
	if want != "" && len(out) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "alias [" + want + "] missing", "status": 404})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// catAliases is GET _cat/aliases?format=json, what es-loader reads.
func (s *Server) catAliases(w http.ResponseWriter) {
	rows := []map[string]string{}
	st := s.state()
	for _, name := range slices.Sorted(maps.Keys(st.indices)) {
		for _, a := range slices.Sorted(maps.Keys(st.indices[name].Aliases)) {
			wi := "-"
			if p := st.indices[name].Aliases[a]; p != nil {
				wi = strconv.FormatBool(*p)
			}
			rows = append(rows, map[string]string{"alias": a, "index": name, "filter": "-", "routing.index": "-", "routing.search": "-", "is_write_index": wi})
		}
	}
	writeJSON(w, http.StatusOK, rows)
}
