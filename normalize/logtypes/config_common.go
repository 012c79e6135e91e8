package logtypes

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// Shared by the AWS Config transforms ([config-snapshot],
// [config-history], [config-rules]; es-loader's sf_config_snapshot.py
// helpers).
//
// Where es-loader's helpers raise half-way on unusual items (a deleted
// resource whose configuration is null, a list where they expect an
// object, an address that is not text), the item is skipped part by part
// here and the rest applied.

// setConfigDocID gives every version of a resource the same @id, the MD5 of
// account + region + resource type + resource id, and tells versions apart
// by the _id suffix <capture time YYYYmmdd_HHMMSS>_<4 hex digits of the MD5
// of event.module + configRuleARN>. It fails, changing nothing, when one
// of the four identifying fields is not text.
func setConfigDocID(r *Record) error {
	d := r.Doc
	var seed strings.Builder
	for _, k := range [...]string{"awsAccountId", "awsRegion", "resourceType", "resourceId"} {
		v, _ := d.Get(k)
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s is %s, not text: no _id can be made", k, pyjson.Repr(v))
		}
		seed.WriteString(s)
	}
	module, _ := d.GetPath("event", "module")
	moduleText, ok := module.(string)
	if !ok {
		return fmt.Errorf("event.module is %s, not text", pyjson.Repr(module))
	}
	rule := ""
	if v, ok := d.Get("configRuleARN"); ok {
		if rule, ok = v.(string); !ok {
			return fmt.Errorf("configRuleARN is %s, not text", pyjson.Repr(v))
		}
	}
	ts, _ := d.GetString("@timestamp")
	captured, ok := pytime.FromISOFormat(ts, time.UTC)
	if !ok {
		return fmt.Errorf("@timestamp %q is not ISO 8601", ts)
	}
	id := md5.Sum([]byte(seed.String()))
	suffix := md5.Sum([]byte(moduleText + rule))
	d.Set("@id", hex.EncodeToString(id[:]))
	r.IDSuffix = pytime.Strftime(captured, "%Y%m%d_%H%M%S") + "_" + hex.EncodeToString(suffix[:2])
	r.HasIDSuffix = true
	return nil
}

// configObjectPaths lists, per resource type, the objects keyed by
// arbitrary names that es-loader turns into lists of their values, so
// that the index mapping does not grow a field per name.
var configObjectPaths = map[string][][]string{
	"AWS::S3::Bucket": {
		{"supplementaryConfiguration", "BucketNotificationConfiguration", "configurations"},
		{"supplementaryConfiguration", "BucketReplicationConfiguration", "rules"},
	},
	"AWS::SSM::ManagedInstanceInventory": {
		{"configuration", "AWS:Application", "Content"},
		{"configuration", "AWS:AWSComponent", "Content"},
		{"configuration", "AWS:InstanceInformation", "Content"},
		{"configuration", "AWS:Network", "Content"},
		{"configuration", "AWS:WindowsUpdate", "Content"},
	},
	"AWS::SSM::PatchCompliance": {
		{"configuration", "AWS:ComplianceItem", "Content", "Association"},
		{"configuration", "AWS:ComplianceItem", "Content", "Patch"},
	},
	"AWS::SSM::AssociationCompliance": {
		{"configuration", "AWS:ComplianceItem", "Content", "Association"},
		{"configuration", "AWS:ComplianceItem", "Content", "Patch"},
	},
}

// convertConfigObjectsToLists is es-loader's convert_dict_to_list.
func convertConfigObjectsToLists(d *pyjson.Map) {
	for _, path := range configObjectPaths[str(d, "resourceType")] {
		parent := mapAt(d, path[:len(path)-1])
		last := path[len(path)-1]
		v, _ := parent.Get(last)
		obj, ok := v.(*pyjson.Map)
		if !ok {
			continue
		}
		list := make([]any, 0, obj.Len())
		obj.Range(func(_ string, x any) bool {
			list = append(list, x)
			return true
		})
		parent.Set(last, list)
	}
}

// mapAt follows path through objects; nil when one is missing or not an
// object.
func mapAt(m *pyjson.Map, path []string) *pyjson.Map {
	for _, k := range path {
		v, _ := m.Get(k)
		c, ok := v.(*pyjson.Map)
		if !ok {
			return nil
		}
		m = c
	}
	return m
}

// renameConfigFields is es-loader's rename_config_field_name: fields whose
// type differs between resource types are moved or wrapped so that one
// index mapping holds them all.
func renameConfigFields(d *pyjson.Map) {
	cfg := mapAt(d, []string{"configuration"})

	// S3 buckets: owner.id → owner_id; EC2 instances: state.code and
	// state.name → state_code, state_name
	popInto(cfg, "owner", "id", "owner_id")
	popInto(cfg, "state", "code", "state_code")
	popInto(cfg, "state", "name", "state_name")
	// a dotted tag name
	if tags := mapAt(d, []string{"tags"}); tags != nil {
		if v, ok := tags.Get("AmazonFSx.FileSystemId"); ok {
			tags.Delete("AmazonFSx.FileSystemId")
			tags.Set("AmazonFSx_FileSystemId", v)
		}
	}
	if cfg == nil {
		return
	}
	// Lambda functions: stateReason text → {message, code}
	if reason, ok := cfg.GetString("stateReason"); ok {
		m := pyjson.NewMap(2)
		m.Set("message", reason)
		cfg.Set("stateReason", m)
		if code, ok := cfg.Get("stateReasonCode"); ok {
			cfg.Delete("stateReasonCode")
			m.Set("code", code)
		}
	}
	// Classic load balancers: lists of ids → lists of objects
	wrapTextList(cfg, "securityGroups", "groupId")
	wrapTextList(cfg, "availabilityZones", "zoneName")
	wrapTextList(cfg, "subnets", "subnetIdentifier")
	// RDS clusters, OpenSearch domains: endpoint text → {address}
	wrapText(cfg, "endpoint", "address")
	// launch configurations: iamInstanceProfile text → {arn}
	wrapText(cfg, "iamInstanceProfile", "arn")
	// WAFv2 web ACLs: rule statements (deeply nested, varied) → JSON text
	if rules, ok := cfg.Get("rules"); ok {
		if list, ok := rules.([]any); ok && len(list) > 0 {
			if first, ok := list[0].(*pyjson.Map); ok {
				if st, _ := first.Get("statement"); isMap(st) {
					for _, item := range list {
						rule, ok := item.(*pyjson.Map)
						if !ok {
							continue
						}
						if st, ok := rule.Get("statement"); ok && isMap(st) {
							rule.Set("statement", string(pyjson.AppendDumps(nil, st, true)))
						}
					}
				}
			}
		}
	}
	// VPC peering connections: status {code, message} → status (the
	// code) and status_message
	if st := mapAt(cfg, []string{"status"}); st != nil {
		if msg, ok := st.Get("message"); ok {
			st.Delete("message")
			cfg.Set("status_message", msg)
			if code, ok := st.Get("code"); ok {
				st.Delete("code")
				cfg.Set("status", code)
			}
		}
	}
}

func isMap(v any) bool {
	_, ok := v.(*pyjson.Map)
	return ok
}

// popInto moves cfg[obj][key] to cfg[to].
func popInto(cfg *pyjson.Map, obj, key, to string) {
	o := mapAt(cfg, []string{obj})
	if o == nil {
		return
	}
	if v, ok := o.Get(key); ok {
		o.Delete(key)
		cfg.Set(to, v)
	}
}

// wrapTextList turns a list whose first element is text into a list of
// {name: element}.
func wrapTextList(cfg *pyjson.Map, k, name string) {
	v, _ := cfg.Get(k)
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return
	}
	if _, ok := list[0].(string); !ok {
		return
	}
	out := make([]any, len(list))
	for i, x := range list {
		m := pyjson.NewMap(1)
		m.Set(name, x)
		out[i] = m
	}
	cfg.Set(k, out)
}

// wrapText turns text at cfg[k] into {name: text}.
func wrapText(cfg *pyjson.Map, k, name string) {
	if s, ok := cfg.GetString(k); ok {
		m := pyjson.NewMap(1)
		m.Set(name, s)
		cfg.Set(k, m)
	}
}

// setConfigHost is es-loader's extract_host: the instance an item is
// about (EC2 instances, SSM inventory and compliance items) becomes
// cloud.instance.id and related.hosts. For a Config rule's evaluation of
// an EC2 instance es-loader sets user.id to the instance id; kept.
func setConfigHost(d *pyjson.Map) {
	rt := str(d, "resourceType")
	id, _ := d.GetString("resourceId")
	switch rt {
	case "AWS::EC2::Instance", "AWS::SSM::ManagedInstanceInventory":
		setInstanceID(d, id)
	case "AWS::Config::ResourceCompliance":
		if typ, target, ok := configComplianceTarget(id); ok && strings.Contains("AWS::EC2::Instance", typ) {
			u := pyjson.NewMap(1)
			u.Set("id", target)
			d.Set("user", u)
		}
	case "AWS::SSM::AssociationCompliance", "AWS::SSM::PatchCompliance":
		setInstanceID(d, id[strings.LastIndexByte(id, '/')+1:])
	}
	if inst := mapAt(d, []string{"cloud", "instance"}); inst != nil {
		if v, ok := inst.Get("id"); ok {
			d.Child("related").Set("hosts", []any{v})
		}
	}
}

func setInstanceID(d *pyjson.Map, id string) {
	inst := pyjson.NewMap(1)
	inst.Set("id", id)
	d.Child("cloud").Set("instance", inst)
}

// configComplianceTarget splits "<type>/<id>" (exactly one '/').
func configComplianceTarget(id string) (typ, target string, ok bool) {
	typ, target, ok = strings.Cut(id, "/")
	if !ok || strings.Contains(target, "/") {
		return "", "", false
	}
	return typ, target, true
}

// setConfigUser is es-loader's extract_user: IAM users and roles (and a
// Config rule's evaluation of one) become user.id and user.name, and
// related.user.
func setConfigUser(d *pyjson.Map) {
	rt := str(d, "resourceType")
	id, _ := d.Get("resourceId")
	switch {
	case rt == "AWS::IAM::User" || rt == "AWS::IAM::Role":
		name, ok := d.Get("resourceName")
		if !ok {
			name = ""
		}
		u := pyjson.NewMap(2)
		u.Set("id", id)
		u.Set("name", name)
		d.Set("user", u)
	case strings.Contains("AWS::Config::ResourceCompliance", rt):
		// a substring test in es-loader (`in ('...')` of one string)
		s, _ := id.(string)
		if typ, target, ok := configComplianceTarget(s); ok && (typ == "AWS::IAM::Role" || typ == "AWS::IAM::User") {
			u := pyjson.NewMap(1)
			u.Set("id", target)
			d.Set("user", u)
		}
	}
	u, _ := d.Get("user")
	if !pyjson.Truthy(u) {
		return
	}
	um, ok := u.(*pyjson.Map)
	if !ok {
		return
	}
	users := make([]any, 0, 2)
	for _, k := range [...]string{"name", "id"} {
		if v, _ := um.Get(k); pyjson.Truthy(v) {
			users = append(users, v)
		}
	}
	d.Child("related").Set("user", users)
}

// setConfigIP is es-loader's extract_ip: the addresses of Elastic IPs,
// instances, network interfaces, NAT gateways and SSM inventory become
// related.ip, sorted and de-duplicated.
func setConfigIP(d *pyjson.Map) {
	cfgValue, _ := d.Get("configuration")
	if !pyjson.Truthy(cfgValue) {
		return
	}
	cfg, ok := cfgValue.(*pyjson.Map)
	if !ok {
		return
	}
	var ips []any
	rt := str(d, "resourceType")
	switch {
	case strings.Contains("AWS::EC2::EIP", rt):
		// a substring test in es-loader, too
		if v, _ := cfg.Get("privateIpAddress"); pyjson.Truthy(v) {
			ips = append(ips, v)
		}
		if v, _ := d.Get("resourceName"); pyjson.Truthy(v) {
			ips = append(ips, v)
		}
	case rt == "AWS::EC2::Instance":
		enis, _ := cfg.Get("networkInterfaces")
		list, _ := enis.([]any)
		for _, eni := range list {
			if em, ok := eni.(*pyjson.Map); ok {
				addrs, _ := em.Get("privateIpAddresses")
				ips = appendNICAddresses(ips, addrs)
			}
		}
	case rt == "AWS::EC2::NetworkInterface":
		addrs, _ := cfg.Get("privateIpAddresses")
		ips = appendNICAddresses(ips, addrs)
	case rt == "AWS::EC2::NatGateway":
		gw, _ := cfg.Get("natGatewayAddresses")
		if list, ok := gw.([]any); ok && len(list) > 0 {
			if first, ok := list[0].(*pyjson.Map); ok {
				for _, k := range [...]string{"publicIp", "privateIp"} {
					if v, _ := first.Get(k); pyjson.Truthy(v) {
						ips = append(ips, v)
					}
				}
			}
		}
	case rt == "AWS::SSM::ManagedInstanceInventory":
		content, _ := mapAt(cfg, []string{"AWS:Network"}).Get("Content")
		list, _ := content.([]any)
		for _, c := range list {
			if cm, ok := c.(*pyjson.Map); ok {
				for _, k := range [...]string{"IPV6", "IPV4"} {
					v, _ := cm.Get(k)
					ips = append(ips, v)
				}
			}
		}
	}
	if len(ips) == 0 {
		return
	}
	texts := make([]string, 0, len(ips))
	for _, v := range ips {
		if s, ok := v.(string); ok && s != "" {
			texts = append(texts, s)
		}
	}
	d.Child("related").Set("ip", SortedUniqueStrings(texts))
}

// appendNICAddresses adds each private address of a network interface
// and its public (association) address.
func appendNICAddresses(ips []any, addrs any) []any {
	list, _ := addrs.([]any)
	for _, a := range list {
		am, ok := a.(*pyjson.Map)
		if !ok {
			continue
		}
		v, _ := am.Get("privateIpAddress")
		ips = append(ips, v)
		if pub, _ := mapAt(am, []string{"association"}).Get("publicIp"); pyjson.Truthy(pub) {
			ips = append(ips, pub)
		}
	}
	return ips
}
