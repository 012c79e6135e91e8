package logtypes

import (
	"strings"
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS CloudTrail ([cloudtrail]): one event per element of "Records". The
// transform
//
//   - sets event.outcome: failure when the event has an errorCode or
//     errorMessage key, success otherwise,
//   - shortens user.name (userName, ARN or principal id) to what follows
//     the last ':' and then the last '/' ("root", "alice@example.com"),
//   - sets cloud.instance.id for SSM sessions (the target) and compliance
//     items (an instance resourceId), for STS calls made by EC2 on behalf
//     of an instance (the role session name) and for CloudHSM (the HSM id,
//     with the cluster and HSM in related.hosts),
//   - reshapes the request and response fields whose type varies between
//     events, so that one index mapping holds them all: a text value
//     becomes an object ({"value": ...}, {"status": ...}, ...), an object
//     or list that is sometimes text becomes text (Python str()/repr()),
//     {"value": x} of disableApiTermination/disableApiStop becomes x, and
//     Athena's dotted "projection.*.interval.unit" table parameters lose a
//     dot.
//
// Where es-loader tests membership of a plain string rather than a tuple
// (`eventSource in ('sts.amazonaws.com')`), it is a substring test; that is
// kept, so an empty eventSource takes the STS branch as it does there.
//
// es-loader differences (fixed):
//
//   - For CloudHSM events es-loader replaces the whole related object by
//     related.hosts, losing related.ip (the caller's address); here
//     related.ip is kept and related.hosts added.
//   - Inputs that make es-loader's script raise half-way (a requestParameters
//     that is null or text where the SSM, STS or CodeGuru branches expect an
//     object, a resourceId that is not text, odd Athena table metadata or
//     S3 replication rules, a non-text eventSource) are skipped field by
//     field; the rest of the transform is still applied.

func init() { register("cloudtrail", transformCloudTrail) }

func transformCloudTrail(r *Record) error {
	d := r.Doc
	// constant strings: no allocation when stored in the document
	if d.Has("errorCode") || d.Has("errorMessage") {
		d.Child("event").Set("outcome", "failure")
	} else {
		d.Child("event").Set("outcome", "success")
	}

	if user := ctMap(d, "user"); user != nil {
		if name, ok := user.GetString("name"); ok && strings.IndexByte(name, ':') >= 0 {
			name = name[strings.LastIndexByte(name, ':')+1:]
			user.Set("name", name[strings.LastIndexByte(name, '/')+1:])
		}
	}

	source, present := d.Get("eventSource")
	eventSource, sourceIsText := source.(string)
	if !present {
		sourceIsText = true // logdata.get('eventSource', '') is ''
	}
	req := ctMap(d, "requestParameters")
	resp := ctMap(d, "responseElements")
	if sourceIsText {
		ctInstanceID(d, eventSource, req, resp)
	}

	if resp != nil {
		if cred, ok := resp.GetString("credentials"); ok {
			c := pyjson.NewMap(1)
			if strings.Contains(cred, "arn:aws:iam") || strings.Contains(cred, "arn:aws-cn:iam") ||
				strings.Contains(cred, "arn:aws-us-gov:iam") {
				c.Set("iam", cred)
			} else {
				c.Set("value", cred)
			}
			resp.Set("credentials", c)
		}
		ctConvertTextIntoDict(resp, "policy")
		ctWrapText(resp, "status", "status")
	}
	if req != nil {
		ctConvertTextIntoDict(req, "tags")
		ctUnwrapValue(req, "disableApiTermination")
		ctUnwrapValue(req, "disableApiStop")
	}

	if !sourceIsText || eventSource == "" {
		return nil
	}
	switch {
	case eventSource == "athena.amazonaws.com":
		if resp == nil {
			break
		}
		if list, ok := resp.Get("tableMetadataList"); ok {
			if list, ok := list.([]any); ok {
				for _, tm := range list {
					if tm, ok := tm.(*pyjson.Map); ok {
						ctRenameParameter(tm, "projection.date.interval.unit", "projection.date.interval_unit")
					}
				}
			}
		}
		if tm := ctMap(resp, "tableMetadata"); tm != nil {
			ctRenameParameter(tm, "projection.part_date.interval.unit", "projection.part_date.interval_unit")
		}
	case eventSource == "glue.amazonaws.com":
		ctWrapText(req, "configuration", "text")
	case eventSource == "cognito-idp.amazonaws.com":
		ctWrapText(resp, "session", "value")
	case eventSource == "ecs.amazonaws.com":
		ctWrapText(req, "command", "command")
	case eventSource == "ssm.amazonaws.com" || eventSource == "sqlworkbench.amazonaws.com":
		ctWrapText(req, "parameters", "value")
	case strings.Contains("redshift-data.amazonaws.com", eventSource):
		ctWrapText(resp, "database", "name")
	case strings.Contains("cloud9.amazonaws.com", eventSource):
		ctWrapText(req, "settings", "value")
	case strings.Contains("s3.amazonaws.com", eventSource):
		rules, _ := req.GetPath("ReplicationConfiguration", "Rule")
		if rules, ok := rules.([]any); ok {
			for _, rule := range rules {
				rule, ok := rule.(*pyjson.Map)
				if !ok {
					continue
				}
				if f, ok := rule.Get("Filter"); ok && pyjson.Truthy(f) {
					rule.Set("Filter", pyjson.Str(f))
				}
			}
		}
	case strings.Contains("inspector2.amazonaws.com", eventSource):
		if ids, ok := req.Get("accountIds"); ok {
			if l, ok := ids.([]any); ok && len(l) > 0 {
				if _, isMap := l[0].(*pyjson.Map); isMap {
					req.Set("accountIds", pyjson.Str(l))
				}
			}
		}
	case strings.Contains("codeguru-security.amazonaws.com", eventSource):
		if id, ok := req.Get("resourceId"); ok && pyjson.Truthy(id) {
			req.Set("resourceId", pyjson.Repr(id))
		}
	case strings.Contains("dynamodb.amazonaws.com", eventSource):
		ctConvertTextIntoDict(req, "items")
	}
	return nil
}

// ctMap returns the map under k, or nil.
func ctMap(m *pyjson.Map, k string) *pyjson.Map {
	v, _ := m.Get(k)
	c, _ := v.(*pyjson.Map)
	return c
}

// ctInstanceID is es-loader's extract_instance_id.
func ctInstanceID(d *pyjson.Map, eventSource string, req, resp *pyjson.Map) {
	var instanceID any
	switch {
	case eventSource == "ssm.amazonaws.com":
		eventName, ok := d.GetString("eventName")
		if !ok && !d.Has("eventName") {
			ok = true // logdata.get('eventName', '')
		}
		if !ok || req.Len() == 0 {
			break
		}
		switch {
		case eventName == "StartSession" || eventName == "GetConnectionStatus":
			instanceID, _ = req.Get("target")
		case strings.Contains("PutComplianceItems", eventName):
			if id, ok := req.GetString("resourceId"); ok && ctStartsWithInstanceID(id) {
				instanceID = id
			}
		}
	case strings.Contains("sts.amazonaws.com", eventSource):
		if ua, ok := d.GetString("userAgent"); ok && ua == "ec2.amazonaws.com" {
			instanceID, _ = req.Get("roleSessionName")
		}
	case strings.Contains("cloudhsm.amazonaws.com", eventSource):
		var hosts []any
		if cluster, _ := req.Get("clusterId"); pyjson.Truthy(cluster) {
			hosts = append(hosts, cluster)
		}
		var hsm any
		if v, ok := resp.Get("hsmId"); ok {
			hsm = v
		} else if v, ok := resp.GetPath("hsm", "hsmId"); ok {
			hsm = v
		}
		if pyjson.Truthy(hsm) {
			d.Child("cloud").Set("instance", ctIDMap(hsm))
			hosts = append(hosts, hsm)
		}
		if len(hosts) > 0 {
			d.Child("related").Set("hosts", hosts)
		}
	}
	if pyjson.Truthy(instanceID) {
		d.Child("cloud").Set("instance", ctIDMap(instanceID))
	}
}

func ctIDMap(v any) *pyjson.Map {
	m := pyjson.NewMap(1)
	m.Set("id", v)
	return m
}

// ctStartsWithInstanceID is RE_INSTANCEID.match: s starts, after at most
// one '_' or non-word character, with "i-" and 8 or 17 of [0-9a-z],
// followed by the end, '_' or a non-word character.
func ctStartsWithInstanceID(s string) bool {
	if r, size := utf8.DecodeRuneInString(s); size > 0 && (r == '_' || !isPyWordRune(r)) {
		s = s[size:]
	}
	if !strings.HasPrefix(s, "i-") {
		return false
	}
	s = s[2:]
	n := 0
	for n < len(s) && n < 18 && (s[n] >= '0' && s[n] <= '9' || s[n] >= 'a' && s[n] <= 'z') {
		n++
	}
	for _, l := range [2]int{8, 17} {
		if n < l {
			continue
		}
		if l == len(s) {
			return true
		}
		if r, _ := utf8.DecodeRuneInString(s[l:]); r == '_' || !isPyWordRune(r) {
			return true
		}
	}
	return false
}

// ctConvertTextIntoDict is es-loader's convert_text_into_dict applied to
// m[k] when k is present: objects and lists of objects stay, text and
// lists of text go under "value", an empty list becomes an empty object,
// anything else becomes its Python repr under "value".
func ctConvertTextIntoDict(m *pyjson.Map, k string) {
	v, ok := m.Get(k)
	if !ok {
		return
	}
	switch x := v.(type) {
	case *pyjson.Map:
		return
	case string:
		v = ctValueMap("value", x)
	case []any:
		switch {
		case len(x) == 0:
			v = pyjson.NewMap(0)
		default:
			switch x[0].(type) {
			case string:
				v = ctValueMap("value", x)
			case *pyjson.Map:
				return
			default:
				v = ctValueMap("value", pyjson.Repr(x))
			}
		}
	default:
		v = ctValueMap("value", pyjson.Repr(x))
	}
	m.Set(k, v)
}

// ctWrapText turns non-empty text at m[k] into {name: text}.
func ctWrapText(m *pyjson.Map, k, name string) {
	if s, ok := m.GetString(k); ok && s != "" {
		m.Set(k, ctValueMap(name, s))
	}
}

// ctUnwrapValue replaces m[k] = {"value": x, ...} by x.
func ctUnwrapValue(m *pyjson.Map, k string) {
	if o := ctMap(m, k); o != nil {
		if v, ok := o.Get("value"); ok {
			m.Set(k, v)
		}
	}
}

// ctRenameParameter moves tm.parameters[old] to tm.parameters[new].
func ctRenameParameter(tm *pyjson.Map, old, new string) {
	params := ctMap(tm, "parameters")
	if v, ok := params.Get(old); ok {
		params.Delete(old)
		params.Set(new, v)
	}
}

func ctValueMap(k string, v any) *pyjson.Map {
	m := pyjson.NewMap(1)
	m.Set(k, v)
	return m
}
