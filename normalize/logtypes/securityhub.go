package logtypes

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS Security Hub findings ([securityhub]): ASFF findings exploded from
// the "findings" list of EventBridge events. The transform
//
//   - sets event.module to the lower-cased product name ("security hub",
//     "guardduty", "inspector", "macie", ...),
//   - for a finding in workflow state NEW, replaces @timestamp by the
//     finding's UpdatedAt (the index still follows the event time), and
//     gives every document its own _id per update and workflow state:
//     "<Id>_<md5(@timestamp + Workflow.Status)>",
//   - splits GuardDuty and Macie finding types into ThreatPurpose,
//     ResourceTypeAffected, ThreatFamilyName, DetectionMechanism, Artifact,
//   - per product: Security Hub controls get rule.id = GeneratorId and the
//     consolidated_controls_view / consolidated_control_findings flags;
//     GuardDuty findings get network.direction (outbound ones swap source
//     and destination) and event.category intrusion_detection or malware;
//     Inspector findings get rule.id from the finding type (plus the CVE of
//     vulnerability findings) and event.category "package",
//   - tidies rule.name, takes cloud.instance.id, user.id and user.name from
//     the finding's resources and fills related.hosts, related.user and
//     related.ip.
//
// es-loader differences (fixed; field values differ, _id and _index stay
// es-loader's):
//
//   - A finding without ProductFields."aws/securityhub/ProductName" makes
//     es-loader's script raise on its first line: nothing of the above is
//     applied and event.module stays "securityhub". Here the finding's
//     top-level ProductName is used instead and the finding is transformed.
//     Its _id keeps es-loader's form (no suffix), so that re-delivering an
//     object es-loader already loaded overwrites its documents instead of
//     duplicating them. For the same reason findings without
//     Workflow.Status (or NEW ones without a textual UpdatedAt) have no
//     suffix, while the rest of the transform is applied.
//   - Other inputs that make es-loader's script stop half-way (an
//     AwsIamAccessKey resource without PrincipalName, a missing title or
//     GeneratorId, an unparsable finding type, a resource without Type or
//     Id, ...) are handled field by field: what can be derived is, what
//     cannot is left out.
//
// A finding with no product name at all is not transformed: the transform
// returns an error and leaves the document as the ECS step made it.

func init() { register("securityhub", transformSecurityHub) }

const (
	asffProductNameKey = "aws/securityhub/ProductName"
	asffGDActionType   = "aws/guardduty/service/action/actionType"
	asffGDDirection    = "aws/guardduty/service/action/networkConnectionAction/connectionDirection"
	asffInspectorV1ID  = "aws/inspector/id"
)

// Python's \w is Unicode-aware; RE2's is ASCII only.
const asffWord = `[\p{L}\p{N}_]`

// asffTypeRE is es-loader's RE_GD_MACIE_TYPE ("namespace/category/
// Purpose:Resource-Family.Mechanism!Artifact"), asffOldTypeRE its
// RE_GD_MACIE_ORG_TYPE (the GuardDuty-native "Purpose:Resource/Family...").
// Both are anchored like re.match; RE2's leftmost-first submatches are the
// ones Python's backtracking finds.
var (
	asffTypeRE = regexp.MustCompile(`^(?P<ns>[^/]*)(?:/(?P<cat>[^/]*))?/(?:(?P<tp>` + asffWord + `*):)?(?P<rta>` + asffWord +
		`*)(?:/|-|\.)(?P<tfn>[\p{L}\p{N}_&]*)(?:\.(?P<dm>` + asffWord + `*))?(?:!(?P<art>` + asffWord + `*))?`)
	asffOldTypeRE = regexp.MustCompile(`^(?P<tp>` + asffWord + `*):(?P<rta>` + asffWord + `*)/(?P<tfn>[\p{L}\p{N}_&]*)(?:\.(?P<dm>` +
		asffWord + `*))?(?:!(?P<art>` + asffWord + `*))?`)
)

// asffGroup returns the named group of a submatch index slice: the text, or
// nil when the group did not take part (Python's None).
func asffGroup(re *regexp.Regexp, s string, loc []int, name string) any {
	i := re.SubexpIndex(name)
	if i < 0 || loc[2*i] < 0 {
		return nil
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// splitFindingType is es-loader's split_findings_type for GuardDuty and
// Macie finding types. The values are strings or nil. ok is false when
// neither pattern matches.
//
// A GuardDuty-native type with a detection mechanism
// ("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS")
// also matches the ASFF pattern, with neither purpose nor category, and
// makes es-loader's script raise; it is read with the native pattern here.
func splitFindingType(s string) (purpose, resource, family, mechanism, artifact any, ok bool) {
	if loc := asffTypeRE.FindStringSubmatchIndex(s); loc != nil {
		re := asffTypeRE
		purpose = asffGroup(re, s, loc, "tp")
		if !pyjson.Truthy(purpose) {
			// "Software and Configuration Checks/AWS Security Best
			// Practices/..." style: the category names the purpose
			purpose = nil
			if cat, isStr := asffGroup(re, s, loc, "cat").(string); isStr {
				purpose = strings.ReplaceAll(cat, " ", "")
			}
		}
		if purpose != nil || asffOldTypeRE.FindStringIndex(s) == nil {
			return purpose, asffGroup(re, s, loc, "rta"), asffGroup(re, s, loc, "tfn"),
				asffGroup(re, s, loc, "dm"), asffGroup(re, s, loc, "art"), true
		}
	}
	if loc := asffOldTypeRE.FindStringSubmatchIndex(s); loc != nil {
		re := asffOldTypeRE
		return asffGroup(re, s, loc, "tp"), asffGroup(re, s, loc, "rta"), asffGroup(re, s, loc, "tfn"),
			asffGroup(re, s, loc, "dm"), asffGroup(re, s, loc, "art"), true
	}
	return nil, nil, nil, nil, nil, false
}

var errSecurityHubProduct = errors.New("securityhub: the finding names no product (ProductFields.\"aws/securityhub/ProductName\" or ProductName)")

// asffMap returns the map under key, or nil.
func asffMap(m *pyjson.Map, key string) *pyjson.Map {
	v, _ := m.Get(key)
	c, _ := v.(*pyjson.Map)
	return c
}

func transformSecurityHub(r *Record) error {
	d := r.Doc
	productFields := asffMap(d, "ProductFields")
	product, ok := productFields.GetString(asffProductNameKey)
	// without it es-loader's script stops at its first line: no _id suffix
	suffixAllowed := ok
	if !ok {
		if product, ok = d.GetString("ProductName"); !ok {
			return errSecurityHubProduct
		}
	}
	module := strings.ToLower(product)
	ev := d.Child("event")
	ev.Set("module", module)

	// @timestamp and the _id suffix
	workflow, hasWorkflow := asffMap(d, "Workflow").Get("Status")
	if hasWorkflow {
		suffix := suffixAllowed
		if s, isStr := workflow.(string); isStr && s == "NEW" {
			if updated, ok := d.GetString("UpdatedAt"); ok {
				d.Set("@timestamp", strings.ReplaceAll(updated, "Z", "+00:00"))
			} else {
				suffix = false
			}
		}
		if suffix {
			ts, _ := d.Get("@timestamp")
			sum := md5.Sum([]byte(pyjson.Str(ts) + pyjson.Str(workflow)))
			r.IDSuffix = hex.EncodeToString(sum[:])
			r.HasIDSuffix = true
		}
	}

	var threatPurpose, threatFamily any
	if module == "guardduty" || module == "macie" {
		if t, ok := firstFindingType(d); ok {
			if tp, rta, tfn, dm, art, ok := splitFindingType(t); ok {
				threatPurpose, threatFamily = tp, tfn
				d.Set("ThreatPurpose", tp)
				d.Set("ResourceTypeAffected", rta)
				d.Set("ThreatFamilyName", tfn)
				d.Set("DetectionMechanism", dm)
				d.Set("Artifact", art)
			}
		}
	}

	switch {
	case strings.Contains(module, "security hub"):
		generator, hasGenerator := d.Get("GeneratorId")
		if hasGenerator {
			d.Child("rule").Set("id", generator)
		}
		controlID, _ := asffMap(d, "Compliance").Get("SecurityControlId")
		d.Set("consolidated_controls_view", pyjson.Truthy(controlID))
		g, _ := generator.(string)
		d.Set("consolidated_control_findings", strings.HasPrefix(g, "security-control"))
	case strings.Contains(module, "guardduty"):
		ev.Set("category", "intrusion_detection")
		family, _ := threatFamily.(string)
		direction := ""
		actionType, _ := productFields.GetString(asffGDActionType)
		switch {
		case actionType == "NETWORK_CONNECTION":
			dir, _ := productFields.GetString(asffGDDirection)
			direction = strings.ToLower(dir)
		case actionType == "DNS_REQUEST":
			direction = "outbound"
		case isFileThreat(family):
		default:
			direction = "inbound"
		}
		if direction != "" {
			d.Child("network").Set("direction", direction)
		}
		if direction == "outbound" {
			swapSourceDestination(d)
		}
		purpose, _ := threatPurpose.(string)
		if isMalwarePurpose(purpose) || isFileThreat(family) {
			ev.Set("category", "malware")
		}
	case strings.Contains(module, "inspector"):
		inspectorRule(d, productFields, ev)
	case strings.Contains(module, "iam access analyzer"),
		strings.Contains(module, "systems manager patch manager"):
	case strings.Contains(module, "macie"):
		ev.Set("category", "intrusion_detection")
	}

	tidyFindingRuleName(d)
	asffResources(d)
	return nil
}

// firstFindingType is str(Types[0]); a plain string Types is taken whole.
func firstFindingType(d *pyjson.Map) (string, bool) {
	switch t := asffValue(d, "Types").(type) {
	case []any:
		if len(t) == 0 {
			return "", false
		}
		return pyjson.Str(t[0]), true
	case string:
		return t, true
	}
	return "", false
}

// asffValue returns the value under k, or nil.
func asffValue(m *pyjson.Map, k string) any {
	v, _ := m.Get(k)
	return v
}

// inspectorRule sets rule.id (and for Inspector Classic rule.name) of an
// Inspector finding: Classic findings keep their Types list and take the
// rule name from aws/inspector/id; Inspector2 findings use the first type
// without its "/CVE..." tail, plus the CVE id (the first word of the title)
// for vulnerabilities, which also get event.category "package".
func inspectorRule(d, productFields, ev *pyjson.Map) {
	types, hasTypes := d.Get("Types")
	if v1, _ := productFields.Get(asffInspectorV1ID); pyjson.Truthy(v1) {
		d.Child("rule").Set("name", v1)
	} else {
		if l, ok := types.([]any); ok {
			if len(l) == 0 {
				return
			}
			types = l[0]
		}
		if s, ok := types.(string); ok {
			if i := strings.Index(s, "/CVE"); i >= 0 {
				s = s[:i]
			}
			if strings.Contains(s, "Vulnerabilities") {
				title, _ := d.GetString("Title")
				if f := strings.FieldsFunc(title, PyIsSpace); len(f) > 0 {
					s += "/" + f[0]
				}
			}
			types = s
		}
	}
	if !hasTypes {
		return
	}
	d.Child("rule").Set("id", types)
	vulnerability := false
	switch t := types.(type) {
	case string:
		vulnerability = strings.Contains(t, "Vulnerabilities")
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && s == "Vulnerabilities" {
				vulnerability = true
			}
		}
	}
	if vulnerability {
		ev.Set("category", "package")
	}
}

// asffResources is es-loader's get_values_from_asff_resources plus
// extract_related_fields: the instance and the user a finding is about,
// and the related.* fields.
func asffResources(d *pyjson.Map) {
	var (
		instance    any // cloud.instance.id
		hasInstance bool
		user        *pyjson.Map // replaces user.* as a whole, like es-loader
		relatedIPs  []any
	)
	resources, _ := d.Get("Resources")
	list, _ := resources.([]any)
	for _, e := range list {
		res, ok := e.(*pyjson.Map)
		if !ok {
			continue
		}
		typ, _ := res.GetString("Type")
		id, hasID := res.GetString("Id")
		if !hasID && typ != "AwsEc2Volume" {
			continue
		}
		switch typ {
		case "AwsEc2Instance":
			instance, hasInstance = id[strings.LastIndexByte(id, '/')+1:], true
			if ec2, ok := res.GetPath("Details", "AwsEc2Instance"); ok {
				if ec2, ok := ec2.(*pyjson.Map); ok {
					relatedIPs = asffAppendStrings(relatedIPs, asffValue(ec2, "IpV4Addresses"))
					relatedIPs = asffAppendStrings(relatedIPs, asffValue(ec2, "IpV6Addresses"))
				}
			}
		case "AwsIamAccessKey":
			key := asffMap(asffMap(res, "Details"), "AwsIamAccessKey")
			accessKey := id[strings.LastIndexByte(id, ':')+1:]
			if accessKey == "null" {
				principal, _ := key.GetString("PrincipalId")
				accessKey, _, _ = strings.Cut(principal, ":")
			}
			user = pyjson.NewMap(2)
			user.Set("id", accessKey)
			if name, ok := key.Get("PrincipalName"); ok {
				user.Set("name", name)
			} else if name, ok := key.Get("UserName"); ok {
				// the pre-2021 ASFF name of the field
				user.Set("name", name)
			}
		case "AwsEc2Volume":
			if a, ok := res.GetPath("Details", "AwsEc2Volume", "Attachments"); ok {
				if a, ok := a.([]any); ok && len(a) > 0 {
					if att, ok := a[0].(*pyjson.Map); ok {
						if v, ok := att.Get("InstanceId"); ok {
							instance, hasInstance = v, true
						}
					}
				}
			}
		case "AwsIamRole":
			user = pyjson.NewMap(1)
			user.Set("name", id[strings.LastIndexByte(id, '/')+1:])
		}
	}
	if hasInstance {
		d.Child("cloud").Child("instance").Set("id", instance)
	}
	if user != nil {
		pyjson.MergeAt(d, user, []string{"user"})
	}

	// extract_related_fields
	related, _ := d.Get("related")
	rel, _ := related.(*pyjson.Map)
	if !pyjson.Truthy(related) || rel == nil {
		rel = pyjson.NewMap(3)
	}
	if inst, _ := d.GetPath("cloud", "instance", "id"); pyjson.Truthy(inst) {
		rel.Set("hosts", []any{inst})
	}
	userID, _ := d.GetPath("user", "id")
	userName, _ := d.GetPath("user", "name")
	if pyjson.Truthy(userID) || pyjson.Truthy(userName) {
		users := make([]any, 0, 2)
		if pyjson.Truthy(userID) {
			users = append(users, userID)
		}
		if pyjson.Truthy(userName) {
			users = append(users, userName)
		}
		rel.Set("user", users)
	}
	if len(relatedIPs) > 0 {
		var ips []any
		if v, ok := rel.Get("ip"); ok {
			ips, _ = v.([]any)
		}
		rel.Set("ip", asffUnique(append(append([]any(nil), ips...), relatedIPs...)))
	}
	if rel.Len() > 0 {
		d.Set("related", rel)
	} else {
		d.Delete("related")
	}
}

// asffAppendStrings appends the strings of a list value.
func asffAppendStrings(dst []any, v any) []any {
	l, _ := v.([]any)
	for _, e := range l {
		if s, ok := e.(string); ok {
			dst = append(dst, s)
		}
	}
	return dst
}

// asffUnique drops repeated strings, keeping the first of each (es-loader
// uses list(set(...)), whose order is arbitrary). Other values are kept.
func asffUnique(l []any) []any {
	out := l[:0]
	seen := make(map[string]struct{}, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			if _, dup := seen[s]; dup {
				continue
			}
			seen[s] = struct{}{}
		}
		out = append(out, v)
	}
	return out
}
