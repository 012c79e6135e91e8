package logtypes

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Amazon GuardDuty findings ([guardduty]): one finding per JSON line, as
// GuardDuty exports them to S3. The transform
//
//   - tidies rule.name (the title without surrounding blanks or final dots),
//   - adds severitylabel from the numeric severity,
//   - splits the finding type "ThreatPurpose:ResourceTypeAffected/
//     ThreatFamilyName.DetectionMechanism!Artifact" into top-level fields,
//   - sets network.direction from the action (NETWORK_CONNECTION: the
//     connection's direction; DNS_REQUEST: outbound; malicious or suspicious
//     file findings: none; otherwise inbound),
//   - swaps source and destination of outbound findings, whose ECS mapping
//     put the remote side in source,
//   - sets event.category "malware" (a string) for Backdoor, CryptoCurrency
//     and Trojan findings and for malicious or suspicious files.
//
// es-loader difference (fixed): es-loader's script has no label for a
// severity above 8.9 and raises half-way through such findings (GuardDuty's
// "Critical" attack sequences, severity 9-10), so their documents keep only
// the tidied rule.name and lack severitylabel, the type fields and
// network.direction. Here they are transformed completely and labelled
// "critical", GuardDuty's own name for that range. Likewise a finding whose
// action lacks its connectionDirection is transformed, without a direction,
// instead of stopping half-way.
//
// A finding without a parsable type is not transformed at all: the
// transform returns an error and leaves the document as the ECS step made
// it.

func init() { register("guardduty", transformGuardDuty) }

// guardDutyType is a finding type split into its parts. DetectionMechanism
// and Artifact are nil when the type has no such part (Python's None).
type guardDutyType struct {
	threatPurpose        string
	resourceTypeAffected string
	threatFamilyName     string
	detectionMechanism   any
	artifact             any
}

// parseGuardDutyType is es-loader's RE_GD_TYPE.match: a prefix of s of the
// form `\w*:\w*/[\w&]*(\.\w*)?(!\w*)?`; anything may follow it.
func parseGuardDutyType(s string) (guardDutyType, bool) {
	var t guardDutyType
	i := scanPyWord(s, 0, false)
	if i >= len(s) || s[i] != ':' {
		return t, false
	}
	t.threatPurpose = s[:i]
	j := scanPyWord(s, i+1, false)
	if j >= len(s) || s[j] != '/' {
		return t, false
	}
	t.resourceTypeAffected = s[i+1 : j]
	k := scanPyWord(s, j+1, true)
	t.threatFamilyName = s[j+1 : k]
	if k < len(s) && s[k] == '.' {
		e := scanPyWord(s, k+1, false)
		t.detectionMechanism = s[k+1 : e]
		k = e
	}
	if k < len(s) && s[k] == '!' {
		e := scanPyWord(s, k+1, false)
		t.artifact = s[k+1 : e]
	}
	return t, true
}

// scanPyWord returns the end of the run of Python \w characters (letters,
// numbers, '_'; with amp also '&') that starts at i.
func scanPyWord(s string, i int, amp bool) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || amp && c == '&' {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return i
		}
		i += size
	}
	return i
}

// guardDutySeverityLabel names a numeric severity the way GuardDuty does:
// low up to 3.9, medium up to 6.9, high up to 8.9, critical above.
func guardDutySeverityLabel(v any) (string, bool) {
	var f float64
	switch x := v.(type) {
	case pyjson.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return "", false
		}
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return "", false
		}
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case float64:
		f = x
	default:
		return "", false
	}
	switch {
	case math.IsNaN(f):
		return "", false
	case f <= 3.9:
		return "low", true
	case f <= 6.9:
		return "medium", true
	case f <= 8.9:
		return "high", true
	}
	return "critical", true
}

// isFileThreat reports the threat families of malware-scan findings, which
// have no network direction and are malware.
func isFileThreat(family string) bool {
	return family == "SuspiciousFile" || family == "MaliciousFile"
}

// isMalwarePurpose reports the threat purposes es-loader files under
// event.category "malware".
func isMalwarePurpose(purpose string) bool {
	return purpose == "Backdoor" || purpose == "CryptoCurrency" || purpose == "Trojan"
}

var errGuardDutyType = errors.New("guardduty: the finding has no type of the form ThreatPurpose:ResourceTypeAffected/ThreatFamilyName")

func transformGuardDuty(r *Record) error {
	d := r.Doc
	typ, ok := d.GetString("type")
	if !ok {
		return errGuardDutyType
	}
	ft, ok := parseGuardDutyType(typ)
	if !ok {
		return errGuardDutyType
	}

	tidyFindingRuleName(d)
	if sev, ok := d.Get("severity"); ok {
		if label, ok := guardDutySeverityLabel(sev); ok {
			d.Set("severitylabel", label)
		}
	}
	d.Set("ThreatPurpose", ft.threatPurpose)
	d.Set("ResourceTypeAffected", ft.resourceTypeAffected)
	d.Set("ThreatFamilyName", ft.threatFamilyName)
	d.Set("DetectionMechanism", ft.detectionMechanism)
	d.Set("Artifact", ft.artifact)

	// direction as GuardDuty spells it (upper case); "" means none
	direction := ""
	actionType, _ := d.GetString("service", "action", "actionType")
	switch {
	case actionType == "NETWORK_CONNECTION":
		direction, _ = d.GetString("service", "action", "networkConnectionAction", "connectionDirection")
	case actionType == "DNS_REQUEST":
		direction = "OUTBOUND"
	case isFileThreat(ft.threatFamilyName):
	default:
		direction = "INBOUND"
	}
	if direction != "" {
		d.Child("network").Set("direction", strings.ToLower(direction))
	}
	if direction == "OUTBOUND" {
		swapSourceDestination(d)
	}

	if isMalwarePurpose(ft.threatPurpose) || isFileThreat(ft.threatFamilyName) {
		d.Child("event").Set("category", "malware")
	}
	return nil
}

// tidyFindingRuleName is rule.name.strip().rstrip('.') of the GuardDuty and
// Security Hub scripts: the finding title as a rule name.
func tidyFindingRuleName(d *pyjson.Map) {
	v, ok := d.Get("rule")
	if !ok {
		return
	}
	rule, ok := v.(*pyjson.Map)
	if !ok {
		return
	}
	name, ok := rule.GetString("name")
	if !ok {
		return
	}
	tidy := strings.TrimRight(strings.TrimFunc(name, PyIsSpace), ".")
	if tidy != name {
		rule.Set("name", tidy)
	}
}

// swapSourceDestination exchanges the source and destination objects, as
// the findings scripts do for outbound traffic, and drops the side that
// ends up empty.
func swapSourceDestination(d *pyjson.Map) {
	src, _ := d.Get("source")
	dst, _ := d.Get("destination")
	d.Set("source", dst)
	d.Set("destination", src)
	if !pyjson.Truthy(dst) {
		d.Delete("source")
	}
	if !pyjson.Truthy(src) {
		d.Delete("destination")
	}
}
